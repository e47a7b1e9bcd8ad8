"""Properties of the SLA clock, checked on random calendars around the 2026 DST
changes of six zones (a 30-minute shift and a change at midnight among them):
split shifts, night spans, business-day windows, pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from leadqueue.domain.calendar import WorkCalendar
from leadqueue.domain.lifecycle import ClockRun
from leadqueue.domain.policy import ClockName, ClockWindow, Measure
from leadqueue.domain.sla import ClockState, Meter, evaluate_run

DST_ZONES = (
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # moves by 30 minutes
    "America/Santiago",  # changes at midnight
)
TOLERANCE = 1e-3  # seconds: working time is summed in floats


@cache
def transitions(zone_name: str) -> tuple[datetime, ...]:
    """The instants (to the minute) at which the zone's offset changed in 2026."""
    zone = ZoneInfo(zone_name)
    out = []
    t = datetime(2026, 1, 1, tzinfo=UTC)
    step = timedelta(hours=1)
    while t.year == 2026:
        if (t + step).astimezone(zone).utcoffset() != t.astimezone(zone).utcoffset():
            minute = t
            while (minute + timedelta(minutes=1)).astimezone(zone).utcoffset() == t.astimezone(
                zone
            ).utcoffset():
                minute += timedelta(minutes=1)
            out.append(minute + timedelta(minutes=1))
        t += step
    return tuple(out)


def test_every_zone_changes_twice_in_2026() -> None:
    assert {z: len(transitions(z)) for z in DST_ZONES} == dict.fromkeys(DST_ZONES, 2)


zones = st.sampled_from(DST_ZONES)


@st.composite
def weekly_spans(draw: st.DrawFn) -> dict[int, list[tuple[int, int]]]:
    """Zero to three spans a weekday on any minute: split shifts, night spans, spans across 02:00."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for day in range(7):
        k = draw(st.integers(0, 3))
        edges = sorted(draw(st.sets(st.integers(0, 1440), min_size=2 * k, max_size=2 * k)))
        spans[day] = list(zip(edges[::2], edges[1::2], strict=True))
    assume(any(spans.values()))
    return spans


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    zone = draw(zones)
    holidays = draw(st.lists(st.dates(date(2026, 3, 1), date(2026, 11, 30)), max_size=4))
    return WorkCalendar(ZoneInfo(zone), draw(weekly_spans()), holidays)


@st.composite
def near_a_dst_change(draw: st.DrawFn, calendar: WorkCalendar) -> datetime:
    change = draw(st.sampled_from(transitions(str(calendar.zone))))
    return change + timedelta(seconds=draw(st.integers(-4 * 86400, 2 * 86400)))


windows = st.one_of(
    st.builds(lambda m: ClockWindow(window=f"{m}m"), st.integers(15, 72 * 60)),
    st.builds(lambda m: ClockWindow(window=f"{m}m", measure=Measure.WORKING), st.integers(15, 40 * 60)),
    st.builds(lambda d: ClockWindow(window=f"{d}bd", measure=Measure.WORKING), st.integers(1, 10)),
)
fractions = st.sampled_from((0.1, 0.25, 0.5, 0.75))


def run_of(start: datetime, *pauses: tuple[datetime, datetime | None]) -> ClockRun:
    return ClockRun(ClockName.DECISION, "ana", start, pauses=list(pauses))


# -- DST edges ---------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    zone=zones,
    pick=st.integers(0, 1),
    shift=st.integers(-1, 1),
    start=st.integers(0, 1439),
    length=st.integers(1, 1440),
)
def test_a_span_runs_from_the_first_instant_reading_its_start_to_the_first_reading_its_end(
    zone: str, pick: int, shift: int, start: int, length: int
) -> None:
    z = ZoneInfo(zone)
    day = transitions(zone)[pick].astimezone(z).date() + timedelta(days=shift)
    end = min(1440, start + length)
    c = WorkCalendar(z, {day.weekday(): [(start, end)]})
    intervals = c.day_intervals(day)

    def wall(minute: int) -> datetime:
        return datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)

    def reads(instant: datetime) -> datetime:
        return instant.astimezone(z).replace(tzinfo=None)

    if not intervals:  # only a span wholly inside a spring-forward gap has no time
        a = datetime.combine(day, datetime.min.time(), tzinfo=z) + timedelta(minutes=start)
        assert reads(a.astimezone(UTC)) != wall(start)
        return
    ((a, b),) = intervals
    for instant, minute in ((a, start), (b, end)):
        assert reads(instant) >= wall(minute)
        assert reads(instant - timedelta(microseconds=1)) < wall(minute)
    # the span's working time is real time: a DST change neither adds nor loses any
    assert c.working_seconds(a - timedelta(hours=1), b + timedelta(hours=1)) == (b - a).total_seconds()


# -- pauses ------------------------------------------------------------------------


@settings(max_examples=250, deadline=None)
@given(data=st.data(), calendar=calendars(), window=windows)
def test_a_pause_resumes_with_exactly_the_time_left_and_never_reduces_the_overdue_amount(
    data: st.DataObject, calendar: WorkCalendar, window: ClockWindow
) -> None:
    meter = Meter(window, calendar)
    start = data.draw(near_a_dst_change(calendar))
    paused_at = start + timedelta(seconds=data.draw(st.integers(0, 6 * 86400)))
    resumed_at = paused_at + timedelta(seconds=data.draw(st.integers(0, 6 * 86400)))
    later = resumed_at + timedelta(seconds=data.draw(st.integers(0, 6 * 86400)))

    paused = evaluate_run(run_of(start, (paused_at, None)), meter, 0.25, paused_at)
    assert paused.state is ClockState.PAUSED
    left_at_pause = paused.left_seconds
    unpaused = evaluate_run(run_of(start), meter, 0.25, paused_at)
    assert left_at_pause == pytest.approx(unpaused.left_seconds, abs=TOLERANCE)

    run = run_of(start, (paused_at, resumed_at))
    back = evaluate_run(run, meter, 0.25, resumed_at)
    assert back.left_seconds == pytest.approx(left_at_pause, abs=TOLERANCE)
    after = evaluate_run(run, meter, 0.25, later)
    assert after.left_seconds <= left_at_pause + TOLERANCE  # overdue only grows
    if left_at_pause <= 0:
        assert back.state is ClockState.BREACHED and after.state is ClockState.BREACHED


@settings(max_examples=250, deadline=None)
@given(data=st.data(), calendar=calendars(), window=windows)
def test_pausing_and_resuming_at_once_changes_nothing(
    data: st.DataObject, calendar: WorkCalendar, window: ClockWindow
) -> None:
    meter = Meter(window, calendar)
    start = data.draw(near_a_dst_change(calendar))
    pause = start + timedelta(seconds=data.draw(st.integers(0, 8 * 86400)))
    now = pause + timedelta(seconds=data.draw(st.integers(0, 8 * 86400)))
    plain = evaluate_run(run_of(start), meter, 0.25, now)
    blink = evaluate_run(run_of(start, (pause, pause)), meter, 0.25, now)
    assert blink.state is plain.state
    for got, want in ((blink.deadline, plain.deadline), (blink.at_risk_at, plain.at_risk_at)):
        assert got is not None and want is not None
        assert abs((got - want).total_seconds()) <= TOLERANCE


# -- at risk -----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(data=st.data(), calendar=calendars(), window=windows, fraction=fractions)
def test_at_risk_exactly_when_the_time_left_is_at_most_the_fraction_of_the_budget(
    data: st.DataObject, calendar: WorkCalendar, window: ClockWindow, fraction: float
) -> None:
    meter = Meter(window, calendar)
    start = data.draw(near_a_dst_change(calendar))
    now = start + timedelta(seconds=data.draw(st.floats(0, 20 * 86400)))
    s = evaluate_run(run_of(start), meter, fraction, now)
    assert s.deadline is not None
    left = meter.between(now, s.deadline)
    margin = fraction * s.budget_seconds
    # Between working intervals exactly the margin is left, to the bit; a float sum
    # that only comes near it says nothing either way.
    assume(left == margin or abs(left - margin) > TOLERANCE)
    assert (s.state in (ClockState.AT_RISK, ClockState.BREACHED)) == (left <= margin)
    assert (s.state is ClockState.BREACHED) == (now >= s.deadline)
    # the earliest such instant: just before it, more than the margin was left
    assert s.at_risk_at is not None
    before = s.at_risk_at - timedelta(microseconds=1)
    assert meter.between(before, s.deadline) > margin
    assert meter.between(s.at_risk_at, s.deadline) == pytest.approx(margin, abs=TOLERANCE)
