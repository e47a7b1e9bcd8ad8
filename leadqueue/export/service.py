"""`leadqueue export`: the store's events as a file, written whole or not at all.

Event formats (jsonl, csv) write one line per event; CRM formats (salesforce,
hubspot) write one row per lead with its latest state, for every lead that
has a decision or follow-up on record. `--since last` takes only what the
store recorded after the previous export in the same format: recorded, not
happened, so events a sync pulled in late are not missed.

Nothing from data goes out raw: every CSV cell passes io.csv_out's writer
(control characters shown visibly, formulas made text), and every JSON line
`safe_text.json_safe` (C1 and bidi controls escaped the JSON way; JSON
escapes C0 itself). Either may go to a terminal with `--out -`.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, func, select

from leadqueue.domain.lifecycle import LeadState as Lifecycle
from leadqueue.domain.lifecycle import fold
from leadqueue.domain.records import encode, to_record
from leadqueue.domain.safe_text import json_safe
from leadqueue.export.errors import ExportError
from leadqueue.export.formats import (
    CSV_COLUMNS,
    LeadState,
    MissingCrmId,
    belongs_to,
    check_id,
    crm_header,
    crm_row,
    csv_row,
)
from leadqueue.io.csv_out import SafeWriter
from leadqueue.services.context import Services
from leadqueue.store import outbox
from leadqueue.store import repository as repo
from leadqueue.store.schema import events, leads

Progress = Callable[[int, int], None]
FORMATS = ("jsonl", "csv", "salesforce", "hubspot")
# Kinds that say nothing a CRM tracks: a lead with only these is left out of CRM files.
_NOT_FOR_CRM = ("assigned", "viewed")
_CHUNK = 2000


@dataclass
class ExportSummary:
    format: str
    out: str
    rows: int = 0
    other_crm: int = 0  # leads from the other CRM, which have no record in this one
    since: str = ""

    def line(self) -> str:
        what = "event(s)" if self.format in ("jsonl", "csv") else "lead(s)"
        text = f"exported {self.rows} {what} as {self.format} to {self.out}"
        if self.since:
            text += f" (since {self.since})"
        if self.other_crm:
            text += f"; left out {self.other_crm} lead(s) imported from another CRM"
        return text


def mark_key(fmt: str) -> str:
    return f"export_mark.{fmt}"


def export(
    services: Services,
    fmt: str,
    out: Path | str,
    since: datetime | None = None,
    since_last: bool = False,
    progress: Progress | None = None,
) -> ExportSummary:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    progress = progress or (lambda done, total: None)
    summary = ExportSummary(fmt, str(out))
    with services.store.read() as conn:
        # One read transaction: the file and the mark describe the same snapshot.
        after_seq = 0
        if since_last:
            mark = outbox.read_meta(conn, mark_key(fmt))
            after_seq = int(mark) if mark else 0
            summary.since = "the previous export" if mark else "the beginning (no previous export)"
        elif since is not None:
            summary.since = since.isoformat()
        top_seq = repo.latest_event_seq(conn)
        with _atomic_output(out, fmt) as fh:
            if fmt in ("jsonl", "csv"):
                _write_events(conn, services, fh, fmt, after_seq, since, summary, progress)
            else:
                _write_leads(conn, services, fh, fmt, after_seq, since, summary, progress)
    if since is None:
        # Only an export that took everything after the mark may move it: a
        # `--since WHEN` later than the mark skipped events `last` must still give.
        with services.store.write() as conn:
            outbox.write_meta(conn, mark_key(fmt), str(top_seq))
    return summary


@contextmanager
def _atomic_output(out: Path | str, fmt: str) -> Iterator[IO[str]]:
    # Spreadsheets need the BOM to read accents; Data Loader and HubSpot want plain UTF-8.
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    newline = "" if fmt != "jsonl" else "\n"
    if str(out) == "-":
        stdout = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline=newline, write_through=True)
        try:
            yield stdout
        finally:
            # Detached, not closed: closing the wrapper would close the caller's stdout.
            stdout.flush()
            stdout.detach()
        return
    path = Path(out).expanduser()
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: folder {path.parent} does not exist")
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with open(fd, "w", encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise


def _event_query(after_seq: int, since: datetime | None) -> Any:
    q = select(
        events.c.seq,
        events.c.event_id,
        events.c.kind,
        events.c.actor,
        events.c.at,
        events.c.payload,
        leads.c.crm_id,
    ).join(leads, leads.c.id == events.c.lead_id)
    if after_seq:
        q = q.where(events.c.seq > after_seq)
    if since is not None:
        q = q.where(events.c.at >= since)
    return q.order_by(events.c.seq)


def _write_events(
    conn: Connection,
    services: Services,
    fh: IO[str],
    fmt: str,
    after_seq: int,
    since: datetime | None,
    summary: ExportSummary,
    progress: Progress,
) -> None:
    total = int(
        conn.execute(select(func.count()).select_from(_event_query(after_seq, since).subquery())).scalar_one()
    )
    writer = SafeWriter(fh) if fmt == "csv" else None
    if writer:
        writer.writerow(CSV_COLUMNS)
    result = conn.execution_options(yield_per=_CHUNK).execute(_event_query(after_seq, since))
    for rows in result.partitions():
        if writer:
            writer.writerows(csv_row(r.crm_id, repo.row_to_event(r), services.policy) for r in rows)
        else:
            fh.write(
                "".join(json_safe(encode(to_record(r.crm_id, repo.row_to_event(r)))) + "\n" for r in rows)
            )
        summary.rows += len(rows)
        progress(summary.rows, total)


def _write_leads(
    conn: Connection,
    services: Services,
    fh: IO[str],
    crm: str,
    after_seq: int,
    since: datetime | None,
    summary: ExportSummary,
    progress: Progress,
) -> None:
    touched = select(events.c.lead_id).where(events.c.kind.not_in(_NOT_FOR_CRM))
    if after_seq:
        touched = touched.where(events.c.seq > after_seq)
    if since is not None:
        touched = touched.where(events.c.at >= since)
    q = (
        select(leads.c.id, leads.c.crm_id, leads.c.source_system, leads.c.first_name, leads.c.last_name)
        .where(leads.c.id.in_(touched.distinct()))
        # the CRM closed it after we took it: our older status must not reopen it there
        .where(leads.c.state.is_distinct_from(Lifecycle.CLOSED_IN_CRM.value))
        .order_by(leads.c.crm_id)
    )
    rows = list(conn.execute(q))
    mine = [r for r in rows if belongs_to(_state(r, None), crm)]
    summary.other_crm = len(rows) - len(mine)
    # Every id is checked before the first byte: stdout cannot be taken back like a temp file.
    problems: list[str] = []
    for r in mine:
        try:
            check_id(_state(r, None), crm)
        except MissingCrmId as exc:
            problems.append(str(exc))
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ExportError("; ".join(problems[:5]) + more + "; nothing was written")
    writer = SafeWriter(fh)
    writer.writerow(crm_header(crm, services.policy))
    for start in range(0, len(mine), _CHUNK):
        chunk = mine[start : start + _CHUNK]
        by_lead = repo.events_by_lead(conn, [r.id for r in chunk])
        writer.writerows(crm_row(crm, _state(r, fold(by_lead[r.id])), services.policy) for r in chunk)
        summary.rows += len(chunk)
        progress(start + len(chunk), len(mine))


def _state(r: Any, history: Any) -> LeadState:
    name = f"{r.first_name} {r.last_name}".strip() or r.crm_id
    return LeadState(crm_id=r.crm_id, source_system=r.source_system, name=name, history=history)
