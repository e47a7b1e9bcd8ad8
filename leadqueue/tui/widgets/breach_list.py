"""The breaches list: group headers and rows under a sticky column header."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from leadqueue.domain.when import describe
from leadqueue.tui.breach_rows import (
    LEVEL_LABEL,
    LEVEL_STYLE,
    BreachRow,
    Group,
)
from leadqueue.tui.format import clock_label, countdown, fit, in_zone, visible, zone_name

NARROW_BELOW = 110
ESCALATED = "⚑"
ACKNOWLEDGED = "✓"
FLAGS = {"escalated": (ESCALATED, "bold magenta"), "acknowledged": (ACKNOWLEDGED, "bold green")}
COLUMN_ORDER = ("mark", "lead", "name", "company", "id", "tier", "other", "due", "left", "level")


# -- the list ----------------------------------------------------------------------------


class BreachList(Widget, can_focus=True):
    """Group headers and rows under a sticky column header; draws only what is on screen."""

    now: reactive[datetime | None] = reactive(None, layout=False)
    # Lead ids (actions work per lead), bound to the screen's, which marks and unmarks them.
    marked: reactive[frozenset[str]] = reactive(frozenset(), layout=False)

    class Highlighted(Message):
        def __init__(self, row: BreachRow | None) -> None:
            super().__init__()
            self.row = row

    def __init__(self, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zone = zone
        self.by = "rep"
        self.groups: list[Group] = []
        self.lines: list[Group | BreachRow] = []
        self.row_lines: list[int] = []  # line index of each row, in display order
        self.cursor = 0  # index into row_lines
        self.top = 0  # first line drawn under the column header
        self.loaded = False

    # -- data ------------------------------------------------------------------------
    def set_groups(self, groups: list[Group], by: str, keep: tuple[str, str] | int | None = None) -> None:
        self.groups, self.by = groups, by
        self.lines = []
        self.row_lines = []
        for group in groups:
            self.lines.append(group)
            for row in group.rows:
                self.row_lines.append(len(self.lines))
                self.lines.append(row)
        self.loaded = True
        rows = self.rows
        index = 0
        if isinstance(keep, int):
            index = keep
        elif keep is not None:
            index = next((i for i, r in enumerate(rows) if r.key == keep), self.cursor)
        self.cursor = max(0, min(index, len(rows) - 1)) if rows else 0
        self.top = min(self.top, max(0, len(self.lines) - self.page))
        self._follow()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    @property
    def rows(self) -> list[BreachRow]:
        return [self.lines[i] for i in self.row_lines]  # type: ignore[misc]

    def shown(self) -> list[tuple[str, BreachRow]]:
        """Every row with its group's key, in the order on screen."""
        return [(g.key, r) for g in self.groups for r in g.rows]

    @property
    def current(self) -> BreachRow | None:
        if not self.row_lines:
            return None
        row = self.lines[self.row_lines[self.cursor]]
        assert isinstance(row, BreachRow)
        return row

    # -- movement ----------------------------------------------------------------------
    @property
    def page(self) -> int:
        return max(1, self.size.height - 1)

    def move(self, delta: int) -> None:
        if not self.row_lines:
            return
        target = max(0, min(len(self.row_lines) - 1, self.cursor + delta))
        if target != self.cursor:
            self.cursor = target
            self._follow()
            self.refresh()
            self.post_message(self.Highlighted(self.current))

    def _follow(self) -> None:
        if not self.row_lines:
            self.top = 0
            return
        line = self.row_lines[self.cursor]
        # Show the group header above the first row of a group, so the row is never orphaned.
        first = line - 1 if isinstance(self.lines[line - 1], Group) else line
        if first < self.top:
            self.top = first
        elif line >= self.top + self.page:
            self.top = line - self.page + 1

    def on_click(self, event: Click) -> None:
        line = self.top + event.y - 1
        if line in self.row_lines:
            self.move(self.row_lines.index(line) - self.cursor)

    def on_resize(self) -> None:
        self._follow()

    def watch_now(self) -> None:
        self.refresh()

    # -- drawing -------------------------------------------------------------------------
    def columns(self, width: int) -> dict[str, int]:
        """Fixed columns for the decision facts; name and company share the rest. Narrow
        terminals get one LEAD column ("name · company") so the name stays readable."""
        wide = width >= NARROW_BELOW
        w = {"mark": 3, "id": 16, "other": 10, "due": 21 if wide else 13, "left": 11, "level": 9}
        if wide:
            w["tier"] = 9
        room = width - sum(w.values())
        if wide:
            w["name"] = max(6, (room + 1) // 2)
            w["company"] = max(6, room - w["name"])
        else:
            w["lead"] = max(12, room)
        return w

    def render(self) -> RenderableType:
        width = self.size.width
        w = self.columns(width)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append_text(self._header(w, width))
        if not self.row_lines:
            message = "No open clock is breached or at risk." if self.loaded else "Loading…"
            text.append(f"\n  {message}", style="dim")
            return text
        now = self.now
        current_line = self.row_lines[self.cursor]
        for index in range(self.top, min(len(self.lines), self.top + self.page)):
            text.append("\n")
            item = self.lines[index]
            if isinstance(item, Group):
                text.append_text(self._group_line(item, now, width))
            else:
                text.append_text(self._row_line(item, w, now, width, index == current_line))
        return text

    def _header(self, w: dict[str, int], width: int) -> Text:
        zone = zone_name(self.zone, self.now) if self.now else ""
        titles = {
            "mark": "",
            "name": "LEAD",
            "company": "COMPANY",
            "lead": "LEAD · COMPANY",
            "id": "CRM ID",
            "tier": "TIER",
            "other": "CLOCK" if self.by == "rep" else "REP",
            "due": f"DEADLINE {zone}".strip(),
            "left": "LEFT",
            "level": "LEVEL",
        }
        header = Text(no_wrap=True)
        for col in self._order(w):
            label = titles[col][: w[col] - 1]
            header.append(label.rjust(w[col] - 1) + " " if col == "left" else label.ljust(w[col]))
        header.pad_right(max(0, width - header.cell_len))
        header.stylize("bold reverse")
        return header

    @staticmethod
    def _order(w: dict[str, int]) -> list[str]:
        return [c for c in COLUMN_ORDER if c in w]

    def _group_line(self, group: Group, now: datetime | None, width: int) -> Text:
        """The group's name and its summary: a rep's open leads, the clocks breached
        and at risk, how overdue the worst is, and how many may be re-routed. Words
        say what each number is: the line reads without colour."""
        summary = Text(no_wrap=True)
        if now is None:
            summary.append(f"  ({len(group.rows)})", style="dim")
        else:
            breached, at_risk, reroute = group.totals(now)
            parts: list[tuple[str, str, str]] = []
            if group.open_leads is not None:
                parts.append(("open ", str(group.open_leads), "bold"))
            parts += [("breached ", str(breached), "bold red"), ("at risk ", str(at_risk), "bold yellow")]
            worst = group.earliest_deadline
            if breached and worst is not None and worst <= now:
                parts.append(("worst ", countdown(worst, now), "bold red"))
            if reroute:
                parts.append(("re-route ", str(reroute), "bold magenta"))
            for i, (label, value, style) in enumerate(parts):
                summary.append(("  " if i == 0 else " · ") + label, style="dim")
                summary.append(value, style=style)
        line = Text(no_wrap=True, overflow="ellipsis")
        label = visible(group.label)  # a rep's name from the roster
        if 2 + cell_len(label) + summary.cell_len > width and group.key != group.label:
            label = visible(group.key)  # a narrow terminal keeps the numbers, not the rep's full name
        line.append(f"▾ {label}", style="bold")
        line.append_text(summary)
        # A dim rule to the edge separates the groups without a blank line.
        fill = width - line.cell_len - 1
        if fill > 0:
            line.append(" " + "─" * fill, style="dim")
        return line

    def _row_line(
        self, row: BreachRow, w: dict[str, int], now: datetime | None, width: int, selected: bool
    ) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        # Symbols, not colours: ● marked for an action; ⚑ escalated, and no team lead has
        # acknowledged it since; ✓ a team lead has acknowledged the breach.
        line.append("▶" if selected else " ", style="bold")
        line.append("●" if row.lead_id in self.marked else " ", style="bold")
        flag, style = FLAGS.get(row.flag, (" ", ""))  # a blank unstyled: no coloured block
        line.append(flag, style=style)
        # The lead's fields are data: control characters made visible, fitted by terminal cells.
        if "lead" in w:
            line.append_text(_lead_cell(row, w["lead"]))
        else:
            line.append(fit(visible(row.name), w["name"]), style="bold")
            line.append(fit(visible(row.company), w["company"]))
        line.append(fit(visible(row.lead_id), w["id"]), style="cyan")
        if "tier" in w:
            line.append(fit(row.tier, w["tier"]), style="dim")
        other = clock_label(row.clock) if self.by == "rep" else visible(row.rep)
        line.append(fit(other, w["other"]))
        line.append(fit(self._due(row, w["due"] > 13), w["due"]))
        if now is not None:
            level = row.level(now)
            style = LEVEL_STYLE[level]
            left = countdown(row.deadline, now) if row.deadline else "paused"
            line.append(f"{left:>{w['left'] - 1}} ", style=style)
            line.append(fit(LEVEL_LABEL[level], w["level"]), style=style)
        if selected:
            line.pad_right(max(0, width - line.cell_len))
            line.stylize("reverse" if self.has_focus else "underline")
        return line

    def _due(self, row: BreachRow, wide: bool) -> str:
        if row.deadline is None:
            return "-"
        # Narrow, the column's header names the zone (DEADLINE EST) and the cells leave it out.
        return (
            in_zone(row.deadline, self.zone)
            if wide
            else in_zone(row.deadline, self.zone, "%d %b %H:%M", False)
        )


def describe_row(row: BreachRow, now: datetime, zone: ZoneInfo) -> Text:
    """Everything about the highlighted row, so a narrow terminal loses nothing:
    who and whose on the first line, the clock's facts on the second. The
    lead's fields are data: plain Text, control characters made visible."""
    text = Text()
    text.append(visible(row.name), style="bold")
    text.append(f" · {visible(row.company)} · {visible(row.lead_id)} · owner {visible(row.rep)}")
    if row.escalated_at is not None:
        stamp = in_zone(row.escalated_at, zone)
        to = f" to {visible(row.notified)}" if row.notified else ""
        text.append(f" · {ESCALATED} escalated {stamp}{to}", style="magenta")
    if row.acknowledged:
        text.append(f" · {ACKNOWLEDGED} acknowledged", style="green")
    text.append(f"\n{clock_label(row.clock)} clock, {row.tier}, {row.window} window")
    if row.deadline is not None:
        text.append(f" · due {describe(row.deadline, zone, now)}")
    if row.reroute_at is not None:
        since = "since" if now >= row.reroute_at else "from"
        stamp = in_zone(row.reroute_at, zone)
        text.append(f" · re-route {since} {stamp}", style="magenta")
    return text


def _lead_cell(row: BreachRow, width: int) -> Text:
    """'Name · Company' in `width` cells: the name first, the company as far as it goes."""
    cell = Text(no_wrap=True, overflow="ellipsis")
    cell.append(visible(row.name), style="bold")
    if row.company:
        cell.append(f" · {visible(row.company)}")
    if cell.cell_len >= width:
        cell.truncate(width - 1)  # ends in "…" (the Text's overflow), then a gap
        cell.append(" ")
    cell.pad_right(width - cell.cell_len)
    return cell
