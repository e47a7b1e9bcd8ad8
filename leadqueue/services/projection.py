"""The projection columns of a lead, computed from a fold of its events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadqueue.domain.lifecycle import OPEN_STATES, LeadHistory
from leadqueue.domain.policy import Policy, Tier
from leadqueue.domain.sla import CalendarFor, ClockStatus, evaluate


def open_deadline(statuses: list[ClockStatus]) -> ClockStatus | None:
    """The open, running clock whose deadline comes first."""
    dated = [s for s in statuses if s.is_open and s.deadline is not None]
    return min(dated, key=lambda s: s.deadline) if dated else None  # type: ignore[arg-type, return-value]


def project(
    history: LeadHistory, tier: Tier, policy: Policy, calendar_for: CalendarFor, now: datetime
) -> dict[str, Any]:
    # Deadlines do not depend on `now`, but runs that started after it are
    # skipped by evaluate(): look from the last event at least.
    at = max(now, history.last_event_at) if history.last_event_at else now
    due = open_deadline(evaluate(history, tier, policy, calendar_for, at))
    return {
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
    }
