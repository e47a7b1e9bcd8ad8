"""The projection of a lead, computed from a fold of its events: the columns
of `leads` it owns and one row per SLA clock run (`clock_runs`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from leadqueue.domain.lifecycle import OPEN_STATES, LeadHistory
from leadqueue.domain.next_step import next_step_of
from leadqueue.domain.policy import Policy, Tier
from leadqueue.domain.sla import CalendarFor, ClockState, ClockStatus, evaluate
from leadqueue.domain.years import MAX_YEAR, MIN_YEAR


@dataclass
class Projection:
    columns: dict[str, Any]
    runs: list[dict[str, Any]] = field(default_factory=list)  # clock_runs rows, without lead_id


def open_deadline(statuses: list[ClockStatus]) -> ClockStatus | None:
    """The open, running clock whose deadline comes first."""
    dated = [s for s in statuses if s.is_open and s.deadline is not None]
    return min(dated, key=lambda s: s.deadline) if dated else None  # type: ignore[arg-type, return-value]


def week_of(at: datetime | None, policy: Policy) -> str | None:
    """Monday of `at`'s week in the team's zone (ISO date), the key of weekly trends."""
    if at is None:
        return None
    local = at.astimezone(policy.zone)
    return (local - timedelta(days=local.weekday())).date().isoformat()


def project(
    history: LeadHistory, tier: Tier, policy: Policy, calendar_for: CalendarFor, now: datetime
) -> Projection:
    # Deadlines do not depend on `now`, but runs that started after it are
    # skipped by evaluate(): look from the last event at least.
    at = max(now, history.last_event_at) if history.last_event_at else now
    statuses = evaluate(history, tier, policy, calendar_for, at)
    due = open_deadline(statuses)
    step = next_step_of(history)
    columns = {
        "owner": history.owner,
        "state": history.state.value if history.state else None,
        "is_open": history.state in OPEN_STATES,
        "due_clock": due.clock.value if due else None,
        "due_at": due.deadline if due else None,
        "at_risk_at": due.at_risk_at if due else None,
        "assigned_at": history.assigned_at,
        "first_decision_at": history.first_decision_at,
        "first_decision": history.first_decision.value if history.first_decision else None,
        "decided_at": history.decided_at,
        "accepted_at": history.accepted_at,
        "first_touch_at": history.first_touch_at,
        "conversation_at": history.conversation_at,
        "disposed_at": history.disposed_at,
        "reason_code": history.reason_code,
        "contact_attempts": history.contact_attempts,
        "escalations": history.escalations,
        "last_event_at": history.last_event_at,
        "decided_week": week_of(history.decided_at, policy),
        "acknowledged_at": history.acknowledged_at,
        "next_step_kind": step.kind[:20] if step else None,  # the column's width, whatever a sync brought
        "next_step_due": _storable(step.due) if step else None,
        "next_step_note": step.note if step else None,
        "next_step_done_at": step.done_at if step else None,
    }
    return Projection(columns, [_run_row(n, s) for n, s in enumerate(statuses)])


def _storable(at: datetime | None) -> datetime | None:
    """A due time the store can hold: one a rep typed as year 9999 is shown from
    the event, not projected (it would refuse the whole write)."""
    return at if at is not None and MIN_YEAR <= at.year <= MAX_YEAR else None


def _run_row(n: int, s: ClockStatus) -> dict[str, Any]:
    closed = s.state in (ClockState.MET, ClockState.MISSED, ClockState.ENDED)
    paused = s.state is ClockState.PAUSED
    return {
        "n": n,
        "clock": s.clock.value,
        "rep": s.rep,
        "started_at": s.started_at,
        "deadline": s.deadline,
        "at_risk_at": s.at_risk_at,
        "reroute_at": s.reroute_at,
        "stopped_at": s.stopped_at,
        "outcome": s.state.value if closed else None,
        "paused_left_seconds": s.left_seconds if paused else None,
        "paused_at": s.paused_at,
        "budget_seconds": s.budget_seconds,
    }
