"""Working time on a team or rep calendar.

Instants go in and come out in UTC. Working intervals are laid out on the
calendar's local dates and converted to UTC one by one, so working time is
real elapsed seconds inside working hours: a DST change neither adds nor
loses SLA time, and an elapsed window never depends on the zone.

A span `[start, end)` runs from the first instant the local clock reads
`start` or later to the first instant it reads `end` or later. In a
spring-forward gap an edge inside the skipped hour therefore lands at the
jump; in an autumn fold an edge is the first of its two readings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from leadqueue.domain.clock import ensure_utc
from leadqueue.domain.policy import Policy

# Ten years without a working minute means the calendar is unusable.
_SEARCH_LIMIT_DAYS = 3660


class CalendarError(ValueError):
    pass


class WorkCalendar:
    def __init__(
        self,
        zone: ZoneInfo,
        weekly_spans: dict[int, list[tuple[int, int]]],
        holiday_dates: Iterable[date] = (),
        holiday_country: str | None = None,
        holiday_subdivision: str | None = None,
    ) -> None:
        self.zone = zone
        self.weekly_spans = {d: sorted(weekly_spans.get(d, [])) for d in range(7)}
        if not any(self.weekly_spans.values()):
            raise CalendarError("the calendar has no working hours on any weekday")
        self._fixed_holidays = frozenset(holiday_dates)
        self._country = holiday_country
        self._subdivision = holiday_subdivision
        self._days: dict[date, list[tuple[datetime, datetime]]] = {}

    @classmethod
    def from_policy(cls, policy: Policy, zone_name: str | None = None) -> WorkCalendar:
        """The team calendar, or a rep's own zone with the team's hours and holidays."""
        return _cached_calendar(policy, zone_name or policy.time_zone)

    # -- days ---------------------------------------------------------------
    def is_holiday(self, day: date) -> bool:
        if day in self._fixed_holidays:
            return True
        if self._country:
            return day in _country_holidays(self._country, self._subdivision, day.year)
        return False

    def is_working_day(self, day: date) -> bool:
        # working time, not only working hours: a day whose spans all fall in a
        # spring-forward gap (Santiago changes at midnight) has none
        return bool(self.day_intervals(day))

    def day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of one local date, as UTC instants (memoised: every
        deadline walks the same few weeks of days)."""
        cached = self._days.get(day)
        if cached is None:
            if not self.weekly_spans[day.weekday()] or self.is_holiday(day):
                cached = []
            else:
                spans = self.weekly_spans[day.weekday()]
                edges = [(self._instant(day, a), self._instant(day, b)) for a, b in spans]
                # a span wholly inside a spring-forward gap has no working time at all
                cached = [(a, b) for a, b in edges if b > a]
            if len(self._days) > 20_000:
                self._days.clear()
            self._days[day] = cached
        return cached

    def _instant(self, day: date, minute: int) -> datetime:
        """The first instant the local clock reads `minute` past midnight of `day`, or later."""
        if minute >= 1440:
            day, minute = day + timedelta(days=1), minute - 1440
        wall = datetime.combine(day, time(minute // 60, minute % 60))
        first = wall.replace(tzinfo=self.zone).astimezone(UTC)  # fold=0: the first of two readings
        if self._reads(first) == wall:
            return first
        return self._jump_past(wall, first)

    def _reads(self, at: datetime) -> datetime:
        return at.astimezone(self.zone).replace(tzinfo=None)

    def _jump_past(self, wall: datetime, after: datetime) -> datetime:
        """The instant the clock jumps over `wall` (a reading a spring-forward gap skips).

        `after` reads later than `wall` and the same reading with the other
        offset reads earlier; the jump lies between. zoneinfo does not list
        transitions, and they fall on whole seconds: bisect the seconds.
        """
        before = wall.replace(tzinfo=self.zone, fold=1).astimezone(UTC)
        lo, hi = int(before.timestamp()), int(after.timestamp())
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._reads(datetime.fromtimestamp(mid, UTC)) >= wall:
                hi = mid
            else:
                lo = mid
        return datetime.fromtimestamp(hi, UTC)

    def local_date(self, at: datetime) -> date:
        return ensure_utc(at).astimezone(self.zone).date()

    def intervals_from(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals from `start` on, the first clipped to start."""
        start = ensure_utc(start)
        day = self.local_date(start) - timedelta(days=1)  # a span may cross midnight in UTC terms
        last_working = day
        while True:
            for a, b in self.day_intervals(day):
                if b <= start:
                    continue
                last_working = day
                yield (max(a, start), b)
            day += timedelta(days=1)
            if (day - last_working).days > _SEARCH_LIMIT_DAYS:
                raise CalendarError("no working time within ten years: check working hours and holidays")

    def intervals_before(self, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals before `end`, latest first, the first clipped to end."""
        end = ensure_utc(end)
        day = self.local_date(end) + timedelta(days=1)
        last_working = day
        while True:
            for a, b in reversed(self.day_intervals(day)):
                if a >= end:
                    continue
                last_working = day
                yield (a, min(b, end))
            day -= timedelta(days=1)
            if (last_working - day).days > _SEARCH_LIMIT_DAYS:
                raise CalendarError("no working time within ten years: check working hours and holidays")

    # -- arithmetic ---------------------------------------------------------
    def add_working(self, start: datetime, seconds: float) -> datetime:
        """The instant at which `seconds` of working time after `start` have passed."""
        if seconds <= 0:
            return ensure_utc(start)
        left = seconds
        for a, b in self.intervals_from(start):
            span = (b - a).total_seconds()
            if span >= left:
                return a + timedelta(seconds=left)
            left -= span
        raise AssertionError("unreachable")  # intervals_from never ends by itself

    def subtract_working(self, end: datetime, seconds: float) -> datetime:
        """The earliest instant from which exactly `seconds` of working time remain until `end`.

        Between working intervals nothing is spent, so every instant of a gap
        leaves the same time: the earliest is the close of the interval
        before it. A clock with one working hour left from Friday 17:00 to
        Monday 10:00 is at risk from Friday 17:00, not from Monday 09:00.
        """
        left = max(0.0, seconds)
        for a, b in self.intervals_before(end):
            span = (b - a).total_seconds()
            if span > left:
                return b - timedelta(seconds=left)
            left -= span
        raise AssertionError("unreachable")

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time between two instants; negative when end is before start."""
        start, end = ensure_utc(start), ensure_utc(end)
        if end < start:
            return -self.working_seconds(end, start)
        total = 0.0
        for a, b in self.intervals_from(start):
            if a >= end:
                break
            total += (min(b, end) - a).total_seconds()
        return total

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """Close of business on the `days`-th working day after the start's local date.

        "Within 5 business days" of a Monday-afternoon acceptance means by the
        end of the following Monday: the start day itself does not count.
        """
        day = self.local_date(start)
        counted = 0
        guard = 0
        while counted < days:
            day += timedelta(days=1)
            guard += 1
            if guard > _SEARCH_LIMIT_DAYS:
                raise CalendarError("no working day within ten years: check working hours and holidays")
            if self.is_working_day(day):
                counted += 1
        return self.day_intervals(day)[-1][1]


@lru_cache(maxsize=64)
def _country_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays as holidays_lib  # deferred: ~40 modules, only for a policy naming a country

    return frozenset(holidays_lib.country_holidays(country, subdiv=subdivision, years=year).keys())


# Policies are immutable but unhashable (they hold dicts): key by identity and
# keep the policy alive beside its calendar so the id cannot be reused.
_calendars: dict[tuple[int, str], tuple[Policy, WorkCalendar]] = {}


def _cached_calendar(policy: Policy, zone_name: str) -> WorkCalendar:
    key = (id(policy), zone_name)
    hit = _calendars.get(key)
    if hit is not None:
        return hit[1]
    if len(_calendars) > 256:
        _calendars.clear()
    calendar = WorkCalendar(
        zone=ZoneInfo(zone_name),
        weekly_spans=policy.weekly_spans(),
        holiday_dates=policy.holidays.dates,
        holiday_country=policy.holidays.country,
        holiday_subdivision=policy.holidays.subdivision,
    )
    _calendars[key] = (policy, calendar)
    return calendar


class ZoneHistoryCalendar(WorkCalendar):
    """The calendar of a rep whose zone changed: each stretch of time on the
    calendar of the zone in effect then.

    Working time already spent is counted where it was spent, so moving a rep
    to another zone neither gives back an elapsed hour nor changes a clock
    that closed before the move; open clocks continue on the new calendar from
    the move on. A window in business days is counted on the calendar in
    effect when its clock started.
    """

    def __init__(self, segments: Sequence[tuple[datetime | None, WorkCalendar]]) -> None:
        # (in effect from, calendar), oldest first; the first from the beginning of time
        self.segments = [(ensure_utc(since) if since else None, cal) for since, cal in segments]
        current = self.segments[-1][1]
        self.zone = current.zone
        self.weekly_spans = current.weekly_spans

    def _bounds(self) -> Iterator[tuple[datetime | None, datetime | None, WorkCalendar]]:
        for i, (since, cal) in enumerate(self.segments):
            until = self.segments[i + 1][0] if i + 1 < len(self.segments) else None
            yield since, until, cal

    def at(self, instant: datetime) -> WorkCalendar:
        instant = ensure_utc(instant)
        found = self.segments[0][1]
        for since, cal in self.segments:
            if since is None or since <= instant:
                found = cal
        return found

    def is_holiday(self, day: date) -> bool:
        return self.segments[-1][1].is_holiday(day)

    def is_working_day(self, day: date) -> bool:
        return self.segments[-1][1].is_working_day(day)

    def day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        return self.segments[-1][1].day_intervals(day)

    def intervals_from(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        start = ensure_utc(start)
        for since, until, cal in self._bounds():
            if until is not None and until <= start:
                continue
            for a, b in cal.intervals_from(max(start, since) if since else start):
                if until is not None and a >= until:
                    break
                yield (a, min(b, until) if until is not None else b)

    def intervals_before(self, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        end = ensure_utc(end)
        for since, until, cal in reversed(list(self._bounds())):
            if since is not None and since >= end:
                continue
            for a, b in cal.intervals_before(min(end, until) if until is not None else end):
                if since is not None and b <= since:
                    break
                yield (max(a, since) if since is not None else a, b)

    def add_business_days(self, start: datetime, days: int) -> datetime:
        return self.at(start).add_business_days(start, days)
