"""SLA clocks: deadlines and states from clock runs, a policy and a calendar.

Elapsed windows are plain UTC arithmetic. Working windows are measured in
working seconds on the rep's calendar. A pause stops the clock: on resume it
continues with exactly the time that was left, negative when it was already
overdue, so a pause never forgives a breach and time in needs-info counts
neither for nor against the rep.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from leadqueue.domain.calendar import WorkCalendar
from leadqueue.domain.events import EventKind
from leadqueue.domain.lifecycle import ClockRun, LeadHistory
from leadqueue.domain.policy import ClockName, ClockWindow, Measure, Policy, Tier


class ClockState(StrEnum):
    RUNNING = "running"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"
    # Stopped in time by a handover (a reassignment, or the CRM closing the lead): the rep
    # neither met nor missed it, so compliance leaves it out. Overdue, it is missed.
    ENDED = "ended"


# What ends a rep's clock without the rep doing what it measures.
HANDOVERS = frozenset({EventKind.REASSIGNED, EventKind.CLOSED_IN_CRM})

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
    paused_at: datetime | None = None  # set while paused

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CLOCK_STATES

    def remaining_seconds(self, now: datetime) -> float | None:
        """Real seconds to the deadline (negative when overdue); None while paused."""
        if self.deadline is None:
            return None
        return (self.deadline - now).total_seconds()

    @property
    def time_left_seconds(self) -> float | None:
        """While paused: the time the clock resumes with, in its own measure (negative when overdue)."""
        return self.left_seconds if self.state is ClockState.PAUSED else None


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

    def earliest_with_left(self, end: datetime, seconds: float) -> datetime:
        """The earliest instant from which `seconds` of the clock's time remain until `end`."""
        if self.working:
            return self.calendar.subtract_working(end, seconds)
        return end - timedelta(seconds=seconds)

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

    def resumed_deadline(self, resumed_at: datetime, left: float) -> datetime:
        """The deadline of a clock that resumes at `resumed_at` with `left` of its time.

        With time left, the deadline is that much clock time ahead. Overdue
        (or exactly out), it lies behind: the instant from which the clock
        would have been overdue by as much as it was when it paused.
        """
        if left > 0:
            return self.add(resumed_at, left)
        return self.earliest_with_left(resumed_at, -left)


def evaluate_run(run: ClockRun, meter: Meter, at_risk_fraction: float, now: datetime) -> ClockStatus:
    deadline = meter.first_deadline(run.started_at)
    budget = meter.budget(run.started_at, deadline)
    paused: tuple[datetime, float] | None = None  # (paused at, time left then) while paused at `now`
    for paused_at, resumed_at in run.pauses:
        if now < paused_at:
            break
        left = meter.between(paused_at, deadline)  # never clamped: an overdue clock stays overdue
        if resumed_at is None or now < resumed_at:
            paused = (paused_at, left)
            break
        deadline = meter.resumed_deadline(resumed_at, left)
    # At risk from the earliest instant at which a quarter (by default) or less of the window remains.
    at_risk_at = meter.earliest_with_left(deadline, budget * at_risk_fraction)
    stopped = run.stopped_at if run.stopped_at is not None and run.stopped_at <= now else None

    def status(state: ClockState, left: float) -> ClockStatus:
        if paused is not None:
            return ClockStatus(
                run.clock, run.rep, run.started_at, None, None, state, budget, left, None, None, paused[0]
            )
        in_time = state in (ClockState.MET, ClockState.ENDED)
        reroute = None if in_time else meter.add(deadline, budget)
        return ClockStatus(
            run.clock, run.rep, run.started_at, deadline, at_risk_at, state, budget, left, stopped, reroute
        )

    if paused is not None:
        return status(ClockState.PAUSED, paused[1])
    if stopped is not None:
        # A run stopped while paused (reassigned) had its pause closed at the stop,
        # so its deadline already carries the time left then, overdue or not.
        if stopped > deadline:
            state = ClockState.MISSED  # the breach stays on the record of the rep who had it
        elif run.stopped_by in HANDOVERS:
            state = ClockState.ENDED
        else:
            state = ClockState.MET
        return status(state, meter.between(stopped, deadline))
    left = meter.between(now, deadline)
    if now >= deadline:
        return status(ClockState.BREACHED, left)
    if now >= at_risk_at:
        return status(ClockState.AT_RISK, left)
    return status(ClockState.RUNNING, left)


CalendarFor = Callable[[str], WorkCalendar]


def evaluate(
    history: LeadHistory, tier: Tier, policy: Policy, calendar_for: CalendarFor, now: datetime
) -> list[ClockStatus]:
    """Every clock run of a lead, evaluated at `now` (open and closed)."""
    started = _started_runs(history, tier, policy, calendar_for, now)
    return [evaluate_run(run, meter, policy.at_risk_fraction, now) for run, meter in started]


def _started_runs(
    history: LeadHistory, tier: Tier, policy: Policy, calendar_for: CalendarFor, now: datetime
) -> Iterator[tuple[ClockRun, Meter]]:
    """Each run started by `now`, with the meter its clock's window and its rep's calendar give."""
    for run in history.runs:
        if run.started_at <= now:
            yield run, Meter(policy.windows.for_clock(run.clock, tier), calendar_for(run.rep))


@dataclass(frozen=True)
class Breach:
    """One clock run that went past its deadline: whose, when its breach began, and
    whether the run is still open (else it was missed: closed after its deadline)."""

    clock: ClockName
    rep: str
    began_at: datetime
    ongoing: bool


def breach_began(run: ClockRun, meter: Meter, now: datetime) -> datetime | None:
    """When the run first went past its deadline while running, or None if it has
    not by `now`. A pause never forgives a breach, so a run breaches once: a run
    paused overdue and resumed is still in the breach that began before the pause
    (evaluate_run's deadline after such a resume lies later, and is not when it began)."""
    stopped = run.stopped_at is not None and run.stopped_at <= now
    end = run.stopped_at if stopped and run.stopped_at is not None else now
    deadline = meter.first_deadline(run.started_at)
    for paused_at, resumed_at in run.pauses:
        if paused_at > end:
            break
        if deadline <= paused_at:
            return deadline
        if resumed_at is None or resumed_at > end:
            return None  # paused (or stopped while paused) with time left
        deadline = meter.resumed_deadline(resumed_at, meter.between(paused_at, deadline))
    # Stopped exactly at its deadline, a run is met (evaluate_run); open, it breaches then.
    overdue = deadline < end if stopped else deadline <= end
    return deadline if overdue else None


def breaches(
    history: LeadHistory, tier: Tier, policy: Policy, calendar_for: CalendarFor, now: datetime
) -> list[Breach]:
    """Every breach of a lead's clock runs by `now`, open or since closed, in the order they began."""
    out = []
    for run, meter in _started_runs(history, tier, policy, calendar_for, now):
        began = breach_began(run, meter, now)
        if began is not None:
            ongoing = run.stopped_at is None or run.stopped_at > now
            out.append(Breach(run.clock, run.rep, began, ongoing))
    return sorted(out, key=lambda b: b.began_at)


def next_due(statuses: list[ClockStatus]) -> ClockStatus | None:
    """The open clock that matters most now: breached or at risk first, then the earliest deadline."""
    open_ = [s for s in statuses if s.is_open]
    if not open_:
        return None
    rank = {ClockState.BREACHED: 0, ClockState.AT_RISK: 1, ClockState.RUNNING: 2, ClockState.PAUSED: 3}
    return min(
        open_, key=lambda s: (rank[s.state], s.deadline or datetime.max.replace(tzinfo=s.started_at.tzinfo))
    )
