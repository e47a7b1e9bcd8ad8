"""Small SVG charts for the weekly report: horizontal bars (this period beside the
previous one, a number beside every bar, an optional band) and small-multiple
trend lines.

Hand-made rather than matplotlib or Vega-Lite, because for these two chart
kinds it is simpler and as good:

- size and start-up: matplotlib (with numpy) is tens of MB and about a second
  to import, in the app too (`W` on the metrics screen); Vega-Lite needs a
  JavaScript engine or a vl-convert binary at build time. This is one module
  of the standard library's string work.
- no font or backend issues: matplotlib measures text with its own fonts and
  writes glyphs or hard-coded fills; these charts leave fonts to the reader's
  browser and colours to CSS classes, so one page follows the reader's light
  or dark scheme (`prefers-color-scheme`).
- deterministic output: the same numbers give the same bytes (no random ids,
  no dates, no hash salt), so a report can be diffed and tested exactly.
- accessible: each chart is `role="img"` with a <title> and a <desc> that
  reads the numbers out; the colours are Okabe-Ito's colour-blind-safe ones,
  and no colour carries meaning alone (every bar has its number, a rate
  outside the band says "low" or "high").

Every text that comes from data (rep names, sources, reason labels) is made
visible (control characters and bidi overrides shown, never raw) and XML
escaped, in text and in attributes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from leadqueue.domain.safe_text import terminal_safe

# Okabe-Ito: told apart under every common colour-vision deficiency.
BLUE, SKY_BLUE, ORANGE, GREEN, VERMILLION = "#0072B2", "#56B4E9", "#E69F00", "#009E73", "#D55E00"

# The charts' classes, light first, dark under prefers-color-scheme. The HTML page
# carries this once; a standalone SVG file (Markdown) carries it itself.
CHART_CSS = f"""
.lq-chart {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  font-size: 12px; font-variant-numeric: tabular-nums; }}
.lq-bg {{ fill: #ffffff; }}
.lq-text {{ fill: #1f2328; }}
.lq-muted {{ fill: #57606a; }}
.lq-cur {{ fill: {BLUE}; }}
.lq-prev {{ fill: {ORANGE}; }}
.lq-band {{ fill: {GREEN}; fill-opacity: 0.16; }}
.lq-band-edge {{ stroke: {GREEN}; stroke-dasharray: 3 3; }}
.lq-flag {{ fill: {VERMILLION}; font-weight: 600; }}
.lq-axis {{ stroke: #8c959f; }}
.lq-grid {{ stroke: #d0d7de; }}
.lq-line {{ fill: none; stroke: {BLUE}; stroke-width: 2; }}
.lq-dot {{ fill: {BLUE}; }}
@media (prefers-color-scheme: dark) {{
  .lq-bg {{ fill: #0d1117; }}
  .lq-text {{ fill: #e6edf3; }}
  .lq-muted {{ fill: #9da7b3; }}
  .lq-cur {{ fill: {SKY_BLUE}; }}
  .lq-band {{ fill-opacity: 0.28; }}
  .lq-flag {{ fill: #ff8a50; }}
  .lq-axis {{ stroke: #6e7681; }}
  .lq-grid {{ stroke: #30363d; }}
  .lq-line {{ stroke: {SKY_BLUE}; }}
  .lq-dot {{ fill: {SKY_BLUE}; }}
}}
"""

# Presentation attributes: what a reader that drops CSS still draws (CSS wins over them).
_FILL = {"lq-cur": BLUE, "lq-prev": ORANGE, "lq-band": GREEN, "lq-flag": VERMILLION}

WIDTH = 720
_ROW_LABEL_MAX = 32  # characters; the full text is in the row's tooltip and the table
_CHAR = 6.8  # px per character at 12px: enough to lay out labels, never to clip them
_NUMBER_ROOM = 150  # px right of the longest bar for its number

_NONCHARACTERS = re.compile("[\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")


def clean(value: object) -> str:
    """Data text as it may be shown: control characters and bidi overrides made
    visible, on one line; characters no HTML or XML document may hold replaced."""
    return _NONCHARACTERS.sub("\ufffd", terminal_safe(str(value)))


def text(value: object) -> str:
    """Data text for an XML or HTML text node."""
    return escape(clean(value))


def attr(value: object) -> str:
    """Data text as a quoted XML or HTML attribute value (quotes included)."""
    return quoteattr(clean(value))


def shorten(label: str, limit: int = _ROW_LABEL_MAX) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class BarRow:
    """One row: this period's bar and the previous period's below it. A value of
    None draws no bar; its text (e.g. "too few") stands in its place."""

    label: str
    value: float | None
    value_text: str
    previous: float | None = None
    previous_text: str = ""
    flag: str = ""  # e.g. "low": a word beside the number, so colour is never alone


@dataclass(frozen=True)
class Chart:
    """An SVG chart's parts: `svg()` wraps them for a page or as a file of its own."""

    chart_id: str
    title: str
    description: str
    width: int
    height: int
    body: list[str] = field(default_factory=list)

    def svg(self, standalone: bool = False) -> str:
        """The chart as an <svg> element; `standalone` adds the XML namespace, its own
        CSS and a background, for a file read outside the report's page."""
        ident = chart_ident(self.chart_id)
        # The namespace only in a file of its own: inside HTML the parser knows <svg>.
        xmlns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
        head = [
            f'<svg{xmlns} class="lq-chart" role="img"'
            f' width="{self.width}" height="{self.height}" viewBox="0 0 {self.width} {self.height}"'
            f' aria-labelledby="{ident}-title {ident}-desc">',
            f'<title id="{ident}-title">{text(self.title)}</title>',
            f'<desc id="{ident}-desc">{text(self.description)}</desc>',
        ]
        if standalone:
            head.append(f"<style>{CHART_CSS}</style>")
            head.append(f'<rect class="lq-bg" width="{self.width}" height="{self.height}" fill="#ffffff"/>')
        return "\n".join([*head, *self.body, "</svg>"]) + "\n"


def chart_ident(chart_id: str) -> str:
    """An id safe in XML, HTML and file names: lower-case letters, digits, '-'."""
    return "lq-" + (re.sub(r"[^a-z0-9]+", "-", chart_id.lower()).strip("-") or "chart")


def _n(x: float) -> str:
    # Coordinates to a tenth of a pixel: the same numbers always give the same bytes.
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _label_width(labels: Sequence[str]) -> float:
    longest = max((len(shorten(label)) for label in labels), default=4)
    return min(max(longest * _CHAR + 12, 60), _ROW_LABEL_MAX * _CHAR + 12)


def _text_el(
    x: float,
    y: float,
    value: str,
    cls: str = "lq-text",
    anchor: str = "start",
    extra: str = "",
    tooltip: str = "",
) -> str:
    """A <text> of already escaped `value`; `tooltip` (escaped) is its <title>."""
    fill = _FILL.get(cls, "#1f2328")
    tip = f"<title>{tooltip}</title>" if tooltip else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" class="{cls}" fill="{fill}" text-anchor="{anchor}"'
        f' dominant-baseline="middle"{extra}>{value}{tip}</text>'
    )


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[BarRow],
    series: tuple[str, str] = ("this period", "previous period"),
    scale_max: float | None = None,
    band: tuple[float, float] | None = None,
    unit: str = "",
    compare: bool = True,
) -> Chart:
    """Horizontal bars, two per row (this period, the previous one; one without
    `compare`), each with its number beside it; `band` shades a range (the healthy
    acceptance band), `scale_max` fixes the axis (100 for a percentage) instead of
    the largest value."""
    label_w = _label_width([r.label for r in rows])
    plot_x = label_w
    plot_w = WIDTH - label_w - _NUMBER_ROOM
    values = [v for r in rows for v in (r.value, r.previous) if v is not None]
    top = scale_max if scale_max is not None else max([*values, 0.0]) or 1.0
    bar_h, gap, row_gap = 11, 2, 10
    bars_per_row = 2 if compare else 1
    row_h = bars_per_row * bar_h + (bars_per_row - 1) * gap + row_gap
    legend_h = 22
    band_h = 16 if band else 0
    y0 = legend_h + band_h + 4
    height = int(y0 + row_h * len(rows) + 6)

    def x_of(v: float) -> float:
        return plot_x + plot_w * max(0.0, min(v, top)) / top

    body: list[str] = []
    # legend: a swatch and the series' name, for each series
    lx = 4.0
    for cls, name in (("lq-cur", series[0]), ("lq-prev", series[1]))[:bars_per_row]:
        body.append(f'<rect x="{_n(lx)}" y="5" width="12" height="12" class="{cls}" fill="{_FILL[cls]}"/>')
        body.append(_text_el(lx + 17, 11, text(name)))
        lx += 17 + len(clean(name)) * _CHAR + 22
    if band:
        lo, hi = x_of(band[0]), x_of(band[1])
        body.append(
            f'<rect x="{_n(lo)}" y="{_n(y0 - 4)}" width="{_n(hi - lo)}" height="{_n(height - y0)}"'
            f' class="lq-band" fill="{GREEN}" fill-opacity="0.16"/>'
        )
        for edge, value in ((lo, band[0]), (hi, band[1])):
            body.append(
                f'<line x1="{_n(edge)}" y1="{_n(y0 - 4)}" x2="{_n(edge)}" y2="{_n(height - 2)}"'
                f' class="lq-band-edge" stroke="{GREEN}"/>'
            )
            body.append(_text_el(edge, legend_h + 7, f"{_n(value)}{text(unit)}", "lq-muted", "middle"))
    body.append(
        f'<line x1="{_n(plot_x)}" y1="{_n(y0 - 4)}" x2="{_n(plot_x)}" y2="{_n(height - 2)}"'
        f' class="lq-axis" stroke="#8c959f"/>'
    )
    for i, row in enumerate(rows):
        y = y0 + i * row_h
        label = clean(row.label)
        body.append(
            _text_el(
                plot_x - 8,
                y + (bars_per_row * bar_h + (bars_per_row - 1) * gap) / 2,
                escape(shorten(label)),
                anchor="end",
                tooltip=escape(label),
            )
        )
        pairs = ((row.value, row.value_text, "lq-cur"), (row.previous, row.previous_text, "lq-prev"))
        for j, (value, shown, cls) in enumerate(pairs[:bars_per_row]):
            by = y + j * (bar_h + gap)
            end = plot_x
            if value is not None:
                end = x_of(value)
                width = max(end - plot_x, 1.5 if value > 0 else 0.0)
                body.append(
                    f'<rect x="{_n(plot_x)}" y="{_n(by)}" width="{_n(width)}" height="{bar_h}"'
                    f' class="{cls}" fill="{_FILL[cls]}"/>'
                )
                end = plot_x + width
            number_cls = "lq-text" if j == 0 else "lq-muted"
            body.append(_text_el(end + 5, by + bar_h / 2 + 0.5, text(shown or "—"), number_cls))
            if j == 0 and row.flag:
                offset = end + 5 + (len(clean(shown or "—")) + 1) * _CHAR
                body.append(_text_el(offset, by + bar_h / 2 + 0.5, text(row.flag), "lq-flag"))
    description = "; ".join(
        f"{clean(r.label)}: {clean(r.value_text or '—')}{' ' + clean(r.flag) if r.flag else ''}"
        + (f" ({clean(series[1])} {clean(r.previous_text or '—')})" if compare else "")
        for r in rows
    )
    return Chart(chart_id, title, description, WIDTH, height, body)


@dataclass(frozen=True)
class TrendRow:
    label: str
    values: tuple[int, ...]


def trend_chart(chart_id: str, title: str, columns: Sequence[str], rows: Sequence[TrendRow]) -> Chart:
    """Small multiples: one trend line per row over the same columns (weeks), on one
    scale so rows compare; every point has its number above it, the row's total at
    the end."""
    label_w = _label_width([r.label for r in rows])
    total_w = 70
    plot_x, plot_w = label_w + 10, WIDTH - label_w - 10 - total_w - 10
    step = plot_w / max(len(columns) - 1, 1)
    row_h, line_h = 46, 26
    header_h = 20
    top = max((v for r in rows for v in r.values), default=0) or 1
    height = header_h + row_h * len(rows) + 6
    body: list[str] = []
    for k, column in enumerate(columns):
        body.append(_text_el(plot_x + k * step, 10, text(column), "lq-muted", "middle"))
    body.append(_text_el(WIDTH - 4, 10, "total", "lq-muted", "end"))
    for i, row in enumerate(rows):
        y = header_h + i * row_h
        base = y + row_h - 8  # the row's zero line
        label = clean(row.label)
        body.append(
            _text_el(label_w, base - line_h / 2, escape(shorten(label)), anchor="end", tooltip=escape(label))
        )
        body.append(
            f'<line x1="{_n(plot_x)}" y1="{_n(base)}" x2="{_n(plot_x + plot_w)}" y2="{_n(base)}"'
            f' class="lq-grid" stroke="#d0d7de"/>'
        )
        points = [(plot_x + k * step, base - line_h * v / top) for k, v in enumerate(row.values)]
        body.append(
            '<polyline class="lq-line" fill="none" stroke="{}" stroke-width="2" points="{}"/>'.format(
                BLUE, " ".join(f"{_n(px)},{_n(py)}" for px, py in points)
            )
        )
        for (px, py), v in zip(points, row.values, strict=True):
            body.append(f'<circle cx="{_n(px)}" cy="{_n(py)}" r="2.5" class="lq-dot" fill="{BLUE}"/>')
            body.append(_text_el(px, py - 8, str(v), "lq-muted", "middle", ' font-size="10"'))
        body.append(_text_el(WIDTH - 4, base - line_h / 2, str(sum(row.values)), "lq-text", "end"))
    description = "; ".join(
        f"{clean(r.label)}: " + ", ".join(f"{clean(c)} {v}" for c, v in zip(columns, r.values, strict=True))
        for r in rows
    )
    return Chart(chart_id, title, description, WIDTH, height, body)
