"""Importing leads: stream a CRM file, upsert by CRM id, all in one transaction.

Rows are read and written in batches, so a file of any size costs the memory of
a batch; a file with bad rows (without --skip-invalid) or a dry run writes
nothing. New leads are bulk-inserted with their projection and `assigned`
events. Changed leads are updated and keep their history; a second import of
the same file writes nothing. A re-import changes only what its columns say: a
field whose column the file lacks keeps its value (an empty cell clears it). A
row the CRM dates before the row last imported (an older export) changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from leadqueue.domain.crm_export import status_matches
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.import_mapping import ImportMapping
from leadqueue.domain.lead import LeadProfile
from leadqueue.domain.lifecycle import LeadState, fold
from leadqueue.domain.owners import salesforce_id15
from leadqueue.domain.policy import Tier
from leadqueue.domain.reimport import (
    IMPORT_ACTOR,
    LIVE_STATES,
    CrmNews,
    StoredLead,
    modified_after_import,
    older_than_stored,
    reimport_events,
)
from leadqueue.domain.routing import ROUTING_ACTOR
from leadqueue.domain.tiers import tier_of
from leadqueue.gcpause import frozen_heap
from leadqueue.io.crm_formats import mapping_format
from leadqueue.io.errors import ImportFileError
from leadqueue.io.reader import LeadFile, ParsedRow, ReadStats, RowError, open_lead_file
from leadqueue.io.timestamps import DateOrder
from leadqueue.services.context import Services
from leadqueue.services.import_owners import ImportOwners
from leadqueue.services.import_rejects import check_writable, rejects_path, write_rejects
from leadqueue.services.import_summary import ImportRejected, ImportSummary
from leadqueue.services.projection import Projection, project
from leadqueue.services.reimport_fields import FileColumns
from leadqueue.services.routing import ImportRouting
from leadqueue.store import repository as repo
from leadqueue.store.bulk import bulk_insert
from leadqueue.store.first_rows import first_rows_table
from leadqueue.store.schema import ORIGIN_IMPORT, leads

BATCH = 2000
ClockStart = Literal["assigned", "created"]


class _Changed(NamedTuple):
    """An existing lead whose row says something new."""

    old: repo.ImportTarget
    values: dict[str, Any]
    owner: str | None  # the rep the file names, or the lead's owner when it names none
    closed: bool  # the CRM has closed it
    assigned_at: datetime | None  # when the CRM says the owner got it, if the file says
    crm_before: str | None  # the owner the CRM named at the last import
    new_data: bool  # a stored field changes (not only the owner or the CRM's closing)


class _Candidate(NamedTuple):
    """An existing lead whose row differs from the one last imported, or names another owner."""

    row: ParsedRow
    old: repo.ImportTarget
    owner: str | None
    closed: bool
    crm_before: str | None
    row_hash: str


class _Abandon(Exception):
    """Leave the write transaction without committing (a dry run, or bad rows)."""


@dataclass(frozen=True)
class ImportOptions:
    rep: str | None = None  # owner of rows whose file names none
    skip_invalid: bool = False
    dry_run: bool = False
    encoding: str | None = None
    source_zone: ZoneInfo | None = None
    date_order: DateOrder | None = None
    clock_start: ClockStart = "assigned"
    mapping: ImportMapping | None = None  # a layout no built-in format knows
    mapping_name: str = ""
    route: bool = False  # route every row by [routing], whatever owner the file names
    # take rows dated before their leads' stored CRM date: mends an import that misread its dates
    take_older: bool = False


def import_file(
    services: Services,
    path: Path,
    options: ImportOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import a lead file; ImportRejected (nothing written) for bad rows unless
    skip_invalid, ImportFileError for the file as a whole."""
    opts = options or ImportOptions()
    if opts.route and services.policy.routing is None:
        raise ImportFileError("--route: the policy has no [routing] to route by (see README, Routing)")
    mapping = opts.mapping
    lead_file = open_lead_file(
        path,
        services.policy.zone,
        encoding=opts.encoding,
        default_rep=opts.rep,
        source_zone=opts.source_zone
        or (ZoneInfo(mapping.source_zone) if mapping and mapping.source_zone else None),
        date_order=opts.date_order or (mapping.date_order if mapping else None),
        default_order=services.policy.date_order,
        mapping=mapping_format(opts.mapping_name or path.name, mapping.columns) if mapping else None,
    )
    rejects = rejects_path(path) if opts.skip_invalid and not opts.dry_run else None
    if rejects is not None:
        check_writable(rejects)
    summary = ImportSummary(
        path=path,
        format=lead_file.format_label,
        read=ReadStats(encoding=lead_file.encoding),
        ignored_columns=lead_file.ignored_columns,
        unmatched_mapping=lead_file.unmatched_mapping,
        date_order=lead_file.date_order,
        date_order_guessed=lead_file.date_order_guessed,
        zone=lead_file.source_zone.key,
        zone_given=bool(opts.source_zone or (mapping and mapping.source_zone)),
    )
    try:
        with frozen_heap(), services.store.write() as conn:
            _Importer(services, conn, summary, opts).run(lead_file, progress)
            summary.read = lead_file.read or summary.read
            summary.errors.sort(key=lambda e: e.row)
            if opts.dry_run or (summary.errors and not opts.skip_invalid):
                raise _Abandon
            if summary.errors and rejects is not None:  # before the commit: unwritten, nothing is imported
                header = lead_file.header[lead_file.skip_columns :]
                summary.rejects_path = write_rejects(rejects, header, summary.errors)
    except _Abandon:
        pass
    else:
        summary.written = True
    if summary.errors and not opts.skip_invalid:
        raise ImportRejected(summary)
    return summary


class _Importer:
    """One import's state across its batches."""

    def __init__(
        self, services: Services, conn: Connection, summary: ImportSummary, opts: ImportOptions
    ) -> None:
        self.s = services
        self.conn = conn
        self.summary = summary
        self.opts = opts
        self.now = services.clock.now()
        self.calendar_for = services.calendars(conn)
        # With [routing], a row without an owner (any row, with --route) is routed.
        self.routing = ImportRouting(services, conn, self.now) if services.policy.routing else None
        summary.routing = self.routing

    def run(self, lead_file: LeadFile, progress: Callable[[int, int], None] | None) -> None:
        self.columns = FileColumns.of(lead_file)
        parser = lead_file.parser()
        self.owners = ImportOwners(self.conn, self.opts.rep, self.opts.route, parser.header_of("rep") or "")
        self.contact_headers = parser.contact_headers
        with first_rows_table(self.conn) as first_rows:
            for batch in lead_file.batches(first_rows, BATCH, progress):
                good: list[ParsedRow] = []
                for record in batch:
                    if isinstance(record, ParsedRow):
                        good.append(record)
                    else:
                        self.summary.errors.extend(record)
                self.summary.rows += len(batch)
                if good:
                    self._batch(good)
        if self.routing is not None:
            self.routing.finish()
        self.summary.new_reps = self.owners.new_reps

    def _batch(self, rows: list[ParsedRow]) -> None:
        existing = self._existing(rows)
        unknown = [r.profile.crm_id for r in rows if r.profile.crm_id not in existing]
        closed_before = repo.crm_closed(self.conn, unknown)  # leads the CRM had closed: never stored
        rows = self._without_older(rows, {i: t.crm_modified_at for i, t in existing.items()} | closed_before)
        # A lead the CRM closed before it was stored here is counted and remembered, never
        # queued: its owner is not read (a departed user or a queue owns many such leads).
        closed_now: dict[str, datetime | None] = {}  # with the CRM's date of each
        open_rows: list[ParsedRow] = []
        for row in rows:
            crm_id = row.profile.crm_id
            if crm_id not in existing and self._closed(row):
                closed_now[crm_id] = self._modified_kept(row, closed_before.get(crm_id))
            else:
                open_rows.append(row)
        self.summary.closed += len(closed_now)
        good, owner_errors = self.owners.with_owners(open_rows, existing.keys(), self.routing is not None)
        self.summary.errors += owner_errors
        crm_before = self._crm_owners_before(list(existing.values()))
        new_rows: list[ParsedRow] = []
        candidates: list[_Candidate] = []
        redated: dict[int, datetime] = {}  # leads whose row changes nothing but the CRM's date
        for row in good:
            old = existing.get(row.profile.crm_id)
            if old is None:
                if not (row.profile.email or row.profile.last_name):
                    self.summary.errors.append(self._no_contact(row))
                else:
                    new_rows.append(row)
                continue
            # only the file's own owner column moves a lead; --rep fills rows that name none
            before = crm_before[old.id]
            owner = self.owners.key_of(row) if row.owner_from_file else before
            row_hash = self._row_hash(row)
            if old.content_hash == row_hash and before == owner:  # the row last imported
                self.summary.unchanged += 1
                self._note_redated(redated, old, row)  # a store from before the date was kept
            else:
                candidates.append(_Candidate(row, old, owner, self._closed(row), before, row_hash))
        if new_rows:
            self._insert(new_rows, closed_before)
        reopened = [r.profile.crm_id for r in new_rows if r.profile.crm_id in closed_before]
        if closed_now or reopened:
            repo.set_crm_closed(self.conn, closed_now, reopened)
        changed = self._changed(candidates, redated) if candidates else []
        if changed:
            self._update(changed)
        if redated:
            repo.update_context(self.conn, {i: {"crm_modified_at": at} for i, at in redated.items()})

    def _no_contact(self, row: ParsedRow) -> RowError:
        """A new lead the queue would show with no one to reach: neither a last name nor an
        email. (A lead the CRM closed is not queued; a stored lead keeps what it has.)"""
        either = " or ".join(repr(h) for h in self.contact_headers) or "a last name or an email"
        column = self.contact_headers[0] if self.contact_headers else ""
        return RowError(row.row, column, f"{either} is empty: a new lead needs one of them", row.raw)

    def _without_older(self, rows: list[ParsedRow], stored: Mapping[str, datetime | None]) -> list[ParsedRow]:
        """The rows but those older than the row last imported for their lead (an older
        export; `stored`: the CRM's date each lead keeps, by id): counted, and left out
        before anything reads them, owners included."""
        if self.opts.take_older:
            return rows
        kept: list[ParsedRow] = []
        older: list[str] = []
        for row in rows:
            if older_than_stored(row.modified, stored.get(row.profile.crm_id)):
                older.append(row.profile.crm_id)
            else:
                kept.append(row)
        self.summary.note_older(older)
        return kept

    def _changed(self, candidates: list[_Candidate], redated: dict[int, datetime]) -> list[_Changed]:
        """The leads a row changes: a stored field, the owner, or the CRM closed it. A row
        that differs from the last one only in columns it lacks, or in cells that change
        nothing stored, leaves its lead alone (unchanged); if it dates the CRM's last change
        later than the last import did, the lead goes into `redated` with that date, so an
        export older than this one cannot roll the lead back either."""
        stored = repo.leads_by_id(self.conn, [c.old.id for c in candidates])
        changed: list[_Changed] = []
        for row, old, owner, closed, before, row_hash in candidates:
            full = stored[old.id]
            profile = repo.row_to_profile(full)
            before_values = self._context(profile, full.tier, full.crm_owner)
            merged = self.columns.merged(profile, row)
            tier = tier_of(merged, self.s.policy).value
            values = self._context(
                merged, tier, self.owners.key_of(row) if row.owner_from_file else old.crm_owner
            )
            new_data = old.content_hash != row_hash and values != before_values
            live = bool(old.state) and LeadState(old.state) in LIVE_STATES
            if new_data or before != owner or (old.content_hash != row_hash and closed and live):
                values["crm_id"] = row.profile.crm_id
                values["content_hash"] = row_hash
                values["crm_modified_at"] = self._modified_kept(row, old.crm_modified_at)
                changed.append(_Changed(old, values, owner, closed, row.assigned_at, before, new_data))
            else:
                self.summary.unchanged += 1
                self._note_redated(redated, old, row)
        return changed

    def _modified_kept(self, row: ParsedRow, stored: datetime | None) -> datetime | None:
        """The CRM's date of its last change a lead keeps once its row is taken."""
        if self.opts.take_older and row.modified is not None:
            return row.modified.at  # the file's own date replaces one an import misread
        return modified_after_import(row.modified, stored)

    def _note_redated(self, redated: dict[int, datetime], old: repo.ImportTarget, row: ParsedRow) -> None:
        """Keep the date a row gives the CRM's last change of a lead it otherwise leaves alone."""
        at = self._modified_kept(row, old.crm_modified_at)
        if at is not None and at != old.crm_modified_at:
            redated[old.id] = at

    @staticmethod
    def _context(profile: LeadProfile, tier: str, crm_owner: str | None) -> dict[str, Any]:
        """A lead's context columns, compared to tell a change (the id may differ in form)."""
        values = repo.profile_to_values(profile)
        del values["crm_id"]
        return values | {"tier": tier, "crm_owner": crm_owner}

    def _closed(self, row: ParsedRow) -> bool:
        """Whether the CRM has closed the row's lead (converted, or a closing status)."""
        status, converted = row.profile.crm_status, row.converted
        mapping = self.opts.mapping
        if mapping is not None:
            return converted or bool(status and status_matches(status, mapping.closed_statuses))
        return self.s.policy.crm.closed_in_crm(row.profile.source_system, status, converted)

    def _existing(self, rows: Sequence[ParsedRow]) -> dict[str, repo.ImportTarget]:
        """The stored leads these rows name, by the rows' ids. A Salesforce lead
        stored under its 15-character id (imported before ids were kept in their
        18-character form) is the lead its 18-character id names."""
        older = {
            salesforce_id15(i): i
            for r in rows
            if r.profile.source_system == "salesforce" and len(i := r.profile.crm_id) == 18
        }
        return repo.import_targets(self.conn, [r.profile.crm_id for r in rows], older)

    def _crm_owners_before(self, rows: Sequence[repo.ImportTarget]) -> dict[int, str | None]:
        """Each stored lead's owner in the CRM as last imported. A lead imported
        before that was kept (and the demo's) has none: the owner the last import
        gave it stands in, read from its history; else its owner now."""
        out = {r.id: r.crm_owner for r in rows if r.crm_owner}
        unknown = [r.id for r in rows if not r.crm_owner]
        if unknown:
            out |= repo.owners_given_by(self.conn, unknown, IMPORT_ACTOR)
        return out | {r.id: r.owner for r in rows if r.id not in out}

    def _values(self, row: ParsedRow, modified_before: datetime | None) -> dict[str, Any]:
        """A new lead's context columns."""
        values = repo.profile_to_values(row.profile)
        values["extra"] = self.columns.extra_of(row.profile)
        values["tier"] = tier_of(row.profile, self.s.policy).value
        values["content_hash"] = repo.cells_hash(row.raw, values["tier"])
        values["crm_owner"] = self.owners.key_of(row)
        # a lead the CRM had closed and now reopened keeps the later of the two dates
        values["crm_modified_at"] = self._modified_kept(row, modified_before)
        return values

    def _row_hash(self, row: ParsedRow) -> str:
        """The file's own cells (and the tier they give): the same row as the last import
        leaves its lead alone without reading it."""
        return repo.cells_hash(row.raw, tier_of(row.profile, self.s.policy).value)

    def _clock_start(self, row: ParsedRow) -> datetime:
        """When the rep got the lead: the file's assignment date, else now (a backlog
        export is not breached on arrival), or with --clock-start created the create date.
        Never before the create date: nobody got the lead before it existed (a date-only
        LastTransferDate on the create day reads as the midnight before: not worth a word)."""
        created, assigned = row.profile.created_at, row.assigned_at
        if assigned is not None and created is not None:
            self.summary.assigned_before_created += assigned.date() < created.date()
            return max(assigned, created)
        if assigned is not None:
            return assigned
        if self.opts.clock_start == "created" and created is not None:
            return created
        return self.now

    def _insert(self, rows: list[ParsedRow], closed_before: Mapping[str, datetime | None]) -> None:
        policy = self.s.policy
        new_leads: list[dict[str, Any]] = []
        new_events: list[tuple[str, Event]] = []
        new_runs: dict[str, list[dict[str, Any]]] = {}
        projections: dict[tuple[str, datetime, str, str], Projection] = {}  # this batch's
        for row in rows:
            values = self._values(row, closed_before.get(row.profile.crm_id))
            values["imported_at"] = self.now
            choice = (
                self.routing.choose(row.profile, values["tier"]) if not row.rep and self.routing else None
            )
            if not row.rep and choice is None:  # unrouted: no owner, no clock, listed until routed
                new_leads.append(values | self._unassigned(Tier(values["tier"])))
                continue
            payload = {"rep": choice.rep if choice else self.owners.rep_of(row)}
            assigned = Event(
                kind=EventKind.ASSIGNED,
                actor=ROUTING_ACTOR if choice else IMPORT_ACTOR,
                at=self._clock_start(row),
                payload=payload
                | {"source": row.profile.source_system}
                | (choice.payload() if choice else {}),
            )
            # A new lead's projection depends only on these: most rows of a file share them.
            key = (values["tier"], assigned.at, assigned.payload["rep"], assigned.payload["source"])
            projected = projections.get(key)
            if projected is None:
                history = fold([assigned])
                projected = project(history, Tier(values["tier"]), policy, self.calendar_for, self.now)
                projections[key] = projected
            values |= projected.columns
            due = projected.columns["due_at"]
            if due is not None and due <= self.now:
                self.summary.breached_on_arrival += 1
            new_leads.append(values)
            new_events.append((row.profile.crm_id, assigned))
            new_runs[row.profile.crm_id] = projected.runs
        conn = self.conn
        bulk_insert(conn, leads, new_leads)
        created_ids = repo.ids_for(conn, [crm for crm, _ in new_events])
        repo.insert_events(
            conn, [repo.event_values(created_ids[crm], e, ORIGIN_IMPORT) for crm, e in new_events]
        )
        repo.insert_runs(conn, {created_ids[crm]: runs for crm, runs in new_runs.items()})
        self.summary.created += len(new_leads)

    def _unassigned(self, tier: Tier) -> dict[str, Any]:
        return project(fold([]), tier, self.s.policy, self.calendar_for, self.now).columns

    def _update(self, changed: list[_Changed]) -> None:
        """Update context, record what the CRM's news means for each lead (reimport.py),
        and rewrite the projections: one write of each kind for the batch."""
        conn = self.conn
        repo.update_context(conn, {c.old.id: c.values for c in changed})
        self.summary.updated += len(changed)
        history_by_id = repo.events_by_lead(conn, [c.old.id for c in changed])
        new_events: list[dict[str, Any]] = []
        projections: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        for c in changed:
            history = history_by_id[c.old.id]
            stored = StoredLead(
                state=LeadState(c.old.state) if c.old.state else None,
                owner=c.old.owner,
                crm_owner=c.crm_before,
                last_event_at=max((e.at for e in history), default=None),
            )
            news = CrmNews(
                owner=c.owner,
                status=c.values["crm_status"],
                closed=c.closed,
                new_data=c.new_data,
                assigned_at=c.assigned_at,
            )
            added = reimport_events(stored, news, self.now)
            self._count(added)
            new_events += [repo.event_values(c.old.id, e, ORIGIN_IMPORT) for e in added]
            projected = project(
                fold(history + added), Tier(c.values["tier"]), self.s.policy, self.calendar_for, self.now
            )
            projections[c.old.id] = (projected.columns, projected.runs)
        repo.insert_events(conn, new_events)
        repo.write_projections(conn, projections)

    def _count(self, events: list[Event]) -> None:
        kinds = [e.kind for e in events]
        self.summary.closed_since += kinds.count(EventKind.CLOSED_IN_CRM)
        self.summary.returned += kinds.count(EventKind.RETURNED_FROM_MARKETING)
        self.summary.reassigned += kinds.count(EventKind.REASSIGNED)
