"""The leads behind one row of the team's numbers (team_queries counts them;
these name them). Each query repeats its row's count's conditions, so the list
holds exactly the leads the number counts; rows come `limit` at a time with
the total, for a team whose lists run to thousands.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, func, or_, select

from leadqueue.store.schema import clock_runs, leads
from leadqueue.store.team_queries import (
    accepted_in,
    at,
    decided_in,
    first_decided_in,
    hours_to_decide,
    inside,
    lead_columns,
    lead_source,
    never_touched,
    overdue_at,
    owner,
    reason_code,
    rejected_in,
    waiting_at,
)

Page = tuple[list[Row[Any]], int]  # (rows, how many in all)


def _page(conn: Connection, q: Select[Any], limit: int) -> Page:
    total = conn.execute(select(func.count()).select_from(q.order_by(None).subquery())).scalar_one()
    return list(conn.execute(q.limit(limit))), int(total)


def decided(
    conn: Connection,
    since: datetime,
    until: datetime,
    limit: int,
    rep: str | None = None,
    source: str | None = None,
) -> Page:
    """Leads decided (accepted or rejected) in the period, by rep or by lead source; newest first."""
    where = [decided_in(since, until)]
    if rep is not None:
        where.append(owner() == rep)
    if source is not None:
        where.append(lead_source() == source)
    q = (
        select(*lead_columns(), leads.c.decided_at, leads.c.accepted_at, leads.c.reason_code)
        .where(*where)
        .order_by(leads.c.decided_at.desc(), leads.c.crm_id)
    )
    return _page(conn, q, limit)


def rejected(conn: Connection, since: datetime, until: datetime, code: str, limit: int) -> Page:
    """Leads rejected in the period with `code`; newest first."""
    q = (
        select(*lead_columns(), leads.c.decided_at, leads.c.reason_code.label("code"))
        .where(rejected_in(since, until), reason_code() == code)
        .order_by(leads.c.decided_at.desc(), leads.c.crm_id)
    )
    return _page(conn, q, limit)


def first_decisions(conn: Connection, since: datetime, until: datetime, rep: str, limit: int) -> Page:
    """Leads whose first decision fell in the period, the slowest first, with its hours."""
    hours = hours_to_decide(conn)
    q = (
        select(*lead_columns(), hours.label("hours"), leads.c.first_decision)
        .where(first_decided_in(since, until), owner() == rep)
        .order_by(hours.desc(), leads.c.crm_id)
    )
    return _page(conn, q, limit)


def accepted(
    conn: Connection, since: datetime, until: datetime, rep: str, limit: int, untouched: bool = False
) -> Page:
    """Leads accepted in the period (only those never touched with `untouched`); oldest first."""
    where = [accepted_in(since, until), owner() == rep]
    if untouched:
        where.append(never_touched())
    q = (
        select(*lead_columns(), leads.c.accepted_at, leads.c.state, leads.c.first_touch_at)
        .where(*where)
        .order_by(leads.c.accepted_at, leads.c.crm_id)
    )
    return _page(conn, q, limit)


def waiting(conn: Connection, until: datetime, rep: str, limit: int) -> Page:
    """Leads still awaiting their first decision at `until`, the oldest first."""
    q = (
        select(*lead_columns(), leads.c.assigned_at)
        .where(waiting_at(until), owner() == rep)
        .order_by(leads.c.assigned_at, leads.c.crm_id)
    )
    return _page(conn, q, limit)


def clock_outcomes(
    conn: Connection, since: datetime, until: datetime, judged_at: datetime, clock: str, rep: str, limit: int
) -> list[tuple[str, Page]]:
    """A rep's runs of `clock` that SLA compliance counts, by what they count as:
    ("open", runs past their deadline and open at the period's end, open ones judged at
    `judged_at` as team_queries.sla_compliance judges them), then "missed", then "met"
    (runs stopped in the period); each list by deadline, the oldest first."""
    c = clock_runs.c
    open_now = and_(c.stopped_at.is_(None), overdue_at(judged_at))
    open_then = or_(open_now, and_(c.stopped_at >= at(until), overdue_at(until)))
    out = []
    for kind, where in (
        ("open", open_then),
        ("missed", and_(inside(c.stopped_at, since, until), c.outcome == "missed")),
        ("met", and_(inside(c.stopped_at, since, until), c.outcome == "met")),
    ):
        q = (
            select(*lead_columns(), c.deadline, c.stopped_at)
            .join(clock_runs, clock_runs.c.lead_id == leads.c.id)
            .where(c.clock == clock, c.rep == rep, where)
            .order_by(c.deadline, leads.c.crm_id)
        )
        out.append((kind, _page(conn, q, limit)))
    return out
