"""Queries behind sync: the outbox of unpublished local events, the segment
files already taken in, pulled events waiting for their lead, and the store's
writer id."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, func, insert, select, update

from leadqueue.store.schema import ORIGIN_LOCAL, events, leads, meta, sync_files, sync_parked

_CHUNK = 900


def writer_id(conn: Connection, hint: str | None = None) -> str:
    """This store's name in the shared folder, made once and kept in `meta`.

    Made on first sync, not when the store is created, so copies of a store
    that never synced (the bundled demo) do not share one.
    """
    row = conn.execute(select(meta.c.value).where(meta.c.key == "writer_id")).first()
    if row:
        return str(row[0])
    stem = re.sub(r"[^a-z0-9]+", "-", (hint or "store").casefold()).strip("-")[:40] or "store"
    name = f"{stem}-{uuid.uuid4().hex[:10]}"
    conn.execute(insert(meta).values(key="writer_id", value=name))
    return name


def read_meta(conn: Connection, key: str) -> str | None:
    row = conn.execute(select(meta.c.value).where(meta.c.key == key)).first()
    return None if row is None else str(row[0])


def write_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(update(meta).where(meta.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(insert(meta).values(key=key, value=value))


PUBLISHED_THROUGH = "published_through_seq"


def published_through(conn: Connection) -> int:
    """Every local event with seq up to this has been published."""
    value = read_meta(conn, PUBLISHED_THROUGH)
    return int(value) if value else 0


def mark_published(conn: Connection, last_seq: int) -> None:
    """The caller holds the write lock from reading the batch to here, so no
    local event can have joined the range in between."""
    write_meta(conn, PUBLISHED_THROUGH, str(last_seq))


def _unsent(conn: Connection) -> Any:
    return and_(events.c.origin == ORIGIN_LOCAL, events.c.seq > published_through(conn))


def unsent_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(events).where(_unsent(conn))).scalar_one())


def unsent_batch(conn: Connection, limit: int) -> list[Row[Any]]:
    """(seq, line) of the oldest unpublished local events: the lines encoded when
    they were recorded; None for one from before lines were kept (upgraded from v1)."""
    q = select(events.c.seq, events.c.record.label("line")).where(_unsent(conn)).order_by(events.c.seq)
    # all() fetches in one call; iterating a result fetches row by row, which cost more than the query
    return list(conn.execute(q.limit(limit)).all())


def events_with_crm_ids(conn: Connection, seqs: Sequence[int]) -> list[Row[Any]]:
    out: list[Row[Any]] = []
    for i in range(0, len(seqs), _CHUNK):
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
            .where(events.c.seq.in_(seqs[i : i + _CHUNK]))
        )
        out.extend(conn.execute(q))
    return out


def known_files(conn: Connection) -> set[str]:
    return {r[0] for r in conn.execute(select(sync_files.c.name))}


def record_file(conn: Connection, name: str, writer: str, count: int, direction: str, at: datetime) -> None:
    conn.execute(
        insert(sync_files).values(name=name, writer=writer, events=count, direction=direction, at=at)
    )


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
    return int(conn.execute(select(func.count()).select_from(sync_parked)).scalar_one())
