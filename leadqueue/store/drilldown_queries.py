"""The leads behind one row of the team's numbers (team_queries counts them;
these name them). Each query repeats its row's count's conditions, so the list
holds exactly the leads the number counts; rows come `limit` at a time with
the total, for a team whose lists run to thousands.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, func, or_, select

from leadqueue.store.schema import clock_runs, leads
from leadqueue.store.team_queries import (
    NO_OWNER,
    NO_SOURCE,
    _at,
    _inside,
    _owner,
    _rejected_in,
    hours_between,
)

Page = tuple[list[Row[Any]], int]  # (rows, how many in all)


def _lead_columns() -> tuple[Any, ...]:
    return (
        leads.c.id,
        leads.c.crm_id,
        leads.c.first_name,
        leads.c.last_name,
        leads.c.company,
        _owner().label("rep"),
    )


def _page(conn: Connection, q: Select[Any], limit: int) -> Page:
    total = conn.execute(select(func.count()).select_from(q.order_by(None).subquery())).scalar_one()
    return list(conn.execute(q.limit(limit))), int(total)


def _source() -> ColumnElement[str]:
    return func.coalesce(func.nullif(leads.c.source, ""), NO_SOURCE)


def decided(
    conn: Connection,
    since: datetime,
    until: datetime,
    limit: int,
    rep: str | None = None,
    source: str | None = None,
) -> Page:
    """Leads decided (accepted or rejected) in the period, by rep or by lead source; newest first."""
    where = [_inside(leads.c.decided_at, since, until), leads.c.state.is_not(None)]
    if rep is not None:
        where.append(_owner() == rep)
    if source is not None:
        where.append(_source() == source)
    q = (
        select(*_lead_columns(), leads.c.decided_at, leads.c.accepted_at, leads.c.reason_code)
        .where(*where)
        .order_by(leads.c.decided_at.desc(), leads.c.crm_id)
    )
    return _page(conn, q, limit)


def rejected(conn: Connection, since: datetime, until: datetime, code: str, limit: int) -> Page:
    """Leads rejected in the period with `code`; newest first."""
    q = (
        select(*_lead_columns(), leads.c.decided_at, leads.c.reason_code.label("code"))
        .where(_rejected_in(since, until), func.coalesce(leads.c.reason_code, NO_OWNER) == code)
        .order_by(leads.c.decided_at.desc(), leads.c.crm_id)
    )
    return _page(conn, q, limit)


def first_decisions(conn: Connection, since: datetime, until: datetime, rep: str, limit: int) -> Page:
    """Leads whose first decision fell in the period, the slowest first, with its hours."""
    hours = hours_between(conn, leads.c.first_decision_at, leads.c.assigned_at)
    q = (
        select(*_lead_columns(), hours.label("hours"), leads.c.first_decision)
        .where(
            _inside(leads.c.first_decision_at, since, until),
            leads.c.assigned_at.is_not(None),
            _owner() == rep,
        )
        .order_by(hours.desc(), leads.c.crm_id)
    )
    return _page(conn, q, limit)


def accepted(
    conn: Connection, since: datetime, until: datetime, rep: str, limit: int, untouched: bool = False
) -> Page:
    """Leads accepted in the period (only those never touched with `untouched`); oldest first."""
    where = [_inside(leads.c.accepted_at, since, until), _owner() == rep]
    if untouched:
        where.append(leads.c.first_touch_at.is_(None))
    q = (
        select(*_lead_columns(), leads.c.accepted_at, leads.c.state, leads.c.first_touch_at)
        .where(*where)
        .order_by(leads.c.accepted_at, leads.c.crm_id)
    )
    return _page(conn, q, limit)


def waiting(conn: Connection, until: datetime, rep: str, limit: int) -> Page:
    """Leads still awaiting their first decision at `until`, the oldest first."""
    q = (
        select(*_lead_columns(), leads.c.assigned_at)
        .where(
            leads.c.state == "new",
            leads.c.assigned_at.is_not(None),
            leads.c.assigned_at <= _at(until),
            _owner() == rep,
        )
        .order_by(leads.c.assigned_at, leads.c.crm_id)
    )
    return _page(conn, q, limit)


def clock_outcomes(
    conn: Connection, since: datetime, until: datetime, clock: str, rep: str, limit: int
) -> list[tuple[str, Page]]:
    """A rep's runs of `clock` that SLA compliance counts, by what they count as:
    ("open", runs past their deadline and open at `until`), then "missed", then "met"
    (runs stopped in the period); each list by deadline, the oldest first."""
    c = clock_runs.c
    open_then = and_(
        or_(c.stopped_at.is_(None), c.stopped_at >= _at(until)),
        c.deadline <= _at(until),
        c.started_at <= _at(until),
    )
    out = []
    for kind, where in (
        ("open", open_then),
        ("missed", and_(_inside(c.stopped_at, since, until), c.outcome == "missed")),
        ("met", and_(_inside(c.stopped_at, since, until), c.outcome == "met")),
    ):
        q = (
            select(*_lead_columns(), c.deadline, c.stopped_at)
            .join(clock_runs, clock_runs.c.lead_id == leads.c.id)
            .where(c.clock == clock, c.rep == rep, where)
            .order_by(c.deadline, leads.c.crm_id)
        )
        out.append((kind, _page(conn, q, limit)))
    return out
