"""The SLA engine: working-time calendars, DST, holidays, pauses, states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadqueue.domain.calendar import WorkCalendar
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lifecycle import fold
from leadqueue.domain.policy import ClockName, Policy, Tier
from leadqueue.domain.sla import ClockState, evaluate

ZONES = ("America/New_York", "Europe/Berlin", "Australia/Sydney")
NINE_TO_FIVE = {d: [(540, 1020)] for d in range(5)}
ALWAYS = {d: [(0, 1440)] for d in range(7)}

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from(ZONES)
windows = st.integers(min_value=60, max_value=30 * 3600)


def cal(
    zone: str, spans: dict[int, list[tuple[int, int]]] = NINE_TO_FIVE, holidays: tuple[date, ...] = ()
) -> WorkCalendar:
    return WorkCalendar(ZoneInfo(zone), spans, holidays)


# -- calendar: concrete cases ---------------------------------------------------


def test_friday_afternoon_plus_eight_working_hours_is_monday_afternoon() -> None:
    c = cal("America/New_York")
    start = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # Fri 15:00 EST
    assert c.add_working(start, 8 * 3600) == datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # Mon 15:00


def test_holiday_is_skipped() -> None:
    c = cal("America/New_York", holidays=(date(2026, 11, 26),))
    start = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)  # Wed 16:00 EST, 1h left that day
    assert c.add_working(start, 2 * 3600) == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Fri 10:00


def test_country_holidays_come_from_the_holidays_library() -> None:
    c = WorkCalendar(ZoneInfo("Europe/Berlin"), NINE_TO_FIVE, holiday_country="DE")
    assert not c.is_working_day(date(2026, 10, 3))  # German Unity Day
    assert not c.is_working_day(date(2026, 12, 25))
    assert c.is_working_day(date(2026, 12, 22))


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("America/New_York", date(2026, 3, 8)),
        ("America/New_York", date(2026, 11, 1)),
        ("Europe/Berlin", date(2026, 3, 29)),
        ("Europe/Berlin", date(2026, 10, 25)),
        ("Australia/Sydney", date(2026, 4, 5)),
        ("Australia/Sydney", date(2026, 10, 4)),
    ],
)
def test_a_dst_day_on_a_round_the_clock_calendar_has_its_real_length(zone: str, day: date) -> None:
    """23 or 25 real hours: working time is real time, never wall-clock arithmetic."""
    c = cal(zone, ALWAYS)
    z = ZoneInfo(zone)
    start = datetime.combine(day, datetime.min.time(), tzinfo=z).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=z).astimezone(UTC)
    real = (end - start).total_seconds()
    assert real in (23 * 3600, 25 * 3600)
    assert c.working_seconds(start, end) == real


def test_business_days_end_at_close_of_the_nth_working_day() -> None:
    c = cal("America/New_York", holidays=(date(2026, 11, 26),))
    start = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)  # Mon 14:00 EST
    # Tue, Wed, (Thu holiday), Fri, Mon, Tue -> Tue 1 Dec 17:00 EST
    assert c.add_business_days(start, 5) == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)


# -- calendar: properties --------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(start=instants, seconds=windows, zone=zones)
def test_adding_then_measuring_working_time_round_trips(start: datetime, seconds: int, zone: str) -> None:
    c = cal(zone)
    end = c.add_working(start, seconds)
    assert end > start
    assert c.working_seconds(start, end) == pytest.approx(seconds, abs=1e-3)
    assert c.subtract_working(end, seconds) <= end


@settings(max_examples=150, deadline=None)
@given(a=instants, gap=st.integers(0, 10 * 86400), seconds=windows, zone=zones)
def test_a_later_start_never_gives_an_earlier_deadline(
    a: datetime, gap: int, seconds: int, zone: str
) -> None:
    c = cal(zone)
    b = a + timedelta(seconds=gap)
    assert c.add_working(b, seconds) >= c.add_working(a, seconds)
    assert c.add_business_days(b, 3) >= c.add_business_days(a, 3)


@settings(max_examples=100, deadline=None)
@given(start=instants, seconds=windows, zone=zones)
def test_working_deadlines_fall_inside_working_hours(start: datetime, seconds: int, zone: str) -> None:
    c = cal(zone)
    end = c.add_working(start, seconds)
    local = end.astimezone(ZoneInfo(zone))
    assert local.weekday() < 5
    minutes = local.hour * 60 + local.minute + local.second / 60
    assert 540 <= minutes <= 1020


@settings(max_examples=100, deadline=None)
@given(start=instants, seconds=windows, z1=zones, z2=zones)
def test_elapsed_windows_are_equal_in_utc_whatever_the_zone(
    start: datetime, seconds: int, z1: str, z2: str
) -> None:
    policies = [Policy(time_zone=z) for z in (z1, z2)]
    results = []
    for p in policies:
        h = fold([Event(kind=EventKind.ASSIGNED, actor="import", at=start, payload={"rep": "ana"})])
        s = evaluate(h, Tier.STANDARD, p, lambda rep, p=p: WorkCalendar.from_policy(p), start)[0]
        results.append(s.deadline)
    assert results[0] == results[1] == start + timedelta(hours=24)


# -- clocks -----------------------------------------------------------------------

T0 = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)  # Monday 09:00 EST


def statuses(events: list[Event], now: datetime, policy: Policy | None = None, tier: Tier = Tier.HOT):
    p = policy or Policy()
    return evaluate(fold(events), tier, p, lambda rep: WorkCalendar.from_policy(p), now)


def e(event_kind: EventKind, hours: float, **payload: object) -> Event:
    return Event(kind=event_kind, actor="ana", at=T0 + timedelta(hours=hours), payload=payload)


ASSIGN = Event(kind=EventKind.ASSIGNED, actor="import", at=T0, payload={"rep": "ana"})


@pytest.mark.parametrize(
    ("hours", "state"),
    [
        (0.5, ClockState.RUNNING),
        (2.99, ClockState.RUNNING),
        (3.0, ClockState.AT_RISK),
        (3.9, ClockState.AT_RISK),
        (4.0, ClockState.BREACHED),
        (9, ClockState.BREACHED),
    ],
)
def test_hot_decision_clock_states_over_time(hours: float, state: ClockState) -> None:
    s = statuses([ASSIGN], T0 + timedelta(hours=hours))[0]
    assert s.clock is ClockName.DECISION
    assert s.deadline == T0 + timedelta(hours=4)
    assert s.state is state


def test_decision_met_and_missed() -> None:
    assert statuses([ASSIGN, e(EventKind.ACCEPTED, 3)], T0 + timedelta(hours=5))[0].state is ClockState.MET
    assert (
        statuses([ASSIGN, e(EventKind.REJECTED, 5, reason="R3")], T0 + timedelta(hours=6))[0].state
        is ClockState.MISSED
    )


def test_needs_info_pauses_and_resumes_with_the_time_left() -> None:
    events = [ASSIGN, e(EventKind.NEEDS_INFO, 1), e(EventKind.RETURNED_FROM_MARKETING, 30)]
    paused = statuses(events[:2], T0 + timedelta(hours=20))[0]
    assert paused.state is ClockState.PAUSED
    assert paused.deadline is None
    assert paused.left_seconds == 3 * 3600
    resumed = statuses(events, T0 + timedelta(hours=31))[0]
    assert resumed.deadline == T0 + timedelta(hours=33)
    assert resumed.state is ClockState.RUNNING


@settings(max_examples=100, deadline=None)
@given(pause=st.floats(0, 3.9), away=st.floats(0.1, 200), zone=zones)
def test_pause_never_changes_the_total_time_available(pause: float, away: float, zone: str) -> None:
    p = Policy(time_zone=zone)
    back = pause + away
    events = [ASSIGN, e(EventKind.NEEDS_INFO, pause), e(EventKind.RETURNED_FROM_MARKETING, back)]
    s = statuses(events, T0 + timedelta(hours=back), p)[0]
    assert s.deadline is not None
    spent_before = pause * 3600
    assert (s.deadline - (T0 + timedelta(hours=back))).total_seconds() == pytest.approx(
        4 * 3600 - spent_before, abs=1e-3
    )


def test_working_time_decision_window_skips_the_weekend() -> None:
    p = Policy.model_validate({"windows": {"decision_standard": {"window": "8h", "measure": "working"}}})
    friday = Event(
        kind=EventKind.ASSIGNED,
        actor="import",
        at=datetime(2026, 11, 20, 20, 0, tzinfo=UTC),
        payload={"rep": "ana"},
    )
    s = statuses([friday], datetime(2026, 11, 21, 12, tzinfo=UTC), p, Tier.STANDARD)[0]
    assert s.deadline == datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    assert s.at_risk_at == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # 2 working hours before
    assert s.state is ClockState.RUNNING


def test_follow_up_clocks_start_at_acceptance_with_business_day_windows() -> None:
    events = [ASSIGN, e(EventKind.ACCEPTED, 1, next_step="call", due="x", note="n")]
    by_clock = {s.clock: s for s in statuses(events, T0 + timedelta(hours=2))}
    assert by_clock[ClockName.FIRST_TOUCH].deadline == T0 + timedelta(hours=25)
    # Monday 10:00 EST + 5 business days -> close of Monday next week
    assert by_clock[ClockName.DISCOVERY].deadline == datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    assert by_clock[ClockName.DISPOSITION].deadline == datetime(2026, 11, 30, 22, 0, tzinfo=UTC)  # 10 bd


def test_a_rep_in_another_zone_gets_deadlines_on_their_own_calendar() -> None:
    p = Policy()
    events = [ASSIGN, e(EventKind.ACCEPTED, 1)]
    h = fold(events)
    berlin = evaluate(
        h, Tier.HOT, p, lambda rep: WorkCalendar.from_policy(p, "Europe/Berlin"), T0 + timedelta(hours=2)
    )
    ny = evaluate(h, Tier.HOT, p, lambda rep: WorkCalendar.from_policy(p), T0 + timedelta(hours=2))
    b = {s.clock: s.deadline for s in berlin}
    n = {s.clock: s.deadline for s in ny}
    assert b[ClockName.DISCOVERY] == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 17:00 CET
    assert n[ClockName.DISCOVERY] == datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # 17:00 EST


# -- a pause never forgives a breach ------------------------------------------------

NOV2 = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # Monday 09:00 EST


def at(hours: float, kind: EventKind, **payload: object) -> Event:
    return Event(kind=kind, actor="ana", at=NOV2 + timedelta(hours=hours), payload=payload)


ASSIGN_NOV2 = Event(kind=EventKind.ASSIGNED, actor="import", at=NOV2, payload={"rep": "ana"})
BREACHED_THEN_PAUSED = [
    ASSIGN_NOV2,  # hot: 4 elapsed hours, deadline 18:00Z
    at(24, EventKind.NEEDS_INFO, missing=["intent"], note="n"),  # 20 h overdue
    at(72, EventKind.RETURNED_FROM_MARKETING),  # 2026-11-05T14:00Z
]


def test_an_overdue_clock_resumes_exactly_as_overdue_as_it_paused() -> None:
    """The issue's worked example, elapsed 4 h in New York."""
    paused = statuses(BREACHED_THEN_PAUSED[:2], NOV2 + timedelta(hours=30))[0]
    assert (paused.state, paused.deadline, paused.time_left_seconds) == (ClockState.PAUSED, None, -20 * 3600)
    assert paused.paused_at == NOV2 + timedelta(hours=24)
    assert paused.remaining_seconds(NOV2 + timedelta(hours=30)) is None

    now = datetime(2026, 11, 5, 16, 0, tzinfo=UTC)
    s = statuses(BREACHED_THEN_PAUSED, now)[0]
    assert s.state is ClockState.BREACHED
    assert s.deadline == datetime(2026, 11, 4, 18, 0, tzinfo=UTC)
    assert s.remaining_seconds(now) == -79200
    assert s.reroute_at == datetime(2026, 11, 4, 22, 0, tzinfo=UTC)


def test_a_breached_decision_taken_through_needs_info_and_reassignment_stays_missed() -> None:
    events = [*BREACHED_THEN_PAUSED[:2], at(30, EventKind.REASSIGNED, to="ben")]
    first, second = statuses(events, NOV2 + timedelta(hours=31))
    assert (first.rep, first.state) == ("ana", ClockState.MISSED)
    assert (second.rep, second.state, second.time_left_seconds) == ("ben", ClockState.PAUSED, 4 * 3600)


def test_a_decision_handed_over_in_time_is_neither_met_nor_missed() -> None:
    # hot: 4 elapsed hours; a team lead gives ana's lead to ben after 1 hour
    first, second = statuses([ASSIGN_NOV2, at(1, EventKind.REASSIGNED, to="ben")], NOV2 + timedelta(hours=2))
    assert (first.rep, first.state, first.reroute_at) == ("ana", ClockState.ENDED, None)
    assert not first.is_open
    assert (second.rep, second.state) == ("ben", ClockState.RUNNING)


def test_the_crm_closing_a_lead_in_time_ends_its_clocks_and_late_misses_them() -> None:
    closed = at(1, EventKind.CLOSED_IN_CRM, status="Closed - Converted")
    (in_time,) = statuses([ASSIGN_NOV2, closed], NOV2 + timedelta(hours=2))
    assert in_time.state is ClockState.ENDED
    late = at(5, EventKind.CLOSED_IN_CRM, status="Closed - Converted")
    (overdue,) = statuses([ASSIGN_NOV2, late], NOV2 + timedelta(hours=6))
    assert overdue.state is ClockState.MISSED


def test_a_decision_the_rep_made_in_time_is_met() -> None:
    (decided,) = statuses([ASSIGN_NOV2, at(1, EventKind.REJECTED, reason="R1")], NOV2 + timedelta(hours=2))
    assert decided.state is ClockState.MET


def test_a_working_time_clock_keeps_its_overdue_working_time_through_a_pause() -> None:
    p = Policy.model_validate({"windows": {"decision_hot": {"window": "4h", "measure": "working"}}})
    # Mon 09:00 EST + 4 working hours = 13:00; paused Tue 10:00 = 5 working hours overdue
    events = [ASSIGN_NOV2, at(25, EventKind.NEEDS_INFO, missing=["intent"], note="n")]
    paused = statuses(events, NOV2 + timedelta(hours=26), p)[0]
    assert paused.time_left_seconds == -5 * 3600
    # back on Thursday 11:00 EST: the deadline is 5 working hours before then, Wed 14:00 EST
    events.append(
        Event(kind=EventKind.RETURNED_FROM_MARKETING, actor="mk", at=datetime(2026, 11, 5, 16, 0, tzinfo=UTC))
    )
    s = statuses(events, datetime(2026, 11, 5, 17, 0, tzinfo=UTC), p)[0]
    assert s.deadline == datetime(2026, 11, 4, 19, 0, tzinfo=UTC)
    assert s.state is ClockState.BREACHED
    assert s.left_seconds == -6 * 3600


# -- at risk from the earliest moment ------------------------------------------------


def test_at_risk_from_friday_close_when_only_monday_morning_is_left() -> None:
    """Mon-Fri 09-17 New York, 4 working hours, lead on Friday 14:00: at 17:00 one hour is left."""
    p = Policy.model_validate({"windows": {"decision_hot": {"window": "4h", "measure": "working"}}})
    friday = Event(
        kind=EventKind.ASSIGNED,
        actor="import",
        at=datetime(2026, 11, 20, 19, 0, tzinfo=UTC),
        payload={"rep": "ana"},
    )
    saturday = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
    s = statuses([friday], saturday, p)[0]
    assert s.deadline == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 10:00 EST
    assert s.at_risk_at == datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # Friday 17:00 EST
    assert s.state is ClockState.AT_RISK


# -- DST: a span starts at the first instant the clock reads its start --------------


def test_a_span_starting_inside_the_spring_forward_gap_starts_at_the_jump() -> None:
    """London 01:30-09:00 on 2026-03-29: the clock jumps from 01:00 GMT to 02:00 BST."""
    c = cal("Europe/London", {6: [(90, 540)]})
    day = date(2026, 3, 29)
    assert c.day_intervals(day) == [
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 3, 29, 8, 0, tzinfo=UTC))
    ]
    assert c.working_seconds(datetime(2026, 3, 29, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC)) == 7 * 3600


def test_a_span_in_the_autumn_fold_runs_from_the_first_reading_of_its_start() -> None:
    """London 01:30-09:00 on 2026-10-25: 01:30 happens twice; work starts at the first."""
    c = cal("Europe/London", {6: [(90, 540)]})
    assert c.day_intervals(date(2026, 10, 25)) == [
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 9, 0, tzinfo=UTC))
    ]


def test_two_days_of_working_time_are_refused_as_ambiguous() -> None:
    with pytest.raises(ValueError, match="2bd"):
        Policy.model_validate({"windows": {"decision_low": {"window": "2d", "measure": "working"}}})
    assert (
        Policy.model_validate({"windows": {"decision_low": {"window": "2d"}}}).windows.decision_low.window
        == "2d"
    )


def test_a_day_whose_only_span_the_clock_skips_is_no_business_day() -> None:
    """Santiago springs forward at midnight on 2026-09-06: a 00:00-00:30 span never happens."""
    c = cal("America/Santiago", {6: [(0, 30)], 0: [(540, 1020)]})
    assert c.day_intervals(date(2026, 9, 6)) == []
    assert not c.is_working_day(date(2026, 9, 6))
    start = datetime(2026, 9, 6, 3, 59, 59, tzinfo=UTC)  # Saturday 23:59:59 there
    assert c.add_business_days(start, 1) == datetime(2026, 9, 7, 20, 0, tzinfo=UTC)  # Monday 17:00 -03
