"""The metrics screen's periods: this week, the last four weeks, or whole days
picked in the custom period form (days in the team's zone)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from leadqueue.domain.decisions import DecisionError
from leadqueue.domain.metrics import DEFAULT_PERIOD, iso
from leadqueue.tui.format import visible
from leadqueue.tui.screens.forms import DecisionForm


@dataclass(frozen=True)
class Period:
    kind: str  # "week" | "4weeks" | "custom"
    since: datetime
    until: datetime
    label: str


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def this_week(now: datetime, zone: ZoneInfo) -> Period:
    """Monday 00:00 in the team's zone until now."""
    today = now.astimezone(zone).date()
    return Period("week", local_midnight(today - timedelta(days=today.weekday()), zone), now, "This week")


def last_four_weeks(now: datetime) -> Period:
    """The CLI's default period (DEFAULT_PERIOD) before now."""
    return Period("4weeks", now - DEFAULT_PERIOD, now, f"Last {DEFAULT_PERIOD.days // 7} weeks")


def custom_period(first: date, last: date, now: datetime, zone: ZoneInfo) -> Period:
    """Whole local days, both included; a period reaching today stops at now."""
    until = min(local_midnight(last + timedelta(days=1), zone), now)
    return Period("custom", local_midnight(first, zone), until, f"{first.isoformat()} – {last.isoformat()}")


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_day(text: str, field: str, today: date) -> date:
    """A YYYY-MM-DD date that exists and is not in the future; DecisionError says why not."""
    value = text.strip()
    if not value:
        raise DecisionError(field, "enter a date as YYYY-MM-DD")
    match = _DAY.match(value)
    if not match:
        raise DecisionError(field, f"{value!r} is not a date: write it as YYYY-MM-DD")
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        raise DecisionError(field, f"{value} is not a real date: months go from 01 to 12")
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= days:
        raise DecisionError(
            field, f"{value} is not a real date: {calendar.month_name[month]} {year} has {days} days"
        )
    result = date(year, month, day)
    if result > today:
        raise DecisionError(field, f"{value} is in the future")
    return result


class CustomPeriodForm(DecisionForm):
    """Two dates in the team's zone, both days included; returns a Period or None."""

    TITLE_TEXT = "Custom period"
    SUBMIT_LABEL = "Show"

    def __init__(self, current: Period, now: datetime, zone: ZoneInfo) -> None:
        super().__init__(f"days in {zone.key}")
        self.current = current
        self.now = now
        self.zone = zone

    def fields(self) -> ComposeResult:
        today = self.now.astimezone(self.zone).date()
        first = self.current.since.astimezone(self.zone).date()
        yield Label("From (YYYY-MM-DD, included)")
        yield Input(value=first.isoformat(), placeholder="YYYY-MM-DD", id="since-date")
        yield Static("", id="since-feedback", classes="form-feedback", markup=False)
        yield Label("To (YYYY-MM-DD, included)")
        yield Input(value=today.isoformat(), placeholder="YYYY-MM-DD", id="until-date")
        yield Static("", id="until-feedback", classes="form-feedback", markup=False)
        yield Static("", id="period-feedback", classes="form-feedback", markup=False)

    def focus_first(self) -> None:
        self.query_one("#since-date", Input).focus()
        self._check()

    @on(Input.Changed)
    def _changed(self) -> None:
        self._check()

    def _day(self, widget_id: str, field: str) -> date:
        today = self.now.astimezone(self.zone).date()
        return parse_day(self.query_one(f"#{widget_id}", Input).value, field, today)

    def _check(self) -> None:
        """Feedback under each field as you type, then the resolved period."""
        days: dict[str, date] = {}
        for widget_id, feedback_id in (("since-date", "#since-feedback"), ("until-date", "#until-feedback")):
            feedback = self.query_one(feedback_id, Static)
            try:
                day = self._day(widget_id, widget_id)
            except DecisionError as exc:
                feedback.update(f"✘ {visible(exc.message)}")  # quotes what was typed
                feedback.set_class(True, "invalid")
                continue
            days[widget_id] = day
            feedback.update(f"→ {day:%A} {day.day} {day:%B %Y}")
            feedback.set_class(False, "invalid")
        summary = self.query_one("#period-feedback", Static)
        try:
            period = self.build()
        except DecisionError as exc:
            both = len(days) == 2
            summary.update(f"✘ {visible(exc.message)}" if both else "")
            summary.set_class(both, "invalid")
            return
        summary.update(f"→ {iso(period.since)} to {iso(period.until)}")
        summary.set_class(False, "invalid")
        self.query_one("#form-error", Static).update("")

    def build(self) -> Period:
        first = self._day("since-date", "since_date")
        last = self._day("until-date", "until_date")
        if first > last:
            raise DecisionError("since_date", "the first day is after the last day")
        return custom_period(first, last, self.now, self.zone)
