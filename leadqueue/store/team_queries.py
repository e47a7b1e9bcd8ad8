"""The team's numbers and open clocks as SQL aggregates over the projection
(`leads`) and `clock_runs`: no fold of every lead's events, no Python loop
over every row. Each function returns one small row per group.

Medians and percentiles use window functions (SQLite 3.25+, PostgreSQL):
the median averages the two middle values of an even count, as
statistics.median does; the 90th percentile is the nearest rank, a value
that actually occurred.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)

from leadqueue.store.column_types import UTCDateTime
from leadqueue.store.schema import clock_runs, leads

# Inline constants, not bound parameters: PostgreSQL only matches a GROUP BY
# expression to its SELECT twin when both are the same text.
NO_OWNER_NAME = "?"
NO_OWNER = literal_column(f"'{NO_OWNER_NAME}'")
NO_SOURCE = literal_column("'(none)'")


def at(value: datetime) -> ColumnElement[Any]:
    return literal(value, UTCDateTime())


def hours_between(conn: Connection, later: Any, earlier: Any) -> ColumnElement[float]:
    if conn.dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 24.0
    return func.extract("epoch", later - earlier) / 3600.0


def inside(column: Any, since: datetime, until: datetime) -> ColumnElement[bool]:
    return and_(column >= at(since), column < at(until))


# What each of the team's numbers counts, shared with drilldown_queries, which
# names the leads behind a number: both must say the same.


def owner() -> ColumnElement[str]:
    return func.coalesce(leads.c.owner, NO_OWNER)


def lead_source() -> ColumnElement[str]:
    return func.coalesce(func.nullif(leads.c.source, ""), NO_SOURCE)


def reason_code() -> ColumnElement[str]:
    return func.coalesce(leads.c.reason_code, NO_OWNER)


def lead_columns() -> tuple[Any, ...]:
    """What a list of leads shows of each: its ids, its name and company, its rep."""
    return (
        leads.c.id,
        leads.c.crm_id,
        leads.c.first_name,
        leads.c.last_name,
        leads.c.company,
        owner().label("rep"),
    )


def decided_in(since: datetime, until: datetime) -> ColumnElement[bool]:
    """Leads whose last decision (accepted or rejected) fell in the period."""
    return and_(inside(leads.c.decided_at, since, until), leads.c.state.is_not(None))


def first_decided_in(since: datetime, until: datetime) -> ColumnElement[bool]:
    """Leads whose first decision fell in the period, after an assignment."""
    return and_(inside(leads.c.first_decision_at, since, until), leads.c.assigned_at.is_not(None))


def hours_to_decide(conn: Connection) -> ColumnElement[float]:
    return hours_between(conn, leads.c.first_decision_at, leads.c.assigned_at)


def accepted_in(since: datetime, until: datetime) -> ColumnElement[bool]:
    return inside(leads.c.accepted_at, since, until)


def never_touched() -> ColumnElement[bool]:
    """An accepted lead no contact was logged on."""
    return leads.c.first_touch_at.is_(None)


def waiting_at(until: datetime) -> ColumnElement[bool]:
    """Leads assigned by `until` and still awaiting their first decision."""
    return and_(leads.c.state == "new", leads.c.assigned_at.is_not(None), leads.c.assigned_at <= at(until))


def overdue_at(until: datetime) -> ColumnElement[bool]:
    """Clock runs started by `until` whose deadline had passed then."""
    return and_(clock_runs.c.deadline <= at(until), clock_runs.c.started_at <= at(until))


def _accepted() -> ColumnElement[int]:
    return case((leads.c.accepted_at == leads.c.decided_at, 1), else_=0)


def _rejected() -> ColumnElement[int]:
    return case((leads.c.accepted_at == leads.c.decided_at, 0), else_=1)


# Each rep's decisions in the period, a range of ix_leads_decided_by_owner per
# rep, reps found by a loose index scan (one seek each): rows come in rep order,
# so SQLite groups them without sorting the period's decisions. Leads with no
# owner, which the IN list cannot name, are counted on their own.
_DECISIONS_BY_REP_SQLITE = text(
    """
    WITH RECURSIVE owners(o) AS (
        SELECT min(owner) FROM leads
        UNION ALL
        SELECT (SELECT min(owner) FROM leads WHERE owner > o) FROM owners WHERE o IS NOT NULL
    )
    SELECT owner AS name,
           sum(CASE WHEN accepted_at = decided_at THEN 1 ELSE 0 END) AS accepted,
           sum(CASE WHEN accepted_at = decided_at THEN 0 ELSE 1 END) AS rejected
    FROM leads
    WHERE owner IN (SELECT o FROM owners WHERE o IS NOT NULL)
      AND decided_at >= :since AND decided_at < :until AND state IS NOT NULL
    GROUP BY owner
    UNION ALL
    SELECT :no_owner,
           coalesce(sum(CASE WHEN accepted_at = decided_at THEN 1 ELSE 0 END), 0),
           coalesce(sum(CASE WHEN accepted_at = decided_at THEN 0 ELSE 1 END), 0)
    FROM leads
    WHERE owner IS NULL AND decided_at >= :since AND decided_at < :until AND state IS NOT NULL
    HAVING count(*) > 0
    """
).bindparams(bindparam("since", type_=UTCDateTime()), bindparam("until", type_=UTCDateTime()))


def decisions_by(conn: Connection, key: str, since: datetime, until: datetime) -> list[Row[Any]]:
    """(name, accepted, rejected) per rep or per lead source, for decisions in the period."""
    if key == "rep" and conn.dialect.name == "sqlite":
        return decisions_by_rep_sqlite(conn, since, until)
    return decisions_grouped(conn, key, since, until)


def decisions_by_rep_sqlite(conn: Connection, since: datetime, until: datetime) -> list[Row[Any]]:
    params = {"since": since, "until": until, "no_owner": NO_OWNER_NAME}
    return sorted(conn.execute(_DECISIONS_BY_REP_SQLITE, params), key=lambda r: str(r.name))


def decisions_grouped(conn: Connection, key: str, since: datetime, until: datetime) -> list[Row[Any]]:
    group = owner() if key == "rep" else lead_source()
    q = (
        select(group.label("name"), func.sum(_accepted()).label("accepted"), func.sum(_rejected()))
        .where(decided_in(since, until))
        .group_by(group)
        .order_by(group)
    )
    return list(conn.execute(q))


def rejected_in(since: datetime, until: datetime) -> ColumnElement[bool]:
    """Leads whose last decision, in the period, was not an acceptance."""
    return and_(
        decided_in(since, until),
        or_(leads.c.accepted_at.is_(None), leads.c.accepted_at != leads.c.decided_at),
    )


def rejection_reasons(conn: Connection, since: datetime, until: datetime) -> list[Row[Any]]:
    """(week, code, count) of rejections decided in the period; week is the team-zone Monday."""
    code = reason_code()
    q = (
        select(leads.c.decided_week.label("week"), code.label("code"), func.count().label("n"))
        .where(rejected_in(since, until))
        .group_by(leads.c.decided_week, code)
        .order_by(leads.c.decided_week, code)
    )
    return list(conn.execute(q))


def distribution(conn: Connection, group: Any, value: Any, where: Any) -> list[Row[Any]]:
    """(group, n, median, p90, max) of `value` per group, in SQL."""
    inner = (
        select(
            group.label("g"),
            value.label("v"),
            func.row_number().over(partition_by=group, order_by=value).label("rn"),
            func.count().over(partition_by=group).label("n"),
        )
        .where(where)
        .subquery()
    )
    rn, n, v = inner.c.rn, inner.c.n, inner.c.v
    middle = or_(rn == (n + 1) // 2, rn == (n + 2) // 2)
    q: Select[Any] = (
        select(
            inner.c.g.label("name"),
            func.max(n).label("n"),
            func.avg(case((middle, v))).label("median"),
            func.min(case((rn >= (n * 90 + 99) // 100, v))).label("p90"),
            func.max(v).label("max"),
        )
        .group_by(inner.c.g)
        .order_by(inner.c.g)
    )
    return list(conn.execute(q))


def time_to_decision(conn: Connection, since: datetime, until: datetime) -> list[Row[Any]]:
    return distribution(conn, owner(), hours_to_decide(conn), first_decided_in(since, until))


def leads_waiting(conn: Connection, until: datetime) -> list[Row[Any]]:
    """Leads still awaiting their first decision, and their age in hours at `until`."""
    age = hours_between(conn, at(until), leads.c.assigned_at)
    return distribution(conn, owner(), age, waiting_at(until))


def sla_compliance(
    conn: Connection, since: datetime, until: datetime, judged_at: datetime
) -> list[tuple[str, str, int, int, int]]:
    """(clock, rep, met, missed, breached_open): runs that stopped in the period, and
    runs open and past their deadline at its end (open still, or stopped since:
    a period in the past sees what was open at its end), open runs judged at
    `judged_at` (metrics.judged_at). Three queries, each on its own partial index,
    merged by group (an OR of them would scan every run)."""
    c = clock_runs.c
    closed = (
        select(
            c.clock,
            c.rep,
            func.sum(case((c.outcome == "met", 1), else_=0)),
            func.sum(case((c.outcome == "missed", 1), else_=0)),
        )
        # an ended run (handed over in time) counts for no one: not even as a row of zeros
        .where(
            c.stopped_at.is_not(None), inside(c.stopped_at, since, until), c.outcome.in_(("met", "missed"))
        )
        .group_by(c.clock, c.rep)
    )
    # at_risk_at <= deadline, so this range holds every run past its deadline
    overdue = (
        select(c.clock, c.rep, func.count())
        .where(
            c.stopped_at.is_(None),
            c.at_risk_at <= at(judged_at),
            overdue_at(judged_at),
        )
        .group_by(c.clock, c.rep)
    )
    # stopped at or after `until` (an empty range when the period ends now)
    stopped_later = (
        select(c.clock, c.rep, func.count())
        .where(
            c.stopped_at.is_not(None),
            c.stopped_at >= at(until),
            overdue_at(until),
        )
        .group_by(c.clock, c.rep)
    )
    groups: dict[tuple[str, str], list[int]] = {}
    for clock, rep, met, missed in conn.execute(closed):
        groups[(clock, rep)] = [int(met), int(missed), 0]
    for query in (overdue, stopped_later):
        for clock, rep, n in conn.execute(query):
            groups.setdefault((clock, rep), [0, 0, 0])[2] += int(n)
    return [(clock, rep, *counts) for (clock, rep), counts in sorted(groups.items())]  # type: ignore[misc]


def acceptances(conn: Connection, since: datetime, until: datetime) -> list[Row[Any]]:
    """(rep, accepted, advanced, untouched) for leads accepted in the period."""
    q = (
        select(
            owner().label("name"),
            func.count().label("accepted"),
            func.sum(case((leads.c.state == "advanced", 1), else_=0)).label("advanced"),
            func.sum(case((never_touched(), 1), else_=0)).label("untouched"),
        )
        .where(accepted_in(since, until))
        .group_by(owner())
        .order_by(owner())
    )
    return list(conn.execute(q))


def untouched_acceptances(conn: Connection, since: datetime, until: datetime) -> list[Row[Any]]:
    """(rep, crm_id, first_name, last_name, company) of leads accepted in the period and never touched."""
    q = (
        select(owner().label("name"), leads.c.crm_id, leads.c.first_name, leads.c.last_name, leads.c.company)
        .where(accepted_in(since, until), never_touched())
        .order_by(owner(), leads.c.crm_id)
    )
    return list(conn.execute(q))


def written_reasons(
    conn: Connection, codes: Sequence[str], since: datetime, until: datetime
) -> list[Row[Any]]:
    """(id, crm_id, first_name, last_name, company, rep, code, decided_at) of the leads
    rejected in the period with a code that needs its reason written out; newest first."""
    q = (
        select(*lead_columns(), leads.c.reason_code.label("code"), leads.c.decided_at)
        .where(
            rejected_in(since, until),
            leads.c.reason_code.in_(list(codes)),
        )
        .order_by(leads.c.decided_at.desc(), leads.c.crm_id)
    )
    return list(conn.execute(q))


def first_open_clocks(conn: Connection, as_of: datetime, limit: int) -> list[Row[Any]]:
    """The first `limit` open runs at risk or breached at `as_of`, in the breaches
    screen's order: by rep, then by deadline (most overdue first)."""
    q = (
        _open_clock_columns()
        .where(clock_runs.c.stopped_at.is_(None), clock_runs.c.started_at <= at(as_of))
        .where(clock_runs.c.at_risk_at <= at(as_of))
        .order_by(clock_runs.c.rep, clock_runs.c.deadline)
        .limit(limit)
    )
    return list(conn.execute(q).all())


def _open_clock_columns() -> Select[Any]:
    # reports._from_run unpacks rows in this order
    return select(
        clock_runs.c.clock,
        clock_runs.c.rep,
        clock_runs.c.started_at,
        clock_runs.c.deadline,
        clock_runs.c.at_risk_at,
        clock_runs.c.reroute_at,
        clock_runs.c.paused_left_seconds,
        clock_runs.c.paused_at,
        clock_runs.c.budget_seconds,
        leads.c.crm_id,
        leads.c.tier,
        leads.c.first_name,
        leads.c.last_name,
        leads.c.company,
        leads.c.acknowledged_at,
    ).join(leads, leads.c.id == clock_runs.c.lead_id)


def open_clocks(
    conn: Connection,
    as_of: datetime,
    rep: str | None,
    include_all: bool,
    reps: Sequence[str] | None = None,
    chunk: int = 2000,
) -> Iterator[Sequence[Row[Any]]]:
    """Open clock runs at `as_of` (at risk or breached unless include_all), with their
    lead, `chunk` rows at a time; the caller iterates inside its read transaction."""
    q = _open_clock_columns().where(clock_runs.c.stopped_at.is_(None), clock_runs.c.started_at <= at(as_of))
    if not include_all:
        q = q.where(clock_runs.c.at_risk_at <= at(as_of))
    if rep:
        q = q.where(clock_runs.c.rep == rep)
    if reps is not None:
        q = q.where(clock_runs.c.rep.in_(reps))
    return conn.execution_options(yield_per=chunk).execute(q).partitions()
