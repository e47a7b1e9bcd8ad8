"""SLA clocks: deadlines and states from clock runs, a policy and a calendar.

Elapsed windows are plain UTC arithmetic. Working windows are measured in
working seconds on the rep's calendar. A pause keeps the time that was left
and spends it again from the moment the clock resumes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from leadqueue.domain.calendar import WorkCalendar
from leadqueue.domain.lifecycle import ClockRun, LeadHistory
from leadqueue.domain.policy import ClockName, ClockWindow, Measure, Policy, Tier


class ClockState(StrEnum):
    RUNNING = "running"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"


OPEN_CLOCK_STATES = frozenset(
    {ClockState.RUNNING, ClockState.AT_RISK, ClockState.BREACHED, ClockState.PAUSED}
)


@dataclass(frozen=True)
class ClockStatus:
    clock: ClockName
    rep: str
    started_at: datetime
    deadline: datetime | None  # None while paused: no deadline until it resumes
    at_risk_at: datetime | None
    state: ClockState
    budget_seconds: float  # the window, in the clock's own measure
    left_seconds: float  # in the clock's own measure; negative when overdue
    stopped_at: datetime | None
    # overdue by the whole window again: the lead may be re-routed
    reroute_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CLOCK_STATES

    def remaining_seconds(self, now: datetime) -> float:
        """Real seconds to the deadline (negative when overdue); the budget left while paused."""
        if self.deadline is None:
            return self.left_seconds
        return (self.deadline - now).total_seconds()


class Meter:
    """Adds and measures time the way one clock counts it."""

    def __init__(self, window: ClockWindow, calendar: WorkCalendar) -> None:
        self.window = window.parsed
        self.working = window.measure is Measure.WORKING
        self.calendar = calendar

    def add(self, start: datetime, seconds: float) -> datetime:
        if self.working:
            return self.calendar.add_working(start, seconds)
        return start + timedelta(seconds=seconds)

    def between(self, start: datetime, end: datetime) -> float:
        if self.working:
            return self.calendar.working_seconds(start, end)
        return (end - start).total_seconds()

    def first_deadline(self, start: datetime) -> datetime:
        if self.window.in_business_days:
            return self.calendar.add_business_days(start, self.window.business_days)
        return self.add(start, self.window.seconds)

    def budget(self, start: datetime, deadline: datetime) -> float:
        if self.window.in_business_days:
            return self.between(start, deadline)
        return self.window.seconds


def evaluate_run(run: ClockRun, meter: Meter, at_risk_fraction: float, now: datetime) -> ClockStatus:
    deadline = meter.first_deadline(run.started_at)
    budget = meter.budget(run.started_at, deadline)
    paused_left: float | None = None
    for paused_at, resumed_at in run.pauses:
        if now < paused_at:
            break
        left = max(0.0, meter.between(paused_at, deadline))
        if resumed_at is None or now < resumed_at:
            paused_left = left
            break
        deadline = meter.add(resumed_at, left)
    at_risk_at = _at_risk_instant(meter, deadline, max(0.0, budget) * at_risk_fraction)
    stopped = run.stopped_at if run.stopped_at is not None and run.stopped_at <= now else None

    def status(state: ClockState, left: float, dl: datetime | None = deadline) -> ClockStatus:
        reroute = meter.add(dl, max(0.0, budget)) if dl is not None and state is not ClockState.MET else None
        return ClockStatus(
            run.clock,
            run.rep,
            run.started_at,
            dl,
            at_risk_at if dl else None,
            state,
            budget,
            left,
            stopped,
            reroute,
        )

    if stopped is not None:
        if paused_left is not None:  # stopped while paused (e.g. reassigned): not overdue
            return status(ClockState.MET, paused_left)
        return status(
            ClockState.MET if stopped <= deadline else ClockState.MISSED, meter.between(stopped, deadline)
        )
    if paused_left is not None:
        return status(ClockState.PAUSED, paused_left, None)
    left = meter.between(now, deadline)
    if now >= deadline:
        return status(ClockState.BREACHED, left)
    if now >= at_risk_at:
        return status(ClockState.AT_RISK, left)
    return status(ClockState.RUNNING, left)


def _at_risk_instant(meter: Meter, deadline: datetime, margin: float) -> datetime:
    """The instant at which only `margin` of the clock's time remains."""
    if meter.working:
        return meter.calendar.subtract_working(deadline, margin)
    return deadline - timedelta(seconds=margin)


CalendarFor = Callable[[str], WorkCalendar]


def evaluate(
    history: LeadHistory, tier: Tier, policy: Policy, calendar_for: CalendarFor, now: datetime
) -> list[ClockStatus]:
    """Every clock run of a lead, evaluated at `now` (open and closed)."""
    out = []
    for run in history.runs:
        if run.started_at > now:
            continue
        window = policy.windows.for_clock(run.clock, tier)
        meter = Meter(window, calendar_for(run.rep))
        out.append(evaluate_run(run, meter, policy.at_risk_fraction, now))
    return out


def next_due(statuses: list[ClockStatus]) -> ClockStatus | None:
    """The open clock that matters most now: breached or at risk first, then the earliest deadline."""
    open_ = [s for s in statuses if s.is_open]
    if not open_:
        return None
    rank = {ClockState.BREACHED: 0, ClockState.AT_RISK: 1, ClockState.RUNNING: 2, ClockState.PAUSED: 3}
    return min(
        open_, key=lambda s: (rank[s.state], s.deadline or datetime.max.replace(tzinfo=s.started_at.tzinfo))
    )
