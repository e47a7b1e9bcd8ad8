"""Importing leads: parse a CRM file, then upsert by CRM id in one transaction.

New leads are inserted with bulk Core statements (leads with their projection
already computed, then their `assigned` events). Changed leads are updated and
keep their history; unchanged ones are left alone, so a second import of the
same file writes nothing.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lifecycle import OPEN_STATES, LeadState, fold
from leadqueue.domain.policy import Tier
from leadqueue.domain.tiers import tier_of
from leadqueue.gcpause import paused_gc
from leadqueue.io.reader import ParsedRow, ReadResult, RowError, read_leads
from leadqueue.services.context import Services
from leadqueue.services.projection import project
from leadqueue.store import repository as repo
from leadqueue.store.bulk import bulk_insert
from leadqueue.store.schema import ORIGIN_IMPORT, leads

IMPORT_ACTOR = "import"
_CHUNK = 900  # stays under SQLite's bound-parameter limit for IN (...)


@dataclass
class ImportSummary:
    path: Path
    format: str
    encoding: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reassigned: int = 0
    returned: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejects_path: Path | None = None
    written: bool = False

    def line(self) -> str:
        verb = "would import" if not self.written else "imported"
        text = (
            f"{verb} {self.path.name} ({self.format}, {self.encoding}): {self.rows} rows, "
            f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged"
        )
        if self.reassigned:
            text += f", {self.reassigned} reassigned"
        if self.returned:
            text += f", {self.returned} back from marketing"
        if self.errors:
            text += f", {len(self.errors)} rejected"
        return text


class ImportRejected(Exception):
    """Bad rows and no --skip-invalid: nothing was written."""

    def __init__(self, summary: ImportSummary) -> None:
        super().__init__(f"{len(summary.errors)} bad row(s) in {summary.path}; nothing was imported")
        self.summary = summary


class _DryRun(Exception):
    pass


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.strip().casefold()).strip("-") or "rep"


def import_file(
    services: Services,
    path: Path,
    rep: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    encoding: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    result = read_leads(path, services.policy.zone, encoding=encoding, default_rep=rep, progress=progress)
    summary = ImportSummary(
        path=path,
        format=result.format,
        encoding=result.encoding,
        rows=len(result.rows) + len({e.row for e in result.errors}),
    )
    good, errors = _owners_known(result)
    summary.errors = errors
    if errors and not skip_invalid:
        raise ImportRejected(summary)
    try:
        with paused_gc(), services.store.write() as conn:
            _upsert(services, conn, good, summary)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    else:
        summary.written = True
    if errors and skip_invalid and not dry_run:
        summary.rejects_path = write_rejects(path, result, errors)
    return summary


def _owners_known(result: ReadResult) -> tuple[list[ParsedRow], list[RowError]]:
    """Rows whose owner is known (from the file, or --rep for rows without one)."""
    errors = list(result.errors)
    good = []
    for row in result.rows:
        if not row.rep:
            errors.append(RowError(row.row, "owner", "no owner for this row: pass --rep REP", row.raw))
        else:
            good.append(row)
    errors.sort(key=lambda e: e.row)
    return good, errors


def _rep_keys(conn: Connection, names: set[str]) -> dict[str, str]:
    """Owner text -> rep key, creating reps that do not exist yet."""
    reps = repo.all_reps(conn)
    known = {r.key.casefold(): r.key for r in reps} | {r.name.casefold(): r.key for r in reps}
    mapping: dict[str, str] = {}
    to_create: dict[str, str] = {}
    for name in names:
        key = known.get(name.casefold()) or known.get(slug(name))
        if key is None:
            key = slug(name)
            to_create[key] = name
            known[name.casefold()] = key
        mapping[name] = key
    repo.ensure_reps(conn, to_create)
    return mapping


def _upsert(services: Services, conn: Connection, rows: Sequence[ParsedRow], summary: ImportSummary) -> None:
    policy = services.policy
    now = services.clock.now()
    owners = _rep_keys(conn, {r.rep or "" for r in rows})
    calendar_for = services.calendars(conn)

    existing: dict[str, Any] = {}
    ids = [r.profile.crm_id for r in rows]
    for i in range(0, len(ids), _CHUNK):
        q = select(
            leads.c.id, leads.c.crm_id, leads.c.content_hash, leads.c.owner, leads.c.state, leads.c.tier
        ).where(leads.c.crm_id.in_(ids[i : i + _CHUNK]))
        existing.update({r.crm_id: r for r in conn.execute(q)})

    new_leads: list[dict[str, Any]] = []
    new_events: list[tuple[str, Event]] = []
    new_runs: dict[str, list[dict[str, Any]]] = {}
    changed: list[tuple[Any, dict[str, Any], str]] = []
    for row in rows:
        values = repo.profile_to_values(row.profile)
        values["tier"] = tier_of(row.profile, policy).value
        # The file's own cells (and the tier) say whether anything changed.
        values["content_hash"] = repo.cells_hash(row.raw, values["tier"])
        owner = owners[row.rep or ""]
        old = existing.get(row.profile.crm_id)
        if old is None:
            assigned = Event(
                kind=EventKind.ASSIGNED,
                actor=IMPORT_ACTOR,
                at=row.assigned_at or row.profile.created_at or now,
                payload={"rep": owner, "source": summary.format},
            )
            projected = project(fold([assigned]), Tier(values["tier"]), policy, calendar_for, now)
            values |= projected.columns
            values["imported_at"] = now
            new_leads.append(values)
            new_events.append((row.profile.crm_id, assigned))
            new_runs[row.profile.crm_id] = projected.runs
        elif old.content_hash != values["content_hash"] or old.owner != owner:
            changed.append((old, values, owner))
        else:
            summary.unchanged += 1

    if new_leads:
        bulk_insert(conn, leads, new_leads)
        created_ids = repo.ids_for(conn, [crm for crm, _ in new_events])
        repo.insert_events(
            conn, [repo.event_values(created_ids[crm], e, ORIGIN_IMPORT) for crm, e in new_events]
        )
        repo.insert_runs(conn, {created_ids[crm]: runs for crm, runs in new_runs.items()})
        summary.created = len(new_leads)
    if changed:
        _apply_changes(services, conn, changed, summary, now)


def _apply_changes(
    services: Services,
    conn: Connection,
    changed: list[tuple[Any, dict[str, Any], str]],
    summary: ImportSummary,
    now: Any,
) -> None:
    """Update context; a new owner is a reassignment, new data on a needs-info lead brings it back."""
    calendar_for = services.calendars(conn)
    context_updates = []
    for old, values, _owner in changed:
        context_updates.append({"_id": old.id, **{k: v for k, v in values.items() if k != "crm_id"}})
    columns = [k for k in context_updates[0] if k != "_id"]
    stmt = update(leads).where(leads.c.id == bindparam("_id")).values({c: bindparam(c) for c in columns})
    conn.execute(stmt, context_updates)
    summary.updated = len(changed)

    history_by_id = repo.events_by_lead(conn, [old.id for old, _, _ in changed])
    for old, values, owner in changed:
        events = history_by_id[old.id]
        extra: list[Event] = []
        state = LeadState(old.state) if old.state else None
        if state is LeadState.NEEDS_INFO and old.content_hash != values["content_hash"]:
            extra.append(
                Event(
                    kind=EventKind.RETURNED_FROM_MARKETING,
                    actor=IMPORT_ACTOR,
                    at=now,
                    payload={"note": "updated by import"},
                )
            )
            summary.returned += 1
            state = LeadState.NEW
        if owner != old.owner and state in (OPEN_STATES | {LeadState.NEEDS_INFO}):
            extra.append(
                Event(
                    kind=EventKind.REASSIGNED,
                    actor=IMPORT_ACTOR,
                    at=now,
                    payload={"from": old.owner, "to": owner},
                )
            )
            summary.reassigned += 1
        if extra:
            repo.insert_events(conn, [repo.event_values(old.id, e, ORIGIN_IMPORT) for e in extra])
            events = events + extra
        projected = project(fold(events), Tier(values["tier"]), services.policy, calendar_for, now)
        repo.write_projection(conn, old.id, projected.columns, projected.runs)


def write_rejects(path: Path, result: ReadResult, errors: Sequence[RowError]) -> Path:
    """The bad rows, as they were, plus where and why, beside the input."""
    out = path.with_name(f"{path.stem}.rejects.csv")
    header = list(result.header)
    header += sorted({k for e in errors for k in e.raw} - set(header))  # e.g. an unreadable JSON line
    with out.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", "column", "error", *header])
        for e in errors:
            writer.writerow([e.row, e.column, e.reason, *(e.raw.get(h, "") for h in header)])
    return out
