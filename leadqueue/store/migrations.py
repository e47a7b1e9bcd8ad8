"""Upgrades of older stores to the current schema, one version at a time.

Each step runs inside the store's opening write transaction, so a store is
either fully upgraded or left as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, text, update

from leadqueue.store.schema import events, meta, sync_files, sync_parked


def _v1_to_v2(conn: Connection) -> None:
    """Version 2 adds the sync outbox: where each event came from and where it was published."""
    conn.execute(text("ALTER TABLE events ADD COLUMN origin VARCHAR(64) NOT NULL DEFAULT 'import'"))
    conn.execute(text("ALTER TABLE events ADD COLUMN segment VARCHAR(300)"))
    # Before sync existed every decision was made in this store and never published.
    conn.execute(update(events).where(events.c.actor != "import").values(origin="local"))
    for index in events.indexes:
        if index.name == "ix_events_outbox":
            index.create(conn)
    sync_files.create(conn)
    sync_parked.create(conn)


MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1_to_v2}


def upgrade(conn: Connection, found: int, target: int) -> None:
    for version in range(found, target):
        MIGRATIONS[version](conn)
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value=str(version + 1)))
