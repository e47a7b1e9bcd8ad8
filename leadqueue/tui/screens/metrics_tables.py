"""The metrics screen's sections as rich renderables: tables with bars and
sparklines, one row of a section highlighted as the screen's cursor.

The numbers are the dict's values printed the way the CLI prints them
(`leadqueue report metrics`): None is '-', floats keep metrics()' rounding, so
the screen and the CLI agree to the digit; a rate over too few decisions says
"too few" in both, with no verdict.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from leadqueue.domain.metrics import TOO_FEW, lead_label
from leadqueue.export.metrics_csv import metrics_csv as metrics_csv  # the CLI's layout; metrics.py's `x`
from leadqueue.services import reports
from leadqueue.services.drilldown import DRILLABLE
from leadqueue.services.team_metrics import JUDGED_RATES, METRIC_NOTES, is_too_few
from leadqueue.tui.format import clock_label, hours_or_days, visible
from leadqueue.tui.widgets.charts import hbar, range_bar, rate_bar, scale, sparkline

NARROW_BELOW = 110
TITLES = reports.METRIC_TITLES
WRITTEN_SHOWN = 8  # written reasons on the screen; the list (enter) has them all, notes in full
# The cursor's row: a marker (readable without colour) and a background that
# keeps the bars' own colours readable (reverse would turn them inside out).
SELECTED = "bold on grey30"
MARKER = "▶"


def cell(value: Any, kind: str = "num") -> str:
    """The CLI's rendering (cli/render.py _cell) plus a % sign on percentages."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "pct":
        return f"{value}%"
    if kind == "hours":
        return hours_or_days(value)
    if kind == "clock":
        return clock_label(str(value))
    if kind == "list" and not isinstance(value, str):  # a note is one item
        items = [str(v) for v in value]
        return ", ".join(items[:5]) + (" ..." if len(items) > 5 else "")
    return str(value)


def health_flag(row: dict[str, Any]) -> Text:
    rate = row.get("rate_pct")
    if row.get("healthy") is None or rate is None:
        return Text("")  # not judged: no verdict at all
    if row["healthy"]:
        return Text("✓", style="bold green")
    return Text("✗", style="bold red")  # the bar shows whether it is too low or too high


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = "num"  # num | pct | hours | text | clock | list | flag | lead


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
    "written_reasons": Spec(
        (
            Column("lead", "name", "lead"),
            Column("rep", "rep", "text"),
            Column("code", "code", "text"),
            Column("reason written", "note", "list"),
        ),
    ),
    "time_to_decision_hours": Spec(
        (
            Column("rep", "rep", "text"),
            Column("decisions", "decisions"),
            Column("median", "median", "hours"),
            Column("p90", "p90", "hours"),
        ),
        _spread("median", "p90"),
        legend="█ median   ▒ up to the 90th percentile (hours; a day or more: days and hours)",
    ),
    "sla_compliance": Spec(
        (
            Column("clock", "clock", "clock"),
            Column("rep", "rep", "text"),
            Column("met", "met"),
            Column("missed", "missed"),
            Column("open breached", "breached_open"),
            Column("compliance", "compliance_pct", "pct"),
        ),
        _plain_pct("compliance_pct"),
    ),
    "accepted_without_first_touch": Spec(
        (Column("rep", "rep", "text"), Column("count", "count"), Column("leads", "names", "list")),
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
            Column("median age", "median_age_hours", "hours"),
            Column("oldest", "oldest_hours", "hours"),
        ),
        _spread("median_age_hours", "oldest_hours"),
        legend="█ median age   ▒ up to the oldest (hours; a day or more: days and hours)",
    ),
}
CHART_MIN, CHART_MAX = 10, 40
LIST_MIN = 12
LEAD_MAX = 36


def _cell_text(section: str, row: dict[str, Any], col: Column) -> Text:
    if col.kind == "flag":
        return health_flag(row)
    if col.kind == "pct" and JUDGED_RATES.get(section, ("",))[0] == col.field and is_too_few(section, row):
        return Text(TOO_FEW, style="dim")
    if col.kind == "lead":
        return Text(visible(lead_label(row["name"], "", row["company"], row["lead_id"])))
    # Rep keys, sources, the policy's reason labels, names, notes: data, shown as plain text.
    return Text(visible(cell(row.get(col.field), col.kind)))


def section_table(
    spec: Spec, rows: Sequence[dict[str, Any]], width: int, section: str = "", selected: int | None = None
) -> Table:
    """A table whose chart (or list) column takes the width the other columns leave;
    every row is one line, so the screen knows where each row is."""
    cells = [[_cell_text(section, r, c) for c in spec.columns] for r in rows]
    widths = [max([len(c.header), *(line[j].cell_len for line in cells)]) for j, c in enumerate(spec.columns)]
    gap = 2 if width >= NARROW_BELOW - 10 else 1  # a narrow terminal gives the gaps to the bars
    # A list (names, notes) is cut to the room left; a lead's name to LEAD_MAX; every
    # other column is as wide as its widest cell.
    widths = [min(w, LEAD_MAX) if c.kind == "lead" else w for w, c in zip(widths, spec.columns, strict=True)]
    fixed = sum(w + gap for w, c in zip(widths, spec.columns, strict=True) if c.kind != "list")
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, gap, 0, 0), header_style="bold")
    if section in DRILLABLE:  # the cursor's column
        table.add_column("", width=1, no_wrap=True)
        fixed += 1 + gap
    for col, w in zip(spec.columns, widths, strict=True):
        table.add_column(
            col.header,
            justify="left" if col.kind in ("text", "clock", "list", "flag", "lead") else "right",
            no_wrap=True,
            overflow="ellipsis" if col.kind in ("text", "list", "lead") else "fold",
            width=max(LIST_MIN, width - fixed) if col.kind == "list" else w if col.kind == "lead" else None,
            min_width=min(w, 12) if col.kind == "text" else w,
            max_width=max(12, w) if col.kind == "text" else None,
        )
    chart_width = max(CHART_MIN, min(CHART_MAX, width - fixed)) if spec.chart else 0
    if spec.chart:
        header = spec.chart_header
        if header == "scale":
            ruler = scale(chart_width).rstrip()
            header = ruler + "%" if len(ruler) < chart_width else ruler
        table.add_column(header[:chart_width], no_wrap=True, width=chart_width)
    for i, (row, row_cells) in enumerate(zip(rows, cells, strict=True)):
        extra = [spec.chart(row, rows, chart_width)] if spec.chart else []
        marker = [Text(MARKER if i == selected else " ")] if section in DRILLABLE else []
        table.add_row(*marker, *row_cells, *extra, style=SELECTED if i == selected else None)
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


def shown_rows(key: str, rows: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
    """The rows a section shows (the screen's cursor moves over these)."""
    return rows[:WRITTEN_SHOWN] if key == "written_reasons" else rows


class SectionView:
    """A section as a rich renderable: it lays itself out for the width it is given,
    so bars grow with the terminal and the height is measured correctly."""

    def __init__(self, key: str, rows: Sequence[dict[str, Any]], selected: int | None = None) -> None:
        self.key = key
        self.rows = rows
        self.selected = selected
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

    def head(self, width: int) -> list[RenderableType]:
        """What comes before the table: the title, the legend, the note on how to read it."""
        out: list[RenderableType] = [Text(TITLES[self.key], style="bold underline")]
        if not self.rows:
            return out
        if self.key == "rejection_trend":
            first, last = self.rows[0]["week"], self.rows[-1]["week"]
            return [*out, Text(f"weeks starting Monday, {first} to {last}", style="dim")]
        spec = SPECS[self.key]
        if spec.legend:
            out.append(Text(spec.legend, style="dim"))
        note = METRIC_NOTES.get(self.key)
        if note and (self.key not in JUDGED_RATES or any(is_too_few(self.key, r) for r in self.rows)):
            out.append(Text(note, style="dim"))
        return out

    def parts(self, width: int) -> Iterator[RenderableType]:
        yield from self.head(width)
        if not self.rows:
            yield Text("  (none)", style="dim")
            return
        if self.key == "rejection_trend":
            yield trend_table(self.rows, width)
            return
        rows = shown_rows(self.key, self.rows)
        yield section_table(SPECS[self.key], rows, width, self.key, self.selected)
        if len(rows) < len(self.rows):
            yield Text(f"… {len(self.rows) - len(rows)} more: enter lists them all", style="dim")

    def row_line(self, index: int, width: int) -> int:
        """The line, within the section, of shown row `index` at `width` (after the head
        and the table's header; every row is one line)."""
        console = Console(width=width, file=io.StringIO(), color_system=None)
        head = console.render_lines(Group(*self.head(width)), console.options.update_width(width), pad=False)
        return len(head) + 1 + index


def rendered_text(view: SectionView, width: int) -> str:
    """The plain text of a section at `width` (tests and the tmux check compare it with the dict)."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(view)
    return console.export_text()
