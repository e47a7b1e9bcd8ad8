"""Publishing: this store's unsent events to its own folder of the share, signed.

Local events are published in `seq` order, so "sent" is one watermark: every
local event up to it went out. Publishing holds the store's write lock while
it reads a batch of lines (encoded when each event was recorded), writes them
as one signed segment (temporary name, fsync, rename, fsync of the
directory) and moves the watermark. A kill before the rename leaves a
temporary file (removed on the next run) and the batch unsent.

A kill after the rename but before the commit leaves a segment the store does
not remember writing. The next run takes it back only if this store's key
signed it and its lines are this store's own next unsent lines (the outbox is
the ledger of what the store wrote): only then does the watermark move over
them. Anything else in the folder moves nothing: a file nobody signed is
refused and reported; a segment this key signed with other lines is one this
store published and then forgot (it was restored from a backup), whose events
are taken back in, and whose names the next segments come after.

A segment this store recorded as sent and that is gone from its folder
(anyone can delete files in the share) is written again from the outbox,
under its name and signed alike: the folder is listed each run, never read.
Nothing is published through a writer folder that is a file or a symbolic
link (every other store refuses a linked folder); the events wait, the pull
still runs, and the sync says it failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import Connection

from leadqueue.domain.records import encode, make_record
from leadqueue.services.context import Services
from leadqueue.store import outbox, sync_ledger
from leadqueue.sync import keys
from leadqueue.sync.keys import SigningKey
from leadqueue.sync.segments import (
    SEGMENT_MAX_BYTES,
    FolderUnreachable,
    NotOwnFolder,
    Refused,
    SegmentRef,
    SharedFolder,
    name_numbers,
    read_file,
    segment_name,
)
from leadqueue.sync.signing import Segment, header_line, open_segment
from leadqueue.sync.summary import SyncSummary
from leadqueue.sync.trust import short

Progress = Callable[[int, int], None]
SYNC_REP = "sync_rep"  # meta: the rep this store's segments are written as, fixed by its first
_HEADER_ROOM = 4096  # a header line is some 400 bytes; a segment's lines get the rest of the cap


class CannotPublish(FolderUnreachable):
    """An event this store cannot publish; it stays in the outbox."""


@dataclass
class Identity:
    writer: str
    key: SigningKey
    rep: str | None  # None until the first segment fixes it
    offset: int  # added to seqs in segment names


@dataclass
class TakenIn:
    """What the store had taken in from the folder when publishing ended."""

    files: set[str]  # segment files already taken in (or written) by this store
    parked: int  # pulled events waiting in sync_parked
    own: list[tuple[SegmentRef, Segment]] = field(default_factory=list)  # forgotten segments of ours


@dataclass(frozen=True)
class Published:
    key: str  # the segment file, as sync_files names it
    more: bool  # unsent lines remain after it


class Publisher:
    def __init__(
        self,
        services: Services,
        folder: SharedFolder,
        writer_hint: str | None,
        rep: str | None,
        segment_events: int,
        progress: Progress,
    ) -> None:
        self.s = services
        self.folder = folder
        self.writer_hint = writer_hint
        self.rep = rep
        self.segment_events = segment_events
        self.progress = progress
        self.own: list[tuple[SegmentRef, Segment]] = []

    def publish(self, summary: SyncSummary) -> tuple[str, TakenIn]:
        """Publish every unsent line; the writer id, and what the pull needs to know."""
        # One transaction per segment: the app's own writes wait at most one segment.
        taken_in: TakenIn | None = None
        me: Identity | None = None
        try:
            with self.s.store.write() as conn:
                meta = outbox.all_meta(conn)
                me, fresh = self._identity(conn, meta, summary)
                if not fresh:
                    taken_in = self._start(conn, me, meta, summary)
            if fresh:
                # A new writer id or key is committed on its own, so that a run killed
                # later still finds its segments under the same name and key.
                with self.s.store.write() as conn:
                    taken_in = self._start(conn, me, outbox.all_meta(conn), summary)
            while taken_in is None:
                with self.s.store.write() as conn:
                    taken_in = self._publish_step(conn, me, summary)
        except NotOwnFolder as exc:
            # The transaction it was raised in was rolled back: whatever it would have
            # published stays unsent. (An identity just made was committed before.)
            taken_in = self._refused(exc, summary)
        assert me is not None  # NotOwnFolder comes from writing, after the identity
        if self.rep is not None and me.rep is not None and self.rep != me.rep:
            summary.notices.append(
                f"this store publishes as {me.rep}: its segments are fixed to one rep, the one its first"
                f" segment was written as, so syncing as {self.rep} does not change who they are from"
            )
        return me.writer, taken_in

    def _refused(self, exc: NotOwnFolder, summary: SyncSummary) -> TakenIn:
        """What the pull needs when publishing stopped at a writer folder that is
        not a folder, with the refusal in the summary: the pull still runs."""
        self.own.clear()  # found in a transaction that was rolled back
        with self.s.store.read() as conn:
            summary.unsent = outbox.unsent_count(conn)
            taken_in = TakenIn(outbox.known_files(conn), sync_ledger.parked_count(conn), [])
        done = "nothing was sent" if summary.sent == 0 else f"{summary.sent} event(s) were sent, then no more"
        waiting = f" ({summary.unsent} event(s) wait in the outbox)" if summary.unsent else ""
        summary.publish_refused = f"{exc}: {done}{waiting}"
        return taken_in

    def _identity(
        self, conn: Connection, meta: Mapping[str, str], summary: SyncSummary
    ) -> tuple[Identity, bool]:
        """This store's writer id and key, made on its first sync; True if made now."""
        found = keys.store_key(conn, meta)
        known, rep = meta.get(outbox.WRITER_ID), meta.get(SYNC_REP)
        if known is None:
            writer = outbox.writer_id(conn, self.writer_hint)
        elif found.replaced:
            # The other stores pinned the old key for the old writer: the new key writes as a new one.
            writer = outbox.new_writer_id(conn, self.writer_hint)
            summary.notices.append(
                f"this store's signing key is not in {keys.key_dir()}: a new key was made, and this store"
                f" now publishes as writer {writer} (it was {known}). The other stores take in what it"
                f" publishes once they trust the new key: leadqueue reps set {rep or 'REP'} --sync-key"
                f" {found.key.public}"
            )
        else:
            writer = known
        me = Identity(writer, found.key, rep, int(meta.get(outbox.NAME_OFFSET) or 0))
        return me, found.made or known is None

    def _start(
        self, conn: Connection, me: Identity, meta: Mapping[str, str], summary: SyncSummary
    ) -> TakenIn | None:
        """Clean up after a killed run, then publish the first segment."""
        self.folder.check_own(me.writer)  # before anything is read from it or written to it
        summary.stale_temps_removed = self.folder.remove_stale_temps(me.writer)
        files = outbox.known_files(conn)
        listing = self.folder.segments(me.writer)
        missing = self._missing(me, files, listing)
        through = int(meta.get(outbox.PUBLISHED_THROUGH) or 0)
        through = self._recover(conn, me, files, listing, through, summary)
        if missing:
            self._rewrite(conn, me, missing, summary)
        if meta.get(outbox.OUTBOX_BACKFILL) == "1":
            _backfill(conn)
        return self._publish_step(conn, me, summary, files, through)

    @staticmethod
    def _missing(me: Identity, files: set[str], listing: Sequence[SegmentRef]) -> list[str]:
        """Files of this writer the store has recorded that its folder does not list."""
        prefix = f"{me.writer}/"
        present = {ref.key for ref in listing}
        return sorted(key for key in files if key.startswith(prefix) and key not in present)

    def _rewrite(self, conn: Connection, me: Identity, missing: list[str], summary: SyncSummary) -> None:
        """Write again, from the outbox, the segments this store sent that are gone
        from its folder: the same lines under the same name, signed as when
        published, so a store that had not taken one in yet still gets it."""
        sent = outbox.sent_files(conn, me.writer)
        rep = me.rep
        lost: list[str] = []
        for key in missing:
            count = sent.get(key)
            if count is None:  # taken in from the folder (a forgotten segment): not ours to rebuild
                continue
            name = key[len(me.writer) + 1 :]
            chunk = self._lines_of(conn, name, count)
            if chunk is None or rep is None:
                lost.append(name)
                continue
            header = header_line(me.key, me.writer, rep, name, count, [chunk.line_digests()])
            self.folder.write_segment(me.writer, name, header, [chunk.lines])
            summary.rewritten_segments += 1
        if lost:
            summary.notices.append(
                f"{len(lost)} segment(s) this store sent are gone from {self.folder.writer_dir(me.writer)}"
                f" and their lines are not in its outbox any more, so they cannot be written again"
                f" ({', '.join(lost[:5])}{', ...' if len(lost) > 5 else ''}): a store that had not taken"
                " them in will not get their events"
            )

    @staticmethod
    def _lines_of(conn: Connection, name: str, count: int) -> outbox.Chunk | None:
        """The outbox lines a segment of this store named `name` held, when exactly
        one offset it may have been named with finds `count` lines at both ends."""
        first, last = name_numbers(name)
        found = []
        for offset in outbox.offsets_for(conn, first):
            seqs = (first - offset, last - offset)
            chunk = outbox.lines_between(conn, *seqs)
            if len(chunk.seqs) == count and (chunk.seqs[0], chunk.seqs[-1]) == seqs:
                found.append(chunk)
        return found[0] if len(found) == 1 else None

    def _publish_step(
        self,
        conn: Connection,
        me: Identity,
        summary: SyncSummary,
        files: set[str] | None = None,
        through: int | None = None,
    ) -> TakenIn | None:
        """One segment; None while more are waiting. After the last, what the
        pull needs is read in the same transaction rather than in one of its
        own. `files` and `through`, when given, were just read in this one."""
        published = self._publish_segment(conn, me, summary, through)
        if published is not None and published.more:
            return None
        summary.unsent = 0  # nothing is left after the last segment, under the write lock
        if files is None:
            files = outbox.known_files(conn)
        elif published is not None:
            files.add(published.key)
        return TakenIn(files, sync_ledger.parked_count(conn), self.own)

    def _publish_segment(
        self, conn: Connection, me: Identity, summary: SyncSummary, through: int | None
    ) -> Published | None:
        """Publish the oldest unsent lines as one segment; None if nothing was waiting."""
        outbox.hold_back_new_events(conn)
        batch = outbox.unsent_batch(conn, self.segment_events, through)
        if batch is None:
            return None
        while sum(map(len, batch.parts)) > SEGMENT_MAX_BYTES - _HEADER_ROOM:
            if batch.count == 1:
                raise CannotPublish(
                    f"the event at seq {batch.first_seq} is larger than a segment may be"
                    f" ({SEGMENT_MAX_BYTES:,} bytes): it cannot be published"
                )
            smaller = outbox.unsent_batch(conn, batch.count // 2, through)
            assert smaller is not None
            batch = smaller
        rep = self._rep(conn, me, batch.parts[0])
        name = segment_name(batch.first_seq + me.offset, batch.last_seq + me.offset)
        header = header_line(me.key, me.writer, rep, name, batch.count, batch.digests)
        pending = self.folder.start_segment(me.writer, name, header, batch.parts)
        # Making the segment durable waits on the disk, not the CPU: the bookkeeping
        # runs meanwhile (a third of a publish). None of it is committed before the
        # segment is durable under its name: the transaction ends after this returns.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="segment-fsync") as pool:
            durable = pool.submit(pending.finish)
            # Records another rep made here are published, and refused by the others: say so.
            mine = f',"actor":{json.dumps(rep, ensure_ascii=False)},"at":'.encode()
            summary.foreign_actor += batch.count - sum(part.count(mine) for part in batch.parts)
            outbox.mark_published(conn, batch.last_seq)
            key = f"{me.writer}/{name}"
            outbox.record_file(conn, key, me.writer, batch.count, "sent", self.s.clock.now())
            left = outbox.unsent_count(conn) if batch.more else 0
            durable.result()
        summary.publishes_as = rep
        summary.sent += batch.count
        # Counted only when more are waiting: a short segment, or nothing after it, was the last.
        self.progress(summary.sent, summary.sent + left)
        return Published(key, batch.more)

    def _rep(self, conn: Connection, me: Identity, first_part: bytes) -> str:
        """The rep this store writes as: fixed by its first segment, as the rep it
        syncs as, or else the actor of its first published event."""
        if me.rep is None:
            first_line = first_part[: first_part.index(b"\n")]
            me.rep = self.rep or str(json.loads(first_line)["actor"])
            outbox.write_meta(conn, SYNC_REP, me.rep)
        return me.rep

    def _recover(
        self,
        conn: Connection,
        me: Identity,
        files: set[str],
        listing: Sequence[SegmentRef],
        through: int,
        summary: SyncSummary,
    ) -> int:
        """Segments in our folder this store does not remember: take back those
        its key signed with its own next unsent lines, and take in the events of
        the rest it signed (published, then forgotten by a restore). Returns the
        watermark (`through` on entry); `files` gains what is recorded."""
        mine: list[tuple[SegmentRef, Segment]] = []
        for ref in listing:
            if ref.key in files:
                continue
            try:
                data = read_file(ref.path)
                if data is None:
                    continue
                segment = open_segment(data, ref.writer, ref.name)
                if segment.header.key != me.key.public:
                    raise Refused(f"signed by key {short(segment.header.key)}, not by this store's")
            except Refused as exc:
                summary.refused.append(f"{ref.path}: {exc}")
                continue
            mine.append((ref, segment))
        if not mine:
            return through
        published = {line for _, segment in mine for line in segment.lines}
        taken_back: set[bytes] = set()
        for seq, line in outbox.unsent_lines(conn):
            if line[:-1] not in published:
                break
            through = seq
            taken_back.add(line[:-1])
        now = self.s.clock.now()
        for ref, segment in mine:
            if taken_back.issuperset(segment.lines):
                outbox.record_file(conn, ref.key, me.writer, segment.header.count, "sent", now)
                files.add(ref.key)
                summary.recovered_segments += 1
            else:
                self.own.append((ref, segment))
        outbox.mark_published(conn, through)
        top = max(name_numbers(ref.name)[1] for ref, _ in mine)
        if top > through + me.offset:  # the next name must come after every one of ours
            me.offset = top - through
            outbox.raise_name_offset(conn, me.offset, top + 1)
        if self.own:
            summary.notices.append(
                f"{len(self.own)} segment(s) in {self.folder.writer_dir(me.writer)} were published by this"
                " store and are not in it (was it restored from a backup?): their events are taken back in,"
                " and its next segments are named after them"
            )
        return through


def _backfill(conn: Connection) -> None:
    """Lines for local events recorded before lines were kept (a store upgraded
    from version 1), encoded once, as they would have been when recorded."""
    lines = [
        (r.seq, encode(make_record(r.event_id, r.crm_id, r.kind, r.actor, r.at, r.payload or {})))
        for r in outbox.owed_lines(conn)
    ]
    outbox.settle_backfill(conn, lines)
