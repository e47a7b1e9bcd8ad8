"""The weekly report's building blocks, for HTML and Markdown alike: a section
(title, notes, charts, tables of numbers) and how values are written in it.

Values here are plain text; the renderers escape them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from leadqueue.export.svg_charts import Chart


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    caption: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    notes: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    empty: str = ""  # said instead of charts when the period has nothing to draw
    facts: list[str] = field(default_factory=list)  # one-line facts under the notes


Row = dict[str, Any]


def num(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit}"


def pct_text(value: float | None) -> str:
    return num(value, "%")


def change(now: float | None, before: float | None, unit: str = " pts") -> str:
    if now is None or before is None:
        return "—"
    return f"{round(now - before, 1):+.1f}{unit}"


def pairs(
    current: list[Row], previous: list[Row], key: Callable[[Row], Any]
) -> list[tuple[Any, Row | None, Row | None]]:
    """Rows of both periods matched by `key`: this period's in its order, then those
    only the previous period had."""
    before = {key(r): r for r in previous}
    now = {key(r): r for r in current}
    names = [key(r) for r in current] + sorted((k for k in before if k not in now), key=str)
    return [(k, now.get(k), before.get(k)) for k in names]


def series(report: dict[str, Any]) -> tuple[str, str]:
    """The two bars' names in every chart's legend."""
    return (report["period"]["label"], "previous: " + report["previous_period"]["label"])


def nothing(what: str, previous: list[Row]) -> str:
    """What an empty section says instead of a chart."""
    if not previous:
        return f"{what} in this period, nor in the previous one."
    return f"{what} in this period (the previous period had {len(previous)} row(s) of numbers)."


def lead_text(r: Row) -> str:
    name = str(r.get("name") or "").strip() or str(r["lead_id"])
    company = str(r.get("company") or "")
    return f"{name} · {company} ({r['lead_id']})" if company else f"{name} ({r['lead_id']})"


def local_time(instant: str | None, zone_name: str) -> str:
    """A report's ISO instant as the team reads it: 'Wed 18 Nov 20:35 EST'."""
    if not instant:
        return "—"
    at = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    return f"{at.astimezone(ZoneInfo(zone_name)):%a %d %b %H:%M %Z}"
