"""Pulling: the other writers' segments into this store, each once, each checked.

A segment is taken in once (its name is recorded in the same transaction as
its events), and event ids already present are skipped, so a re-run, an
overlap or a kill at any point changes nothing twice. Before anything is
taken in:

1. the file is a regular file under the size cap, its signature holds, and
   its key may write as its rep (sync.trust); otherwise it is refused whole,
   reported, and read again next time;
2. each record says only what its kind may say (sync.rules) and is its
   writer's rep's own; otherwise that record is skipped and reported with its
   file and line, and the rest of the file is taken in;
3. each record may join its lead's history (sync.admission). One that may
   not yet (its lead is not here, or its rep does not own the lead as far as
   this store knows so far) is parked, and tried again at the end of the
   sync, once the rest of the folder is in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from leadqueue.domain.events import Event
from leadqueue.domain.records import RecordError, to_record
from leadqueue.services.context import Services
from leadqueue.services.maintenance import reproject
from leadqueue.store import outbox, sync_ledger
from leadqueue.store import repository as repo
from leadqueue.sync.admission import Admission, Seen
from leadqueue.sync.keys import PUBLIC_KEY
from leadqueue.sync.publish import SYNC_REP, TakenIn
from leadqueue.sync.rules import check_record, show
from leadqueue.sync.segments import Refused, SegmentRef, SharedFolder, read_file
from leadqueue.sync.signing import Segment, open_segment
from leadqueue.sync.summary import SyncSummary
from leadqueue.sync.trust import Trust

Progress = Callable[[int, int], None]

PULL_BATCH_EVENTS = 20_000  # events taken in per transaction


@dataclass(frozen=True)
class Record:
    line: int  # in its file (the header is line 1)
    crm_id: str
    event: Event


@dataclass
class Incoming:
    """A segment whose signature holds, its records read and checked on their own."""

    ref: SegmentRef
    segment: Segment
    own: bool = False  # one of this store's own (forgotten): its key is this store's
    records: list[Record] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # its bad records, reported if it is taken in


class Puller:
    def __init__(self, services: Services, folder: SharedFolder, progress: Progress) -> None:
        self.s = services
        self.folder = folder
        self.progress = progress
        self.held = 0  # records parked in this run whose lead is here

    def pull(self, writer: str, taken_in: TakenIn, summary: SyncSummary) -> None:
        summary.refused += self.folder.refused_dirs()
        refs = [r for r in self.folder.segments() if r.writer != writer and r.key not in taken_in.files]
        pending = [self._read(ref, segment, own=True) for ref, segment in taken_in.own]
        pending_events = sum(len(i.segment.lines) for i in pending)
        for n, ref in enumerate(refs, start=1):
            try:
                data = read_file(ref.path)
                if data is None:  # gone since the listing
                    continue
                incoming = self._read(ref, open_segment(data, ref.writer, ref.name))
            except Refused as exc:
                summary.refused.append(f"{ref.path}: {exc}")
                continue
            pending.append(incoming)
            pending_events += len(incoming.segment.lines)
            if pending_events >= PULL_BATCH_EVENTS:
                self._take_in(pending, summary)
                pending, pending_events = [], 0
            self.progress(n, len(refs))
        if pending:
            self._take_in(pending, summary)
        if taken_in.parked or self.held:  # parked events whose lead, or whose owner, may be here now
            self._apply_parked(summary)

    def _read(self, ref: SegmentRef, segment: Segment, own: bool = False) -> Incoming:
        """Each record decoded and checked on its own; the bad ones noted with their line."""
        incoming = Incoming(ref, segment, own)
        rep = segment.header.rep
        policy = self.s.policy
        now = self.s.clock.now()
        for n, line in enumerate(segment.lines, start=2):
            try:
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise RecordError(f"not JSON ({exc})") from None
                crm_id, event = check_record(record, policy, now)
                if event.actor != rep:
                    raise RecordError(f"actor {show(event.actor)} is not {rep}, the rep its writer writes as")
            except RecordError as exc:
                incoming.problems.append(f"{ref.path}: line {n}: {exc}")
                continue
            incoming.records.append(Record(n, crm_id, event))
        return incoming

    def _take_in(self, files: Sequence[Incoming], summary: SyncSummary) -> None:
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            known = outbox.known_files(conn)  # another sync of this store may have been first
            meta = outbox.all_meta(conn)
            trust = Trust(conn, own_rep=meta.get(SYNC_REP), own_key=meta.get(PUBLIC_KEY))
            taken: list[Incoming] = []
            for incoming in files:
                if incoming.ref.key in known:
                    continue
                if not incoming.own:
                    try:
                        trust.identify(incoming.ref.writer, incoming.segment.header)
                    except Refused as exc:
                        summary.refused.append(f"{incoming.ref.path}: {exc}")
                        continue
                summary.bad_records += incoming.problems
                taken.append(incoming)
            records = [r for incoming in taken for r in incoming.records]
            lead_ids = repo.ids_for(conn, sorted({r.crm_id for r in records}))
            seen = Seen(conn, [(_line_of(i, r), r.crm_id, r.event) for i in taken for r in i.records])
            admission = Admission(conn, self.s.policy, sorted(set(lead_ids.values())))
            rows: list[dict[str, Any]] = []
            parked: list[dict[str, Any]] = []
            affected: dict[int, None] = {}
            new_ids: set[str] = set()
            for incoming in taken:
                ref = incoming.ref
                for r in incoming.records:
                    where = _line_of(incoming, r)
                    said = seen.verdict(r.crm_id, r.event, where)
                    if said == "present":
                        summary.already_present += 1
                        continue
                    if said is not None:
                        summary.id_conflicts.append(f"{where}: {said}")
                        continue
                    lead_id = lead_ids.get(r.crm_id)
                    if lead_id is not None:
                        verdict = admission.check(lead_id, r.event)
                        if verdict is None:
                            admission.admit(lead_id, r.event)
                            rows.append(repo.event_values(lead_id, r.event, ref.writer))
                            affected[lead_id] = None
                            new_ids.add(r.event.event_id)
                            seen.add(r.crm_id, r.event, ref.writer)
                            continue
                        if verdict.final:
                            summary.bad_records.append(f"{ref.path}: line {r.line}: {verdict.reason}")
                            continue
                        self.held += 1
                    seen.add(r.crm_id, r.event, ref.writer)
                    parked.append(
                        {
                            "event_id": r.event.event_id,
                            "crm_id": r.crm_id,
                            "writer": ref.writer,
                            "at": r.event.at,
                            "record": to_record(r.crm_id, r.event),
                            "source": f"{ref.key}:{r.line}",
                        }
                    )
                outbox.record_file(conn, ref.key, ref.writer, len(incoming.segment.lines), "received", now)
            trust.save(conn, now)
            repo.insert_events(conn, rows)
            sync_ledger.park(conn, parked)
            histories = reproject(self.s, conn, list(affected))
        summary.received += len(rows)
        summary.waiting_for_lead += len(parked)
        summary.conflicts += sum(1 for h in histories.values() for e in h.conflicts if e.event_id in new_ids)

    def _apply_parked(self, summary: SyncSummary) -> None:
        """Parked events whose lead is here: each applied once it may be, in as many
        rounds as it takes (an owner's work may wait on its reassignment, parked
        too); those that still may not are refused and reported."""
        with self.s.store.write() as conn:
            ready = sync_ledger.parked_with_leads(conn)
            rows: list[dict[str, Any]] = []
            done: list[str] = []
            affected: dict[int, None] = {}
            if ready:
                admission = Admission(conn, self.s.policy, sorted({r.lead_id for r in ready}))
                waiting: list[tuple[Any, Event, str]] = []
                now = self.s.clock.now()
                for r in ready:
                    try:
                        _, event = check_record(r.record, self.s.policy, now)
                    except RecordError as exc:  # parked by a version that checked less
                        summary.bad_records.append(f"{self._where(r)}: {exc}")
                        done.append(r.event_id)
                        continue
                    waiting.append((r, event, ""))
                progress = True
                while waiting and progress:
                    progress, still = False, []
                    for r, event, _ in waiting:
                        verdict = admission.check(r.lead_id, event)
                        if verdict is None:
                            admission.admit(r.lead_id, event)
                            rows.append(repo.event_values(r.lead_id, event, r.writer))
                            affected[r.lead_id] = None
                            done.append(r.event_id)
                            progress = True
                        else:
                            still.append((r, event, verdict.reason))
                    waiting = still
                for r, _, reason in waiting:
                    summary.bad_records.append(f"{self._where(r)}: {reason}")
                    done.append(r.event_id)
                repo.insert_events(conn, rows)
                sync_ledger.unpark(conn, done)
                reproject(self.s, conn, list(affected))
            summary.received += len(rows)
            summary.waiting_for_lead = sync_ledger.parked_count(conn)

    def _where(self, row: Any) -> str:
        """A parked record's file and line, as a bad record is reported."""
        if not row.source:
            return f"event {row.event_id} from writer {row.writer}"
        name, _, line = str(row.source).rpartition(":")
        return f"{self.folder.base / name}: line {line}"


def _line_of(incoming: Incoming, record: Record) -> str:
    """A record's file and line, as a problem with it is reported."""
    return f"{incoming.ref.path}: line {record.line}"
