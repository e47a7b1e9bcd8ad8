"""The team's numbers for a period: every section of reports.metrics(), as tables
with bars and sparklines (metrics_tables), over a period (metrics_period). A
cursor moves over the rows that stand for leads; enter lists them by name
(metrics_drilldown).
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.events import Resize
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Static

from leadqueue.domain.safe_text import json_document
from leadqueue.services import reports
from leadqueue.services.context import Services
from leadqueue.services.decisions import USER_ERRORS
from leadqueue.services.drilldown import DRILLABLE
from leadqueue.services.errors import StoreError
from leadqueue.tui.export_file import write_export
from leadqueue.tui.format import span_in_zone, visible
from leadqueue.tui.screens.help import HelpScreen, binding_rows
from leadqueue.tui.screens.metrics_drilldown import LeadListScreen
from leadqueue.tui.screens.metrics_period import (
    CustomPeriodForm,
    Period,
    last_four_weeks,
    this_week,
)
from leadqueue.tui.screens.metrics_tables import (
    NARROW_BELOW,
    TITLES,
    SectionView,
    metrics_csv,
    rendered_text,
    shown_rows,
)
from leadqueue.tui.store_work import StoreWork
from leadqueue.tui.widgets.fitting_footer import FittingFooter

__all__ = ["TITLES", "CustomPeriodForm", "MetricsScreen", "Period", "SectionView", "rendered_text"]

log = logging.getLogger(__name__)
Cursor = tuple[str, int]  # (section, shown row)
ALWAYS_IN_THE_FOOTER = ("help", "back")  # on the narrowest footer too


class MetricsScreen(StoreWork, Screen[None]):
    CSS_PATH = "team.tcss"
    # Every key the screen acts on is in the footer, the most used first: at 80 columns
    # the last give way (FittingFooter), never help and back, and the help (?) lists
    # them all. Only movement is left to the help: j/k and the arrows, as in the queue.
    BINDINGS = [
        Binding("1", "period('week')", "This week", id="metrics.this_week"),
        Binding("2", "period('4weeks')", "4 weeks", id="metrics.four_weeks"),
        Binding("3,c", "custom", "Custom", id="metrics.custom"),
        # priority: the scrolling body has the focus and would take up/down for itself
        Binding("j,down", "move(1)", "Down", show=False, id="metrics.down", priority=True),
        Binding("k,up", "move(-1)", "Up", show=False, id="metrics.up", priority=True),
        Binding("enter", "leads", "Leads", id="metrics.leads"),
        # Short in the footer, so that W fits at 120 columns; the help says them in full.
        Binding("right_square_bracket", "section(1)", "Section ↓", id="metrics.next", tooltip="Next section"),
        Binding(
            "left_square_bracket",
            "section(-1)",
            "Section ↑",
            id="metrics.previous",
            tooltip="Previous section",
        ),
        Binding("W", "weekly_report", "Weekly report", id="metrics.weekly_report"),
        Binding("x", "export('csv')", "Export", id="metrics.export_csv"),
        Binding("X", "export('json')", "Export JSON", id="metrics.export_json"),
        Binding("r", "refresh", "Refresh", id="metrics.refresh"),
        Binding("question_mark", "help", "Help", id="metrics.help"),
        Binding("escape,q", "back", "Back", id="metrics.back"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.period = last_four_weeks(services.clock.now())
        self.result: dict[str, Any] | None = None
        self.shown: dict[str, Any] = {}  # the rows each section shows
        self.cursor: Cursor | None = None  # the row enter lists the leads of
        self.loading = False
        self.error = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="metrics-head")
        with VerticalScroll(id="metrics-body"):
            for key in TITLES:
                yield Static("", id=f"section-{key}", classes="metric-section")
        yield FittingFooter(keep=ALWAYS_IN_THE_FOOTER)

    def on_mount(self) -> None:
        self.query_one("#metrics-body").focus()
        self.load_period(self.period)

    def on_resize(self, event: Resize) -> None:
        self.update_head()

    @property
    def since(self) -> datetime:
        return self.period.since

    @property
    def until(self) -> datetime:
        return self.period.until

    # -- loading ----------------------------------------------------------------------------
    def load_period(self, period: Period) -> None:
        self.period = period
        self.loading = True
        self.shown, self.cursor = {}, None  # another period's rows are other rows
        self.update_head()
        self.load(period)

    def load(self, period: Period) -> None:
        # Another period picked meanwhile starts another read, which cancels this one.
        self.read("metrics", self._read_metrics, period, then=self._show)

    def _read_metrics(self, period: Period) -> dict[str, Any]:
        """In the read's thread: the quick sections paint while the slower aggregates run."""
        return reports.metrics(
            self.services, period.since, period.until, on_sections=partial(self.deliver, self._show_sections)
        )

    def _show_sections(self, sections: dict[str, Any]) -> None:
        for key, rows in sections.items():
            self.shown[key] = rows
            self._paint(key)
        if self.cursor is None or self.cursor[0] not in self.shown:
            self.cursor = next(iter(self.rows_in_order()), None)  # the first row, once it is there
            if self.cursor is not None:
                self._paint(self.cursor[0])

    def _show(self, result: dict[str, Any]) -> None:
        self.result, self.loading, self.error = result, False, ""
        for key in TITLES:
            if self.shown.get(key) is not result[key]:  # laid out already as it arrived
                self.shown[key] = result[key]
                self._paint(key)
        self.update_head()

    def _paint(self, key: str) -> None:
        selected = self.cursor[1] if self.cursor is not None and self.cursor[0] == key else None
        self.query_one(f"#section-{key}", Static).update(SectionView(key, self.shown[key], selected))

    def show_error(self, message: str) -> None:
        self.loading = False
        self.error = message
        log.error(message)
        self.notify(message, severity="error", title="Store", timeout=10, markup=False)
        self.update_head()

    def update_head(self) -> None:
        wide = self.size.width >= NARROW_BELOW
        text = Text()
        text.append(" Metrics · team " if wide else " Metrics ", style="bold reverse")
        for key, kind, label in (
            ("1", "week", "This week"),
            ("2", "4weeks", "Last 4 weeks"),
            ("3", "custom", "Custom"),
        ):
            chosen = kind == self.period.kind
            name = self.period.label if chosen and kind == "custom" else label
            text.append(f"  {key} ", style="bold cyan")
            text.append(name, style="bold underline" if chosen else "dim")
        text.append("\n")
        if self.result is not None and not self.loading:
            # The CLI's own first line, to the character.
            text.append(f" metrics from {self.result['since']} to {self.result['until']}", style="bold")
            local = span_in_zone(self.since, self.until, self.services.policy.zone)
            if wide:
                text.append(f"  ({local})", style="dim")
        elif self.loading:
            text.append(" loading…", style="dim")
        if self.error:
            text.append(f"   ⚠ {visible(self.error)}", style="bold red")
        self.query_one("#metrics-head", Static).update(text)

    # -- keys ----------------------------------------------------------------------------------
    def action_period(self, kind: str) -> None:
        now = self.services.clock.now()
        zone = self.services.policy.zone
        self.load_period(this_week(now, zone) if kind == "week" else last_four_weeks(now))

    def action_refresh(self) -> None:
        if self.period.kind == "custom":
            self.load_period(self.period)
        else:
            self.action_period(self.period.kind)

    def action_custom(self) -> None:
        form = CustomPeriodForm(self.period, self.services.clock.now(), self.services.policy.zone)
        self.app.push_screen(form, callback=self._custom_chosen)

    def _custom_chosen(self, period: Period | None) -> None:
        if period is not None:
            self.load_period(period)

    # -- the row cursor ------------------------------------------------------------------------
    def rows_in_order(self) -> list[Cursor]:
        """Every row that stands for leads, top to bottom."""
        return [
            (key, i)
            for key in TITLES
            if key in DRILLABLE and key in self.shown
            for i in range(len(shown_rows(key, self.shown[key])))
        ]

    def action_move(self, step: int) -> None:
        """The cursor to the next (previous) row that names leads, scrolled into
        view; past the last (first) one, the body scrolls on by a line."""
        rows = self.rows_in_order()
        if self.cursor in rows:
            to = rows.index(self.cursor) + step
        else:  # no cursor (a section jump left it): the first row in view, going that way
            body = self.query_one("#metrics-body", VerticalScroll)
            top, bottom = body.scroll_target_y, body.scroll_target_y + body.scrollable_content_region.height
            in_view = [i for i, c in enumerate(rows) if top <= self._row_y(c) < bottom]
            to = (in_view[0] if step > 0 else in_view[-1]) if in_view else len(rows)
        if not 0 <= to < len(rows):
            self.query_one("#metrics-body", VerticalScroll).scroll_relative(y=step, animate=False)
            return
        self.select(rows[to])

    def select(self, cursor: Cursor | None, scroll: bool = True) -> None:
        before, self.cursor = self.cursor, cursor
        for key in {c[0] for c in (before, cursor) if c is not None}:
            self._paint(key)
        if cursor is not None and scroll:
            self.call_after_refresh(self._scroll_to_cursor)

    def _row_y(self, cursor: Cursor) -> int:
        """Where a row is in the scrolling body (its virtual y)."""
        key, index = cursor
        section = self.query_one(f"#section-{key}", Static)
        view = section.content
        if not isinstance(view, SectionView) or section.size.width <= 0:
            return section.virtual_region.y
        return section.virtual_region.y + view.row_line(index, section.size.width)

    def _scroll_to_cursor(self) -> None:
        if self.cursor is None or not self.is_attached:
            return
        body = self.query_one("#metrics-body", VerticalScroll)
        body.scroll_to_region(Region(0, self._row_y(self.cursor), 1, 1), animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        """A click on a row puts the cursor there; a click on the cursor's row lists its leads."""
        widget = event.widget
        if not isinstance(widget, Static) or not widget.has_class("metric-section"):
            return
        view = widget.content
        if not isinstance(view, SectionView) or view.key not in DRILLABLE:
            return
        offset = event.get_content_offset(widget)
        index = -1 if offset is None else offset.y - view.row_line(0, widget.size.width)
        if 0 <= index < len(shown_rows(view.key, view.rows)):
            if self.cursor == (view.key, index):
                self.action_leads()
            else:
                self.select((view.key, index), scroll=False)

    def action_leads(self) -> None:
        """The leads behind the cursor's row, by name, in a list."""
        if self.cursor is None:
            self.notify("No row picked: j/k move to one", severity="warning", markup=False)
            return
        key, index = self.cursor
        row = shown_rows(key, self.shown[key])[index]
        self.app.push_screen(LeadListScreen(self.services, key, row, self.since, self.until))

    def action_section(self, direction: int) -> None:
        """Jump to the next (or previous) section's title; the cursor to its first row."""
        body = self.query_one("#metrics-body", VerticalScroll)
        sections = list(body.query(".metric-section"))
        tops = [w.virtual_region.y for w in sections]
        here = round(body.scroll_target_y)  # where a scroll still under way will land: keys may repeat fast
        ahead = [t for t in tops if t > here] if direction > 0 else [t for t in tops if t < here]
        if not ahead:
            return
        top = ahead[0] if direction > 0 else ahead[-1]
        body.scroll_to(y=top, animate=False)
        key = (sections[tops.index(top)].id or "").removeprefix("section-")
        rows = [c for c in self.rows_in_order() if c[0] == key]
        self.select(rows[0] if rows else None, scroll=False)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self.BINDINGS, getattr(self.app, "keymap", {}) or {})))

    # -- export --------------------------------------------------------------------------------
    def action_export(self, fmt: str) -> None:
        if self.result is None:
            self.notify("Nothing loaded yet", severity="warning", markup=False)
            return
        now = self.services.clock.now()
        self.write("export", export_metrics, fmt, self.result, now, then=self.show_exported)

    def action_weekly_report(self) -> None:
        """The weekly report (one HTML file with charts) for the period shown, written
        where the other exports go."""
        now = self.services.clock.now()
        self.write("export", export_weekly_report, self.services, self.period, now, then=self.show_exported)


def export_metrics(fmt: str, result: dict[str, Any], now: datetime) -> tuple[str, str]:
    """In the export's thread: (what was written, or why it was not)."""
    content = json_document(result) if fmt == "json" else metrics_csv(result)
    try:
        path = write_export("metrics", fmt, now, content)
    except OSError as exc:
        return "", f"Export failed: {exc}"
    return f"Metrics → {path}", ""


def export_weekly_report(services: Services, period: Period, now: datetime) -> tuple[str, str]:
    """In the export's thread: (what was written, or why it was not)."""
    # Imported at the first report: the charts' code is for the team lead who asks for one.
    from leadqueue.export.weekly_html import html_report
    from leadqueue.services.weekly_report import period_of, weekly_report

    try:
        report = weekly_report(services, period_of(period.since, period.until, services.policy.zone))
        path = write_export("weekly-report", "html", now, html_report(report))
    except (StoreError, OSError, *USER_ERRORS) as exc:
        return "", f"Weekly report failed: {exc}"
    return f"Weekly report → {path}", ""
