"""Queries behind sync: the outbox of unpublished local events, the segment
files already taken in, pulled events waiting for their lead, and the store's
writer id."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, text

from leadqueue.store.schema import ORIGIN_LOCAL, events, leads, meta, outbox_lines, sync_files, sync_parked

_CHUNK = 900
WRITER_ID = "writer_id"


def writer_id(conn: Connection, hint: str | None = None) -> str:
    """This store's name in the shared folder, made once and kept in `meta`.

    Made on first sync, not when the store is created, so copies of a store
    that never synced (the bundled demo) do not share one.
    """
    known = read_meta(conn, WRITER_ID)
    if known:
        return known
    stem = re.sub(r"[^a-z0-9]+", "-", (hint or "store").casefold()).strip("-")[:40] or "store"
    name = f"{stem}-{uuid.uuid4().hex[:10]}"
    conn.execute(insert(meta).values(key=WRITER_ID, value=name))
    return name


# Sync's queries over plain columns are written as text: a `leadqueue sync`
# run is a fresh process, and compiling each Core statement for its one use
# cost about as much as running it. (Statements with typed columns, such as
# datetimes, stay in Core.)
_READ_META = text("SELECT value FROM meta WHERE key = :key")
_UPDATE_META = text("UPDATE meta SET value = :value WHERE key = :key")
_INSERT_META = text("INSERT INTO meta (key, value) VALUES (:key, :value)")


def read_meta(conn: Connection, key: str) -> str | None:
    row = conn.execute(_READ_META, {"key": key}).first()
    return None if row is None else str(row[0])


def write_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(_UPDATE_META, {"key": key, "value": value}).rowcount == 0:
        conn.execute(_INSERT_META, {"key": key, "value": value})


PUBLISHED_THROUGH = "published_through_seq"


def published_through(conn: Connection) -> int:
    """Every local event with seq up to this has been published."""
    value = read_meta(conn, PUBLISHED_THROUGH)
    return int(value) if value else 0


def mark_published(conn: Connection, last_seq: int) -> None:
    """The caller holds the write lock from reading the batch to here, so no
    local event can have joined the range in between."""
    write_meta(conn, PUBLISHED_THROUGH, str(last_seq))


OUTBOX_BACKFILL = "outbox_backfill"  # set when local events from before lines were kept are owed one


def unsent_count(conn: Connection) -> int:
    q = text("SELECT count(*) FROM outbox_lines WHERE seq > :through")
    return int(conn.execute(q, {"through": published_through(conn)}).scalar_one())


def add_line(conn: Connection, seq: int, line: str) -> None:
    conn.execute(insert(outbox_lines).values(seq=seq, line=line))


@dataclass(frozen=True)
class Batch:
    """The oldest unpublished lines, packed: `data` is the lines joined by newlines."""

    first_seq: int
    last_seq: int
    count: int
    data: bytes


_LAST_OF_BATCH = text("SELECT seq FROM outbox_lines WHERE seq > :through ORDER BY seq LIMIT 1 OFFSET :skip")
_PACKED = {
    "sqlite": text(
        "SELECT count(*), min(seq), max(seq), CAST(group_concat(line, char(10)) AS BLOB)"
        " FROM outbox_lines WHERE seq > :through AND seq <= :upto"
    ),
    "postgresql": text(
        "SELECT count(*), min(seq), max(seq), string_agg(line, chr(10) ORDER BY seq)"
        " FROM outbox_lines WHERE seq > :through AND seq <= :upto"
    ),
}
_ANY_AFTER = text("SELECT 1 FROM outbox_lines WHERE seq > :after LIMIT 1")
_NO_BOUND = 2**62


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


def unsent_batch(conn: Connection, limit: int) -> Batch | None:
    """Up to `limit` unpublished lines in seq order, packed by the database.

    One aggregate over a key range instead of a row per line: the lines are
    joined where they are stored and arrive as one value. The range's end is
    found first (a walk of keys), so the aggregate reads the range itself
    rather than an ordered, limited copy of it. SQLite feeds the aggregate in
    the order of its scan of the range, which is key order (3.44 could also
    say so inside group_concat; the 3.40 this runs on cannot); PostgreSQL is
    told with ORDER BY inside string_agg.
    """
    through = published_through(conn)
    upto = conn.execute(_LAST_OF_BATCH, {"through": through, "skip": limit - 1}).scalar()
    params = {"through": through, "upto": _NO_BOUND if upto is None else upto}
    count, first, last, data = conn.execute(_PACKED[conn.dialect.name], params).one()
    if not count:
        return None
    return Batch(int(first), int(last), int(count), data if isinstance(data, bytes) else data.encode("utf-8"))


def any_unsent_after(conn: Connection, seq: int) -> bool:
    return conn.execute(_ANY_AFTER, {"after": seq}).first() is not None


def backfill_owed(conn: Connection) -> bool:
    """Does this store hold local events owed a line (upgraded from before lines were kept)?"""
    return read_meta(conn, OUTBOX_BACKFILL) == "1"


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
        .outerjoin(outbox_lines, outbox_lines.c.seq == events.c.seq)
        .where(
            events.c.origin == ORIGIN_LOCAL,
            events.c.seq > published_through(conn),
            outbox_lines.c.seq.is_(None),
        )
        .order_by(events.c.seq)
    )
    return list(conn.execute(q).all())


def settle_backfill(conn: Connection, lines: Sequence[tuple[int, str]]) -> None:
    if lines:
        conn.execute(insert(outbox_lines), [{"seq": seq, "line": line} for seq, line in lines])
    write_meta(conn, OUTBOX_BACKFILL, "0")


def known_files(conn: Connection) -> set[str]:
    return {r[0] for r in conn.execute(text("SELECT name FROM sync_files"))}


_RECORD_FILE = text(
    "INSERT INTO sync_files (name, writer, events, direction, at)"
    " VALUES (:name, :writer, :events, :direction, :at)"
).bindparams(bindparam("at", type_=sync_files.c.at.type))


def record_file(conn: Connection, name: str, writer: str, count: int, direction: str, at: datetime) -> None:
    values = {"name": name, "writer": writer, "events": count, "direction": direction, "at": at}
    conn.execute(_RECORD_FILE, values)


def existing_event_ids(conn: Connection, event_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(event_ids), _CHUNK):
        chunk = event_ids[i : i + _CHUNK]
        found.update(
            r[0] for r in conn.execute(select(events.c.event_id).where(events.c.event_id.in_(chunk)))
        )
        found.update(
            r[0]
            for r in conn.execute(select(sync_parked.c.event_id).where(sync_parked.c.event_id.in_(chunk)))
        )
    return found


def park(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    values = list(rows)
    if values:
        conn.execute(insert(sync_parked), values)


def parked_with_leads(conn: Connection) -> list[Row[Any]]:
    """Parked events whose lead has arrived since, oldest first."""
    q = (
        select(
            sync_parked.c.event_id, sync_parked.c.writer, sync_parked.c.record, leads.c.id.label("lead_id")
        )
        .join(leads, leads.c.crm_id == sync_parked.c.crm_id)
        .order_by(sync_parked.c.crm_id, sync_parked.c.at)
    )
    return list(conn.execute(q))


def unpark(conn: Connection, event_ids: Sequence[str]) -> None:
    for i in range(0, len(event_ids), _CHUNK):
        conn.execute(delete(sync_parked).where(sync_parked.c.event_id.in_(event_ids[i : i + _CHUNK])))


def parked_count(conn: Connection) -> int:
    return int(conn.execute(text("SELECT count(*) FROM sync_parked")).scalar_one())
