"""What a team lead weighs before acting on breaches: each rep's load and which
leads were escalated.

A rep's load is the rep's open leads and the open clocks at risk or breached
now (the same clocks as reports.breaches, counted in SQL: the breaches screen
orders its groups and paints its first screens from it before every clock is
loaded; the reassign picker shows it for every rep). Both are aggregates over
narrow indexes, cheap on a team store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select

from leadqueue.domain.events import EventKind
from leadqueue.domain.routing import ROUTING_ACTOR, notified
from leadqueue.services.context import Services
from leadqueue.store.schema import clock_runs, events, leads, reps

# Far in the future: a rep with no deadline to miss sorts after every rep who has one.
_NEVER = datetime(9000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RepLoad:
    """One rep's load at a moment: open leads, and open clocks breached or at risk."""

    rep: str
    open_leads: int = 0
    breached: int = 0
    at_risk: int = 0
    earliest_deadline: datetime | None = None  # of the flagged clocks: the most overdue when breached
    role: str = "rep"

    @property
    def flagged(self) -> int:
        return self.breached + self.at_risk

    @property
    def weight(self) -> tuple[int, int]:
        """Who is worse off: more breached clocks first, then more open leads."""
        return (self.breached, self.open_leads)

    def worse_off_than(self, other: RepLoad) -> bool:
        return self.weight > other.weight


def worst_first_key(breached: int, earliest: datetime | None, key: str) -> tuple[int, datetime, str]:
    """Groups worst first: the most breached, then the most overdue (the earliest
    deadline, which for a group with nothing breached is the soonest due)."""
    return (-breached, earliest or _NEVER, key)


def rep_loads(services: Services, now: datetime | None = None) -> dict[str, RepLoad]:
    """Every rep on the roster (and any owner off it) with the rep's load at `now`."""
    now = now or services.clock.now()
    flagged = (
        select(
            clock_runs.c.rep,
            func.sum(case((clock_runs.c.deadline <= now, 1), else_=0)),
            func.count(),
            func.min(clock_runs.c.deadline),
        )
        # the open clocks reports.breaches lists: started, not stopped, at risk or worse
        .where(
            clock_runs.c.stopped_at.is_(None),
            clock_runs.c.started_at <= now,
            clock_runs.c.at_risk_at <= now,
        )
        .group_by(clock_runs.c.rep)
    )
    opened = select(leads.c.owner, func.count()).where(leads.c.is_open.is_(True)).group_by(leads.c.owner)
    with services.store.read() as conn:
        roles = {str(r.key): str(r.role or "rep") for r in conn.execute(select(reps.c.key, reps.c.role))}
        open_counts = {str(owner): int(n) for owner, n in conn.execute(opened) if owner is not None}
        clocks = {str(rep): (int(b or 0), int(n), due) for rep, b, n, due in conn.execute(flagged)}
    out = {}
    for rep in sorted(set(roles) | set(open_counts) | set(clocks)):
        breached, n, due = clocks.get(rep, (0, 0, None))
        out[rep] = RepLoad(rep, open_counts.get(rep, 0), breached, n - breached, due, roles.get(rep, "rep"))
    return out


def worst_first(loads: Iterable[RepLoad]) -> list[RepLoad]:
    """The reps with a clock at risk or breached, worst first."""
    return sorted(
        (load for load in loads if load.flagged),
        key=lambda load: worst_first_key(load.breached, load.earliest_deadline, load.rep),
    )


def first_reps(loads: Iterable[RepLoad], clocks: int) -> list[str]:
    """The worst reps, whole, whose clocks fill at least `clocks` rows: what a
    screen grouped by rep shows first."""
    chosen: list[str] = []
    total = 0
    for load in worst_first(loads):
        if total >= clocks:
            break
        chosen.append(load.rep)
        total += load.flagged
    return chosen


@dataclass(frozen=True)
class Escalation:
    """A lead's last escalation, and the last time a team lead acknowledged it."""

    at: datetime
    acknowledged_at: datetime | None
    notified: str = ""  # whom routing addressed it to ('maria', 'the team'); '' for a team lead's own

    @property
    def seen(self) -> bool:
        """A team lead acknowledged the lead after it was escalated."""
        return self.acknowledged_at is not None and self.acknowledged_at >= self.at


def escalations(services: Services) -> dict[str, Escalation]:
    """Each escalated lead (by CRM id). Escalations are few, and the events'
    (kind, at) index finds them without a pass over the history."""
    q = (
        select(leads.c.crm_id, events.c.at, events.c.actor, events.c.payload, leads.c.acknowledged_at)
        .join(leads, leads.c.id == events.c.lead_id)
        .where(events.c.kind == EventKind.ESCALATED.value)
    )
    out: dict[str, Escalation] = {}
    with services.store.read() as conn:
        for crm_id, at, actor, payload, acked in conn.execute(q):
            last = out.get(str(crm_id))
            if at is not None and (last is None or at >= last.at):
                to = notified(payload) if actor == ROUTING_ACTOR and isinstance(payload, dict) else ""
                out[str(crm_id)] = Escalation(at, acked, to)
    return out
