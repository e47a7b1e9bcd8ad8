"""Text charts for the team screens: bars, a rate bar with a healthy band, sparklines.

Plain functions returning rich Text, so a table cell, a Static or an export
preview can all use them; no widget state, nothing to refresh.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
# Eighths let a bar of 20 cells show 160 distinct lengths instead of 20.
EIGHTHS = " ▏▎▍▌▋▊▉"
HEALTHY_BAND = (60.0, 90.0)


def sparkline(values: Sequence[float]) -> str:
    """One block per value, scaled to the largest; a zero is the lowest block, any
    non-zero value at least the second, so "none" and "a few" stay distinguishable."""
    top = max(values, default=0)
    if top <= 0:
        return SPARK_BLOCKS[0] * len(values)
    out = []
    for v in values:
        level = 0 if v <= 0 else max(1, round(v / top * (len(SPARK_BLOCKS) - 1)))
        out.append(SPARK_BLOCKS[level])
    return "".join(out)


def hbar(value: float, maximum: float, width: int, style: str = "cyan") -> Text:
    """A horizontal bar `width` cells wide at full scale, padded so columns line up."""
    text = Text(no_wrap=True)
    if width <= 0:
        return text
    eighths = 0 if maximum <= 0 else round(max(0.0, min(value, maximum)) / maximum * width * 8)
    full, part = divmod(eighths, 8)
    text.append("█" * full, style=style)
    if part:
        text.append(EIGHTHS[part], style=style)
    text.pad_right(width - text.cell_len)
    return text


def rate_bar(pct: float | None, width: int, band: tuple[float, float] | None = HEALTHY_BAND) -> Text:
    """A 0-100% bar. With a band, the band's empty cells are shaded (░) so the
    healthy range is visible whatever the rate, and the fill is green inside
    the band and red outside it."""
    text = Text(no_wrap=True)
    if width <= 0:
        return text
    if pct is None:
        text.append("·" * width, style="dim")
        return text
    healthy = band is None or band[0] <= pct <= band[1]
    fill_style = "green" if healthy else "red"
    for i in range(width):
        middle = (i + 0.5) * 100.0 / width
        if middle < pct:
            text.append("█", style=fill_style)
        elif band is not None and band[0] <= middle < band[1]:
            text.append("░", style="green")
        else:
            text.append("·", style="dim")
    return text


def range_bar(low: float | None, high: float | None, maximum: float, width: int) -> Text:
    """Solid up to `low` (e.g. a median), lighter from there to `high` (e.g. a p90)."""
    text = Text(no_wrap=True)
    if width <= 0:
        return text
    if low is None or high is None or maximum <= 0:
        text.pad_right(width)
        return text
    # A non-zero low value keeps one solid cell, so a small median beside a huge maximum still shows.
    solid = round(min(low, maximum) / maximum * width)
    if low > 0 and solid == 0:
        solid = 1
    light = max(0, round(min(high, maximum) / maximum * width) - solid)
    text.append("█" * solid, style="cyan")
    text.append("▒" * light, style="cyan")
    text.pad_right(width - text.cell_len)
    return text


def scale(width: int, marks: Sequence[float] = (0.0, *HEALTHY_BAND)) -> str:
    """A ruler for rate_bar: each mark's number where its cell starts ('0   60  90'),
    so the band's edges can be read off the header; marks that would collide are dropped."""
    cells = [" "] * width
    free_from = 0
    for mark in marks:
        label = f"{mark:g}"
        at = round(mark * width / 100.0)
        if at < free_from or at + len(label) > width:
            continue
        cells[at : at + len(label)] = label
        free_from = at + len(label) + 1
    return "".join(cells)
