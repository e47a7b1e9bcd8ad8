"""Reading the timestamps CRM exports really contain.

`TimestampParser(zone, order)` turns one cell into an aware UTC `datetime` or
raises `TimestampError`, whose message is the row error's reason. Accepted:

* ISO 8601 as Salesforce's API/Workbench (`2022-01-10T13:49:58.000Z`,
  `...000+0000`), its Data Export (`2018-10-13 17:16:45`) and HubSpot
  (`2024-01-31 14:03`, `2024-01-31`) write it; offsets `Z`, `+00:00`,
  `+0000`, `-05`, or a trailing `UTC`/`GMT`.
* Numeric dates with `/`, `.` or `-`: `1/31/2024 2:03 PM`, `31/01/2024 14:03`,
  `31.01.2024 14:03`, `28-6-2018`, `1/31/24 2:03`. A 4-digit first number is
  always the year (`2024/01/31`); otherwise the parser's `order` says which of
  the first two numbers is the day.
* English month names: `15 Apr, 2021 00:03:00`, `Apr 15, 2021 12:03 AM`,
  `15-Apr-2021`, `April 15, 2021`.

Decisions, each tested in tests/test_timestamps.py:

* Surrounding whitespace is ignored; seconds and fractions are optional
  (fractions beyond microseconds are truncated, as `datetime.fromisoformat`
  does); `AM`/`pm`/`a.m.` read a 12-hour clock (hour 1..12, else an error).
* Two-digit years are 20YY (`1/31/99` is 2099): the CRMs that write them do so
  for recent activity, and a fixed rule is easier to explain than a pivot year.
* Only years 1900..2200 *as written* are accepted: CRMs use 0001-01-01 and
  9999-12-31 as "no date" sentinels, and checking before any zone conversion
  means no OverflowError can escape. The UTC instant of a value written at the
  edge must be in those years too (the store holds no other): `1/1/1900 00:00`
  in Berlin is 1899 in UTC, a row error like the rest.
* A value without an offset is wall-clock time in `zone` (the caller picks the
  zone: `--source-zone`, UTC for Salesforce API-name exports, else the team's).
  A repeated wall time (clocks going back) is read with fold=0, i.e. the first
  occurrence (the earlier instant). A wall time that does not exist (clocks
  going forward) gets zoneinfo's default: it is read with the offset in force
  before the jump, so New York's 02:30 on a spring-forward day is 07:30 UTC
  (03:30 EDT). Neither is an error: the export wrote *some* instant, and an
  hour off on one night a year is better than a rejected lead.

Day-first files: `survey_date_order` looks at a file's own values. A value
whose first number is over 12 can only be day-first, one whose second number
is over 12 only month-first; the majority decides, and a value of the minority
then fails on its own as an impossible date (month 13, ...) naming the value.
A file mixing both kinds was stitched together from two sources or typed by
hand, and stopping the whole import for a few such rows would be worse than
reporting them. When the values do not decide (all ambiguous, or a tie), the
caller falls back to the team's order and says so (`order_from_samples_or`).
ISO and month-name values say nothing about the order, and year-first dates
with two-digit years (`24/01/31`) cannot be told from day-first ones: those
files need `--date-order ymd`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from leadqueue.domain.import_mapping import DateOrder
from leadqueue.domain.years import MAX_YEAR, MIN_YEAR

__all__ = [
    "DATE_ORDERS",
    "DateOrder",
    "DateOrderEvidence",
    "TimestampError",
    "TimestampParser",
    "order_from_samples_or",
    "survey_date_order",
]

DATE_ORDERS: tuple[DateOrder, ...] = ("mdy", "dmy", "ymd")

_ORDER_WORDS: dict[DateOrder, str] = {
    "mdy": "month-first, mdy",
    "dmy": "day-first, dmy",
    "ymd": "year-first, ymd",
}
_HINT = "expected e.g. 2026-11-20T14:03:00Z, 11/20/2026 2:03 PM, 20.11.2026 14:03"
# No CRM timestamp is longer than ~40 characters; refusing long text up front keeps
# the regex's work bounded whatever a cell holds.
_MAX_LEN = 64
_SHOWN_LEN = 40


class TimestampError(ValueError):
    """A cell that is not a usable timestamp; the message is the row error's reason."""


# re.ASCII: `\d` must not match other scripts' digits, which int() would accept.
_SHAPE = re.compile(
    r"""
    (?:
        (?P<a>\d{1,4})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})
      | (?P<nday>\d{1,2})(?:st|nd|rd|th)?[\s-]+(?P<nmonth>[A-Za-z]{3,9})\.?,?[\s-]+(?P<nyear>\d{4}|\d{2})
      | (?P<mmonth>[A-Za-z]{3,9})\.?[\s-]+(?P<mday>\d{1,2})(?:st|nd|rd|th)?,?[\s-]+(?P<myear>\d{4})
    )
    (?:
        (?:\s*,\s*|\s+|[Tt])
        (?P<hour>\d{1,2}):(?P<minute>\d{2})
        (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?
        (?:\s*(?P<half>[AaPp])\.?[Mm]\.?)?
        (?:\s*(?P<offset>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?
    )?
    """,
    re.VERBOSE | re.ASCII,
)

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september")
_MONTH_NAMES += ("october", "november", "december")
_MONTHS: dict[str, int] = {
    **{name: n for n, name in enumerate(_MONTH_NAMES, 1)},
    **{name[:3]: n for n, name in enumerate(_MONTH_NAMES, 1)},
    "sept": 9,
}


def _shown(text: str) -> str:
    # A reject file's reason should stay one readable line even for a pasted paragraph.
    if len(text) > _SHOWN_LEN:
        text = text[: _SHOWN_LEN - 3] + "..."
    return repr(text)


def _year(digits: str, text: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        year += 2000
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _out_of_range(year, text)
    return year


def _out_of_range(year: int, text: str) -> TimestampError:
    return TimestampError(f"date out of range {_shown(text)}: year {year} is outside {MIN_YEAR}-{MAX_YEAR}")


class TimestampParser:
    """Callable reading one CRM timestamp as aware UTC; see the module docstring for the rules."""

    __slots__ = ("_changes", "order", "skipped_hour", "zone")

    def __init__(self, zone: ZoneInfo, order: DateOrder = "mdy") -> None:
        if order not in DATE_ORDERS:
            raise ValueError(f"date order must be one of {', '.join(DATE_ORDERS)}, not {order!r}")
        self.zone = zone
        self.order: DateOrder = order
        # Wall times that fell in the hour a clock change skipped (clocks going forward):
        # read as the hour before the change, and counted so that the import says so.
        self.skipped_hour = 0
        self._changes = zone.key not in ("UTC", "Etc/UTC")

    def _from_wall(self, wall: datetime) -> datetime:
        """A wall time in the zone (tzinfo set), as UTC."""
        value = wall.astimezone(UTC)
        if self._changes and value.astimezone(self.zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
            self.skipped_hour += 1
        return value

    def __repr__(self) -> str:
        return f"TimestampParser({self.zone.key!r}, {self.order!r})"

    def __call__(self, text: str) -> datetime:
        t = text.strip()
        value = self._read(t)
        if not MIN_YEAR <= value.year <= MAX_YEAR:  # a wall time at the edge of the years, in UTC
            raise TimestampError(
                f"date out of range {_shown(t)}: it is {value.isoformat(timespec='minutes')} in UTC,"
                f" outside the years {MIN_YEAR}-{MAX_YEAR}"
            )
        return value

    def _read(self, t: str) -> datetime:
        # Fast path: the ISO shapes Salesforce and HubSpot write. Python 3.11's fromisoformat
        # reads all of them (`.000Z`, `+0000`, `-05`, a space for `T`). It also reads shapes the
        # grammar below does not (week dates, compact dates and times, `2024-01-31T14`, any
        # separator); the guard keeps those out so that one grammar defines what is accepted.
        if (
            len(t) >= 10
            and t[4] == "-"
            and t[7] == "-"
            and (len(t) == 10 or (t[10] in "Tt " and t[13:14] == ":"))
        ):
            try:
                value = datetime.fromisoformat(t)
            except ValueError:
                # e.g. `2024-01-31 2:03 PM`, `0000-01-01`, `2024-02-30`: the general reader
                # either reads it or words the reason.
                pass
            else:
                # fromisoformat also turns `+05:99` into +06:39 and ignores trailing NULs: only
                # values without an offset or at UTC (it returns the UTC singleton for `Z`,
                # `+0000`, `+00`) stay here; the grammar below reads or rejects the rest.
                tz = value.tzinfo
                if (tz is None or tz is UTC) and "\x00" not in t:
                    if not MIN_YEAR <= value.year <= MAX_YEAR:
                        raise _out_of_range(value.year, t)
                    if tz is None:
                        return self._from_wall(value.replace(tzinfo=self.zone))
                    return value.astimezone(UTC)
        return self._general(t)

    def _general(self, t: str) -> datetime:
        m = _SHAPE.fullmatch(t) if len(t) <= _MAX_LEN else None
        if m is None:
            raise TimestampError(f"unreadable date {_shown(t)}: {_HINT}")
        # groups() is markedly faster than a dozen m.group(name) calls on this hot path.
        groups = m.groups()
        a, _sep, b, c, nday, nmonth, nyear, mmonth, mday, myear = groups[:10]
        hour, minute, second, fraction, half, offset = groups[10:]
        if a is not None:
            year, month, day = self._numeric(t, a, b, c)
        else:
            name = nmonth if nmonth is not None else mmonth
            month = _MONTHS.get(name.lower())
            if month is None:
                raise TimestampError(f"unreadable date {_shown(t)}: unknown month {name!r}; {_HINT}")
            year = _year(nyear if nyear is not None else myear, t)
            day = int(nday if nday is not None else mday)

        h = mi = s = micro = 0
        zone: tzinfo = self.zone
        if hour is not None:
            h, mi = int(hour), int(minute)
            if second is not None:
                s = int(second)
                if fraction is not None:
                    micro = int(fraction[:6].ljust(6, "0"))
            if half is not None:
                if not 1 <= h <= 12:
                    raise TimestampError(f"impossible date {_shown(t)}: hour {h} on a 12-hour clock")
                h = h % 12 + (12 if half in "Pp" else 0)
            if offset is not None:
                zone = _offset_zone(offset, t)
        try:
            value = datetime(year, month, day, h, mi, s, micro, tzinfo=zone)
        except ValueError as exc:
            raise TimestampError(f"impossible date {_shown(t)}: {exc}") from None
        return self._from_wall(value) if zone is self.zone else value.astimezone(UTC)

    def _numeric(self, t: str, a: str, b: str, c: str) -> tuple[int, int, int]:
        order = self.order
        if len(a) == 4:
            # 2024/01/31, 2024-1-3, 2024.01.31: nobody writes year-day-month, so no order applies.
            if len(c) > 2:
                raise TimestampError(f"unreadable date {_shown(t)}: {_HINT}")
            year, month, day = _year(a, t), int(b), int(c)
            reading = ""
        elif order == "ymd":
            if len(a) != 2 or len(c) > 2:
                raise TimestampError(
                    f"impossible date {_shown(t)}: the year is not first "
                    f"(dates are read {_ORDER_WORDS[order]})"
                )
            year, month, day = _year(a, t), int(b), int(c)
            reading = f" (dates are read {_ORDER_WORDS[order]})"
        else:
            if len(c) not in (2, 4) or len(a) > 2:
                raise TimestampError(f"unreadable date {_shown(t)}: {_HINT}")
            year = _year(c, t)
            month, day = (int(a), int(b)) if order == "mdy" else (int(b), int(a))
            # Name the order: in a file read the other way round this value would be fine.
            reading = f" (dates are read {_ORDER_WORDS[order]})"
        if not 1 <= month <= 12:
            raise TimestampError(f"impossible date {_shown(t)}: month {month} does not exist{reading}")
        return year, month, day


_TIME_OF_DAY = re.compile(r"\d:\d\d(:\d\d)?")


def resolution(text: str) -> timedelta:
    """How finely a timestamp cell says when: a date alone the day (25 hours, the
    longest a clock change makes one), `14:03` the minute, `14:03:09` (with or
    without a fraction) the second."""
    time_of_day = _TIME_OF_DAY.search(text)
    if time_of_day is None:
        return timedelta(hours=25)
    return timedelta(seconds=1) if time_of_day.group(1) else timedelta(minutes=1)


def _offset_zone(offset: str, t: str) -> tzinfo:
    if offset in ("Z", "z", "UTC", "GMT"):
        return UTC
    hours = int(offset[1:3])
    minutes = int(offset[-2:]) if len(offset) > 3 else 0
    if hours > 23 or minutes > 59:
        raise TimestampError(f"impossible date {_shown(t)}: UTC offset {offset} does not exist")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if offset[0] == "-" else delta)


# Only year-last numeric dates carry evidence: the first number is 1-2 digits.
_ORDER_SAMPLE = re.compile(r"\s*(\d{1,2})([/.-])(\d{1,2})\2(?:\d{4}|\d{2})(?!\d)", re.ASCII)


@dataclass(frozen=True)
class DateOrderEvidence:
    """What a file's own values say about day-first versus month-first."""

    day_first: int = 0  # values only day-first can read (31/01/2024)
    month_first: int = 0  # values only month-first can read (1/31/2024)
    ambiguous: int = 0  # values both read, differently (01/02/2024); 5/5/2024 is not counted

    @property
    def order(self) -> DateOrder | None:
        """The file's order: "dmy" when more values can only be day-first than can only be
        month-first, "mdy" the other way round, None when nothing decides (every numeric
        date ambiguous, none at all, or a tie: the team's order decides). An inconsistent
        file gets its majority's order; the minority's values then fail one by one as
        impossible dates naming the value. ISO, year-first and month-name values say
        nothing. Never "ymd"."""
        if self.day_first > self.month_first:
            return "dmy"
        if self.month_first > self.day_first:
            return "mdy"
        return None


def survey_date_order(samples: Iterable[str]) -> DateOrderEvidence:
    """Count the values that can only be day-first, only month-first, or either (see the module doc)."""
    day_first = month_first = ambiguous = 0
    match = _ORDER_SAMPLE.match
    for sample in samples:
        m = match(sample)
        if m is None:
            continue  # ISO, month names, blanks, garbage: no say in the order
        first, second = int(m[1]), int(m[3])
        if not (1 <= first <= 31 and 1 <= second <= 31):
            continue
        if first > 12 and second <= 12:
            day_first += 1
        elif second > 12 and first <= 12:
            month_first += 1
        elif first <= 12 and second <= 12 and first != second:
            ambiguous += 1
    return DateOrderEvidence(day_first, month_first, ambiguous)


def order_from_samples_or(default: DateOrder, samples: Iterable[str]) -> tuple[DateOrder, bool]:
    """The order to read a file in and whether it is `default` standing in for the file.

    The flag is True only when the order matters and the file did not decide it: some numeric
    date reads differently day-first and month-first and no value settled which (or the file
    is evenly split). A file of ISO dates gets (default, False): nothing to say in the summary."""
    evidence = survey_date_order(samples)
    order = evidence.order
    if order is not None:
        return order, False
    return default, evidence.ambiguous > 0 or evidence.day_first > 0
