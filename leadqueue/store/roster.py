"""The `reps` table as roster entries. Functions take an open Connection so
the caller decides the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text, update

from leadqueue.domain.roster import Rep
from leadqueue.store.outbox import write_meta
from leadqueue.store.schema import clock_runs, inactive_crm_users, meta, rep_zone_changes, reps


def row_to_rep(r: Any) -> Rep:
    # Reps made before the roster existed (by a lead import, a sync) are read
    # as stored, not validated: their keys and names came from CRM files.
    return Rep(
        key=r.key,
        name=r.name,
        email=r.email or "",
        zone=r.time_zone or None,
        role=r.role or "rep",
        crm_ids=tuple(r.crm_ids or ()),
        aliases=tuple(r.aliases or ()),
        pg_role=r.pg_role or None,
        sync_key=r.sync_key or None,
        team=r.team or None,
        reports_to=r.reports_to or None,
        max_undecided=r.max_undecided,
        away_until=r.away_until,
    )


def load_reps(conn: Connection) -> list[Rep]:
    return [row_to_rep(r) for r in conn.execute(select(reps).order_by(reps.c.key))]


def _values(rep: Rep) -> dict[str, Any]:
    return {
        "name": rep.name,
        "email": rep.email,
        "time_zone": rep.zone,
        "role": rep.role,
        "crm_ids": list(rep.crm_ids),
        "aliases": list(rep.aliases),
        "pg_role": rep.pg_role,
        "sync_key": rep.sync_key,
        "team": rep.team,
        "reports_to": rep.reports_to,
        "max_undecided": rep.max_undecided,
        "away_until": rep.away_until,
    }


def insert_rep(conn: Connection, rep: Rep) -> None:
    conn.execute(insert(reps).values(key=rep.key, **_values(rep)))


def update_rep(conn: Connection, rep: Rep) -> None:
    conn.execute(update(reps).where(reps.c.key == rep.key).values(**_values(rep)))


def find_rep(conn: Connection, key: str) -> Rep | None:
    row = conn.execute(select(reps).where(reps.c.key == key)).first()
    return row_to_rep(row) if row is not None else None


def record_zone_change(conn: Connection, rep_key: str, at: datetime, zone_before: str | None) -> None:
    """A second move at the same instant keeps the first's zone before: no time passed in between."""
    known = select(rep_zone_changes.c.at).where(
        rep_zone_changes.c.rep == rep_key, rep_zone_changes.c.at == at
    )
    if conn.execute(known).first() is None:
        conn.execute(insert(rep_zone_changes).values(rep=rep_key, at=at, zone_before=zone_before))


def lock_roster(conn: Connection) -> None:
    """Hold roster writes (and reps made by an import) until this transaction ends,
    so that what it checked for clashes is still true when it writes. SQLite's
    write transaction already holds the whole store."""
    if conn.dialect.name != "sqlite":
        conn.execute(text("LOCK TABLE reps IN SHARE ROW EXCLUSIVE MODE"))


def leads_with_runs_of(conn: Connection, rep_keys: Iterable[str]) -> list[int]:
    """Leads with a clock run (open or closed) on any of these reps' calendars."""
    keys = sorted(set(rep_keys))
    if not keys:
        return []
    q = select(clock_runs.c.lead_id).where(clock_runs.c.rep.in_(keys)).distinct()
    return sorted(int(r.lead_id) for r in conn.execute(q))


def load_inactive_users(conn: Connection) -> dict[str, str]:
    return {r.identifier: r.who for r in conn.execute(select(inactive_crm_users))}


def record_inactive_users(conn: Connection, inactive: Mapping[str, str], active: Iterable[str]) -> None:
    """A user list's inactive users, by what names them; a user it lists as active is
    no longer inactive (reactivated)."""
    gone = sorted(set(active) | set(inactive))
    for i in range(0, len(gone), 900):  # under SQLite's bound-parameter limit
        conn.execute(delete(inactive_crm_users).where(inactive_crm_users.c.identifier.in_(gone[i : i + 900])))
    if inactive:
        conn.execute(insert(inactive_crm_users), [{"identifier": k, "who": v} for k, v in inactive.items()])


# meta: `crm_user_list:Salesforce` -> the date its user list was last imported.
_USER_LIST = "crm_user_list:"


def record_user_list(conn: Connection, crm: str, imported_on: str) -> None:
    """That the store has this CRM's user list, as of this date: a lead file of that CRM
    naming someone not in it names no person (a queue)."""
    write_meta(conn, _USER_LIST + crm, imported_on)


def load_user_lists(conn: Connection) -> dict[str, str]:
    """CRM -> the date its user list was last imported."""
    recorded = meta.c.key.startswith(_USER_LIST, autoescape=True)
    rows = conn.execute(select(meta.c.key, meta.c.value).where(recorded))
    return {r.key.removeprefix(_USER_LIST): r.value for r in rows}
