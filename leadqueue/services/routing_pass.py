"""The router's work on clocks: escalate a breach once, re-route a lead past its
threshold. Each lead is locked (its row, on PostgreSQL) and folded again
before anything is written, so a decision recorded meanwhile (a rep accepting,
a team lead reassigning) is seen, never overwritten.

- At breach: an `escalated` event addressed to the owner's `reports_to`, or,
  with none set, to the owner's team (recorded all the same). Once per
  breach: an escalation by routing at or after the deadline is this breach's.
- At the re-route threshold, for clocks with `auto_reroute`: a `reassigned`
  to the next rep of the lead's routing group (the rule that routed it, else
  the rule it matches now, else the fallback), never its owner and, if
  anyone else may take it, no rep who held it before. The new rep gets fresh
  clocks; the first rep's breach stays on their record (domain.lifecycle).
  Without `auto_reroute` the breaches screen shows the lead as due for
  re-routing, and a team lead decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection

from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lifecycle import IllegalTransition, check_append, fold
from leadqueue.domain.policy import Tier
from leadqueue.domain.routing import ROUTING_ACTOR, escalated_since, notified, reroute_due, routed_rule
from leadqueue.domain.routing_policy import CLOCK_KEYS, Routing
from leadqueue.domain.sla import ClockStatus, evaluate
from leadqueue.services.context import Services
from leadqueue.services.projection import project
from leadqueue.services.routing_state import RouteSummary, RoutingState, facts_of_row
from leadqueue.store import repository as repo
from leadqueue.store import routing_queries as rq

# Builds the lead's new events from its row, events and clocks; [] when nothing is due any more.
Plan = Callable[[Any, list[Event], list[ClockStatus]], list[Event]]


def escalate_breaches(
    services: Services, conn: Connection, state: RoutingState, summary: RouteSummary
) -> None:
    routing = services.policy.routing or Routing()
    clocks = [c for c in CLOCK_KEYS if routing.for_clock(c).escalate]
    now = state.now

    def plan(row: Any, events: list[Event], statuses: list[ClockStatus]) -> list[Event]:
        out = []
        for s in statuses:
            due = s.is_open and s.deadline is not None and s.deadline <= now and s.clock.value in clocks
            if not due or escalated_since(events, s.clock.value, s.deadline):  # type: ignore[arg-type]
                continue
            owner = state.roster.get(s.rep)
            payload: dict[str, Any] = {
                "clock": s.clock.value,
                "rep": s.rep,
                "deadline": s.deadline.isoformat(),
            }  # type: ignore[union-attr]
            if owner is not None and owner.reports_to:
                payload["to"] = owner.reports_to
            elif owner is not None and owner.team:
                payload["team"] = owner.team
            out.append(Event(kind=EventKind.ESCALATED, actor=ROUTING_ACTOR, at=now, payload=payload))
            summary.escalated[notified(payload)] += 1
        return out

    _each_lead(services, conn, state, rq.breached_unescalated(conn, now, clocks), plan)


def reroute_overdue(services: Services, conn: Connection, state: RoutingState, summary: RouteSummary) -> None:
    routing = services.policy.routing or Routing()
    auto = {
        c: routing.for_clock(c).reroute_seconds() for c in CLOCK_KEYS if routing.for_clock(c).auto_reroute
    }
    now = state.now

    def plan(row: Any, events: list[Event], statuses: list[ClockStatus]) -> list[Event]:
        router = state.router
        history = fold(events)
        due = [
            s
            for s in statuses
            if s.is_open
            and s.clock.value in auto
            and s.rep == history.owner
            and reroute_due(s, routing.for_clock(s.clock.value), now)
        ]
        if not due or history.owner is None:
            return []
        facts = facts_of_row(row)
        rule = routed_rule(events)
        group = router.group_named(rule, facts) if rule else router.group_for(facts)[0]
        before = {r.rep for r in history.runs}
        choice = router.choose(group, exclude=[history.owner], avoid=before) if group is not None else None
        if choice is None:
            summary.stuck += 1
            return []
        if history.state is not None and history.state.value == "new" and history.owner in router.reps:
            router.reps[history.owner].undecided -= 1
        payload = {"from": history.owner, "to": choice.rep, "rule": choice.rule, "method": choice.method}
        payload["clock"] = due[0].clock.value
        summary.rerouted += 1
        return [Event(kind=EventKind.REASSIGNED, actor=ROUTING_ACTOR, at=now, payload=payload)]

    _each_lead(services, conn, state, rq.reroute_candidates(conn, now, auto), plan)


def _each_lead(
    services: Services, conn: Connection, state: RoutingState, runs: Iterable[Any], plan: Plan
) -> None:
    """For each lead of the candidate runs: lock it, fold its events, and append and
    project what `plan` says is still due. In chunks: a backlog of thousands of
    breaches is a few statements a chunk, not a few a lead."""
    policy, now = services.policy, state.now
    calendar_for = services.calendars(conn)
    lead_ids = sorted({r.lead_id for r in runs})
    for start in range(0, len(lead_ids), _CHUNK):
        rows = rq.lock_leads(conn, lead_ids[start : start + _CHUNK])
        history = repo.events_by_lead(conn, [row.id for row in rows])
        new_events: list[dict[str, Any]] = []
        projections: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        for row in rows:
            events = history[row.id]
            statuses = evaluate(fold(events), Tier(row.tier), policy, calendar_for, now)
            new = plan(row, events, statuses)
            try:
                for event in new:
                    check_append(events, event)
                    events = [*events, event]
            except IllegalTransition:
                continue  # the lead moved on meanwhile (closed, in needs info): nothing due any more
            if new:
                new_events += [repo.event_values(row.id, e, rq.ORIGIN_ROUTING) for e in new]
                projected = project(fold(events), Tier(row.tier), policy, calendar_for, now)
                projections[row.id] = (projected.columns, projected.runs)
        repo.insert_events(conn, new_events)
        repo.write_projections(conn, projections)


_CHUNK = 500
