"""leadqueue.io.timestamps: every shape CRM exports write, day-first detection, and the
promise that a cell never ends an import with anything but a TimestampError."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from leadqueue.io.timestamps import (
    DATE_ORDERS,
    DateOrder,
    DateOrderEvidence,
    TimestampError,
    TimestampParser,
    order_from_samples_or,
    resolution,
    survey_date_order,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")  # +05:30 today, +05:53:20 before 1941: odd offsets


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def parse(text: str, zone: ZoneInfo = NY, order: DateOrder = "mdy") -> datetime:
    return TimestampParser(zone, order)(text)


# ------------------------------------------------------------------ accepted shapes

# New York is UTC-5 in winter, UTC-4 in summer; Berlin UTC+1 and UTC+2.
SHAPES = [
    # Salesforce API / Workbench: offset written, the zone does not matter
    ("2022-01-10T13:49:58.000Z", NY, "mdy", utc(2022, 1, 10, 13, 49, 58)),
    ("2022-01-10T13:49:58.000Z", BERLIN, "dmy", utc(2022, 1, 10, 13, 49, 58)),
    ("2022-01-10T13:49:58.000+0000", NY, "mdy", utc(2022, 1, 10, 13, 49, 58)),
    ("2022-01-10T13:49:58.250+0000", BERLIN, "dmy", utc(2022, 1, 10, 13, 49, 58, 250000)),
    ("2022-01-10T13:49:58+00:00", NY, "mdy", utc(2022, 1, 10, 13, 49, 58)),
    ("2024-07-15T09:30:00-05", BERLIN, "mdy", utc(2024, 7, 15, 14, 30)),
    ("2024-07-15T09:30:00+02:00", NY, "mdy", utc(2024, 7, 15, 7, 30)),
    ("2024-07-15T09:30:00+0530", NY, "mdy", utc(2024, 7, 15, 4)),
    ("2024-01-31T14:03:00.123456789Z", NY, "mdy", utc(2024, 1, 31, 14, 3, 0, 123456)),
    ("2024-01-31 14:03:00 UTC", BERLIN, "mdy", utc(2024, 1, 31, 14, 3)),
    ("  2024-01-31T14:03:00Z \t", NY, "mdy", utc(2024, 1, 31, 14, 3)),
    # Salesforce Data Export: no offset, wall time in the zone the caller chose
    ("2018-10-13 17:16:45", NY, "mdy", utc(2018, 10, 13, 21, 16, 45)),
    ("2018-10-13 17:16:45", BERLIN, "mdy", utc(2018, 10, 13, 15, 16, 45)),
    ("2018-01-13 17:16:45", NY, "mdy", utc(2018, 1, 13, 22, 16, 45)),
    ("2018-01-13 17:16:45", BERLIN, "mdy", utc(2018, 1, 13, 16, 16, 45)),
    # HubSpot
    ("2024-01-31 14:03", NY, "mdy", utc(2024, 1, 31, 19, 3)),
    ("2024-07-31 14:03", NY, "mdy", utc(2024, 7, 31, 18, 3)),
    ("2024-01-31 14:03", BERLIN, "dmy", utc(2024, 1, 31, 13, 3)),
    ("2024-07-31 14:03", BERLIN, "dmy", utc(2024, 7, 31, 12, 3)),
    ("2024-01-31", NY, "mdy", utc(2024, 1, 31, 5)),
    ("2024-01-31", BERLIN, "mdy", utc(2024, 1, 30, 23)),
    ("2024-07-31", BERLIN, "mdy", utc(2024, 7, 30, 22)),
    ("2024-01-31 2:03 PM", NY, "dmy", utc(2024, 1, 31, 19, 3)),
    # Salesforce report M/D/YY h:mm (two-digit years are 20YY)
    ("1/31/24 2:03", NY, "mdy", utc(2024, 1, 31, 7, 3)),
    ("7/31/24 14:03", NY, "mdy", utc(2024, 7, 31, 18, 3)),
    ("1/31/99 2:03", NY, "mdy", utc(2099, 1, 31, 7, 3)),
    # US Excel: M/D/YYYY h:mm AM/PM, any spelling of the half
    ("1/31/2024 2:03 PM", NY, "mdy", utc(2024, 1, 31, 19, 3)),
    ("7/31/2024 2:03 PM", NY, "mdy", utc(2024, 7, 31, 18, 3)),
    ("1/31/2024 2:03 pm", NY, "mdy", utc(2024, 1, 31, 19, 3)),
    ("1/31/2024 2:03 p.m.", NY, "mdy", utc(2024, 1, 31, 19, 3)),
    ("1/31/2024 2:03PM", NY, "mdy", utc(2024, 1, 31, 19, 3)),
    ("1/31/2024 02:03:09.5 PM", NY, "mdy", utc(2024, 1, 31, 19, 3, 9, 500000)),
    ("12/31/2024 12:03 AM", NY, "mdy", utc(2024, 12, 31, 5, 3)),
    ("12/31/2024 12:03 a.m.", NY, "mdy", utc(2024, 12, 31, 5, 3)),
    ("12/31/2024 12:03 PM", NY, "mdy", utc(2024, 12, 31, 17, 3)),
    ("01/31/2024", NY, "mdy", utc(2024, 1, 31, 5)),
    # EU / DE Excel, and the issue's own day-first examples
    ("31/01/2024 14:03", BERLIN, "dmy", utc(2024, 1, 31, 13, 3)),
    ("31/07/2024 14:03", BERLIN, "dmy", utc(2024, 7, 31, 12, 3)),
    ("31/01/2024 14:03", NY, "dmy", utc(2024, 1, 31, 19, 3)),
    ("31/01/2024", BERLIN, "dmy", utc(2024, 1, 30, 23)),
    ("31.01.2024 14:03", BERLIN, "dmy", utc(2024, 1, 31, 13, 3)),
    ("31.07.2024 14:03:27", BERLIN, "dmy", utc(2024, 7, 31, 12, 3, 27)),
    ("31.01.2024", BERLIN, "dmy", utc(2024, 1, 30, 23)),
    ("28-6-2018", BERLIN, "dmy", utc(2018, 6, 27, 22)),
    ("28-6-2018", NY, "dmy", utc(2018, 6, 28, 4)),
    # year-first numeric dates read the same whatever the order
    ("2024/01/31 14:03", NY, "mdy", utc(2024, 1, 31, 19, 3)),
    ("2024/01/31 14:03", NY, "dmy", utc(2024, 1, 31, 19, 3)),
    ("2024.1.3", BERLIN, "dmy", utc(2024, 1, 2, 23)),
    ("24/01/31", NY, "ymd", utc(2024, 1, 31, 5)),
    # Zoho and other month-name shapes
    ("15 Apr, 2021 00:03:00", NY, "mdy", utc(2021, 4, 15, 4, 3)),
    ("15 Apr, 2021 00:03:00", BERLIN, "dmy", utc(2021, 4, 14, 22, 3)),
    ("15 Jan, 2021 00:03:00", NY, "dmy", utc(2021, 1, 15, 5, 3)),
    ("15 Jan, 2021 00:03:00", BERLIN, "mdy", utc(2021, 1, 14, 23, 3)),
    ("Apr 15, 2021 12:03 AM", NY, "mdy", utc(2021, 4, 15, 4, 3)),
    ("Apr 15, 2021 12:03 AM", BERLIN, "dmy", utc(2021, 4, 14, 22, 3)),
    ("15-Apr-2021", NY, "mdy", utc(2021, 4, 15, 4)),
    ("15-apr-21", NY, "mdy", utc(2021, 4, 15, 4)),
    ("April 15, 2021", NY, "dmy", utc(2021, 4, 15, 4)),
    ("Sept 3, 2021 4:05 PM", NY, "mdy", utc(2021, 9, 3, 20, 5)),
    ("3 December 2021 16:05", BERLIN, "mdy", utc(2021, 12, 3, 15, 5)),
    # the edges of the accepted years
    ("1900-01-01 00:00", NY, "mdy", utc(1900, 1, 1, 5)),
    ("2200-12-31 18:59:59", NY, "mdy", utc(2200, 12, 31, 23, 59, 59)),
    ("2200-12-30T00:00:00-23:59", NY, "mdy", utc(2200, 12, 30, 23, 59)),
]


@pytest.mark.parametrize(("text", "zone", "order", "expected"), SHAPES)
def test_every_accepted_shape_gives_its_utc_instant(
    text: str, zone: ZoneInfo, order: DateOrder, expected: datetime
) -> None:
    got = TimestampParser(zone, order)(text)
    assert got == expected
    assert got.tzinfo is UTC


# DST: both sides of each change, the missing hour and the repeated hour.
DST = [
    # New York springs forward 2024-03-10 02:00 EST -> 03:00 EDT
    ("3/10/2024 1:59", NY, utc(2024, 3, 10, 6, 59)),
    ("3/10/2024 3:00", NY, utc(2024, 3, 10, 7, 0)),
    ("2024-03-10 01:59", NY, utc(2024, 3, 10, 6, 59)),
    ("2024-03-10 03:00", NY, utc(2024, 3, 10, 7, 0)),
    # ... and falls back 2024-11-03 02:00 EDT -> 01:00 EST
    ("11/3/2024 0:59", NY, utc(2024, 11, 3, 4, 59)),
    ("11/3/2024 2:00", NY, utc(2024, 11, 3, 7, 0)),
    # Berlin: 2024-03-31 02:00 CET -> 03:00 CEST, 2024-10-27 03:00 CEST -> 02:00 CET
    ("31.03.2024 01:59", BERLIN, utc(2024, 3, 31, 0, 59)),
    ("31.03.2024 03:00", BERLIN, utc(2024, 3, 31, 1, 0)),
    ("27.10.2024 01:59", BERLIN, utc(2024, 10, 26, 23, 59)),
    ("27.10.2024 03:00", BERLIN, utc(2024, 10, 27, 2, 0)),
]


@pytest.mark.parametrize(("text", "zone", "expected"), DST)
def test_both_sides_of_a_dst_change(text: str, zone: ZoneInfo, expected: datetime) -> None:
    order: DateOrder = "dmy" if "." in text else "mdy"
    assert parse(text, zone, order) == expected


@pytest.mark.parametrize(
    ("text", "zone", "order", "expected"),
    [
        ("11/3/2024 1:30", NY, "mdy", utc(2024, 11, 3, 5, 30)),  # 01:30 EDT, not 06:30 (EST)
        ("2024-11-03 01:30", NY, "mdy", utc(2024, 11, 3, 5, 30)),
        ("27.10.2024 02:30", BERLIN, "dmy", utc(2024, 10, 27, 0, 30)),  # 02:30 CEST, not 01:30 (CET)
        ("2024-10-27T02:30:00", BERLIN, "dmy", utc(2024, 10, 27, 0, 30)),
    ],
)
def test_a_repeated_wall_time_is_its_first_occurrence(
    text: str, zone: ZoneInfo, order: DateOrder, expected: datetime
) -> None:
    assert parse(text, zone, order) == expected


@pytest.mark.parametrize(
    ("text", "zone", "order", "expected"),
    [
        # zoneinfo's default for a missing wall time: the offset before the jump
        ("3/10/2024 2:30", NY, "mdy", utc(2024, 3, 10, 7, 30)),  # 02:30 EST = 03:30 EDT
        ("2024-03-10 02:30", NY, "mdy", utc(2024, 3, 10, 7, 30)),
        ("31.03.2024 02:30", BERLIN, "dmy", utc(2024, 3, 31, 1, 30)),  # 02:30 CET = 03:30 CEST
        ("2024-03-31T02:30", BERLIN, "dmy", utc(2024, 3, 31, 1, 30)),
    ],
)
def test_a_missing_wall_time_is_read_with_the_offset_before_the_jump(
    text: str, zone: ZoneInfo, order: DateOrder, expected: datetime
) -> None:
    assert parse(text, zone, order) == expected


# ------------------------------------------------------------------ the order


def test_the_order_decides_an_ambiguous_date() -> None:
    assert parse("01/02/2024", NY, "mdy") == utc(2024, 1, 2, 5)
    assert parse("01/02/2024", NY, "dmy") == utc(2024, 2, 1, 5)
    assert parse("24/02/01", NY, "ymd") == utc(2024, 2, 1, 5)


def test_an_override_wins_over_what_the_file_says() -> None:
    samples = ["31/01/2024", "01/02/2024"]
    assert survey_date_order(samples).order == "dmy"
    # --date-order mdy: the caller builds the parser with it; 31/01 then fails on its own row
    parser = TimestampParser(NY, "mdy")
    assert parser("01/02/2024") == utc(2024, 1, 2, 5)
    with pytest.raises(TimestampError, match=r"month 31 does not exist \(dates are read month-first, mdy\)"):
        parser("31/01/2024")


def test_year_first_order_rejects_a_year_last_date() -> None:
    with pytest.raises(TimestampError, match="the year is not first"):
        parse("1/31/2024", NY, "ymd")


def test_an_unknown_order_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="date order must be one of"):
        TimestampParser(NY, "ydm")  # type: ignore[arg-type]


# ------------------------------------------------------------------ detection


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["28-6-2018", "1-2-2018"], "dmy"),  # the examples
        (["31/01/2024"], "dmy"),
        (["31.01.2024 14:03", "01.02.2024 09:00"], "dmy"),
        ([" 13/1/24 2:03"], "dmy"),
        (["1/31/2024 2:03 PM", "2/1/2024 9:00 AM"], "mdy"),
        (["1/31/24 2:03"], "mdy"),
        (["01/02/2024", "03/04/2024 10:00"], None),  # every date ambiguous
        (["2024-01-31", "2024-01-02", "15 Apr, 2021 00:03:00", "Apr 1, 2021"], None),  # say nothing
        (["2024/31/01"], None),  # year-first says nothing, even when odd
        (["", "n/a", "32/13/2024", "0/13/2024"], None),  # impossible either way: no evidence
        ([], None),
        # an inconsistent file: the majority decides, a tie does not
        (["31/01/2024", "30/01/2024", "1/31/2024"], "dmy"),
        (["1/31/2024", "1/30/2024", "31/01/2024"], "mdy"),
        (["31/01/2024", "1/31/2024"], None),
    ],
)
def test_survey_date_order_finds_the_order(samples: list[str], expected: DateOrder | None) -> None:
    assert survey_date_order(samples).order == expected
    assert survey_date_order(iter(samples)).order == expected  # any iterable, read once


def test_survey_counts_what_each_value_says() -> None:
    samples = ["31/01/2024", "1/31/2024", "01/02/2024", "5/5/2024", "2024-01-02", "99/99/2024"]
    assert survey_date_order(samples) == DateOrderEvidence(day_first=1, month_first=1, ambiguous=1)


@pytest.mark.parametrize(
    ("default", "samples", "expected"),
    [
        ("mdy", ["01/02/2024", "03/04/2024"], ("mdy", True)),  # ambiguous: team policy, and say so
        ("dmy", ["01/02/2024", "03/04/2024"], ("dmy", True)),
        ("mdy", ["01/02/2024", "13/04/2024"], ("dmy", False)),  # the file decides
        ("dmy", ["01/02/2024", "04/13/2024"], ("mdy", False)),
        ("mdy", ["2024-01-02", "15 Apr, 2021 00:03:00"], ("mdy", False)),  # order never matters
        ("dmy", ["5/5/2024", "12/12/2024"], ("dmy", False)),  # same date either way
        ("mdy", [], ("mdy", False)),
        ("dmy", ["31/01/2024", "1/31/2024"], ("dmy", True)),  # a tie: policy decides
    ],
)
def test_order_from_samples_or(
    default: DateOrder, samples: list[str], expected: tuple[DateOrder, bool]
) -> None:
    assert order_from_samples_or(default, samples) == expected


def test_an_inconsistent_files_minority_fails_row_by_row() -> None:
    samples = ["31/01/2024 14:03", "30/01/2024 09:00", "1/31/2024 2:03 PM"]
    order, fell_back = order_from_samples_or("mdy", samples)
    assert (order, fell_back) == ("dmy", False)
    parser = TimestampParser(BERLIN, order)
    assert parser(samples[0]) == utc(2024, 1, 31, 13, 3)
    with pytest.raises(TimestampError) as caught:
        parser(samples[2])
    assert str(caught.value) == (
        "impossible date '1/31/2024 2:03 PM': month 31 does not exist (dates are read day-first, dmy)"
    )


# ------------------------------------------------------------------ rejected values


@pytest.mark.parametrize(
    ("text", "order", "reason"),
    [
        ("31/02/2024", "dmy", "impossible date '31/02/2024': day is out of range for month"),
        ("2/31/2024", "mdy", "impossible date '2/31/2024': day is out of range for month"),
        ("2024-02-30", "mdy", "impossible date '2024-02-30': day is out of range for month"),
        ("29.02.2023", "dmy", "impossible date '29.02.2023': day is out of range for month"),
        ("0/12/2024", "dmy", "impossible date '0/12/2024': day is out of range for month"),
        ("1/31/2024 25:00", "mdy", "impossible date '1/31/2024 25:00': hour must be in 0..23"),
        ("2024-01-31T25:00:00Z", "mdy", "impossible date '2024-01-31T25:00:00Z': hour must be in 0..23"),
        ("2024-01-31T24:00:00", "mdy", "impossible date '2024-01-31T24:00:00': hour must be in 0..23"),
        ("31.01.2024 14:60", "dmy", "impossible date '31.01.2024 14:60': minute must be in 0..59"),
        ("31.01.2024 14:03:60", "dmy", "impossible date '31.01.2024 14:03:60': second must be in 0..59"),
        (
            "13/01/2024",
            "mdy",
            "impossible date '13/01/2024': month 13 does not exist (dates are read month-first, mdy)",
        ),
        (
            "01/13/2024",
            "dmy",
            "impossible date '01/13/2024': month 13 does not exist (dates are read day-first, dmy)",
        ),
        ("2024-13-01", "mdy", "impossible date '2024-13-01': month 13 does not exist"),
        ("2024-00-01", "mdy", "impossible date '2024-00-01': month 0 does not exist"),
        ("1/31/2024 13:03 PM", "mdy", "impossible date '1/31/2024 13:03 PM': hour 13 on a 12-hour clock"),
        ("1/31/2024 0:03 AM", "mdy", "impossible date '1/31/2024 0:03 AM': hour 0 on a 12-hour clock"),
        (
            "2024-01-31T14:03:00+24:00",
            "mdy",
            "impossible date '2024-01-31T14:03:00+24:00': UTC offset +24:00 does not exist",
        ),
        (
            "2024-01-31 14:03 +0260",
            "mdy",
            "impossible date '2024-01-31 14:03 +0260': UTC offset +0260 does not exist",
        ),
    ],
)
def test_an_impossible_date_or_time_names_the_value(text: str, order: DateOrder, reason: str) -> None:
    with pytest.raises(TimestampError) as caught:
        parse(text, NY, order)
    assert str(caught.value) == reason


@pytest.mark.parametrize(
    ("text", "zone", "year"),
    [
        ("9999-12-31T23:59:59.999Z", NY, 9999),
        ("9999-12-31 23:59:59", NY, 9999),  # New York: the UTC instant would be in year 10000
        ("9999-12-31T23:59:59-05:00", NY, 9999),
        ("12/31/9999 11:59 PM", NY, 9999),
        ("0001-01-01T00:00:00Z", BERLIN, 1),
        ("0001-01-01 00:00:00", BERLIN, 1),  # Berlin: the UTC instant would be in year 0
        ("0001-01-01T00:00:00+05:00", NY, 1),
        ("01.01.0001", BERLIN, 1),
        ("0000-01-01", NY, 0),
        ("0000-01-01 00:00:00", BERLIN, 0),
        ("0000-00-00 00:00:00", BERLIN, 0),
        ("1 Jan, 0000 00:00:00", BERLIN, 0),
        ("1899-12-31 23:59", NY, 1899),
        ("2201-01-01", NY, 2201),
    ],
)
def test_a_year_outside_1900_2200_is_a_row_error(text: str, zone: ZoneInfo, year: int) -> None:
    with pytest.raises(TimestampError) as caught:
        parse(text, zone, "dmy" if "." in text else "mdy")
    assert str(caught.value) == f"date out of range {text!r}: year {year} is outside 1900-2200"


@pytest.mark.parametrize(
    ("text", "zone", "in_utc"),
    [
        ("1/1/1900 12:00 AM", BERLIN, "1899-12-31T23:00+00:00"),
        ("1900-01-01T00:30:00+01:00", NY, "1899-12-31T23:30+00:00"),
        ("2200-12-31 23:59:59", NY, "2201-01-01T04:59+00:00"),
        ("2200-12-31T23:59:59-23:59", NY, "2201-01-01T23:58+00:00"),
    ],
)
def test_a_time_whose_utc_instant_leaves_the_years_is_a_row_error(
    text: str, zone: ZoneInfo, in_utc: str
) -> None:
    # the store holds instants of 1900-2200 only: the row is refused here, named, not there
    with pytest.raises(TimestampError) as caught:
        parse(text, zone, "mdy")
    assert (
        str(caught.value) == f"date out of range {text!r}: it is {in_utc} in UTC, outside the years 1900-2200"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "next week",
        "N/A",
        "null",
        "2024",
        "14:03",
        "2024-01-31T",
        "31/01",
        "1/2/3",
        "1/2/123",
        "123/1/2024",
        "2024/01/2024",
        "31/01-2024",
        "2024-01-31 14:03 XYZ",
        "2024-W05-3",  # fromisoformat reads week dates; no CRM writes them
        "20240131T140300Z",
        "2024-01-31T14",  # ISO 8601 allows it, fromisoformat reads it, no CRM writes it
        "2024-01-31T1403",
        "2024-01-31x14:03",
        "٢٠٢٤-٠١-٣١",  # other scripts' digits
        "31/٠١/2024",
        "Apr 15",
        "Foo 15, 2021",
        "1/31/2024 2:03 XM",
        "2024-01-31T14:03:00Z\x00",  # fromisoformat would ignore the NUL
        "1920-06-01T12:00:00+05:53:20",  # offsets in seconds: fromisoformat reads them, no CRM writes them
        "x" * 1000,
    ],
)
def test_garbage_is_unreadable(text: str) -> None:
    with pytest.raises(TimestampError, match=r"^unreadable date .*expected e\.g\. 2026-11-20T14:03:00Z"):
        parse(text)


def test_a_long_value_is_shortened_in_the_reason() -> None:
    with pytest.raises(TimestampError) as caught:
        parse("please call back after the trade show in " + "x" * 500)
    assert str(caught.value).startswith("unreadable date 'please call back after the trade show...': ")


def test_timestamp_error_is_a_value_error() -> None:
    # the reader's row loop catches ValueError-derived cell errors
    assert issubclass(TimestampError, ValueError)


# ------------------------------------------------------------------ properties

ZONES = st.sampled_from([NY, BERLIN, KOLKATA, ZoneInfo("UTC")])
ORDERS = st.sampled_from(DATE_ORDERS)
# A day inside the range at both ends, so the wall time is in 1900..2200 in every zone.
INSTANTS = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30)).map(
    lambda d: d.replace(tzinfo=UTC)
)
_MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _h12(d: datetime) -> str:
    return f"{(d.hour - 1) % 12 + 1}:{d.minute:02d} {'AM' if d.hour < 12 else 'PM'}"


def _numeric(d: datetime, order: DateOrder, sep: str, pad: bool, short_year: bool) -> str | None:
    if short_year and not 2000 <= d.year <= 2099:
        return None  # two-digit years are 20YY: other years cannot be written this way
    y = f"{d.year % 100:02d}" if short_year else str(d.year)
    m, day = (f"{d.month:02d}", f"{d.day:02d}") if pad else (str(d.month), str(d.day))
    if order == "mdy":
        return f"{m}{sep}{day}{sep}{y}"
    if order == "dmy":
        return f"{day}{sep}{m}{sep}{y}"
    if not short_year:
        return None  # a 4-digit year first is year-first in every order: covered by "ymd 4-digit"
    return f"{y}{sep}{m}{sep}{day}"


def _offset(d: datetime, colon: bool) -> str:
    off = d.utcoffset()
    assert off is not None
    sign = "-" if off < timedelta(0) else "+"
    minutes = abs(off) // timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}{':' if colon else ''}{minutes % 60:02d}"


def _whole(d: datetime, minutes: int) -> bool:
    off = d.utcoffset()
    return off is not None and off % timedelta(minutes=minutes) == timedelta(0)


@dataclass(frozen=True)
class Shape:
    name: str
    # Precision of the shape: the parsed value is the wall time cut to this.
    precision: str  # "day" | "minute" | "second" | "ms" | "us"
    # The text for aware `d` (in UTC for `utc` shapes, else in the zone), or None if `d`
    # cannot be written this way; `order` is the parser's order.
    write: Callable[[datetime, DateOrder], str | None]
    utc: bool = False
    orders: tuple[DateOrder, ...] = DATE_ORDERS  # orders a file in this shape is read in


ROUND_TRIP_SHAPES = [
    Shape("sf api .000Z", "ms", lambda d, o: f"{d:%Y-%m-%dT%H:%M:%S}.{d.microsecond // 1000:03d}Z", utc=True),
    Shape(
        "sf api +0000", "ms", lambda d, o: f"{d:%Y-%m-%dT%H:%M:%S}.{d.microsecond // 1000:03d}+0000", utc=True
    ),
    Shape(
        "iso +hh:mm",
        "us",
        # offsets with seconds (Kolkata before 1941: +05:53:20) cannot be written in ISO 8601
        lambda d, o: d.isoformat() if _whole(d, 1) else None,
    ),
    Shape(
        "iso +hhmm",
        "second",
        lambda d, o: f"{d:%Y-%m-%dT%H:%M:%S}{_offset(d, colon=False)}" if _whole(d, 1) else None,
    ),
    Shape(
        "iso -hh",
        "minute",
        lambda d, o: f"{d:%Y-%m-%dT%H:%M}{_offset(d, colon=False)[:3]}" if _whole(d, 60) else None,
    ),
    Shape("iso wall us", "us", lambda d, o: f"{d:%Y-%m-%dT%H:%M:%S.%f}"),
    Shape("sf data export", "second", lambda d, o: f"{d:%Y-%m-%d %H:%M:%S}"),
    Shape("hubspot minute", "minute", lambda d, o: f"{d:%Y-%m-%d %H:%M}"),
    Shape("hubspot date", "day", lambda d, o: f"{d:%Y-%m-%d}"),
    Shape("iso 12-hour", "minute", lambda d, o: f"{d:%Y-%m-%d} {_h12(d)}"),
    Shape("ymd 4-digit", "minute", lambda d, o: f"{d.year}/{d.month}/{d.day} {d:%H:%M}"),
    Shape(
        "sf report M/D/YY h:mm",
        "minute",
        lambda d, o: (s := _numeric(d, o, "/", False, True)) and f"{s} {d.hour}:{d:%M}",
        orders=("mdy",),
    ),
    Shape(
        "us excel M/D/YYYY h:mm AM/PM",
        "minute",
        lambda d, o: f"{_numeric(d, o, '/', False, False)} {_h12(d)}",
        orders=("mdy",),
    ),
    Shape(
        "us a.m./p.m. with seconds",
        "second",
        lambda d, o: (
            f"{_numeric(d, o, '/', True, False)} {(d.hour - 1) % 12 + 1}:{d:%M:%S} "
            + ("a.m." if d.hour < 12 else "p.m.")
        ),
        orders=("mdy",),
    ),
    Shape(
        "eu excel DD/MM/YYYY HH:MM",
        "minute",
        lambda d, o: f"{_numeric(d, o, '/', True, False)} {d:%H:%M}",
        orders=("dmy",),
    ),
    Shape(
        "de DD.MM.YYYY HH:MM:SS",
        "second",
        lambda d, o: f"{_numeric(d, o, '.', True, False)} {d:%H:%M:%S}",
        orders=("dmy",),
    ),
    Shape("D-M-YYYY", "day", lambda d, o: _numeric(d, o, "-", False, False), orders=("dmy",)),
    Shape("D.M.YYYY", "day", lambda d, o: _numeric(d, o, ".", False, False), orders=("dmy",)),
    Shape(
        "either order, 2-digit year",
        "minute",
        lambda d, o: (s := _numeric(d, o, "/", True, True)) and f"{s} {d:%H:%M}",
    ),
    Shape("zoho", "second", lambda d, o: f"{d.day:02d} {_MON[d.month - 1]}, {d.year} {d:%H:%M:%S}"),
    Shape("month first name", "minute", lambda d, o: f"{_MON[d.month - 1]} {d.day}, {d.year} {_h12(d)}"),
    Shape("excel d-mmm-yyyy", "day", lambda d, o: f"{d.day}-{_MON[d.month - 1]}-{d.year}"),
]
SHAPE = {shape.name: shape for shape in ROUND_TRIP_SHAPES}


def _cut(d: datetime, precision: str) -> datetime:
    if precision == "day":
        return d.replace(hour=0, minute=0, second=0, microsecond=0)
    if precision == "minute":
        return d.replace(second=0, microsecond=0)
    if precision == "second":
        return d.replace(microsecond=0)
    if precision == "ms":
        return d.replace(microsecond=d.microsecond // 1000 * 1000)
    return d


@given(
    instant=INSTANTS,
    zone=ZONES,
    shape=st.sampled_from(ROUND_TRIP_SHAPES),
    order=ORDERS,
    padding=st.sampled_from(["", " ", "\t ", "\xa0"]),
)
@example(utc(2024, 11, 3, 5, 30), NY, SHAPE["sf data export"], "mdy", "")  # 01:30 EDT, the first 01:30
@example(utc(2024, 11, 3, 6, 30), NY, SHAPE["sf data export"], "mdy", "")  # 01:30 EST, the second
@example(utc(2200, 12, 30, 23, 59, 59, 999999), KOLKATA, SHAPE["sf api .000Z"], "dmy", "")
@example(utc(1900, 1, 2), NY, SHAPE["us excel M/D/YYYY h:mm AM/PM"], "mdy", " ")
@example(utc(1920, 6, 1, 12), KOLKATA, SHAPE["sf data export"], "mdy", "")  # +05:53:20
def test_any_instant_in_any_shape_reads_back(
    instant: datetime, zone: ZoneInfo, shape: Shape, order: DateOrder, padding: str
) -> None:
    assume(order in shape.orders)
    written = instant if shape.utc else instant.astimezone(zone)
    text = shape.write(written, order)
    assume(text is not None)
    assert text is not None
    # The instant back to the shape's precision. A wall time the zone repeats is read as
    # its first occurrence (fold=0): for an instant in the second one that is an hour earlier.
    expected = _cut(written, shape.precision).replace(fold=0).astimezone(UTC)
    got = TimestampParser(zone, order)(padding + text + padding)
    assert got == expected, text
    if written.fold == 0 and shape.precision == "us":
        assert got == instant
    # how finely the text says when (a re-import compares modification dates to it)
    within = resolution(padding + text + padding)
    assert within == RESOLUTION[shape.precision], text
    if written.fold == 0:
        assert got <= instant < got + within


RESOLUTION = {
    "day": timedelta(hours=25),  # a day a clock change lengthens
    "minute": timedelta(minutes=1),
    "second": timedelta(seconds=1),
    "ms": timedelta(seconds=1),  # fractions are read but not trusted to compare
    "us": timedelta(seconds=1),
}


@given(text=st.text(), zone=ZONES, order=ORDERS)
@example(text="9999-12-31T23:59:59-23:59", zone=NY, order="mdy")
@example(text="0001-01-01T00:00:00+23:59", zone=NY, order="mdy")
@example(text="\ud800", zone=NY, order="mdy")
@example(text="2024-01-31T\ud800", zone=NY, order="mdy")
def test_arbitrary_text_only_ever_raises_timestamp_error(text: str, zone: ZoneInfo, order: DateOrder) -> None:
    try:
        got = TimestampParser(zone, order)(text)
    except TimestampError:
        return
    assert got.tzinfo is UTC


DATE_LIKE = st.from_regex(
    r"\s?(\d{1,5}[/.-]\d{1,3}[/.-]\d{1,5}|\d{1,2} [A-Za-z]{3,5},? \d{1,5}|[A-Z][a-z]{2} \d{1,2}, \d{1,5})"
    r"([ T,]{1,2}\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,12})?)?( ?[AaPp]\.?[Mm]\.?)?"
    r"( ?(Z|UTC|[+-]\d{2}(:?\d{2})?))?)?\s?",
    fullmatch=True,
)
ISO_LIKE = st.from_regex(
    r"(0000|0001|1899|1900|2024|2200|2201|9999)-(0\d|1[0-3])-([0-3]\d)([T ]([01]\d|2[0-5]):[0-5]\d"
    r"(:[0-6]\d(\.\d{1,9})?)?([+-]([01]\d|2[0-5])(:?[0-5]\d)?|Z)?)?",
    fullmatch=True,
)


@given(text=st.one_of(DATE_LIKE, ISO_LIKE), zone=ZONES, order=ORDERS)
def test_date_like_text_only_ever_raises_timestamp_error(text: str, zone: ZoneInfo, order: DateOrder) -> None:
    try:
        got = TimestampParser(zone, order)(text)
    except TimestampError as exc:
        assert str(exc).startswith(("unreadable date ", "impossible date ", "date out of range "))
        return
    assert got.tzinfo is UTC
    # a year-2200 wall time west of UTC may land a day into 2201; never further
    assert datetime(1899, 12, 30, tzinfo=UTC) <= got <= datetime(2201, 1, 2, tzinfo=UTC)


@given(text=st.one_of(DATE_LIKE, ISO_LIKE, st.text(max_size=30)), zone=ZONES, order=ORDERS)
@example(text="2024-01-31T14:03:00+05:99", zone=NY, order="mdy")  # fromisoformat: +06:39
@example(text="2024-01-31T14:03:00Z\x00", zone=NY, order="mdy")
@example(text="9999-12-31", zone=NY, order="mdy")
def test_the_iso_fast_path_agrees_with_the_grammar(text: str, zone: ZoneInfo, order: DateOrder) -> None:
    parser = TimestampParser(zone, order)
    try:
        fast: datetime | str = parser(text)
    except TimestampError as exc:
        fast = str(exc)
    try:
        slow: datetime | str = parser._general(text.strip())
    except TimestampError as exc:
        slow = str(exc)
    assert fast == slow


@given(
    days=st.lists(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), min_size=1),
    order=st.sampled_from(["mdy", "dmy"]),
    sep=st.sampled_from("/.-"),
)
def test_detection_never_contradicts_a_consistent_file(days: list[date], order: DateOrder, sep: str) -> None:
    samples = [_numeric(datetime(d.year, d.month, d.day), order, sep, False, False) or "" for d in days]
    detected = survey_date_order(samples).order
    assert detected in (order, None)
    read_in, fell_back = order_from_samples_or(order, samples)
    parser = TimestampParser(ZoneInfo("UTC"), read_in)
    assert [parser(s).date() for s in samples] == days
    if detected is None:
        assert fell_back == any(d.day != d.month and d.day <= 12 for d in days)
