"""What the router reads and keeps: leads nobody owns, open clocks past their
deadline that it has not escalated, each rule's round robin place, and the
events it wrote (for the toasts and the numbers by rule).

Each query is a range of an index: the unrouted leads a walk of
ix_leads_queue's `owner IS NULL` prefix; breached clocks a range of the open
runs' partial index by at_risk_at (a deadline is never before its at-risk
instant), so a pass over a store with nothing due reads almost nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, false, func, literal, or_, select, text

from leadqueue.domain.events import EventKind
from leadqueue.domain.routing import ROUTING_ACTOR
from leadqueue.store.column_types import UTCDateTime
from leadqueue.store.outbox import write_meta
from leadqueue.store.schema import clock_runs, events, leads, meta

ORIGIN_ROUTING = "routing"  # events the router wrote: never published by a sync (they are the store's own)
POINTER_PREFIX = "routing.rr."  # meta key per rule: the rep its round robin chose last
_ADVISORY = ":leadqueue-routing"


def lock_router(conn: Connection) -> None:
    """One router at a time per PostgreSQL store: held to the end of the transaction,
    so a second router waits, then finds done what the first did. On SQLite the
    write transaction already holds the whole store."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || :name))"), {"name": _ADVISORY}
        )


# What the router needs of a lead it escalates or re-routes: its tier, and the fields rules match.
_FACT_COLUMNS = (
    leads.c.id,
    leads.c.crm_id,
    leads.c.tier,
    leads.c.region,
    leads.c.industry,
    leads.c.source,
    leads.c.employees,
    leads.c.score,
    leads.c.extra,
)


def lock_leads(conn: Connection, lead_ids: Sequence[int]) -> list[Any]:
    """The leads' rows, locked to the end of the transaction (as a decision locks its
    lead), so a rep's decision and the router take turns on a lead."""
    q = select(*_FACT_COLUMNS).where(leads.c.id.in_(list(lead_ids))).order_by(leads.c.id)
    if conn.dialect.name != "sqlite":
        q = q.with_for_update()
    return list(conn.execute(q))


def read_pointers(conn: Connection) -> dict[str, str]:
    q = select(meta.c.key, meta.c.value).where(meta.c.key.startswith(POINTER_PREFIX, autoescape=True))
    return {str(k)[len(POINTER_PREFIX) :]: str(v) for k, v in conn.execute(q)}


def write_pointers(conn: Connection, pointers: Mapping[str, str], before: Mapping[str, str]) -> None:
    for rule, rep in pointers.items():
        if before.get(rule) != rep:
            write_meta(conn, POINTER_PREFIX + rule, rep)


def undecided_counts(conn: Connection) -> dict[str, int]:
    """Each rep's undecided leads (state new): ix_leads_waiting's (state, owner) prefix."""
    q = select(leads.c.owner, func.count()).where(leads.c.state == "new").group_by(leads.c.owner)
    return {str(owner): int(n) for owner, n in conn.execute(q) if owner is not None}


_UNROUTED_COLUMNS = (
    leads.c.id,
    leads.c.crm_id,
    leads.c.first_name,
    leads.c.last_name,
    leads.c.company,
    leads.c.region,
    leads.c.industry,
    leads.c.employees,
    leads.c.source,
    leads.c.tier,
    leads.c.score,
    leads.c.extra,
    leads.c.source_system,
    leads.c.crm_status,
    leads.c.crm_owner,
    leads.c.imported_at,
)


def unrouted_leads(conn: Connection, limit: int | None = None) -> list[Any]:
    """Leads never assigned (no owner, no state), oldest first."""
    q = (
        select(*_UNROUTED_COLUMNS)
        .where(leads.c.owner.is_(None), leads.c.state.is_(None))
        .order_by(leads.c.id)
    )
    return list(conn.execute(q.limit(limit) if limit is not None else q))


def count_unrouted(conn: Connection) -> int:
    q = select(func.count()).where(leads.c.owner.is_(None), leads.c.state.is_(None))
    return int(conn.execute(q).scalar_one())


def _at(value: datetime) -> Any:
    return literal(value, UTCDateTime())


def _open_overdue(now: datetime) -> list[Any]:
    return [
        clock_runs.c.stopped_at.is_(None),
        clock_runs.c.at_risk_at <= _at(now),  # the partial index's range; implied by the next
        clock_runs.c.deadline <= _at(now),
        clock_runs.c.started_at <= _at(now),
    ]


_RUN_COLUMNS = (clock_runs.c.lead_id, clock_runs.c.clock, clock_runs.c.rep, clock_runs.c.deadline)


def breached_unescalated(conn: Connection, now: datetime, clocks: Sequence[str]) -> list[Any]:
    """Open clocks of these kinds past their deadline that nobody has escalated since
    (an escalation of the lead at or after the deadline, by routing or a team lead,
    is this breach's).

    Escalations are grouped by lead once (their latest) and joined to the overdue
    runs, rather than looked up per run: a store in its steady state, every breach
    escalated, answers with no row after two index ranges."""
    if not clocks:
        return []
    latest = (
        select(events.c.lead_id, func.max(events.c.at).label("at"))
        .where(events.c.kind == EventKind.ESCALATED.value)
        .group_by(events.c.lead_id)
        .subquery()
    )
    q = (
        select(*_RUN_COLUMNS)
        .outerjoin(latest, latest.c.lead_id == clock_runs.c.lead_id)
        .where(
            *_open_overdue(now),
            clock_runs.c.clock.in_(list(clocks)),
            or_(latest.c.at.is_(None), latest.c.at < clock_runs.c.deadline),
        )
        .order_by(clock_runs.c.deadline, clock_runs.c.lead_id)
    )
    return list(conn.execute(q))


def reroute_candidates(conn: Connection, now: datetime, clocks: Mapping[str, float | None]) -> list[Any]:
    """Open clocks of the kinds that re-route by themselves, past their threshold: the
    stored re-route instant, or `seconds` after the deadline where the policy says."""
    if not clocks:
        return []
    due = [
        and_(
            clock_runs.c.clock == clock,
            clock_runs.c.reroute_at <= _at(now)
            if seconds is None
            else clock_runs.c.deadline <= _at(now - timedelta(seconds=seconds)),
        )
        for clock, seconds in clocks.items()
    ]
    q = (
        select(*_RUN_COLUMNS)
        .where(*_open_overdue(now), or_(false(), *due))
        .order_by(clock_runs.c.deadline, clock_runs.c.lead_id)
    )
    return list(conn.execute(q))


def routed_since(conn: Connection, after_seq: int, limit: int = 50) -> list[Any]:
    """Routing's assignments and re-routes recorded after `after_seq` (a seq range)."""
    q = (
        select(events.c.seq, events.c.kind, events.c.payload, leads.c.crm_id, *_NAMES)
        .join(leads, leads.c.id == events.c.lead_id)
        .where(
            events.c.seq > after_seq,
            events.c.actor == ROUTING_ACTOR,
            events.c.kind.in_([EventKind.ASSIGNED.value, EventKind.REASSIGNED.value]),
        )
        .order_by(events.c.seq)
        .limit(limit)
    )
    return list(conn.execute(q))


_NAMES = (leads.c.first_name, leads.c.last_name, leads.c.company)


def routed_in(conn: Connection, since: datetime, until: datetime) -> list[Any]:
    """Routing's assignments of the period with each lead's state now (ix_events_kind_at)."""
    q = (
        select(events.c.payload, leads.c.state, leads.c.owner)
        .join(leads, leads.c.id == events.c.lead_id)
        .where(
            events.c.kind == EventKind.ASSIGNED.value,
            events.c.at >= _at(since),
            events.c.at < _at(until),
            events.c.actor == ROUTING_ACTOR,
        )
    )
    return list(conn.execute(q))
