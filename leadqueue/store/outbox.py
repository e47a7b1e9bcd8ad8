"""Queries behind sync: the outbox of unpublished local events, the segment
files already taken in, pulled events waiting for their lead, and the store's
writer id."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, and_, delete, func, insert, select, update

from leadqueue.store.schema import ORIGIN_LOCAL, events, leads, meta, sync_files, sync_parked

_CHUNK = 900
UNSENT = and_(events.c.origin == ORIGIN_LOCAL, events.c.segment.is_(None))


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


def unsent_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(events).where(UNSENT)).scalar_one())


class OutboxRow(NamedTuple):
    seq: int
    event_id: str
    kind: str
    actor: str
    at: datetime
    payload: dict[str, Any]
    crm_id: str


# The query below as SQLite text: publishing reads every outbox row once, and
# SQLAlchemy's per-value result processing (JSON, UTC datetimes) cost more than
# the read itself.
_UNSENT_SQLITE = (
    "SELECT e.seq, e.event_id, e.kind, e.actor, e.at, e.payload, l.crm_id"
    " FROM events AS e JOIN leads AS l ON l.id = e.lead_id"
    " WHERE e.origin = ? AND e.segment IS NULL ORDER BY e.seq LIMIT ?"
)


def _stored_utc(text: str) -> datetime:
    # UTCDateTime keeps naive UTC text on SQLite ("YYYY-MM-DD HH:MM:SS.ffffff").
    at = datetime.fromisoformat(text)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def unsent_batch(conn: Connection, limit: int) -> list[OutboxRow]:
    """The oldest unpublished local events, with their lead's CRM id."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(_UNSENT_SQLITE, (ORIGIN_LOCAL, limit)).fetchall()
        return [
            OutboxRow(
                seq, event_id, kind, actor, _stored_utc(at), json.loads(payload) if payload else {}, crm
            )
            for seq, event_id, kind, actor, at, payload, crm in rows
        ]
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
        .where(UNSENT)
        .order_by(events.c.seq)
        .limit(limit)
    )
    return [
        OutboxRow(r.seq, r.event_id, r.kind, r.actor, r.at, r.payload or {}, r.crm_id)
        for r in conn.execute(q)
    ]


def mark_sent_range(conn: Connection, first_seq: int, last_seq: int, segment: str) -> int:
    """Every unsent local event in [first, last] went out in `segment`.

    The caller holds the write lock from selecting the batch to here, so no
    event can have joined the range in between.
    """
    stmt = update(events).where(UNSENT, events.c.seq.between(first_seq, last_seq)).values(segment=segment)
    return conn.execute(stmt).rowcount


def mark_sent_ids(conn: Connection, event_ids: Sequence[str], segment: str) -> int:
    done = 0
    for i in range(0, len(event_ids), _CHUNK):
        chunk = event_ids[i : i + _CHUNK]
        stmt = update(events).where(UNSENT, events.c.event_id.in_(chunk)).values(segment=segment)
        done += conn.execute(stmt).rowcount
    return done


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
