"""Import benchmark: 30,000 and 300,000 rows of leadqueue's own columns.

    python -m benchmarks.import_bench [--rows 30000 300000]

For each size, in fresh processes (peak memory is a process's high-water
mark): `leadqueue import` of the file into a new store, and beside it the
floor: the same rows read with csv.reader and written with raw `sqlite3`
`executemany` into the same tables (a lead row, its `assigned` event, its
decision clock run), no checks, no conversions; and the same again into the
tables without their secondary indexes (those the queue, search and the
team's numbers read), to show what writing the rows alone costs. Prints rows/s
and peak RSS of each, the ratio of ours to the floor, and the target, from one
run.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

SAMPLE = Path(__file__).parent.parent / "tests" / "data" / "import" / "leadqueue_leads.csv"
NOW = datetime(2026, 11, 20, tzinfo=UTC)
TARGET_ROWS_PER_S = 15_000  # issue 17, at 300,000 rows


def build_file(path: Path, rows: int) -> None:
    with SAMPLE.open(newline="", encoding="utf-8") as fh:
        header, *samples = list(csv.reader(fh))
    rep = header.index("rep")
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(rows):
            row = list(samples[i % len(samples)])
            row[0] = f"LQ-{i:09d}"
            row[rep] = row[rep] or "maria"
            writer.writerow(row)


def run_leadqueue(source: Path, db: Path) -> int:
    from leadqueue.domain.clock import FixedClock
    from leadqueue.domain.policy import Policy
    from leadqueue.services.context import Services
    from leadqueue.services.importing import import_file
    from leadqueue.store.engine import open_store

    store = open_store(db)
    summary = import_file(Services(store=store, policy=Policy(), clock=FixedClock(NOW)), source)
    store.dispose()
    return summary.created


_TEXT_COLUMNS = (
    "crm_id", "first_name", "last_name", "title", "seniority", "email", "phone", "profile_url", "company",
    "domain", "industry", "region", "source", "campaign", "channel", "talk_track", "account_status",
    "crm_status",
)  # fmt: skip
# With every NOT NULL column the schema fills from Python-side defaults.
_LEAD_COLUMNS = (
    *_TEXT_COLUMNS, "source_system", "email_norm", "person_key", "search_text", "tier", "owner", "state",
    "is_open", "due_at", "assigned_at", "imported_at", "tech_stack", "growth_signals", "score_breakdown",
    "touchpoints", "content", "intent_signals", "third_party_intent", "extra", "content_hash",
    "contact_attempts", "escalations",
)  # fmt: skip
_INSERT_LEAD = (
    f"INSERT INTO leads ({', '.join(_LEAD_COLUMNS)}) VALUES ({', '.join('?' * len(_LEAD_COLUMNS))})"
)


def _lead_values(r: dict[str, str], now: str) -> tuple[object, ...]:
    derived = ("leadqueue", r["email"], "", r["last_name"], "standard", r["rep"], "new", 1, now, now, now)
    lists = ("[]", "[]", r["score_breakdown"] or "[]", r["touchpoints"] or "[]", "[]", "[]", "[]", "{}")
    return (*(r[c] for c in _TEXT_COLUMNS), *derived, *lists, "", 0, 0)


def run_raw(source: Path, db: Path, secondary_indexes: bool = True) -> int:
    """The floor: the file's cells straight into the same tables with sqlite3."""
    from leadqueue.store.engine import open_store

    open_store(db).dispose()  # the same schema, indexes included
    conn = sqlite3.connect(db)
    if not secondary_indexes:
        named = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ('leads', 'events', 'clock_runs')"
        ).fetchall()
        for (name,) in named:
            conn.execute(f'DROP INDEX "{name}"')
    now = NOW.replace(tzinfo=None).isoformat(sep=" ")
    n = 0

    def flush(batch: list[dict[str, str]]) -> None:
        conn.executemany(_INSERT_LEAD, [_lead_values(r, now) for r in batch])
        marks = ", ".join("?" for _ in batch)
        ids = dict(
            conn.execute(
                f"SELECT crm_id, id FROM leads WHERE crm_id IN ({marks})", [r["crm_id"] for r in batch]
            )
        )
        conn.executemany(
            "INSERT INTO events (event_id, lead_id, kind, actor, at, payload, origin)"
            " VALUES (?, ?, 'assigned', 'import', ?, ?, 'import')",
            [(str(uuid.uuid4()), ids[r["crm_id"]], now, json.dumps({"rep": r["rep"]})) for r in batch],
        )
        conn.executemany(
            "INSERT INTO clock_runs (lead_id, n, clock, rep, started_at, deadline, at_risk_at,"
            " budget_seconds) VALUES (?, 0, 'decision', ?, ?, ?, ?, 86400)",
            [(ids[r["crm_id"]], r["rep"], now, now, now) for r in batch],
        )

    with source.open(newline="", encoding="utf-8") as fh:
        batch: list[dict[str, str]] = []
        for row in csv.DictReader(fh):
            batch.append(row)
            n += 1
            if len(batch) == 900:
                flush(batch)
                batch = []
        if batch:
            flush(batch)
    conn.commit()
    conn.close()
    return n


def child(kind: str, source: Path, db: Path) -> None:
    started = time.perf_counter()
    if kind == "leadqueue":
        rows = run_leadqueue(source, db)
    else:
        rows = run_raw(source, db, secondary_indexes=kind == "raw")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_mb}))


def measure(kind: str, source: Path, db: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_bench", "--child", kind, str(source), str(db)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[30_000, 300_000])
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, source, db = args.child
        child(kind, Path(source), Path(db))
        return
    print(f"{'rows':>9}  {'':<24}{'rows/s':>10}  {'peak RSS':>9}")
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "leads.csv"
            build_file(source, rows)
            ours = measure("leadqueue", source, Path(tmp) / "ours.db")
            raw = measure("raw", source, Path(tmp) / "raw.db")
            bare = measure("raw-bare", source, Path(tmp) / "bare.db")
        measured = (
            ("leadqueue import", ours),
            ("raw sqlite3 executemany", raw),
            ("  same, no 2nd indexes", bare),
        )
        for label, m in measured:
            print(f"{rows:>9,}  {label:<24}{m['rows'] / m['seconds']:>10,.0f}  {m['peak_mb']:>6,.0f} MB")
        speed = (ours["rows"] / ours["seconds"]) / (raw["rows"] / raw["seconds"])
        print(f"{'':>9}  {'ratio (ours / raw)':<24}{speed:>10.2f}  {ours['peak_mb'] / raw['peak_mb']:>7.2f}x")
        if rows == 300_000:
            print(f"{'':>9}  {'target (issue 17)':<24}{TARGET_ROWS_PER_S:>10,}")


if __name__ == "__main__":
    main()
