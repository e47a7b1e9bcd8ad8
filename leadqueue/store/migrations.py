"""Upgrades of older stores to the current schema, one version at a time.

Each step runs inside the store's opening write transaction, so a store is
either fully upgraded or left as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, insert, inspect, select, text, update

from leadqueue.store.outbox import OUTBOX_BACKFILL, chunks_of, published_through, write_meta
from leadqueue.store.schema import (
    clock_runs,
    crm_closed_leads,
    events,
    inactive_crm_users,
    leads,
    meta,
    outbox_chunks,
    rep_zone_changes,
    reps,
    sync_files,
    sync_parked,
    sync_pins,
)

# Set by a migration whose new projection columns only a fold can fill: the
# service layer (which has the policy) rebuilds the projections once, then clears it.
PROJECTIONS_STALE = "projections_stale"
# The policy's clock fingerprint the stored deadlines were computed with (Policy.clock_fingerprint).
CLOCK_POLICY = "clock_policy"


def _v1_to_v2(conn: Connection) -> None:
    """Version 2 adds the sync outbox: where each event came from and where it was published."""
    conn.execute(text("ALTER TABLE events ADD COLUMN origin VARCHAR(64) NOT NULL DEFAULT 'import'"))
    conn.execute(text("ALTER TABLE events ADD COLUMN record TEXT"))
    # Before sync existed every decision was made in this store and never published.
    conn.execute(update(events).where(events.c.actor != "import").values(origin="local"))
    conn.execute(text("CREATE INDEX ix_events_outbox ON events (seq) WHERE origin = 'local'"))
    sync_files.create(conn)
    sync_parked.create(conn)


def _v2_to_v3(conn: Connection) -> None:
    """Version 3 keeps every SLA clock run in `clock_runs`, for the team's screens in SQL."""
    conn.execute(text("ALTER TABLE leads ADD COLUMN decided_week VARCHAR(10)"))
    conn.execute(text(f"ALTER TABLE leads ADD COLUMN acknowledged_at {_datetime_type(conn)}"))
    for index in leads.indexes:
        if index.name in (
            "ix_leads_decided",
            "ix_leads_first_decision",
            "ix_leads_accepted",
            "ix_leads_waiting",
        ):
            index.create(conn)
    clock_runs.create(conn)
    _mark_projections_stale(conn)


def _v3_to_v4(conn: Connection) -> None:
    """Version 4 moves local events' unsent lines out of `events` into
    `outbox_lines`, where publishing reads them as one key range, and indexes
    open clock runs and decisions by rep for the team screens' first paint."""
    conn.execute(
        text(
            "CREATE TABLE outbox_lines"
            " (seq INTEGER NOT NULL PRIMARY KEY REFERENCES events (seq), line TEXT NOT NULL)"
        )
    )
    through = {"through": published_through(conn)}
    conn.execute(
        text(
            "INSERT INTO outbox_lines (seq, line) SELECT seq, record FROM events"
            " WHERE origin = 'local' AND record IS NOT NULL AND seq > :through"
        ),
        through,
    )
    # Local events recorded before version 2 kept lines are owed one: the sync
    # layer encodes them (it owns the format) before its next publish.
    owed = conn.execute(
        text("SELECT count(*) FROM events WHERE origin = 'local' AND record IS NULL AND seq > :through"),
        through,
    ).scalar_one()
    if owed:
        write_meta(conn, OUTBOX_BACKFILL, "1")
    conn.execute(text("DROP INDEX IF EXISTS ix_events_outbox"))
    conn.execute(text("ALTER TABLE events DROP COLUMN record"))
    for index in [*clock_runs.indexes, *leads.indexes]:
        if index.name in ("ix_clock_runs_open_by_rep", "ix_leads_decided_by_owner"):
            # a store that came through 2 -> 3 already has the first: clock_runs was made whole then
            index.create(conn, checkfirst=True)


def _v4_to_v5(conn: Connection) -> None:
    """Version 5 keeps the outbox as runs of lines (`outbox_chunks`), so a
    backlog is read back as a few long values; the unsent lines move over as
    they were encoded."""
    outbox_chunks.create(conn)
    unsent = conn.execute(
        text("SELECT seq, line FROM outbox_lines WHERE seq > :through ORDER BY seq"),
        {"through": published_through(conn)},
    )
    chunks = chunks_of([(seq, line.encode("utf-8") + b"\n") for seq, line in unsent])
    if chunks:
        conn.execute(insert(outbox_chunks), [c.values() for c in chunks])
    conn.execute(text("DROP TABLE outbox_lines"))


def _v5_to_v6(conn: Connection) -> None:
    """Version 6 gives reps a role and the CRM ids and aliases a CRM file may name
    them by, keeps each clock run's budget and pause instant, and each lead's
    owner in the CRM as last imported. The pause
    rule changed too (an overdue clock stays overdue through needs-info):
    every projection is rebuilt."""
    json_type = reps.c.crm_ids.type.compile(dialect=conn.dialect)
    _add_column(conn, "reps", "role", "VARCHAR(10) NOT NULL DEFAULT 'rep'")
    _add_column(conn, "reps", "crm_ids", f"{json_type} NOT NULL DEFAULT '[]'")
    _add_column(conn, "reps", "aliases", f"{json_type} NOT NULL DEFAULT '[]'")
    # A store that came through 2 -> 3 made clock_runs with today's columns already.
    _add_column(conn, "clock_runs", "paused_at", _datetime_type(conn))
    _add_column(conn, "clock_runs", "budget_seconds", "FLOAT NOT NULL DEFAULT 0")
    _add_column(conn, "leads", "crm_owner", "VARCHAR(120)")
    rep_zone_changes.create(conn, checkfirst=True)
    conn.execute(text("DROP INDEX IF EXISTS ix_clock_runs_open"))
    next(i for i in clock_runs.indexes if i.name == "ix_clock_runs_open").create(conn)
    _mark_projections_stale(conn)


def _v6_to_v7(conn: Connection) -> None:
    """Version 7 projects each lead's next step (kind, due, note, when done), for
    the queue's rows and the today view: every projection is rebuilt to fill them.
    It keeps what names the inactive users of CRM user lists, and drops an index
    that was a prefix of another (ix_leads_section of ix_leads_search). Reps get
    the PostgreSQL role they act as on a team store (`leadqueue pg grant`), and
    the key their store signs sync segments with; `sync_pins` keeps the key each
    writer of the shared folder was first seen signing with. Reps get what routing
    reads: a team, the team lead an escalation goes to, a capacity, an absence."""
    inactive_crm_users.create(conn, checkfirst=True)
    conn.execute(text("DROP INDEX IF EXISTS ix_leads_section"))
    datetime_type = _datetime_type(conn)
    _add_column(conn, "leads", "next_step_kind", "VARCHAR(20)")
    _add_column(conn, "leads", "next_step_due", datetime_type)
    _add_column(conn, "leads", "next_step_note", "TEXT")
    _add_column(conn, "leads", "next_step_done_at", datetime_type)
    # Who acts on a PostgreSQL team store is the database user, mapped to a rep here.
    _add_column(conn, "reps", "pg_role", "VARCHAR(63)")
    next(i for i in reps.indexes if i.name == "ux_reps_pg_role").create(conn, checkfirst=True)
    # Signed sync: the key a rep's store signs with, and the keys pinned for each writer.
    _add_column(conn, "reps", "sync_key", "VARCHAR(64)")
    sync_pins.create(conn, checkfirst=True)
    _add_column(conn, "sync_parked", "source", "VARCHAR(320)")
    _add_column(conn, "outbox_chunks", "digests", outbox_chunks.c.lines.type.compile(dialect=conn.dialect))
    # Routing: each rep's team, team lead, capacity and absence.
    _add_column(conn, "reps", "team", "VARCHAR(60)")
    _add_column(conn, "reps", "reports_to", "VARCHAR(120)")
    _add_column(conn, "reps", "max_undecided", "INTEGER")
    _add_column(conn, "reps", "away_until", datetime_type)
    _mark_projections_stale(conn)


def _v7_to_v8(conn: Connection) -> None:
    """Version 8 keeps when the CRM last changed each lead, as its last import said,
    so a re-import of an older export cannot roll a lead back. Leads imported
    before have none: their next import's row is taken, as it was. It keeps the
    leads the CRM had closed when an import met them, for the same reason."""
    _add_column(conn, "leads", "crm_modified_at", _datetime_type(conn))
    crm_closed_leads.create(conn, checkfirst=True)


def _add_column(conn: Connection, table: str, column: str, ddl: str) -> None:
    if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"))


def _mark_projections_stale(conn: Connection) -> None:
    if conn.execute(select(meta.c.key).where(meta.c.key == PROJECTIONS_STALE)).first() is None:
        conn.execute(insert(meta).values(key=PROJECTIONS_STALE, value="1"))


def _datetime_type(conn: Connection) -> str:
    return leads.c.decided_at.type.compile(dialect=conn.dialect)


MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
    6: _v6_to_v7,
    7: _v7_to_v8,
}


def upgrade(conn: Connection, found: int, target: int) -> None:
    for version in range(found, target):
        MIGRATIONS[version](conn)
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value=str(version + 1)))
