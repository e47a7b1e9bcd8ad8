"""Queries behind trusting a sync: the key pinned for each writer of the shared
folder, the events a pulled record's id may already name, and the pulled events
parked until their lead is imported."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, text

from leadqueue.store.schema import events, leads, sync_parked, sync_pins

_CHUNK = 900  # under SQLite's bound-parameter limit


@dataclass(frozen=True)
class Pin:
    writer: str
    rep: str
    public_key: str
    source: str  # "first-use" | "roster"


def load_pins(conn: Connection) -> dict[str, Pin]:
    """Each writer's pin, the oldest first: a rep's first pinned key is theirs (sync.trust)."""
    rows = conn.execute(
        select(sync_pins.c.writer, sync_pins.c.rep, sync_pins.c.public_key, sync_pins.c.source).order_by(
            sync_pins.c.at, sync_pins.c.writer
        )
    )
    return {r.writer: Pin(r.writer, r.rep, r.public_key, r.source) for r in rows}


def save_pins(conn: Connection, pins: Iterable[Pin], at: datetime) -> None:
    """Pin (or re-pin, when the roster gave the rep a new key) each writer's key."""
    values = [
        {"writer": p.writer, "rep": p.rep, "public_key": p.public_key, "source": p.source, "at": at}
        for p in pins
    ]
    if not values:
        return
    writers = [v["writer"] for v in values]
    for i in range(0, len(writers), _CHUNK):
        conn.execute(delete(sync_pins).where(sync_pins.c.writer.in_(writers[i : i + _CHUNK])))
    conn.execute(insert(sync_pins), values)


@dataclass(frozen=True)
class StoredEvent:
    """What an event id names in this store, as a record's fields say it."""

    crm_id: str
    kind: str
    actor: str
    at: datetime
    payload: Mapping[str, Any]
    origin: str = ""  # "local", "import" or the writer it was pulled from


@dataclass(frozen=True)
class ParkedRecord:
    """A pulled record still parked (its lead not here yet), and its writer."""

    record: Mapping[str, Any]
    writer: str


def stored_events(conn: Connection, event_ids: Sequence[str]) -> dict[str, StoredEvent | ParkedRecord]:
    """The events (or, for a pulled event still parked, its record) these ids name."""
    found: dict[str, StoredEvent | ParkedRecord] = {}
    for i in range(0, len(event_ids), _CHUNK):
        chunk = event_ids[i : i + _CHUNK]
        q = (
            select(
                events.c.event_id,
                leads.c.crm_id,
                events.c.kind,
                events.c.actor,
                events.c.at,
                events.c.payload,
                events.c.origin,
            )
            .join(leads, leads.c.id == events.c.lead_id)
            .where(events.c.event_id.in_(chunk))
        )
        for r in conn.execute(q):
            found[r.event_id] = StoredEvent(r.crm_id, r.kind, r.actor, r.at, r.payload or {}, r.origin)
        parked = select(sync_parked.c.event_id, sync_parked.c.record, sync_parked.c.writer).where(
            sync_parked.c.event_id.in_(chunk)
        )
        found.update({r.event_id: ParkedRecord(r.record, r.writer) for r in conn.execute(parked)})
    return found


def lead_owners(conn: Connection, lead_ids: Sequence[int]) -> dict[int, str | None]:
    """Each lead's owner as its projection has it (rewritten with every event added)."""
    ids = list(lead_ids)
    owners: dict[int, str | None] = {}
    for i in range(0, len(ids), _CHUNK):
        q = select(leads.c.id, leads.c.owner).where(leads.c.id.in_(ids[i : i + _CHUNK]))
        owners.update({r.id: r.owner for r in conn.execute(q)})
    return owners


# -- pulled events waiting for their lead ------------------------------------------------
def park(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    values = list(rows)
    if values:
        conn.execute(insert(sync_parked), values)


def parked_with_leads(conn: Connection) -> list[Row[Any]]:
    """Parked events whose lead is here, by lead, oldest first."""
    q = (
        select(
            sync_parked.c.event_id,
            sync_parked.c.writer,
            sync_parked.c.record,
            sync_parked.c.source,
            leads.c.id.label("lead_id"),
        )
        .join(leads, leads.c.crm_id == sync_parked.c.crm_id)
        .order_by(sync_parked.c.crm_id, sync_parked.c.at)
    )
    return list(conn.execute(q))


def unpark(conn: Connection, event_ids: Sequence[str]) -> None:
    for i in range(0, len(event_ids), _CHUNK):
        conn.execute(delete(sync_parked).where(sync_parked.c.event_id.in_(event_ids[i : i + _CHUNK])))


# A text clause, as the outbox's are: publishing runs it on a fresh engine, where a
# Core statement's first compile costs more than the query.
_PARKED_COUNT = text("SELECT count(*) FROM sync_parked")


def parked_count(conn: Connection) -> int:
    return int(conn.execute(_PARKED_COUNT).scalar_one())
