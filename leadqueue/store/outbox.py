"""Queries behind sync: the outbox of unpublished local events, the segment
files already taken in or sent, and the store's writer id (pulled events
waiting for their lead are sync_ledger's)."""

from __future__ import annotations

import bisect
import hashlib
import re
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select, text

from leadqueue.store.column_types import UTCDateTime
from leadqueue.store.schema import ORIGIN_LOCAL, events, leads

WRITER_ID = "writer_id"


def writer_id(conn: Connection, hint: str | None = None) -> str:
    """This store's name in the shared folder, made once and kept in `meta`.

    Made on first sync, not when the store is created, so copies of a store
    that never synced (the bundled demo) do not share one.
    """
    known = read_meta(conn, WRITER_ID)
    if known:
        return known
    name = _new_writer_name(hint)
    conn.execute(_INSERT_META, {"key": WRITER_ID, "value": name})
    return name


def new_writer_id(conn: Connection, hint: str | None = None) -> str:
    """A new name for this store in the shared folder, replacing the one it had
    (its signing key is new: the other stores pinned the old key for the old name)."""
    name = _new_writer_name(hint)
    write_meta(conn, WRITER_ID, name)
    return name


def _new_writer_name(hint: str | None) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", (hint or "store").casefold()).strip("-")[:40] or "store"
    return f"{stem}-{uuid.uuid4().hex[:10]}"


# The statements a publish and a decision run are text clauses built once, the
# same words on SQLite and PostgreSQL: a `leadqueue sync` run is a fresh process,
# where each statement's shape is compiled on first use, and a text clause
# compiles in a fraction of a select's time. The large and rare ones are selects.
_READ_META = text("SELECT value FROM meta WHERE key = :key")
_UPSERT_META = text(  # the same words on SQLite (3.24 and later) and PostgreSQL
    "INSERT INTO meta (key, value) VALUES (:key, :value)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_INSERT_META = text("INSERT INTO meta (key, value) VALUES (:key, :value)")


def lock_meta(conn: Connection) -> None:
    """Hold other writers of `meta` until this transaction ends, so that two first
    syncs of one PostgreSQL store do not each make a writer id or key (SQLite's
    write transaction already holds the whole store)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE meta IN SHARE ROW EXCLUSIVE MODE")


_ALL_META = text("SELECT key, value FROM meta")


def all_meta(conn: Connection) -> dict[str, str]:
    """The store's whole meta (a few dozen short rows at most), in one statement:
    a publish needs half a dozen of its values, and each statement costs more
    than the reading."""
    return {key: str(value) for key, value in conn.execute(_ALL_META)}


def read_meta(conn: Connection, key: str) -> str | None:
    value = conn.execute(_READ_META, {"key": key}).scalar()
    return None if value is None else str(value)


def write_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(_UPSERT_META, {"key": key, "value": value})


PUBLISHED_THROUGH = "published_through_seq"
# Added to local seqs in the names of this store's segments: raised when the
# store finds segments of its own it does not remember (restored from a backup),
# so its next names come after theirs and never take one of them.
NAME_OFFSET = "segment_name_offset"


# Each offset ever in force and the first segment number named with it
# ("<from>:<offset>,..."), so a segment of this store that went missing from the
# share is found again in the outbox under the seqs its name was made from.
NAME_OFFSETS = "segment_name_offsets"


def name_offset(conn: Connection) -> int:
    value = read_meta(conn, NAME_OFFSET)
    return int(value) if value else 0


def raise_name_offset(conn: Connection, offset: int, first_name: int) -> None:
    """From segment number `first_name` on, names are seq + `offset`."""
    history = _offset_history(read_meta(conn, NAME_OFFSETS))
    if not history and name_offset(conn):
        history.append((-1, name_offset(conn)))  # raised by an earlier version: from where is not known
    history.append((first_name, offset))
    write_meta(conn, NAME_OFFSET, str(offset))
    write_meta(conn, NAME_OFFSETS, ",".join(f"{start}:{value}" for start, value in history))


def _offset_history(text_value: str | None) -> list[tuple[int, int]]:
    if not text_value:
        return []
    return [(int(start), int(value)) for start, value in (p.split(":") for p in text_value.split(","))]


def offsets_for(conn: Connection, first_name: int) -> list[int]:
    """The offsets a segment of this store whose name starts at `first_name`
    may have been named with: one, unless an earlier version raised the offset
    without keeping from which segment on (then each that may have been)."""
    history = _offset_history(read_meta(conn, NAME_OFFSETS))
    if not history:
        current = name_offset(conn)
        return [0, current] if current else [0]
    known = [value for start, value in history if 0 <= start <= first_name]
    if known:
        return [known[-1]]
    return [0, *(value for start, value in history if start < 0)]


def published_through(conn: Connection) -> int:
    """Every local event with seq up to this has been published."""
    value = read_meta(conn, PUBLISHED_THROUGH)
    return int(value) if value else 0


OUTBOX_BACKFILL = "outbox_backfill"  # set when local events from before lines were kept are owed one
SEAL_LINES = 64  # single-line rows at the end of the outbox sealed into one


def pack_seqs(seqs: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(seqs)}q", *seqs)


def unpack_seqs(packed: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(packed) // 8}q", packed)


DIGEST_SIZE = 32  # SHA-256


def line_digests(lines: bytes) -> bytes:
    """The SHA-256 of each line (without its newline), concatenated: what a
    segment's signature covers, computed once, when each line is recorded."""
    return b"".join(hashlib.sha256(line).digest() for line in lines.split(b"\n")[:-1])


@dataclass(frozen=True)
class Chunk:
    """A run of lines in seq order, each ending in a newline, and their digests."""

    seqs: tuple[int, ...]
    lines: bytes
    digests: bytes | None = None  # None: not kept (a row from before version 7), computed when asked

    def line_digests(self) -> bytes:
        return line_digests(self.lines) if self.digests is None else self.digests

    def values(self) -> dict[str, Any]:
        return {
            "first_seq": self.seqs[0],
            "last_seq": self.seqs[-1],
            "n_lines": len(self.seqs),
            "seqs": pack_seqs(self.seqs),
            "digests": self.line_digests(),
            "lines": self.lines,
        }

    def split(self) -> list[tuple[int, bytes]]:
        return list(zip(self.seqs, (line + b"\n" for line in self.lines.split(b"\n")[:-1]), strict=True))

    def after(self, seq: int) -> Chunk:
        """The lines of events recorded after `seq`."""
        skip = bisect.bisect_right(self.seqs, seq)
        return self if skip == 0 else self.first(len(self.seqs), skip)

    def first(self, n: int, skip: int = 0) -> Chunk:
        if skip == 0 and n >= len(self.seqs):
            return self
        stop = min(skip + n, len(self.seqs))  # the split's last piece is the empty one after the last newline
        pieces = self.lines.split(b"\n")[skip:stop]
        digests = None if self.digests is None else self.digests[skip * DIGEST_SIZE : stop * DIGEST_SIZE]
        return Chunk(self.seqs[skip:stop], b"\n".join(pieces) + b"\n" if pieces else b"", digests)


def chunks_of(lines: Sequence[tuple[int, bytes]], size: int = SEAL_LINES) -> list[Chunk]:
    """(seq, line) pairs in seq order, each line ending in a newline, as chunks of `size`."""
    return [
        Chunk(tuple(seq for seq, _ in lines[i : i + size]), b"".join(line for _, line in lines[i : i + size]))
        for i in range(0, len(lines), size)
    ]


_INSERT_CHUNK = text(
    "INSERT INTO outbox_chunks (first_seq, last_seq, n_lines, seqs, digests, lines)"
    " VALUES (:first_seq, :last_seq, :n_lines, :seqs, :digests, :lines)"
)
_TAIL_SINGLES = text(
    "SELECT count(*) FROM (SELECT n_lines FROM outbox_chunks ORDER BY first_seq DESC LIMIT :n) AS tail"
    " WHERE n_lines = 1"
)
_TAIL = text("SELECT first_seq, seqs, digests, lines FROM outbox_chunks ORDER BY first_seq DESC LIMIT :n")
_DROP_FROM = text("DELETE FROM outbox_chunks WHERE first_seq >= :first")


def add_line(conn: Connection, seq: int, line: str) -> None:
    """The line of a local event just recorded with this seq.

    On SQLite every SEAL_LINES single lines at the end are sealed into one
    row. The write lock makes the end of the outbox final there; PostgreSQL
    can commit seqs out of order, so its lines stay single.
    """
    conn.execute(_INSERT_CHUNK, Chunk((seq,), line.encode("utf-8") + b"\n").values())
    if (
        conn.dialect.name == "sqlite"
        and conn.execute(_TAIL_SINGLES, {"n": SEAL_LINES}).scalar() == SEAL_LINES
    ):
        _seal_tail(conn)


def _seal_tail(conn: Connection) -> None:
    rows = conn.execute(_TAIL, {"n": SEAL_LINES}).all()[::-1]
    conn.execute(_DROP_FROM, {"first": rows[0][0]})
    seqs = tuple(s for _, packed, _, _ in rows for s in unpack_seqs(bytes(packed)))
    digests = b"".join(_row_chunk(packed, kept, lines).line_digests() for _, packed, kept, lines in rows)
    sealed = Chunk(seqs, b"".join(bytes(lines) for _, _, _, lines in rows), digests)
    conn.execute(_INSERT_CHUNK, sealed.values())


def _row_chunk(seqs: bytes, digests: bytes | None, lines: bytes) -> Chunk:
    return Chunk(unpack_seqs(bytes(seqs)), bytes(lines), None if digests is None else bytes(digests))


# Runs are disjoint and in seq order, so only the last run starting at or
# before the watermark can hold lines after it; each of these finds that run
# with one seek rather than a walk over every published run.
_WATERMARK_RUN = "(SELECT max(first_seq) FROM outbox_chunks WHERE first_seq <= :through)"
_UNSENT_WHERE = f"last_seq > :through AND first_seq >= coalesce({_WATERMARK_RUN}, 0)"
_UNSENT_COUNT = text(
    "SELECT coalesce(sum(n_lines), 0), (SELECT seqs FROM outbox_chunks"
    f" WHERE first_seq = {_WATERMARK_RUN} AND last_seq > :through)"
    " FROM outbox_chunks WHERE first_seq > :through"
)


def unsent_count(conn: Connection) -> int:
    through = published_through(conn)
    whole, straddling = conn.execute(_UNSENT_COUNT, {"through": through}).one()
    if straddling is None:
        return int(whole)
    seqs = unpack_seqs(bytes(straddling))
    return int(whole) + len(seqs) - bisect.bisect_right(seqs, through)


@dataclass(frozen=True)
class Batch:
    """The oldest unpublished lines: `parts` joined are the lines, each ending in a
    newline; `digests` joined, each line's SHA-256 (line_digests)."""

    first_seq: int
    last_seq: int
    count: int
    parts: list[bytes]
    more: bool  # unpublished lines remain after these
    digests: list[bytes]


_UNSENT = text(
    "SELECT first_seq, last_seq, n_lines, seqs, digests, lines FROM outbox_chunks"
    f" WHERE {_UNSENT_WHERE} ORDER BY first_seq"
)


def unsent_batch(conn: Connection, limit: int, through: int | None = None) -> Batch | None:
    """Up to `limit` unpublished lines in seq order, as the stored runs of lines.

    A run the watermark falls inside (a segment of a killed sync, found and
    counted as sent) or the limit cuts is split; every other run is taken whole.
    `through` is the watermark, when the caller has just read it.
    """
    through = published_through(conn) if through is None else through
    parts: list[bytes] = []
    digests: list[bytes] = []
    first = last = count = 0
    more = False
    result = conn.execute(_UNSENT, {"through": through})
    # Fetched a segment's worth of runs at a time: a row-by-row walk costs more
    # than the reading, and a long backlog is not read past the limit.
    while not more and (rows := result.fetchmany(limit // SEAL_LINES + 2)):
        for first_seq, last_seq, n_lines, seqs, kept, lines in rows:
            if count == limit:  # a run beyond the limit: more are waiting
                more = True
                break
            if first_seq > through and count + n_lines <= limit and kept is not None:
                part, digest, start, end, n = bytes(lines), bytes(kept), first_seq, last_seq, n_lines
            else:  # the run the watermark falls in, the one the limit cuts, one kept without digests
                chunk = _row_chunk(seqs, kept, lines).after(through)
                taken = chunk.first(limit - count)
                more = len(taken.seqs) < len(chunk.seqs)
                part, digest = taken.lines, taken.line_digests()
                start, end, n = taken.seqs[0], taken.seqs[-1], len(taken.seqs)
            first = first or start
            parts.append(part)
            digests.append(digest)
            count += n
            last = end
            if more:
                break
        if count == limit and not more:  # the limit fell on a run's end: is anything after it?
            more = result.fetchone() is not None
            break
    result.close()
    if not parts:
        return None
    return Batch(first, last, count, parts, more, digests)


def mark_published(conn: Connection, last_seq: int) -> None:
    """The caller holds the write lock from reading the batch to here, so no
    local event can have joined the range in between. Published rows stay, as
    the events do: deleting them would cost a publish more than writing them."""
    write_meta(conn, PUBLISHED_THROUGH, str(last_seq))


_RUNS_BETWEEN = text(
    "SELECT seqs, digests, lines FROM outbox_chunks"
    " WHERE last_seq >= :first AND first_seq >= coalesce((SELECT max(first_seq) FROM outbox_chunks"
    " WHERE first_seq <= :first), 0) AND first_seq <= :last ORDER BY first_seq"
)


def lines_between(conn: Connection, first: int, last: int) -> Chunk:
    """The kept lines of local events with seqs from `first` to `last`, published
    or not (a segment of this store to write again)."""
    pieces: list[Chunk] = []
    for packed, kept, lines in conn.execute(_RUNS_BETWEEN, {"first": first, "last": last}):
        chunk = _row_chunk(packed, kept, lines).after(first - 1)
        chunk = chunk.first(bisect.bisect_right(chunk.seqs, last))
        if chunk.seqs:
            pieces.append(chunk)
    return Chunk(
        tuple(seq for c in pieces for seq in c.seqs),
        b"".join(c.lines for c in pieces),
        b"".join(c.line_digests() for c in pieces),
    )


def hold_back_new_events(conn: Connection) -> None:
    """Wait for every transaction that has taken an event seq, and keep new ones
    out until this one ends.

    Publishing moves one watermark over seqs, so no seq below it may commit
    later. On SQLite the write lock already serialises writers. On PostgreSQL,
    a decision's transaction can take seq 10 and commit after another's seq 11
    has been published: seq 10 would sit under the watermark, never sent. A
    transaction holds its lock on `events` from the insert that takes its seq,
    so this lock waits for exactly those, for one segment's publishing.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")


def unsent_lines(conn: Connection) -> list[tuple[int, bytes]]:
    """Every unpublished (seq, line), in seq order."""
    through = published_through(conn)
    rows = conn.execute(_UNSENT, {"through": through}).all()
    return [
        pair
        for _, _, _, seqs, _, lines in rows
        for pair in Chunk(unpack_seqs(bytes(seqs)), bytes(lines)).after(through).split()
    ]


def owed_lines(conn: Connection) -> list[Row[Any]]:
    """Unpublished local events with no line in the outbox, with their CRM ids."""
    q = (
        select(
            events.c.seq,
            events.c.event_id,
            events.c.kind,
            events.c.actor,
            events.c.at,
            events.c.payload,
            leads.c.crm_id,
        )
        .join(leads, leads.c.id == events.c.lead_id)
        .where(events.c.origin == ORIGIN_LOCAL, events.c.seq > published_through(conn))
        .order_by(events.c.seq)
    )
    have = {seq for seq, _ in unsent_lines(conn)}
    return [r for r in conn.execute(q) if r.seq not in have]


def settle_backfill(conn: Connection, lines: Sequence[tuple[int, str]]) -> None:
    """Put the owed lines in their places: the unpublished outbox is rewritten in seq order."""
    if lines:
        merged = sorted([*unsent_lines(conn), *((seq, line.encode("utf-8") + b"\n") for seq, line in lines)])
        conn.execute(
            text(f"DELETE FROM outbox_chunks WHERE {_UNSENT_WHERE}"), {"through": published_through(conn)}
        )
        conn.execute(_INSERT_CHUNK, [c.values() for c in chunks_of(merged)])
    write_meta(conn, OUTBOX_BACKFILL, "0")


_KNOWN_FILES = text("SELECT name FROM sync_files")


def known_files(conn: Connection) -> set[str]:
    return {name for (name,) in conn.execute(_KNOWN_FILES)}


_SENT_FILES = text("SELECT name, events FROM sync_files WHERE writer = :writer AND direction = 'sent'")


def sent_files(conn: Connection, writer: str) -> dict[str, int]:
    """The segments this store published as `writer` ("<writer>/<file>"), and their event counts."""
    return {str(name): int(n) for name, n in conn.execute(_SENT_FILES, {"writer": writer})}


_RECORD_FILE = text(
    "INSERT INTO sync_files (name, writer, events, direction, at)"
    " VALUES (:name, :writer, :events, :direction, :at)"
).bindparams(bindparam("at", type_=UTCDateTime()))


def record_file(conn: Connection, name: str, writer: str, count: int, direction: str, at: datetime) -> None:
    values = {"name": name, "writer": writer, "events": count, "direction": direction, "at": at}
    conn.execute(_RECORD_FILE, values)
