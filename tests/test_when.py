"""Reading the times a rep types: ISO, relative offsets, day words, weekdays, clock times, DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from leadqueue.domain.when import WEEKDAYS, WhenError, describe, parse_when

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
# Sunday 22 Nov 2026, 16:00 CET.
NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)

ZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Santiago",
    "America/St_Johns",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
)
EXAMPLES = "use e.g. 'tomorrow 10:00', '+2h', 'fri 14:30' or '2026-11-25 10:00'"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def when(text: str, now: datetime = NOW, zone: ZoneInfo = BERLIN) -> datetime:
    result = parse_when(text, now, zone)
    assert result.tzinfo is UTC
    return result


# -- concrete cases: Europe/Berlin, Sunday 22 Nov 2026 16:00 CET ------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("  NOW ", NOW),
        ("today", NOW),
        ("+2h", utc(2026, 11, 22, 17, 0)),
        ("+30m", utc(2026, 11, 22, 15, 30)),
        ("+90s", utc(2026, 11, 22, 15, 1, 30)),
        ("+1d", utc(2026, 11, 23, 15, 0)),
        ("+1w", utc(2026, 11, 29, 15, 0)),
        ("+1h30m", utc(2026, 11, 22, 16, 30)),
        ("+1h 30m", utc(2026, 11, 22, 16, 30)),
        ("+ 2 h", utc(2026, 11, 22, 17, 0)),
        ("+1.5h", utc(2026, 11, 22, 16, 30)),
        ("+0m", NOW),
        ("in 2h", utc(2026, 11, 22, 17, 0)),
        ("In 3 Days", utc(2026, 11, 25, 15, 0)),
        ("in 1 hour 30 minutes", utc(2026, 11, 22, 16, 30)),
        ("in 45 mins", utc(2026, 11, 22, 15, 45)),
        ("-1h", utc(2026, 11, 22, 14, 0)),
        ("-2d", utc(2026, 11, 20, 15, 0)),
        ("2h ago", utc(2026, 11, 22, 13, 0)),
        ("3 days ago", utc(2026, 11, 19, 15, 0)),
    ],
)
def test_now_and_relative_offsets(text: str, expected: datetime) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today 16:00", utc(2026, 11, 22, 15, 0)),
        ("today 10:00", utc(2026, 11, 22, 9, 0)),  # explicit "today": kept even though it has passed
        ("today 18:30", utc(2026, 11, 22, 17, 30)),
        ("tomorrow", utc(2026, 11, 23, 8, 0)),  # 09:00 local
        ("tomorrow 10:00", utc(2026, 11, 23, 9, 0)),
        ("Tomorrow   at 2pm", utc(2026, 11, 23, 13, 0)),
        ("10am tomorrow", utc(2026, 11, 23, 9, 0)),
        ("tomorrow midnight", utc(2026, 11, 22, 23, 0)),
        ("tomorrow noon", utc(2026, 11, 23, 11, 0)),
        ("yesterday", utc(2026, 11, 21, 8, 0)),
        ("yesterday 17:30", utc(2026, 11, 21, 16, 30)),
    ],
)
def test_day_words(text: str, expected: datetime) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon", utc(2026, 11, 23, 8, 0)),
        ("monday", utc(2026, 11, 23, 8, 0)),
        ("tues 11:00", utc(2026, 11, 24, 10, 0)),
        ("wed", utc(2026, 11, 25, 8, 0)),
        ("THU 8am", utc(2026, 11, 26, 7, 0)),
        ("fri 14:30", utc(2026, 11, 27, 13, 30)),
        ("friday 9am", utc(2026, 11, 27, 8, 0)),
        ("fri at 9:30pm", utc(2026, 11, 27, 20, 30)),
        ("sat", utc(2026, 11, 28, 8, 0)),
        # Today is Sunday, 16:00 local.
        ("sun 17:00", utc(2026, 11, 22, 16, 0)),  # still ahead today
        ("Sunday 9:30PM", utc(2026, 11, 22, 20, 30)),
        ("sun 16:00", utc(2026, 11, 29, 15, 0)),  # exactly now is not ahead: next week
        ("sun 15:59", utc(2026, 11, 29, 14, 59)),
        ("sun", utc(2026, 11, 29, 8, 0)),  # 09:00 has passed
    ],
)
def test_weekdays(text: str, expected: datetime) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16:30", utc(2026, 11, 22, 15, 30)),  # still ahead today
        ("16:00", utc(2026, 11, 23, 15, 0)),  # exactly now: tomorrow
        ("15:00", utc(2026, 11, 23, 14, 0)),  # passed: tomorrow
        ("9:05", utc(2026, 11, 23, 8, 5)),
        ("09:05:30", utc(2026, 11, 23, 8, 5, 30)),
        ("9am", utc(2026, 11, 23, 8, 0)),
        ("9 AM", utc(2026, 11, 23, 8, 0)),
        ("9:30pm", utc(2026, 11, 22, 20, 30)),
        ("12am", utc(2026, 11, 22, 23, 0)),  # 00:00 tomorrow local
        ("12:15am", utc(2026, 11, 22, 23, 15)),
        ("12pm", utc(2026, 11, 23, 11, 0)),  # 12:00, passed today
        ("12:30pm", utc(2026, 11, 23, 11, 30)),
        ("noon", utc(2026, 11, 23, 11, 0)),
        ("midnight", utc(2026, 11, 22, 23, 0)),
        ("at 17:00", utc(2026, 11, 22, 16, 0)),
    ],
)
def test_bare_times(text: str, expected: datetime) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-25T10:00:00Z", utc(2026, 11, 25, 10, 0)),
        ("2026-11-25t10:00:00z", utc(2026, 11, 25, 10, 0)),
        ("2026-11-25 10:00:00Z", utc(2026, 11, 25, 10, 0)),
        ("2026-11-25T10:00+01:00", utc(2026, 11, 25, 9, 0)),
        ("2026-11-25 10:00+01:00", utc(2026, 11, 25, 9, 0)),
        ("2026-11-25 10:00 +01:00", utc(2026, 11, 25, 9, 0)),
        ("2026-11-25T10:00-0530", utc(2026, 11, 25, 15, 30)),
        ("2026-11-25T10:00+01", utc(2026, 11, 25, 9, 0)),
        ("2026-11-25T10:00:00.250Z", datetime(2026, 11, 25, 10, 0, 0, 250_000, tzinfo=UTC)),
        # Without an offset: wall-clock time in the rep's zone.
        ("2026-11-25 10:00", utc(2026, 11, 25, 9, 0)),
        ("2026-11-25T10:00:00", utc(2026, 11, 25, 9, 0)),
        ("2026-11-25 9:00", utc(2026, 11, 25, 8, 0)),
        ("2026-07-01 10:00", utc(2026, 7, 1, 8, 0)),  # CEST in summer
        ("2026-11-25", utc(2026, 11, 24, 23, 0)),  # 00:00 local
        ("2028-02-29", utc(2028, 2, 28, 23, 0)),  # leap day
    ],
)
def test_iso(text: str, expected: datetime) -> None:
    assert when(text) == expected


def test_result_is_utc_even_when_now_is_given_in_another_offset() -> None:
    now = NOW.astimezone(timezone(timedelta(hours=-5)))
    assert parse_when("+1h", now, BERLIN) == utc(2026, 11, 22, 16, 0)
    assert parse_when("+1h", now, BERLIN).tzinfo is UTC


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_when("+1h", datetime(2026, 11, 22, 15, 0), BERLIN)


# -- DST: America/New_York ---------------------------------------------------------------
# 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC); 2026-11-01 02:00 EDT -> 01:00 EST (06:00 UTC).

SAT_BEFORE_SPRING = utc(2026, 3, 7, 20, 0)  # Sat 15:00 EST
SAT_BEFORE_FALL = utc(2026, 10, 31, 19, 0)  # Sat 15:00 EDT


def test_spring_forward_gap_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist; read with the pre-gap offset (EST): 07:30 UTC = 03:30 EDT.
    assert when("2026-03-08 02:30", zone=NEW_YORK) == utc(2026, 3, 8, 7, 30)
    assert when("tomorrow 2:30am", SAT_BEFORE_SPRING, NEW_YORK) == utc(2026, 3, 8, 7, 30)
    assert when("sun 02:00", SAT_BEFORE_SPRING, NEW_YORK) == utc(2026, 3, 8, 7, 0)
    assert describe(utc(2026, 3, 8, 7, 30), NEW_YORK, SAT_BEFORE_SPRING).startswith("Sun 8 Mar 03:30 EDT")


def test_wall_clock_forms_follow_the_new_offset_after_spring_forward() -> None:
    assert when("tomorrow 10:00", SAT_BEFORE_SPRING, NEW_YORK) == utc(2026, 3, 8, 14, 0)  # EDT
    assert when("sun 10:00", SAT_BEFORE_SPRING, NEW_YORK) == utc(2026, 3, 8, 14, 0)
    assert when("2026-03-08 01:59", zone=NEW_YORK) == utc(2026, 3, 8, 6, 59)  # still EST
    assert when("2026-03-08 03:00", zone=NEW_YORK) == utc(2026, 3, 8, 7, 0)


def test_relative_offsets_are_elapsed_time_not_wall_clock() -> None:
    # 24 elapsed hours after Sat 15:00 EST is Sun 16:00 EDT, not 15:00.
    assert when("+1d", SAT_BEFORE_SPRING, NEW_YORK) == utc(2026, 3, 8, 20, 0)
    assert when("+24h", SAT_BEFORE_SPRING, NEW_YORK) == SAT_BEFORE_SPRING + timedelta(hours=24)
    # ...and after Sat 15:00 EDT in autumn it is Sun 14:00 EST.
    assert when("in 1 day", SAT_BEFORE_FALL, NEW_YORK) == utc(2026, 11, 1, 19, 0)
    assert when("tomorrow 15:00", SAT_BEFORE_FALL, NEW_YORK) == utc(2026, 11, 1, 20, 0)


def test_fall_back_ambiguous_time_takes_first_occurrence() -> None:
    assert when("2026-11-01 01:30", zone=NEW_YORK) == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert when("tomorrow 1:30am", SAT_BEFORE_FALL, NEW_YORK) == utc(2026, 11, 1, 5, 30)
    # An explicit offset picks the second one.
    assert when("2026-11-01 01:30-05:00", zone=NEW_YORK) == utc(2026, 11, 1, 6, 30)
    assert when("tomorrow 10:00", SAT_BEFORE_FALL, NEW_YORK) == utc(2026, 11, 1, 15, 0)  # EST


def test_bare_time_between_the_two_occurrences_goes_to_tomorrow() -> None:
    between = utc(2026, 11, 1, 6, 10)  # 01:10 EST, the second 01:10 of the night
    # 01:30 today reads as 01:30 EDT (05:30 UTC), which has passed.
    assert when("1:30am", between, NEW_YORK) == utc(2026, 11, 2, 6, 30)


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "'2026-02-30': day must be 1-28 in February 2026"),
        ("2027-02-29", "'2027-02-29': day must be 1-28 in February 2027"),
        ("2026-04-31 10:00", "'2026-04-31 10:00': day must be 1-30 in April 2026"),
        ("2026-12-32", "'2026-12-32': day must be 1-31 in December 2026"),
        ("2026-11-00", "'2026-11-00': day must be 1-30 in November 2026"),
        ("2026-13-01", "'2026-13-01': month must be 1-12"),
        ("2026-00-10", "'2026-00-10': month must be 1-12"),
        ("0000-01-01", "'0000-01-01': year must be 1-9999"),
        ("2026-11-25 25:00", "'2026-11-25 25:00': hour must be 0-23"),
        ("2026-11-25T10:60Z", "'2026-11-25T10:60Z': minute must be 0-59"),
        ("2026-11-25T10:00:61Z", "'2026-11-25T10:00:61Z': second must be 0-59"),
        ("2026-11-25T10:00+24:00", "'2026-11-25T10:00+24:00': offset hours must be 0-23"),
        ("fri 25:00", "'fri 25:00': hour must be 0-23"),
        ("24:00", "'24:00': hour must be 0-23"),
        ("9:75", "'9:75': minute must be 0-59"),
        ("tomorrow 13pm", "'tomorrow 13pm': hour must be 1-12 with am/pm"),
        ("0am", "'0am': hour must be 1-12 with am/pm"),
        ("+99999999999d", "'+99999999999d' is too far from now"),
        ("9999-12-31 23:00+00:00", None),  # fine: the last representable hour
        ("9999-12-31 23:00-05:00", "'9999-12-31 23:00-05:00' is out of range"),
    ],
)
def test_impossible_values_name_the_problem(text: str, message: str | None) -> None:
    if message is None:
        when(text)
        return
    with pytest.raises(WhenError) as info:
        when(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "text",
    [
        "xyz",
        "next week",
        "+",
        "+2",
        "2h",
        "+1mo",
        "in",
        "in -2h",
        "-2h ago",
        "fri 9",
        "9",
        "tomorrow tomorrow",
        "2026-11-25T",
        "2026-11-25 10",
        "25/11/2026",
        "2026-1-5",
        "friyay 10:00",
        "now now",
        "+2h tomorrow",
        "mon 10:00 tue",
        "1e5h",
        "+1e5h",
        "todayy",
    ],
)
def test_garbage_lists_the_accepted_forms(text: str) -> None:
    with pytest.raises(WhenError) as info:
        when(text)
    assert str(info.value) == f"could not read {text!r} as a time: {EXAMPLES}"


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_input(text: str) -> None:
    with pytest.raises(WhenError, match="no time given"):
        when(text)


def test_when_error_is_a_value_error_and_long_input_is_cut_in_the_message() -> None:
    with pytest.raises(ValueError, match="could not read") as info:
        when("x" * 500)
    assert len(str(info.value)) < 200


# -- describe ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dt", "now", "expected"),
    [
        (utc(2026, 11, 25, 9, 0), utc(2026, 11, 25, 6, 55), "Wed 25 Nov 10:00 CET (in 2h 5m)"),
        (utc(2026, 11, 22, 12, 0), NOW, "Sun 22 Nov 13:00 CET (3h ago)"),
        (NOW, NOW, "Sun 22 Nov 16:00 CET (now)"),
        (NOW + timedelta(seconds=30), NOW, "Sun 22 Nov 16:00 CET (in 30s)"),
        (NOW + timedelta(minutes=45, seconds=59), NOW, "Sun 22 Nov 16:45 CET (in 45m)"),
        (NOW + timedelta(days=2, hours=3, minutes=10), NOW, "Tue 24 Nov 19:10 CET (in 2d 3h)"),
        (NOW + timedelta(days=2, minutes=10), NOW, "Tue 24 Nov 16:10 CET (in 2d)"),
        (utc(2026, 7, 1, 8, 0), NOW, "Wed 1 Jul 10:00 CEST (144d 7h ago)"),
        (utc(2027, 1, 4, 8, 0), NOW, "Mon 4 Jan 2027 09:00 CET (in 42d 17h)"),
    ],
)
def test_describe(dt: datetime, now: datetime, expected: str) -> None:
    assert describe(dt, BERLIN, now) == expected


def test_describe_in_new_york() -> None:
    assert (
        describe(utc(2026, 11, 20, 20, 0), NEW_YORK, utc(2026, 11, 20, 19, 0))
        == "Fri 20 Nov 15:00 EST (in 1h)"
    )


def test_describe_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        describe(datetime(2026, 11, 25, 10, 0), BERLIN, NOW)


# -- properties --------------------------------------------------------------------------

zones = st.sampled_from(ZONES).map(ZoneInfo)
instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
)
walls = st.times().map(lambda t: t.replace(second=0, microsecond=0))


def spell_time(wall: time, twelve_hour: bool) -> str:
    if not twelve_hour:
        return f"{wall:%H:%M}"
    hour = wall.hour % 12 or 12
    return f"{hour}:{wall.minute:02d}{'am' if wall.hour < 12 else 'pm'}"


def exists(local: datetime, zone: ZoneInfo) -> bool:
    """Whether the wall-clock time occurs in the zone (is not in a spring-forward gap)."""
    aware = local.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


@given(now=instants, zone=zones, hours=st.integers(min_value=-50_000, max_value=50_000))
@example(now=SAT_BEFORE_SPRING, zone=NEW_YORK, hours=24)
@example(now=SAT_BEFORE_FALL, zone=NEW_YORK, hours=24)
def test_relative_hours_are_utc_elapsed_time(now: datetime, zone: ZoneInfo, hours: int) -> None:
    expected = now + timedelta(hours=hours)
    signed = f"+{hours}h" if hours >= 0 else f"-{-hours}h"
    assert parse_when(signed, now, zone) == expected
    if hours >= 0:
        assert parse_when(f"in {hours} hours", now, zone) == expected
        assert parse_when(f"{hours}h ago", now, zone) == now - timedelta(hours=hours)


@given(now=instants, zone=zones, hours=st.integers(0, 1000), minutes=st.integers(0, 59))
def test_relative_hours_and_minutes(now: datetime, zone: ZoneInfo, hours: int, minutes: int) -> None:
    assert parse_when(f"+{hours}h{minutes}m", now, zone) == now + timedelta(hours=hours, minutes=minutes)


@given(
    now=instants,
    zone=zones,
    name=st.sampled_from(sorted(WEEKDAYS)),
    wall=st.none() | walls,
    twelve_hour=st.booleans(),
)
def test_weekday_lands_on_that_weekday_after_now(
    now: datetime, zone: ZoneInfo, name: str, wall: time | None, twelve_hour: bool
) -> None:
    text = name if wall is None else f"{name} {spell_time(wall, twelve_hour)}"
    result = parse_when(text, now, zone)
    assert result.tzinfo is UTC
    local = result.astimezone(zone)
    today = now.astimezone(zone).date()
    assert local.weekday() == WEEKDAYS[name]
    assert result > now
    assert 0 <= (local.date() - today).days <= 7
    if local.date() == today:  # only when the time today is still ahead
        assert result > now
    intended = datetime.combine(local.date(), wall or time(9, 0))
    if exists(intended, zone):
        assert local.replace(tzinfo=None) == intended


@given(now=instants, zone=zones, wall=walls, twelve_hour=st.booleans())
def test_bare_time_is_the_next_occurrence(
    now: datetime, zone: ZoneInfo, wall: time, twelve_hour: bool
) -> None:
    result = parse_when(spell_time(wall, twelve_hour), now, zone)
    local = result.astimezone(zone)
    today = now.astimezone(zone).date()
    assert result > now
    assert (local.date() - today).days in (0, 1)
    assert result - now <= timedelta(hours=26)
    intended = datetime.combine(local.date(), wall)
    if exists(intended, zone):
        assert local.replace(tzinfo=None) == intended


@given(
    dt=st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from(
            [
                UTC,
                timezone(timedelta(hours=1)),
                timezone(timedelta(hours=-5, minutes=-30)),
                timezone(timedelta(hours=14)),
            ]
        ),
    ),
    sep=st.sampled_from(["T", " "]),
)
def test_iso_with_offset_round_trips(dt: datetime, sep: str) -> None:
    assert parse_when(dt.isoformat(sep), NOW, BERLIN) == dt


@given(local=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31)), zone=zones)
def test_iso_without_offset_is_wall_clock_in_zone(local: datetime, zone: ZoneInfo) -> None:
    result = parse_when(local.isoformat(), NOW, zone)
    if exists(local, zone):
        assert result.astimezone(zone).replace(tzinfo=None) == local
    else:  # gap: moved forward, by less than a couple of hours
        assert timedelta(0) < result.astimezone(zone).replace(tzinfo=None) - local <= timedelta(hours=2)


forms = st.one_of(
    st.just("now"),
    st.just("today"),
    st.just("tomorrow"),
    st.just("yesterday"),
    st.integers(0, 10_000).map(lambda n: f"+{n}m"),
    st.integers(0, 10_000).map(lambda n: f"-{n}s"),
    st.integers(0, 400).map(lambda n: f"in {n} days"),
    st.builds(
        lambda d, t, h: f"{d} {spell_time(t, h)}",
        st.sampled_from([*WEEKDAYS, "today", "tomorrow", "yesterday"]),
        walls,
        st.booleans(),
    ),
    st.builds(spell_time, walls, st.booleans()),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31)).map(str),
    st.dates(min_value=datetime(1990, 1, 1).date(), max_value=datetime(2060, 12, 31).date()).map(str),
)


def random_case(text: str, data: st.DataObject) -> str:
    flips = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if f else c for c, f in zip(text, flips, strict=True))


@given(now=instants, zone=zones, text=forms, data=st.data())
def test_accepted_forms_give_aware_utc_regardless_of_case_and_padding(
    now: datetime, zone: ZoneInfo, text: str, data: st.DataObject
) -> None:
    result = parse_when(text, now, zone)
    assert result.tzinfo is UTC
    assert result.utcoffset() == timedelta(0)
    assert parse_when(f"  {random_case(text, data)}\t", now, zone) == result


@given(
    text=st.text(max_size=40) | st.text(alphabet="0123456789:+-. TtZzapmhdsinowfrueby", max_size=25),
    now=instants,
    zone=zones,
)
def test_any_text_gives_aware_utc_or_when_error(text: str, now: datetime, zone: ZoneInfo) -> None:
    try:
        result = parse_when(text, now, zone)
    except WhenError as err:
        assert str(err)
    else:
        assert result.tzinfo is UTC
