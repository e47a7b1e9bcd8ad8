"""The team's numbers for a period: every section of reports.metrics(), as tables
with bars and sparklines.

The numbers are the dict's values printed the way the CLI prints them
(`leadqueue report metrics`): None is '-', floats keep metrics()' rounding, so
the screen and the CLI agree to the digit.
"""

from __future__ import annotations

import calendar
import io
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static
from textual.worker import get_current_worker

from leadqueue.domain.decisions import DecisionError
from leadqueue.io.csv_out import SafeWriter
from leadqueue.services import reports
from leadqueue.services.context import Services
from leadqueue.services.decisions import USER_ERRORS
from leadqueue.store.engine import StoreError
from leadqueue.tui.export_file import write_export
from leadqueue.tui.format import visible
from leadqueue.tui.screens.forms import DecisionForm
from leadqueue.tui.screens.help import HelpScreen, binding_rows
from leadqueue.tui.widgets.charts import hbar, range_bar, rate_bar, scale, sparkline

log = logging.getLogger(__name__)
NARROW_BELOW = 110

TITLES = reports.METRIC_TITLES


# -- periods ----------------------------------------------------------------------------


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
    """The CLI's default period: the 28 days before now."""
    return Period("4weeks", now - timedelta(days=28), now, "Last 4 weeks")


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


# -- cells and sections ----------------------------------------------------------------------


def cell(value: Any, kind: str = "num") -> str:
    """The CLI's rendering (cli/render.py _cell) plus a % sign on percentages."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "pct":
        return f"{value}%"
    if kind == "list":
        items = [str(v) for v in value]
        return ", ".join(items[:5]) + (" ..." if len(items) > 5 else "")
    return str(value)


def health_flag(row: dict[str, Any]) -> Text:
    rate = row.get("rate_pct")
    if row.get("healthy") is None or rate is None:
        return Text("-", style="dim")
    if row["healthy"]:
        return Text("✓", style="bold green")
    return Text("✗", style="bold red")  # the bar shows whether it is too low or too high


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = "num"  # num | pct | text | list | flag


Chart = Callable[[dict[str, Any], Sequence[dict[str, Any]], int], Text]


@dataclass(frozen=True)
class Spec:
    columns: tuple[Column, ...]
    chart: Chart | None = None
    chart_header: str = ""  # "scale": a 0/60/90 ruler over a rate bar
    legend: str = ""


def _band(field: str) -> Chart:
    return lambda row, rows, width: rate_bar(row.get(field), width)


def _plain_pct(field: str) -> Chart:
    return lambda row, rows, width: rate_bar(row.get(field), width, band=None)


def _share(row: dict[str, Any], rows: Sequence[dict[str, Any]], width: int) -> Text:
    return hbar(row["count"], max(r["count"] for r in rows), width, style="red")


def _spread(low: str, high: str) -> Chart:
    def chart(row: dict[str, Any], rows: Sequence[dict[str, Any]], width: int) -> Text:
        top = max((r[high] for r in rows if r.get(high) is not None), default=0)
        return range_bar(row.get(low), row.get(high), top, width)

    return chart


RATE_COLUMNS = (
    Column("accepted", "accepted"),
    Column("rejected", "rejected"),
    Column("rate", "rate_pct", "pct"),
)
BAND_LEGEND = "█ rate   ░ healthy band 60–90%   ✓ inside the band   ✗ outside it"
SPECS: dict[str, Spec] = {
    "acceptance_by_rep": Spec(
        (Column("rep", "rep", "text"), *RATE_COLUMNS, Column("", "healthy", "flag")),
        _band("rate_pct"),
        "scale",
        BAND_LEGEND,
    ),
    "acceptance_by_source": Spec(
        (Column("source", "source", "text"), *RATE_COLUMNS, Column("", "healthy", "flag")),
        _band("rate_pct"),
        "scale",
        BAND_LEGEND,
    ),
    "rejection_reasons": Spec(
        (
            Column("code", "code", "text"),
            Column("reason", "label", "text"),
            Column("count", "count"),
            Column("share", "share_pct", "pct"),
        ),
        _share,
    ),
    "time_to_decision_hours": Spec(
        (
            Column("rep", "rep", "text"),
            Column("decisions", "decisions"),
            Column("median", "median"),
            Column("p90", "p90"),
        ),
        _spread("median", "p90"),
        legend="█ median   ▒ up to the 90th percentile (hours)",
    ),
    "sla_compliance": Spec(
        (
            Column("clock", "clock", "text"),
            Column("rep", "rep", "text"),
            Column("met", "met"),
            Column("missed", "missed"),
            Column("open breached", "breached_open"),
            Column("compliance", "compliance_pct", "pct"),
        ),
        _plain_pct("compliance_pct"),
    ),
    "accepted_without_first_touch": Spec(
        (Column("rep", "rep", "text"), Column("count", "count"), Column("leads", "leads", "list")),
    ),
    "sal_to_sql": Spec(
        (
            Column("rep", "rep", "text"),
            Column("accepted", "accepted"),
            Column("advanced", "advanced"),
            Column("conversion", "conversion_pct", "pct"),
        ),
        _plain_pct("conversion_pct"),
    ),
    "leads_waiting": Spec(
        (
            Column("rep", "rep", "text"),
            Column("waiting", "count"),
            Column("median age h", "median_age_hours"),
            Column("oldest h", "oldest_hours"),
        ),
        _spread("median_age_hours", "oldest_hours"),
        legend="█ median age   ▒ up to the oldest",
    ),
}
CHART_MIN, CHART_MAX = 10, 40


def _cell_text(row: dict[str, Any], col: Column) -> Text:
    if col.kind == "flag":
        return health_flag(row)
    # Rep keys, sources, the policy's reason labels, lead ids: data, shown as plain text.
    return Text(visible(cell(row.get(col.field), col.kind)))


def section_table(spec: Spec, rows: Sequence[dict[str, Any]], width: int) -> Table:
    """A table whose chart column takes the width the other columns leave."""
    cells = [[_cell_text(r, c) for c in spec.columns] for r in rows]
    widths = [max([len(c.header), *(line[j].cell_len for line in cells)]) for j, c in enumerate(spec.columns)]
    gap = 2 if width >= NARROW_BELOW - 10 else 1  # a narrow terminal gives the gaps to the bars
    # The leads list wraps; every other column is as wide as its widest cell.
    fixed = sum(w + gap for w, c in zip(widths, spec.columns, strict=True) if c.kind != "list")
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, gap, 0, 0), header_style="bold")
    for col, w in zip(spec.columns, widths, strict=True):
        table.add_column(
            col.header,
            justify="left" if col.kind in ("text", "list", "flag") else "right",
            no_wrap=col.kind != "list",
            overflow="ellipsis" if col.kind == "text" else "fold",
            min_width=None if col.kind == "list" else min(w, 12) if col.kind == "text" else w,
            max_width=max(12, w) if col.kind == "text" else None,
        )
    chart_width = max(CHART_MIN, min(CHART_MAX, width - fixed)) if spec.chart else 0
    if spec.chart:
        header = spec.chart_header
        if header == "scale":
            ruler = scale(chart_width).rstrip()
            header = ruler + "%" if len(ruler) < chart_width else ruler
        table.add_column(header[:chart_width], no_wrap=True, width=chart_width)
    for row, row_cells in zip(rows, cells, strict=True):
        extra = [spec.chart(row, rows, chart_width)] if spec.chart else []
        table.add_row(*row_cells, *extra)
    return table


def trend_table(rows: Sequence[dict[str, Any]], width: int) -> Table:
    """One line per reason code: a sparkline over every week, then the counts of as many
    recent weeks as fit, then the total. A week without that code shows '-' as the CLI does."""
    weeks = [r["week"] for r in rows]
    codes: dict[str, int] = {}
    for r in rows:
        for code, n in r.items():
            if code != "week":
                codes[code] = codes.get(code, 0) + int(n)
    order = sorted(codes, key=lambda c: (-codes[c], c))
    code_width = max([4, *(cell_len(visible(c)) for c in order)])
    spark_width = max(5, len(weeks))
    room = width - (code_width + 2) - (spark_width + 2) - 7
    shown = weeks[-max(0, room // 7) :] if room >= 7 else []
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, 2, 0, 0), header_style="bold")
    table.add_column("code", no_wrap=True, min_width=code_width)
    table.add_column("weekly", no_wrap=True, min_width=spark_width)
    for week in shown:
        table.add_column(week[5:], justify="right", no_wrap=True, min_width=5)
    table.add_column("total", justify="right", no_wrap=True)
    by_week = {r["week"]: r for r in rows}
    for code in [*order, "all"]:
        if code == "all":
            series = [sum(v for k, v in by_week[w].items() if k != "week") for w in weeks]
            counts = [str(n) for n in series[len(weeks) - len(shown) :]]
            total = str(sum(series))
            style = "bold"
        else:
            series = [by_week[w].get(code, 0) for w in weeks]
            counts = [cell(by_week[w].get(code)) for w in shown]
            total, style = str(codes[code]), ""
        table.add_row(
            Text(visible(code), style=style),
            Text(sparkline(series), style="red"),
            *[Text(n) for n in counts],
            Text(total, style=style),
        )
    return table


class SectionView:
    """A section as a rich renderable: it lays itself out for the width it is given,
    so bars grow with the terminal and the height is measured correctly."""

    def __init__(self, key: str, rows: Sequence[dict[str, Any]]) -> None:
        self.key = key
        self.rows = rows
        # Textual renders a widget's content more than once (to measure its height,
        # then to draw it); a team's tables are costly to lay out, so each width is laid out once.
        self._lines: dict[int, list[list[Segment]]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = self._lines.get(options.max_width)
        if lines is None:
            lines = console.render_lines(Group(*self.parts(options.max_width)), options, pad=False)
            self._lines[options.max_width] = lines
        new_line = Segment.line()
        for line in lines:
            yield from line
            yield new_line

    def parts(self, width: int) -> Iterator[RenderableType]:
        yield Text(TITLES[self.key], style="bold underline")
        if not self.rows:
            yield Text("  (none)", style="dim")
            return
        if self.key == "rejection_trend":
            first, last = self.rows[0]["week"], self.rows[-1]["week"]
            yield Text(f"weeks starting Monday, {first} to {last}", style="dim")
            yield trend_table(self.rows, width)
            return
        spec = SPECS[self.key]
        if spec.legend:
            yield Text(spec.legend, style="dim")
        yield section_table(spec, self.rows, width)


def metrics_csv(result: dict[str, Any]) -> str:
    """One CSV section per table: its name on a line, its header, its rows, a blank line."""
    buf = io.StringIO()
    writer = SafeWriter(buf)
    writer.writerow(["since", result["since"], "until", result["until"]])
    for key in TITLES:
        rows = result[key]
        writer.writerow([])
        writer.writerow([key])
        fields = list(dict.fromkeys(f for r in rows for f in r))
        writer.writerow(fields)
        for r in rows:
            writer.writerow([_csv_value(r.get(f)) for f in fields])
    return buf.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else value


# -- the custom period form ----------------------------------------------------------------------


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
        summary.update(f"→ {reports.iso(period.since)} to {reports.iso(period.until)}")
        summary.set_class(False, "invalid")
        self.query_one("#form-error", Static).update("")

    def build(self) -> Period:
        first = self._day("since-date", "since_date")
        last = self._day("until-date", "until_date")
        if first > last:
            raise DecisionError("since_date", "the first day is after the last day")
        return custom_period(first, last, self.now, self.zone)


# -- the screen -------------------------------------------------------------------------------


class MetricsScreen(Screen[None]):
    CSS_PATH = "team.tcss"
    BINDINGS = [
        Binding("1", "period('week')", "This week", id="metrics.this_week"),
        Binding("2", "period('4weeks')", "4 weeks", id="metrics.four_weeks"),
        Binding("3,c", "custom", "Custom", id="metrics.custom"),
        Binding("r", "refresh", "Refresh", show=False, id="metrics.refresh"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="metrics.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="metrics.up"),
        Binding("right_square_bracket", "section(1)", "Next section", show=False, id="metrics.next"),
        Binding("left_square_bracket", "section(-1)", "Previous section", show=False, id="metrics.previous"),
        Binding("x", "export('csv')", "Export", id="metrics.export_csv"),
        Binding("X", "export('json')", "Export JSON", show=False, id="metrics.export_json"),
        Binding("question_mark", "help", "Help", show=False, id="metrics.help"),
        Binding("escape,q", "back", "Back", id="metrics.back"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.period = last_four_weeks(services.clock.now())
        self.result: dict[str, Any] | None = None
        self.shown: dict[str, Any] = {}  # the rows each section shows
        self.loading = False
        self.error = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="metrics-head")
        with VerticalScroll(id="metrics-body"):
            for key in TITLES:
                yield Static("", id=f"section-{key}", classes="metric-section")
        yield Footer()

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
        self.update_head()
        self.load(period)

    @work(thread=True, exclusive=True, group="metrics")
    def load(self, period: Period) -> None:
        worker = get_current_worker()

        def arrived(sections: dict[str, Any]) -> None:
            # The quick sections paint while the slower aggregates are still running.
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_sections, period, sections)

        try:
            result = reports.metrics(self.services, period.since, period.until, on_sections=arrived)
        except (StoreError, *USER_ERRORS) as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        if not get_current_worker().is_cancelled:  # the user picked another period meanwhile
            self.app.call_from_thread(self._show, period, result)

    def _show_sections(self, period: Period, sections: dict[str, Any]) -> None:
        if period != self.period or not self.is_attached:
            return
        for key, rows in sections.items():
            self.query_one(f"#section-{key}", Static).update(SectionView(key, rows))
            self.shown[key] = rows

    def _show(self, period: Period, result: dict[str, Any]) -> None:
        if period != self.period or not self.is_attached:  # superseded, or the user left
            return
        self.result, self.loading, self.error = result, False, ""
        for key in TITLES:
            if self.shown.get(key) is not result[key]:  # laid out already as it arrived
                self.query_one(f"#section-{key}", Static).update(SectionView(key, result[key]))
                self.shown[key] = result[key]
        self.update_head()

    def show_error(self, message: str) -> None:
        if not self.is_attached:
            return
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
            zone = self.services.policy.zone
            since, until = self.since.astimezone(zone), self.until.astimezone(zone)
            local = f"{since:%a %d %b %H:%M} – {until:%a %d %b %H:%M %Z}"
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

    def action_scroll(self, lines: int) -> None:
        body = self.query_one("#metrics-body", VerticalScroll)
        body.scroll_relative(y=lines, animate=False)

    def action_section(self, direction: int) -> None:
        """Jump to the next (or previous) section's title."""
        body = self.query_one("#metrics-body", VerticalScroll)
        tops = [w.virtual_region.y for w in body.query(".metric-section")]
        here = round(body.scroll_target_y)  # where a scroll still under way will land: keys may repeat fast
        ahead = [t for t in tops if t > here] if direction > 0 else [t for t in tops if t < here]
        if ahead:
            body.scroll_to(y=ahead[0] if direction > 0 else ahead[-1], animate=False)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self.BINDINGS, getattr(self.app, "keymap", {}) or {})))

    # -- export --------------------------------------------------------------------------------
    def action_export(self, fmt: str) -> None:
        if self.result is None:
            self.notify("Nothing loaded yet", severity="warning", markup=False)
            return
        self.export(fmt, self.result, self.services.clock.now())

    @work(thread=True, group="export")
    def export(self, fmt: str, result: dict[str, Any], now: datetime) -> None:
        content = (
            json.dumps(result, indent=2, ensure_ascii=False) + "\n" if fmt == "json" else metrics_csv(result)
        )
        try:
            path = write_export("metrics", fmt, now, content)
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, f"Export failed: {exc}", severity="error", title="Export", markup=False
            )
            return
        self.app.call_from_thread(self.notify, f"Metrics → {path}", title="Exported", markup=False)


def rendered_text(view: SectionView, width: int) -> str:
    """The plain text of a section at `width` (tests and the tmux check compare it with the dict)."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(view)
    return console.export_text()
