"""Reading the times a rep types: "tomorrow 10:00", "+2h", "fri 14:30", "2026-11-25 10:00".

``parse_when(text, now, zone)`` returns a timezone-aware datetime in UTC. ``now`` is the
injected clock reading (aware; it is never read from the system here) and ``zone`` is the
rep's IANA zone, in which every local (wall-clock) form is read. Input is case-insensitive,
surrounding whitespace is ignored and runs of inner whitespace count as one space.
Anything not listed below raises ``WhenError`` (a ``ValueError``) whose message says what
was wrong, e.g. ``'fri 25:00': hour must be 0-23``.

Accepted forms
--------------
Instants
    now                        the injected ``now``
    2026-11-25T10:00:00Z       ISO 8601 with ``Z`` or an offset (``+01:00``, ``+0100``,
    2026-11-25 10:00+01:00     ``+01``); ``T`` or a space between date and time; seconds
                               and fractions of a second are optional
    2026-11-25 10:00           ISO without an offset: that wall-clock time in ``zone``
    2026-11-25T10:00:00        (same)
    2026-11-25                 a date alone: 00:00 in ``zone``
    Impossible dates and times (2026-02-30, 2026-13-01, 10:61) are errors, not rolled over.

Elapsed time from now -- computed in UTC as ``now + timedelta``, never on the local wall
clock, so ``+1d`` is always exactly 24 hours, even across a DST change
    +2h  +30m  +90s  +1d  +1w  +1h30m  +1.5h
    -1h  -2d                   in the past (reports "as of")
    in 2h  in 3 days  in 1 hour 30 minutes
    2h ago  3 days ago         in the past
    Units: s/sec/secs/second/seconds, m/min/mins/minute/minutes, h/hr/hrs/hour/hours,
    d/day/days, w/wk/wks/week/weeks. A bare ``2h`` (no sign, ``in`` or ``ago``) is not
    accepted: it could as well mean 02:00.

Days (DAY [TIME]; the time may also come first, ``10am tomorrow``, and may be preceded by
``at``, ``fri at 2pm``)
    today                      ``now``
    today 16:00                today at 16:00 local, even if that has already passed
    tomorrow                   tomorrow (the next local calendar day) at 09:00
    tomorrow 10:00             tomorrow at 10:00
    yesterday [TIME]           the previous local calendar day at TIME (default 09:00)
    mon .. sun, monday .. sunday (also tues, thur, thurs) [TIME] (default 09:00):
                               today if today is that weekday and TIME today is still
                               ahead of ``now``; otherwise the next such weekday strictly
                               after today (so ``mon`` on a Monday afternoon is next week).
                               The result is therefore always later than ``now``.

Times (TIME)
    14:30  9:05  14:30:15      24-hour clock, minutes required
    9am  9:30pm  9 pm          12-hour clock; 12am = 00:00, 12pm = 12:00
    noon  midnight             12:00 and 00:00
    A time alone (``16:00``, ``at 9am``) is today at that time if that is still ahead of
    ``now``, otherwise tomorrow at that time.

Local wall-clock times and DST
------------------------------
Every local form is built as ``datetime(..., tzinfo=zone, fold=0)`` and converted to UTC
(PEP 495 semantics, the same rule java.time and Temporal's "compatible" use):

* an ambiguous time (clocks go back and the hour happens twice) takes the first
  occurrence: America/New_York 2026-11-01 01:30 -> 01:30 EDT = 05:30 UTC;
* a nonexistent time (clocks go forward) is read with the offset in force before the gap,
  which moves it forward by the length of the gap: America/New_York 2026-03-08 02:30 ->
  03:30 EDT = 07:30 UTC. It is not clamped to the first valid instant (03:00).

``describe(dt, zone, now)`` renders an instant for humans in ``zone``:
``Tue 25 Nov 10:00 CET (in 2h 5m)``, ``Sun 22 Nov 13:00 CET (3h ago)``; the year is added
when it differs from the current local year.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = ["WhenError", "describe", "parse_when"]

EXAMPLES = "'tomorrow 10:00', '+2h', 'fri 14:30' or '2026-11-25 10:00'"
DEFAULT_TIME = time(9, 0)

WEEKDAYS: dict[str, int] = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
RELATIVE_DAYS: dict[str, int] = {"yesterday": -1, "today": 0, "tomorrow": 1}

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

UNIT_SECONDS: dict[str, int] = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}

_NUMBER = r"\d+(?:\.\d+)?"
_UNIT = r"seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w"
_DURATION = rf"(?:{_NUMBER})\s*(?:{_UNIT})(?:\s*(?:{_NUMBER})\s*(?:{_UNIT}))*"
_PART = re.compile(rf"({_NUMBER})\s*({_UNIT})")
_SIGNED = re.compile(rf"([+-])\s*({_DURATION})")
_IN = re.compile(rf"in\s+({_DURATION})")
_AGO = re.compile(rf"({_DURATION})\s+ago")

_ISO = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[t ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?"
    r"\s?(?P<offset>z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})?")

_TIME = r"(?:\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]m)?|\d{1,2}\s*[ap]m|noon|midnight)"
_TIME_PARTS = re.compile(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap]m)?")
_DAY = "|".join(sorted([*WEEKDAYS, *RELATIVE_DAYS], key=len, reverse=True))
_DAY_THEN_TIME = re.compile(rf"(?P<day>{_DAY})(?:\s+(?:at\s+)?(?P<time>{_TIME}))?")
_TIME_THEN_DAY = re.compile(rf"(?:at\s+)?(?P<time>{_TIME})\s+(?P<day>{_DAY})")
_BARE_TIME = re.compile(rf"(?:at\s+)?(?P<time>{_TIME})")


class WhenError(ValueError):
    """The text could not be read as a time; the message says why."""


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """Read ``text`` as an instant (see the module docstring for the forms); return it in UTC."""
    now = _as_utc(now, "now")
    shown = _quote(text.strip())
    cleaned = " ".join(text.lower().split())
    if not cleaned:
        raise WhenError(f"no time given: use e.g. {EXAMPLES}")
    try:
        result = _parse(cleaned, shown, now, zone)
    except OverflowError:
        raise WhenError(f"{shown!r} is out of range") from None
    if result is None:
        raise WhenError(f"could not read {shown!r} as a time: use e.g. {EXAMPLES}")
    return result


def stamp(dt: datetime, zone: ZoneInfo, now: datetime, short_today: bool = False) -> str:
    """``Tue 25 Nov 10:00 CET`` in ``zone`` (the year added if not this one's); with
    ``short_today``, a time today is ``10:00 CET`` alone."""
    local = _as_utc(dt, "dt").astimezone(zone)
    today = _as_utc(now, "now").astimezone(zone)
    clock = f"{local:%H:%M} {local.tzname()}"
    if short_today and local.date() == today.date():
        return clock
    year = f" {local.year}" if local.year != today.year else ""
    return f"{DAY_NAMES[local.weekday()]} {local.day} {MONTH_ABBR[local.month - 1]}{year} {clock}"


def describe(dt: datetime, zone: ZoneInfo, now: datetime) -> str:
    """Short rendering in ``zone``: ``Tue 25 Nov 10:00 CET (in 2h 5m)`` or ``(3h ago)``."""
    shown = stamp(dt, zone, now)
    seconds = int((_as_utc(dt, "dt") - _as_utc(now, "now")).total_seconds())
    if seconds == 0:
        return f"{shown} (now)"
    span = _span(abs(seconds))
    return f"{shown} (in {span})" if seconds > 0 else f"{shown} ({span} ago)"


# -- parsing ----------------------------------------------------------------------------


def _parse(cleaned: str, shown: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    if cleaned == "now":
        return now
    if m := _SIGNED.fullmatch(cleaned):
        return _shift(now, _duration(m.group(2), shown), 1 if m.group(1) == "+" else -1, shown)
    if m := _IN.fullmatch(cleaned):
        return _shift(now, _duration(m.group(1), shown), 1, shown)
    if m := _AGO.fullmatch(cleaned):
        return _shift(now, _duration(m.group(1), shown), -1, shown)
    if m := _ISO.fullmatch(cleaned):
        return _iso(m, shown, zone)
    if (m := _DAY_THEN_TIME.fullmatch(cleaned)) or (m := _TIME_THEN_DAY.fullmatch(cleaned)):
        wall = _time(m.group("time"), shown) if m.group("time") else None
        return _on_day(m.group("day"), wall, now, zone)
    if m := _BARE_TIME.fullmatch(cleaned):
        wall = _time(m.group("time"), shown)
        today = now.astimezone(zone).date()
        candidate = _local(today, wall, zone)
        return candidate if candidate > now else _local(today + timedelta(days=1), wall, zone)
    return None


def _duration(text: str, shown: str) -> timedelta:
    seconds = sum(float(amount) * UNIT_SECONDS[unit[0]] for amount, unit in _PART.findall(text))
    try:
        return timedelta(seconds=seconds)
    except OverflowError:  # beyond timedelta's range (or so many digits the float is inf)
        raise WhenError(f"{shown!r} is too far from now") from None


def _shift(now: datetime, delta: timedelta, sign: int, shown: str) -> datetime:
    try:
        return now + delta if sign > 0 else now - delta
    except OverflowError:
        raise WhenError(f"{shown!r} is too far from now") from None


def _iso(m: re.Match[str], shown: str, zone: ZoneInfo) -> datetime:
    year, month, day = int(m["year"]), int(m["month"]), int(m["day"])
    if year < 1:
        raise WhenError(f"{shown!r}: year must be 1-9999")
    if not 1 <= month <= 12:
        raise WhenError(f"{shown!r}: month must be 1-12")
    last = _days_in_month(year, month)
    if not 1 <= day <= last:
        raise WhenError(f"{shown!r}: day must be 1-{last} in {MONTH_NAMES[month - 1]} {year}")
    on = date(year, month, day)
    if m["hour"] is None:
        return _local(on, time(0, 0), zone)
    hour, minute, second = int(m["hour"]), int(m["minute"]), int(m["second"] or 0)
    _check_clock(hour, minute, second, shown)
    micro = int((m["fraction"] or "0").ljust(6, "0"))
    wall = time(hour, minute, second, micro)
    offset = m["offset"]
    if offset is None:
        return _local(on, wall, zone)
    if offset == "z":
        tz: timezone = UTC
    else:
        om = _OFFSET.fullmatch(offset)
        assert om is not None  # the ISO pattern only lets well-formed offsets through
        oh, omin = int(om.group(2)), int(om.group(3) or 0)
        if oh > 23:
            raise WhenError(f"{shown!r}: offset hours must be 0-23")
        if omin > 59:
            raise WhenError(f"{shown!r}: offset minutes must be 0-59")
        sign = 1 if om.group(1) == "+" else -1
        tz = timezone(sign * timedelta(hours=oh, minutes=omin))
    return datetime.combine(on, wall, tzinfo=tz).astimezone(UTC)


def _time(text: str, shown: str) -> time:
    if text == "noon":
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    m = _TIME_PARTS.fullmatch(text)
    assert m is not None  # _TIME only matches what _TIME_PARTS can split
    hour, minute, second = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    meridiem = m.group(4)
    if meridiem:
        if not 1 <= hour <= 12:
            raise WhenError(f"{shown!r}: hour must be 1-12 with am/pm")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    _check_clock(hour, minute, second, shown)
    return time(hour, minute, second)


def _check_clock(hour: int, minute: int, second: int, shown: str) -> None:
    if hour > 23:
        raise WhenError(f"{shown!r}: hour must be 0-23")
    if minute > 59:
        raise WhenError(f"{shown!r}: minute must be 0-59")
    if second > 59:
        raise WhenError(f"{shown!r}: second must be 0-59")


def _on_day(day: str, wall: time | None, now: datetime, zone: ZoneInfo) -> datetime:
    today = now.astimezone(zone).date()
    if day in RELATIVE_DAYS:
        if day == "today" and wall is None:
            return now
        return _local(today + timedelta(days=RELATIVE_DAYS[day]), wall or DEFAULT_TIME, zone)
    wall = wall or DEFAULT_TIME
    ahead = (WEEKDAYS[day] - today.weekday()) % 7
    if ahead == 0:
        candidate = _local(today, wall, zone)
        if candidate > now:
            return candidate
        ahead = 7
    return _local(today + timedelta(days=ahead), wall, zone)


def _local(on: date, wall: time, zone: ZoneInfo) -> datetime:
    """Wall-clock time in ``zone`` as UTC, fold=0 (first occurrence; gaps move forward)."""
    return datetime.combine(on, wall, tzinfo=zone).replace(fold=0).astimezone(UTC)


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def _quote(text: str, limit: int = 40) -> str:
    """The text as echoed in error messages, cut short if it is very long."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_utc(at: datetime, name: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {at.isoformat()}")
    return at.astimezone(UTC)


# -- rendering --------------------------------------------------------------------------


def _span(seconds: int) -> str:
    """The two largest units, truncated: 2d 3h, 2h 5m, 45m, 30s."""
    if seconds < 60:
        return f"{seconds}s"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    units = [(days, "d"), (hours, "h"), (minutes, "m")]
    first = next(i for i, (n, _) in enumerate(units) if n)
    shown = [f"{n}{u}" for n, u in units[first : first + 2] if n]
    return " ".join(shown)
