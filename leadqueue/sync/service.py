"""`leadqueue sync`: publish this store's new events to the shared folder and
take in what the other writers published.

Exactly once, without locks on the share:

* Local events are published in `seq` order, so "sent" is one watermark:
  every local event up to it went out. Publishing holds the store's write
  lock while it reads a batch of lines (encoded when each event was
  recorded), writes them as one segment (temporary name, fsync, rename,
  fsync of the directory) and moves the watermark. A kill before the rename
  leaves a temporary file (removed on the next run) and the batch unsent; a
  kill after the rename but before the commit leaves a segment the store
  does not know it wrote, which the next run finds in its own directory
  (named by its first and last seq) and counts as sent instead of writing
  it again.
* Pulling takes in each segment once (its name is recorded in the same
  transaction as its events) and skips event ids already present, so a
  re-run, an overlap or a kill at any point changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from leadqueue.services.context import Services
from leadqueue.services.maintenance import reproject
from leadqueue.store import outbox
from leadqueue.store import repository as repo
from leadqueue.sync.records import RecordError, encode, from_record, make_record, to_record
from leadqueue.sync.segments import (
    SEGMENT_EVENTS,
    BadSegment,
    FolderUnreachable,
    SegmentRef,
    SharedFolder,
    last_seq,
    segment_name,
)

Progress = Callable[[int, int], None]

PULL_BATCH_EVENTS = 20_000  # events taken in per transaction


@dataclass
class SyncSummary:
    sent: int = 0
    received: int = 0
    already_present: int = 0
    waiting_for_lead: int = 0  # pulled events whose lead this store has not imported
    conflicts: int = 0  # pulled decisions that arrived after the lead had moved on
    stale_temps_removed: int = 0
    recovered_segments: int = 0
    unsent: int = 0  # still in the outbox after the run
    bad_segments: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"sent {self.sent}, received {self.received}, already present {self.already_present}"
        extras = []
        if self.waiting_for_lead:
            extras.append(f"{self.waiting_for_lead} waiting for a lead this store has not imported")
        if self.conflicts:
            extras.append(f"{self.conflicts} conflicting decision(s) kept in history, not applied")
        if self.bad_segments:
            extras.append(f"{len(self.bad_segments)} unreadable file(s) skipped")
        return text + (f" ({'; '.join(extras)})" if extras else "")


@dataclass(frozen=True)
class TakenIn:
    """What the store had taken in from the folder when publishing ended."""

    files: set[str]  # segment files already taken in (or written) by this store
    parked: int  # pulled events waiting for a lead this store lacks


@dataclass(frozen=True)
class Published:
    key: str  # the segment file, as sync_files names it
    more: bool  # unsent lines remain after it


class SyncService:
    def __init__(
        self,
        services: Services,
        folder: SharedFolder | Path,
        writer_hint: str | None = None,
        segment_events: int = SEGMENT_EVENTS,
        progress: Progress | None = None,
    ) -> None:
        self.s = services
        self.folder = folder if isinstance(folder, SharedFolder) else SharedFolder(Path(folder))
        self.writer_hint = writer_hint
        self.segment_events = segment_events
        self.progress = progress or (lambda done, total: None)

    def run(self) -> SyncSummary:
        """Publish, then pull. FolderUnreachable leaves the outbox as it was."""
        summary = SyncSummary()
        self.folder.check()
        writer, taken_in = self.publish(summary)
        self.pull(writer, taken_in, summary)
        return summary

    # -- publish -----------------------------------------------------------------
    def publish(self, summary: SyncSummary) -> tuple[str, TakenIn]:
        """Publish every unsent line; the writer id, and what the pull needs to know."""
        # One transaction per segment: the app's own writes wait at most one segment.
        taken_in: TakenIn | None = None
        with self.s.store.write() as conn:
            known = outbox.read_meta(conn, outbox.WRITER_ID)
            if known is None:
                # The first sync: the new writer id is committed on its own, so that a
                # run killed later still finds its segments under the same name.
                writer = outbox.writer_id(conn, self.writer_hint)
            else:
                writer = known
                taken_in = self._start(conn, writer, summary)
        if known is None:
            with self.s.store.write() as conn:
                taken_in = self._start(conn, writer, summary)
        while taken_in is None:
            with self.s.store.write() as conn:
                taken_in = self._publish_step(conn, writer, summary)
        return writer, taken_in

    def _start(self, conn: Connection, writer: str, summary: SyncSummary) -> TakenIn | None:
        """Clean up after a killed run, then publish the first segment."""
        summary.stale_temps_removed = self.folder.remove_stale_temps(writer)
        files = outbox.known_files(conn)
        through = self._recover(conn, writer, files, summary)
        if outbox.backfill_owed(conn):
            _backfill(conn)
        return self._publish_step(conn, writer, summary, files, through)

    def _publish_step(
        self,
        conn: Connection,
        writer: str,
        summary: SyncSummary,
        files: set[str] | None = None,
        through: int | None = None,
    ) -> TakenIn | None:
        """One segment; None while more are waiting. After the last, what the
        pull needs is read in the same transaction rather than in one of its
        own. `files` and `through`, when given, were just read in this one."""
        published = self._publish_segment(conn, writer, summary, through)
        if published is not None and published.more:
            return None
        summary.unsent = 0  # nothing is left after the last segment, under the write lock
        if files is None:
            files = outbox.known_files(conn)
        elif published is not None:
            files.add(published.key)
        return TakenIn(files, outbox.parked_count(conn))

    def _publish_segment(
        self, conn: Connection, writer: str, summary: SyncSummary, through: int | None
    ) -> Published | None:
        """Publish the oldest unsent lines as one segment; None if nothing was waiting."""
        outbox.hold_back_new_events(conn)
        batch = outbox.unsent_batch(conn, self.segment_events, through)
        if batch is None:
            return None
        name = segment_name(batch.first_seq, batch.last_seq)
        self.folder.write_segment(writer, name, batch.count, batch.parts)
        outbox.mark_published(conn, batch.last_seq)
        key = f"{writer}/{name}"
        outbox.record_file(conn, key, writer, batch.count, "sent", self.s.clock.now())
        summary.sent += batch.count
        # Counted only when more are waiting: a short segment, or nothing after it, was the last.
        self.progress(summary.sent, summary.sent + (outbox.unsent_count(conn) if batch.more else 0))
        return Published(key, batch.more)

    def _recover(self, conn: Connection, writer: str, files: set[str], summary: SyncSummary) -> int:
        """A segment of ours that a killed run renamed into place but never
        recorded: its events went out, so the watermark moves past them.
        Returns the watermark; `files` gains what is recorded."""
        through = outbox.published_through(conn)
        recovered = 0
        for ref in self.folder.segments(writer):
            if ref.key in files:
                continue
            try:
                records = self.folder.read_segment(ref)
            except BadSegment as exc:
                # Torn on a share that broke rename: never published, and ours
                # alone to remove; its events are still past the watermark.
                summary.bad_segments.append(str(exc))
                ref.path.unlink(missing_ok=True)
                continue
            through = max(through, last_seq(ref.name))
            outbox.record_file(conn, ref.key, writer, len(records), "sent", self.s.clock.now())
            files.add(ref.key)
            recovered += 1
        if recovered:
            outbox.mark_published(conn, through)
        summary.recovered_segments = recovered
        return through

    # -- pull ----------------------------------------------------------------------
    def pull(self, writer: str, taken_in: TakenIn, summary: SyncSummary) -> None:
        refs = [r for r in self.folder.segments() if r.writer != writer and r.key not in taken_in.files]
        pending: list[tuple[SegmentRef, list[tuple[str, Any]]]] = []
        pending_events = 0
        for n, ref in enumerate(refs, start=1):
            try:
                parsed = [from_record(r) for r in self.folder.read_segment(ref)]
            except BadSegment as exc:
                summary.bad_segments.append(str(exc))
                continue
            except RecordError as exc:
                summary.bad_segments.append(f"{ref.path}: {exc}")
                continue
            except OSError as exc:
                raise FolderUnreachable(f"cannot read {ref.path}: {exc.strerror or exc}") from exc
            pending.append((ref, parsed))
            pending_events += len(parsed)
            if pending_events >= PULL_BATCH_EVENTS:
                self._take_in(pending, summary)
                pending, pending_events = [], 0
            self.progress(n, len(refs))
        if pending:
            self._take_in(pending, summary)
        if taken_in.parked:  # events parked by an earlier sync, whose lead an import may have brought since
            self._apply_parked(summary)

    def _take_in(
        self, files: Sequence[tuple[SegmentRef, list[tuple[str, Any]]]], summary: SyncSummary
    ) -> None:
        with self.s.store.write() as conn:
            known = outbox.known_files(conn)  # another sync of this store may have been first
            files = [(ref, parsed) for ref, parsed in files if ref.key not in known]
            ids = [e.event_id for _, parsed in files for _, e in parsed]
            present = outbox.existing_event_ids(conn, ids)
            lead_ids = repo.ids_for(conn, sorted({crm for _, parsed in files for crm, _ in parsed}))
            rows: list[dict[str, Any]] = []
            parked: list[dict[str, Any]] = []
            affected: dict[int, None] = {}
            new_ids: set[str] = set()
            for ref, parsed in files:
                for crm_id, event in parsed:
                    if event.event_id in present:
                        summary.already_present += 1
                        continue
                    present.add(event.event_id)
                    if crm_id in lead_ids:
                        rows.append(repo.event_values(lead_ids[crm_id], event, ref.writer))
                        affected[lead_ids[crm_id]] = None
                        new_ids.add(event.event_id)
                    else:
                        parked.append(
                            {
                                "event_id": event.event_id,
                                "crm_id": crm_id,
                                "writer": ref.writer,
                                "at": event.at,
                                "record": to_record(crm_id, event),
                            }
                        )
                outbox.record_file(conn, ref.key, ref.writer, len(parsed), "received", self.s.clock.now())
            repo.insert_events(conn, rows)
            outbox.park(conn, parked)
            histories = reproject(self.s, conn, list(affected))
        summary.received += len(rows)
        summary.waiting_for_lead += len(parked)
        summary.conflicts += sum(1 for h in histories.values() for e in h.conflicts if e.event_id in new_ids)

    def _apply_parked(self, summary: SyncSummary) -> None:
        with self.s.store.write() as conn:
            ready = outbox.parked_with_leads(conn)
            if not ready:
                summary.waiting_for_lead = outbox.parked_count(conn)
                return
            rows = []
            for r in ready:
                _, event = from_record(r.record)
                rows.append(repo.event_values(r.lead_id, event, r.writer))
            repo.insert_events(conn, rows)
            outbox.unpark(conn, [r.event_id for r in ready])
            reproject(self.s, conn, sorted({r.lead_id for r in ready}))
            summary.received += len(rows)
            summary.waiting_for_lead = outbox.parked_count(conn)


def _backfill(conn: Connection) -> None:
    """Lines for local events recorded before lines were kept (a store upgraded
    from version 1), encoded once, as they would have been when recorded."""
    lines = [
        (r.seq, encode(make_record(r.event_id, r.crm_id, r.kind, r.actor, r.at, r.payload or {})))
        for r in outbox.owed_lines(conn)
    ]
    outbox.settle_backfill(conn, lines)
