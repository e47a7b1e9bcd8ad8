"""The weekly report's numbers (`leadqueue report weekly`, `W` on the metrics
screen): the team's numbers for a period and for the period before it, the
rejection reasons' trend over eight weeks, the routing rules' share of the
assignments, and the written-out (OTHER) reasons grouped for review.

The period's numbers ARE `report metrics`' for the same period: the same
function (team_metrics.metrics) over the same SQL aggregates, kept whole
under "metrics", so the report and the terminal can never disagree. The
exporters (export.weekly_html, weekly_markdown) only lay them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from leadqueue.domain.metrics import iso, pct
from leadqueue.services import team_metrics
from leadqueue.services.context import Services
from leadqueue.services.reason_groups import group_notes
from leadqueue.store import team_queries as tq
from leadqueue.store import weekly_queries as wq

TREND_WEEKS = 8

# The period's sections that hold what happened in it; leads waiting is a count at its end.
PERIOD_SECTIONS = (
    "acceptance_by_rep",
    "acceptance_by_source",
    "rejection_reasons",
    "written_reasons",
    "time_to_decision_hours",
    "sla_compliance",
    "accepted_without_first_touch",
    "sal_to_sql",
)


class PeriodError(ValueError):
    """A period that cannot be reported (a week that does not exist, or in the future)."""


@dataclass(frozen=True)
class ReportPeriod:
    since: datetime
    until: datetime
    label: str  # "2026-W47", "2026-W48 to Fri 20 Nov 15:00 EST", or the two instants
    week: date | None = None  # the Monday, when the period is an ISO week (or its start)

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "since": iso(self.since), "until": iso(self.until)}


_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def _week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _cut_label(monday: date, until: datetime, zone: ZoneInfo) -> str:
    return f"{_week_label(monday)} to {until.astimezone(zone):%a %d %b %H:%M %Z}"


def week_period(text: str, now: datetime, zone: ZoneInfo) -> ReportPeriod:
    """An ISO week (`2026-W48`): Monday 00:00 to the next Monday in the team's zone;
    the week under way stops at now."""
    match = _WEEK.match(text)
    if not match:
        raise PeriodError(f"--week {text!r}: write an ISO week as YYYY-Www, e.g. 2026-W48")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise PeriodError(f"--week {text.strip()}: {year} has no week {week}") from None
    return week_from(monday, now, zone)


def week_from(monday: date, now: datetime, zone: ZoneInfo) -> ReportPeriod:
    since, end = local_midnight(monday, zone), local_midnight(monday + timedelta(days=7), zone)
    if since >= now:
        raise PeriodError(f"week {_week_label(monday)} has not started yet")
    if end <= now:
        return ReportPeriod(since, end, _week_label(monday), monday)
    return ReportPeriod(since, now, _cut_label(monday, now, zone), monday)


def last_full_week(now: datetime, zone: ZoneInfo) -> ReportPeriod:
    """The default: the last whole week, the one leadership reads about on Monday."""
    today = now.astimezone(zone).date()
    return week_from(today - timedelta(days=today.weekday() + 7), now, zone)


def period_of(since: datetime, until: datetime, zone: ZoneInfo) -> ReportPeriod:
    """Any period; one that starts a Monday at midnight and lasts a week at most is
    that ISO week (whole, or to its end), and is compared with the week before."""
    if since >= until:
        raise PeriodError("--since must be before --until")
    local = since.astimezone(zone)
    monday = local.date()
    is_week_start = monday.weekday() == 0 and local_midnight(monday, zone) == since
    week_end = local_midnight(monday + timedelta(days=7), zone)
    if is_week_start and until <= week_end:
        label = _week_label(monday) if until == week_end else _cut_label(monday, until, zone)
        return ReportPeriod(since, until, label, monday)
    label = f"{local:%Y-%m-%d %H:%M} – {until.astimezone(zone):%Y-%m-%d %H:%M %Z}"
    return ReportPeriod(since, until, label)


def previous_period(period: ReportPeriod, zone: ZoneInfo) -> ReportPeriod:
    """The period to compare with: the week before (to the same weekday and hour when
    the week is under way), else the same length just before."""
    if period.week is None:
        length = period.until - period.since
        return period_of(period.since - length, period.since, zone)
    monday = period.week - timedelta(days=7)
    since = local_midnight(monday, zone)
    # A week ago on the wall clock: 7 local days, whatever the DST change between.
    until = (period.until.astimezone(zone) - timedelta(days=7)).astimezone(UTC)
    until = max(until, since + timedelta(seconds=1))
    return period_of(since, until, zone)


# -- the report -------------------------------------------------------------------------------


def weekly_report(services: Services, period: ReportPeriod) -> dict[str, Any]:
    """Every number the weekly report shows, as JSON-ready data."""
    zone = services.policy.zone
    previous = previous_period(period, zone)
    current = team_metrics.metrics(services, period.since, period.until)
    before = team_metrics.metrics(services, previous.since, previous.until)
    with services.store.read() as conn:
        trend = rejection_trend(conn, period.until, zone)
        routing = {
            "this_period": routing_share(conn, period.since, period.until),
            "previous_period": routing_share(conn, previous.since, previous.until),
        }
    groups = group_notes(current["written_reasons"])
    return {
        "report": "weekly",
        "generated_at": iso(services.clock.now()),
        "time_zone": services.policy.time_zone,
        "period": period.as_dict(),
        "previous_period": previous.as_dict(),
        "empty": is_empty(current),
        "metrics": current,
        "previous_metrics": before,
        "rejection_trend_weeks": trend,
        "routing": routing,
        "other_reason_groups": [
            {
                "label": g["label"],
                "common_words": g["common_words"],
                "count": g["count"],
                "share_pct": pct(g["count"], len(current["written_reasons"])),
                "reasons": g["items"],
            }
            for g in groups
        ],
    }


def is_empty(metrics: dict[str, Any]) -> bool:
    """Nothing was decided, accepted or due in the period."""
    return not any(metrics[key] for key in PERIOD_SECTIONS)


def rejection_trend(conn: Any, until: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """Rejections per reason code in each of the TREND_WEEKS weeks up to `until` (the
    last one up to `until` itself), by the same aggregate as the report's own trend."""
    last = until - timedelta(microseconds=1)
    local = last.astimezone(zone).date()
    last_monday = local - timedelta(days=local.weekday())
    mondays = [last_monday - timedelta(weeks=TREND_WEEKS - 1 - i) for i in range(TREND_WEEKS)]
    weeks = [m.isoformat() for m in mondays]
    counts: dict[str, list[int]] = {}
    for week, code, n in tq.rejection_reasons(conn, local_midnight(mondays[0], zone), until):
        if week in weeks:
            counts.setdefault(str(code), [0] * TREND_WEEKS)[weeks.index(week)] += int(n)
    codes = sorted(counts, key=lambda c: (-sum(counts[c]), c))
    return {
        "weeks": weeks,
        "codes": {c: counts[c] for c in codes},
        "total": [sum(counts[c][i] for c in codes) for i in range(TREND_WEEKS)],
    }


def routing_share(conn: Any, since: datetime, until: datetime) -> dict[str, Any]:
    """How many of the period's assignments routing rules made, per rule."""
    total = wq.assignments(conn, since, until)
    by_rule = wq.routed_by_rule(conn, since, until)
    routed = sum(by_rule.values())
    return {
        "assignments": total,
        "routed": routed,
        "routed_pct": pct(routed, total),
        "rules": [
            {"rule": rule, "method": method, "count": n, "share_pct": pct(n, total)}
            for (rule, method), n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }
