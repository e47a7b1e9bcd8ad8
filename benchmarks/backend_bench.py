"""Backend benchmark: SQLite beside PostgreSQL, in one run.

    python -m benchmarks.backend_bench [--leads 100000] [--writers 20] [--per-writer 200]
                                       [--repeat 3] [--skip-writes] [--skip-paint] [--fresh]

Writes: a generated store in which each of --writers reps owns at least
--per-writer new (undecided) leads. One process per rep opens the store,
connects, says it is ready and blocks on its stdin; once all are ready the
parent releases them together (one line down each pipe) and each decides its
own rep's leads through the DecisionService, accept and reject in turn, one
write transaction per decision. Wall time runs from the release to the last
writer's last commit (CLOCK_MONOTONIC, which every process shares). Failed
decisions are counted (there should be none) and the decision events in the
store are counted afterwards. Beside the rate: per-decision latency, the
writers' own CPU per decision and how busy the machine's CPUs were meanwhile
(the PostgreSQL server's processes included), to tell waiting from working.

Paint: the queue of one rep with --leads open leads, measured as tui_bench
does (headless run_test at 120x40, from opening the store until the list has
rows plus one pause), each run in a child process per backend; the median of
--repeat runs, the backends taking turns.

Stores are generated into SQLite (cached under the temp dir, keyed by their
parameters and the schema version; --fresh rebuilds them) and copied into a
new PostgreSQL schema table by table with Core executemany, ids kept, then
VACUUM ANALYZEd (what autovacuum would do after a load). Every schema is
dropped at the end, on failure and on SIGTERM too. The server is
LEADQUEUE_TEST_PG or the local test server, as for the tests (tests/pg.py).
Setup is never timed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, func, insert, select
from sqlalchemy.pool import NullPool

from benchmarks.store_cache import CACHE, cached_store
from leadqueue.demo.generator import REFERENCE, generate
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Reject
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.store.engine import open_store
from leadqueue.store.schema import SCHEMA_VERSION, events, leads, meta, metadata, reps
from tests.pg import server_url, unavailable, with_schema

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
NOW = REFERENCE + timedelta(hours=1)
COPY_CHUNK = 2000  # rows per executemany when copying a store into PostgreSQL
DECISION_KINDS = ("accepted", "rejected")


# -- setup (cached, never timed) ------------------------------------------------------
def writes_store(writers: int, per_writer: int, fresh: bool) -> Path:
    # Leads go to reps at random: half as many again leaves every rep enough.
    n_leads = writers * per_writer * 3 // 2 + 100
    return cached_store(
        f"backend-writes-{n_leads}-reps{writers}-seed{SEED}-v{SCHEMA_VERSION}.db",
        fresh,
        lambda out: generate(out, n_leads=n_leads, n_reps=writers, seed=SEED, open_share=1.0),
    )


def paint_store(n_leads: int, fresh: bool) -> Path:
    return cached_store(
        f"backend-paint-{n_leads}-rep1-seed{SEED}-v{SCHEMA_VERSION}.db",
        fresh,
        lambda out: generate(out, n_leads=n_leads, n_reps=1, seed=SEED, open_share=1.0),
    )


def sqlite_copy(src: Path, dst: Path) -> Path:
    """A private copy of a SQLite store (the backup API: WAL and all)."""
    with closing(sqlite3.connect(src)) as a, closing(sqlite3.connect(dst)) as b:
        a.backup(b)
    return dst


def pick_leads(path: Path, per_writer: int) -> dict[str, list[str]]:
    """Each rep's first `per_writer` new leads (its own, so writers never meet on a lead)."""
    store = open_store(path, create=False)
    picked: dict[str, list[str]] = {}
    with store.read() as conn:
        for rep in conn.scalars(select(reps.c.key).order_by(reps.c.key)).all():
            crm_ids = conn.scalars(
                select(leads.c.crm_id)
                .where(leads.c.owner == rep, leads.c.state == "new")
                .order_by(leads.c.id)
                .limit(per_writer)
            ).all()
            if len(crm_ids) < per_writer:
                raise SystemExit(f"{path}: rep {rep} has only {len(crm_ids)} new leads, {per_writer} wanted")
            picked[rep] = list(crm_ids)
    store.dispose()
    return picked


@contextmanager
def pg_schema(tag: str) -> Iterator[str]:
    """A new, empty schema on the test server; yields a store URL on it and drops
    it afterwards whatever happens (a failed drop is reported, never raised)."""
    reason = unavailable()
    if reason:
        raise SystemExit(f"PostgreSQL: {reason}")
    schema = f"lq_bench_{tag}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            yield with_schema(schema)
        finally:
            try:
                with admin.connect() as conn:
                    conn.exec_driver_sql("SET lock_timeout = '60s'")
                    conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            except Exception as exc:
                print(f"!! could not drop schema {schema}: {exc}; drop it by hand", file=sys.stderr)
    finally:
        admin.dispose()


def copy_to_pg(src: Path, url: str) -> tuple[float, float, dict[str, int]]:
    """Copy a SQLite store into the (empty) PostgreSQL store at `url`, ids kept.
    Returns (seconds copying, seconds in VACUUM ANALYZE, rows per table)."""
    started = time.perf_counter()
    source = open_store(src, create=False)
    target = open_store(url)  # creates the tables as the app does
    counts: dict[str, int] = {}
    try:
        with source.read() as s, target.write() as d:
            d.execute(delete(meta))  # the new store's schema_version row comes over with the rest
            for table in metadata.sorted_tables:  # parents before children
                result = s.execute(
                    select(table).order_by(*table.primary_key.columns).execution_options(yield_per=COPY_CHUNK)
                )
                counts[table.name] = 0
                for part in result.partitions():
                    d.execute(insert(table), [row._asdict() for row in part])
                    counts[table.name] += len(part)
            for table in metadata.sorted_tables:
                column = table.autoincrement_column
                if column is None:
                    continue
                # Explicit ids do not move the serial: point it past them.
                d.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                )
        copied = time.perf_counter() - started
        started = time.perf_counter()
        with target.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in metadata.sorted_tables:
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {table.name}")
        vacuumed = time.perf_counter() - started
    finally:
        source.dispose()
        target.dispose()
    return copied, vacuumed, counts


# -- writers -----------------------------------------------------------------------------
def _writer(url: str, rep: str, ids_file: str) -> None:
    """One rep deciding its own leads, released by a line on stdin."""
    crm_ids = json.loads(Path(ids_file).read_text())[rep]
    services = Services(store=open_store(url), policy=Policy(), clock=FixedClock(NOW))
    decide = DecisionService(services)
    accept = Accept(next_step="call", due=NOW + timedelta(hours=20), note="Discovery call booked")
    reject = Reject(reason="R3", note="Student, no budget")
    with services.store.read() as conn:  # connected and warm before the start
        services.calendars(conn)
        conn.execute(select(func.count()).select_from(leads).where(leads.c.owner == rep)).scalar_one()
    print("ready", flush=True)
    sys.stdin.readline()
    released = time.monotonic()
    cpu = time.process_time()
    latencies: list[float] = []
    errors: list[str] = []
    failed = 0
    for i, crm_id in enumerate(crm_ids):
        t = time.monotonic()
        try:
            if i % 2:
                decide.reject(crm_id, rep, reject)
            else:
                decide.accept(crm_id, rep, accept)
        except Exception as exc:  # counted and shown; the run goes on
            failed += 1
            if len(errors) < 3:
                errors.append(f"{rep} {crm_id}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        latencies.append(time.monotonic() - t)
    finished = time.monotonic()
    cpu = time.process_time() - cpu
    services.store.dispose()
    print(
        json.dumps(
            {
                "released": released,
                "finished": finished,
                "ok": len(crm_ids) - failed,
                "failed": failed,
                "cpu": cpu,
                "errors": errors,
                "latencies": latencies,
            }
        )
    )


def _cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat (Linux)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def _busy_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    if before is None or after is None or after[1] == before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


@dataclass
class WriteRun:
    backend: str
    writers: int
    decisions: int
    failed: int
    wall: float
    first_done: float
    wake_spread: float
    latencies: list[float]
    events_found: int
    start_up: float
    writer_cpu: float  # seconds of CPU all writer processes spent deciding
    machine_busy: float | None  # share of all CPUs busy (any process) from release to last finish
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.decisions / self.wall if self.wall else 0.0


def run_writers(backend: str, url: str, picked: dict[str, list[str]], ids_file: Path) -> WriteRun:
    procs: list[subprocess.Popen[str]] = []
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        for rep in picked:
            cmd = [sys.executable, "-m", "benchmarks.backend_bench", "--child", "write"]
            cmd += ["--store", url, "--rep", rep, "--ids", str(ids_file)]
            procs.append(
                subprocess.Popen(
                    cmd,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=ROOT,
                )
            )
        for p in procs:
            assert p.stdout is not None
            line = p.stdout.readline()
            if line.strip() != "ready":
                p.kill()
                _, err = p.communicate()
                raise RuntimeError(f"a {backend} writer did not start: {line.strip()}\n{err}")
        start_up = time.perf_counter() - started
        ticks = _cpu_ticks()
        released = time.monotonic()
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        for p in procs:
            out, err = p.communicate(timeout=1800)
            if p.returncode:
                raise RuntimeError(f"a {backend} writer failed (exit {p.returncode}):\n{err}")
            results.append(json.loads(out.strip().splitlines()[-1]))
        # The writers exit right after their last commit: close enough to the window.
        busy = _busy_share(ticks, _cpu_ticks())
    finally:
        for p in procs:  # on failure: none left holding locks on the store
            if p.poll() is None:
                p.kill()
                p.wait()
    store = open_store(url, create=False)
    with store.read() as conn:
        found = conn.execute(
            select(func.count())
            .select_from(events)
            .where(events.c.kind.in_(DECISION_KINDS), events.c.origin == "local")
        ).scalar_one()
    store.dispose()
    return WriteRun(
        backend=backend,
        writers=len(results),
        decisions=sum(r["ok"] for r in results),
        failed=sum(r["failed"] for r in results),
        wall=max(r["finished"] for r in results) - released,
        first_done=min(r["finished"] for r in results) - released,
        wake_spread=max(r["released"] for r in results) - released,
        latencies=[x for r in results for x in r["latencies"]],
        events_found=found,
        start_up=start_up,
        writer_cpu=sum(r["cpu"] for r in results),
        machine_busy=busy,
        errors=[e for r in results for e in r["errors"]][:5],
    )


def bench_writes(args: argparse.Namespace, tmp: Path, notes: list[str]) -> dict[str, WriteRun]:
    started = time.perf_counter()
    base = writes_store(args.writers, args.per_writer, args.fresh)
    picked = pick_leads(base, args.per_writer)
    if len(picked) != args.writers:
        raise SystemExit(f"{base} has {len(picked)} reps, not {args.writers}; rebuild with --fresh")
    ids_file = tmp / "writers.json"
    ids_file.write_text(json.dumps(picked))
    notes.append(
        f"writes store: {base.name} ({args.writers} reps, {args.per_writer} new leads each decided), "
        f"ready in {time.perf_counter() - started:.1f} s"
    )
    runs: dict[str, WriteRun] = {}
    sqlite_store = sqlite_copy(base, tmp / "writes.db")
    runs["sqlite"] = run_writers("sqlite", str(sqlite_store), picked, ids_file)
    with pg_schema("writes") as url:
        copied, vacuumed, counts = copy_to_pg(base, url)
        notes.append(
            f"writes store copied to PostgreSQL in {copied:.1f} s + VACUUM ANALYZE {vacuumed:.1f} s "
            f"({counts['leads']:,} leads, {counts['events']:,} events, {counts['clock_runs']:,} clock runs)"
        )
        runs["postgresql"] = run_writers("postgresql", url, picked, ids_file)
    for run in runs.values():
        notes.append(
            f"{run.backend}: {run.writers} writers started and connected in {run.start_up:.1f} s; "
            f"all awake within {run.wake_spread * 1000:.1f} ms of the release"
        )
        notes += [f"{run.backend} error: {e}" for e in run.errors]
    return runs


# -- first paint ---------------------------------------------------------------------------
def _rss_mb() -> float:
    """This process's peak RSS. Not ru_maxrss: Linux carries that across exec from
    the parent, so a child of a big parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _paint(url: str) -> dict[str, Any]:
    from leadqueue.tui.app import LeadqueueApp
    from leadqueue.tui.widgets.queue_list import QueueList

    started = time.perf_counter()
    services = Services(store=open_store(url), policy=Policy(), clock=FixedClock(NOW))
    opened = time.perf_counter() - started
    app = LeadqueueApp(services, actor="ana", owner="ana", persist=False, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.screen.query_one(QueueList)
        while not queue.rows:
            await pilot.pause()
        await pilot.pause()
        paint = time.perf_counter() - started
        rows = len(queue.rows)
    with services.store.read() as conn:
        total = conn.execute(
            select(func.count()).select_from(leads).where(leads.c.is_open.is_(True), leads.c.owner == "ana")
        ).scalar_one()
    services.store.dispose()
    return {"first_paint": paint, "open": opened, "rss_mb": _rss_mb(), "rows": rows, "open_leads": total}


def _run_paint(url: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.backend_bench", "--child", "paint", "--store", url],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if out.returncode:
        raise RuntimeError(f"paint child failed on {url}:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_paint(args: argparse.Namespace, notes: list[str]) -> dict[str, list[dict[str, Any]]]:
    started = time.perf_counter()
    base = paint_store(args.leads, args.fresh)
    notes.append(f"paint store: {base.name}, ready in {time.perf_counter() - started:.1f} s")
    runs: dict[str, list[dict[str, Any]]] = {"sqlite": [], "postgresql": []}
    with pg_schema("paint") as url:
        copied, vacuumed, counts = copy_to_pg(base, url)
        notes.append(
            f"paint store copied to PostgreSQL in {copied:.1f} s + VACUUM ANALYZE {vacuumed:.1f} s "
            f"({counts['leads']:,} leads, {counts['events']:,} events, {counts['clock_runs']:,} clock runs)"
        )
        for _ in range(max(1, args.repeat)):
            runs["sqlite"].append(_run_paint(str(base)))
            runs["postgresql"].append(_run_paint(url))
    for backend, got in runs.items():
        paints = ", ".join(f"{r['first_paint']:.3f}" for r in got)
        notes.append(
            f"{backend} paint: {got[0]['open_leads']:,} open leads, the list holds {got[0]['rows']} rows; "
            f"runs (s): {paints}"
        )
    return runs


# -- the table -----------------------------------------------------------------------------
def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _line(what: str, lite: float | str, pg: float | str, fmt: str = ".1f", ratio: bool = True) -> str:
    def cell(v: float | str) -> str:
        return f"{v:>14{fmt}}" if isinstance(v, float | int) and not isinstance(v, bool) else f"{v:>14}"

    shown = (
        f"{pg / lite:>10.2f}x"
        if ratio and isinstance(lite, float | int) and isinstance(pg, float | int) and lite
        else f"{'-':>11}"
    )
    return f"{what:<42}{cell(lite)}{cell(pg)}{shown}"


def print_table(
    args: argparse.Namespace, writes: dict[str, WriteRun], paints: dict[str, list[dict[str, Any]]]
) -> None:
    print(f"{'':<42}{'SQLite':>14}{'PostgreSQL':>14}{'PG/SQLite':>11}")
    if writes:
        a, b = writes["sqlite"], writes["postgresql"]
        expected = args.writers * args.per_writer
        print(_line(f"decisions/s ({args.writers} writers x {args.per_writer})", a.rate, b.rate))
        print(_line("  wall, release to last commit (s)", a.wall, b.wall, ".3f"))
        print(_line("  first writer done (s)", a.first_done, b.first_done, ".3f"))
        for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            print(
                _line(
                    f"  decision latency {name} (ms)",
                    _pct(a.latencies, q) * 1000,
                    _pct(b.latencies, q) * 1000,
                )
            )
        print(_line("  decision latency max (ms)", max(a.latencies) * 1000, max(b.latencies) * 1000))
        print(
            _line(
                "  writer CPU per decision (ms)",
                a.writer_cpu / max(1, a.decisions) * 1000,
                b.writer_cpu / max(1, b.decisions) * 1000,
                ".2f",
            )
        )
        if a.machine_busy is not None and b.machine_busy is not None:
            print(_line("  machine CPU busy (%, all cores)", a.machine_busy * 100, b.machine_busy * 100))
        print(_line("  failed decisions", a.failed, b.failed, "d", ratio=False))
        print(
            _line(
                "  decision events in the store",
                f"{a.events_found}/{expected}",
                f"{b.events_found}/{expected}",
                ratio=False,
            )
        )
    if paints:
        med = {k: statistics.median(r["first_paint"] for r in v) for k, v in paints.items()}
        opened = {k: statistics.median(r["open"] for r in v) for k, v in paints.items()}
        rss = {k: max(r["rss_mb"] for r in v) for k, v in paints.items()}
        n = len(paints["sqlite"])
        print(
            _line(
                f"queue first paint, {args.leads:,} open (s, med/{n})",
                med["sqlite"],
                med["postgresql"],
                ".3f",
            )
        )
        print(_line("  of which open_store (s)", opened["sqlite"], opened["postgresql"], ".3f"))
        print(_line("  peak RSS of the paint child (MB)", rss["sqlite"], rss["postgresql"]))


def verdict(args: argparse.Namespace, writes: dict[str, WriteRun]) -> int:
    expected = args.writers * args.per_writer
    bad = [
        f"{r.backend}: {r.failed} failed, {r.events_found} decision events for {expected} decisions"
        for r in writes.values()
        if r.failed or r.events_found != expected or r.decisions != expected
    ]
    for line in bad:
        print(f"!! {line}")
    return 1 if bad else 0


# -- entry -------------------------------------------------------------------------------
def _child(args: argparse.Namespace) -> None:
    if args.child == "write":
        _writer(args.store, args.rep, args.ids)
    else:
        print(json.dumps(asyncio.run(_paint(args.store))))


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that drop the schemas


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000, help="open leads in the paint store")
    parser.add_argument("--writers", type=int, default=20, help="concurrent writer processes (one rep each)")
    parser.add_argument("--per-writer", type=int, default=200, help="decisions per writer")
    parser.add_argument("--repeat", type=int, default=3, help="paint runs per backend (median reported)")
    parser.add_argument("--skip-paint", action="store_true")
    parser.add_argument("--skip-writes", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached SQLite stores")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--store", default="", help=argparse.SUPPRESS)
    parser.add_argument("--rep", default="", help=argparse.SUPPRESS)
    parser.add_argument("--ids", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    signal.signal(signal.SIGTERM, _terminate)
    notes: list[str] = []
    writes: dict[str, WriteRun] = {}
    paints: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="leadqueue-backend-bench-") as tmp:
        if not args.skip_writes:
            writes = bench_writes(args, Path(tmp), notes)
        if not args.skip_paint:
            paints = bench_paint(args, notes)
    print(f"PostgreSQL: {server_url()} (a schema of its own per store, dropped); stores cached in {CACHE}")
    for line in notes:
        print(line)
    print_table(args, writes, paints)
    sys.exit(verdict(args, writes))


if __name__ == "__main__":
    main()
