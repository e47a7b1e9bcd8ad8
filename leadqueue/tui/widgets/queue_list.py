"""The queue list: renders only the rows on screen, from a window of loaded rows.

The widget never holds the whole queue. The screen feeds it pages from keyset
queries and asks for more when the cursor nears either end of the window.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.events import Click
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from leadqueue.domain.queue_view import QueueRow
from leadqueue.tui.format import (
    STATE_LABEL,
    STATE_STYLE,
    TIER_STYLE,
    clock_label,
    clock_state,
    countdown,
    fit,
    visible,
)
from leadqueue.tui.step_text import step_cell, zone_label

# Keep at most this many rows around the cursor; fetch more near the edges.
WINDOW_LIMIT = 600
PREFETCH_MARGIN = 20


class QueueList(Widget, can_focus=True):
    """A cursor over a window of queue rows; emits Highlighted and NeedRows."""

    now: reactive[datetime | None] = reactive(None, layout=False)
    # The marked leads' ids, bound to the screen's (which marks and unmarks them).
    marked: reactive[frozenset[str]] = reactive(frozenset(), layout=False)

    class Highlighted(Message):
        def __init__(self, row: QueueRow | None) -> None:
            super().__init__()
            self.row = row

    class NeedRows(Message):
        """The cursor is near an edge of the loaded window."""

        def __init__(self, direction: str) -> None:
            super().__init__()
            self.direction = direction  # "after" or "before"

    def __init__(self, show_rep: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[QueueRow] = []
        self.cursor = 0
        self.top = 0
        self.show_rep = show_rep
        self.at_start = True
        self.at_end = True
        # Follow up's rows carry next steps: a NEXT STEP column, its times in `zone`.
        self.show_steps = False
        self.zone = ZoneInfo("UTC")
        # Why each lead has its tier (crm_id -> "demo request"), read for the rows
        # on hand while a wide list has room for the WHY column.
        self.reasons: dict[str, str] = {}
        self._paint: tuple[Style, dict[str, int]] | None = None

    # -- data -------------------------------------------------------------------
    def set_rows(
        self, rows: list[QueueRow], cursor: int = 0, at_start: bool = True, at_end: bool = True
    ) -> None:
        self.rows = rows
        self.show_steps = _has_steps(rows)
        self.at_start, self.at_end = at_start, at_end
        self.cursor = max(0, min(cursor, len(rows) - 1)) if rows else 0
        self.top = max(0, min(self.top, self.cursor))
        self._follow()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def extend_after(self, rows: list[QueueRow], at_end: bool) -> None:
        known = {r.id for r in self.rows}
        self.rows += [r for r in rows if r.id not in known]
        self.show_steps = self.show_steps or _has_steps(rows)
        self.at_end = at_end
        overflow = len(self.rows) - WINDOW_LIMIT
        if overflow > 0 and self.cursor - overflow > PREFETCH_MARGIN:
            self.rows = self.rows[overflow:]
            self.cursor -= overflow
            self.top = max(0, self.top - overflow)
            self.at_start = False
        self.refresh()

    def extend_before(self, rows: list[QueueRow], at_start: bool) -> None:
        known = {r.id for r in self.rows}
        new = [r for r in rows if r.id not in known]
        self.rows = new + self.rows
        self.show_steps = self.show_steps or _has_steps(new)
        self.cursor += len(new)
        self.top += len(new)
        self.at_start = at_start
        overflow = len(self.rows) - WINDOW_LIMIT
        if overflow > 0 and len(self.rows) - self.cursor > overflow + PREFETCH_MARGIN:
            self.rows = self.rows[: len(self.rows) - overflow]
            self.at_end = False
        self.refresh()

    def drop(self, crm_ids: set[str]) -> bool:
        """Take decided leads out at once: the cursor stays where it is, on the next
        lead, before the store has confirmed (its reload puts back any that failed).
        Whether any was in the list."""
        before = self.rows[: self.cursor]
        kept = [r for r in self.rows if r.crm_id not in crm_ids]
        if len(kept) == len(self.rows):
            return False
        self.cursor = sum(1 for r in before if r.crm_id not in crm_ids)
        self.set_rows(kept, self.cursor, self.at_start, self.at_end)
        return True

    def set_zone(self, zone: ZoneInfo) -> None:
        """The zone the next steps' times are shown in (the rep's own)."""
        self.zone = zone
        self.refresh()

    def set_reasons(self, reasons: dict[str, str]) -> None:
        self.reasons.update(reasons)
        self.refresh()

    def shows_reasons(self) -> bool:
        """Whether the list is wide enough for the WHY column."""
        return "why" in self.columns(self.size.width)

    @property
    def current(self) -> QueueRow | None:
        return self.rows[self.cursor] if self.rows else None

    # -- movement ------------------------------------------------------------------
    @property
    def page(self) -> int:
        return max(1, self.size.height - 1)

    def move(self, delta: int) -> None:
        if not self.rows:
            return
        target = max(0, min(len(self.rows) - 1, self.cursor + delta))
        if target != self.cursor:
            self.cursor = target
            self._follow()
            self.refresh()
            self.post_message(self.Highlighted(self.current))
        if self.cursor >= len(self.rows) - PREFETCH_MARGIN and not self.at_end:
            self.post_message(self.NeedRows("after"))
        if self.cursor < PREFETCH_MARGIN and not self.at_start:
            self.post_message(self.NeedRows("before"))

    def _follow(self) -> None:
        body = self.page
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + body:
            self.top = self.cursor - body + 1

    def on_click(self, event: Click) -> None:
        index = self.top + event.y - 1
        if 0 <= index < len(self.rows):
            self.move(index - self.cursor)

    def on_resize(self) -> None:
        self._follow()

    # -- drawing ---------------------------------------------------------------------
    def watch_now(self) -> None:
        self.refresh()

    def columns(self, width: int) -> dict[str, int]:
        """Column widths for this width: the decision columns always, the rest as room allows."""
        fixed = {"mark": 2, "tier": 5, "score": 4, "clock": 10, "state": 9, "left": 12}
        if self.show_rep:
            fixed["rep"] = 8
        if self.show_steps:
            fixed["next"] = NEXT_WIDTH
        room = width - sum(fixed.values())
        if room >= REASON_ROOM:  # a wide list: the tier's reason beside it
            fixed["why"] = REASON_WIDTH
            room -= REASON_WIDTH
        widths = dict(fixed)
        optional = [("title", 14), ("source", 12)]
        shown = [name for name, least in optional if room >= 30 + least + (14 if name == "source" else 0)]
        # With the next step beside it, a narrow list keeps the name whole rather than
        # two cut halves (the detail pane names the company).
        flex = ["name", *shown] if self.show_steps and room < COMPANY_ROOM else ["name", "company", *shown]
        weights = {"name": 3, "company": 3, "title": 2, "source": 2}
        total = sum(weights[f] for f in flex)
        for name in flex:
            widths[name] = max(6, room * weights[name] // total)
        return widths

    # Drawn a line at a time (Textual's line API): each row is a few styled
    # segments, without a Rich Text for Textual to lay out and split again,
    # which cost about four times the drawing itself.
    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style and the column widths, worked out once per paint
        # rather than for each line (the style walks every ancestor's CSS).
        self._paint = (self.rich_style, self.columns(self.size.width))
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base, w = self._paint or (self.rich_style, self.columns(width))
        if y == 0:
            return self._header(w, width, base)
        if not self.rows:
            if y != 1:
                return Strip.blank(width, base)
            return _strip([(EMPTY_HINT, _style(base, "dim"))], width, base)
        index = self.top + y - 1
        if index >= min(len(self.rows), self.top + self.page):
            return Strip.blank(width, base)
        selected = index == self.cursor
        extra = ("reverse" if self.has_focus else "underline") if selected else ""
        cells = self._cells(self.rows[index], selected, w)
        segments = [(text, _style(base, f"{spec} {extra}")) for text, spec in cells]
        if selected:  # the highlight runs the whole width
            segments.append((" " * max(0, width - sum(cell_len(t) for t, _ in cells)), _style(base, extra)))
        return _strip(segments, width, base)

    def _header(self, w: dict[str, int], width: int, base: Style) -> Strip:
        label = ""
        for col in COLUMN_ORDER:
            if col in w:
                title = COLUMN_TITLES[col]
                if col == "next" and self.now is not None:
                    # the column's times are in the rep's zone: named once, here
                    title = f"{title} {zone_label(self.zone, self.now)}"
                title = title[: w[col] - 1]
                label += title.rjust(w[col] - 1) + " " if col in ("score", "left") else title.ljust(w[col])
        return _strip([(label, _style(base, "bold reverse"))], width, base)

    def _cells(self, row: QueueRow, selected: bool, w: dict[str, int]) -> list[tuple[str, str]]:
        """The row's text, column by column (widths `w`), each with its style."""
        mark = "●" if row.crm_id in self.marked else " "
        cells = [
            (f"{'▶' if selected else ' '}{mark}", "bold"),
            (fit(TIER_SHORT.get(row.tier, row.tier), w["tier"]), TIER_STYLE.get(row.tier, "")),
        ]
        if "why" in w:  # the policy's rule, from the lead's data: made visible like a name
            cells.append((fit(visible(self.reasons.get(row.crm_id, "")), w["why"]), "dim"))
        # Lead text from the CRM: control characters made visible, fitted by cells, not characters.
        if "rep" in w:
            cells.append((fit(visible(row.owner or "-"), w["rep"]), ""))
        cells.append((fit(visible(row.name), w["name"]), "bold"))
        if "title" in w:
            cells.append((fit(visible(row.title), w["title"]), "dim"))
        if "company" in w:
            cells.append((fit(visible(row.company), w["company"]), ""))
        if "source" in w:
            cells.append((fit(visible(row.source), w["source"]), "dim"))
        cells.append((f"{'' if row.score is None else row.score:>3} ", ""))
        cells.append((fit(clock_label(row.clock) if row.clock else "-", w["clock"]), ""))
        if self.now is not None:
            state = clock_state(row.due_at, row.at_risk_at, self.now)
            cells.append((fit(STATE_LABEL[state], w["state"]), STATE_STYLE[state]))
            cells.append((f"{countdown(row.due_at, self.now):>11} ", STATE_STYLE[state]))
            if "next" in w:
                done = row.next_step_done_at is not None
                text, style = step_cell(row.next_step_kind, row.next_step_due, done, self.now, self.zone)
                cells.append((fit(text, w["next"]), style))
        return cells


EMPTY_HINT = "  Nothing here. Filters: f · search: / · switch section: tab"
COLUMN_ORDER = [
    "mark",
    "tier",
    "why",
    "rep",
    "name",
    "title",
    "company",
    "source",
    "score",
    "clock",
    "state",
    "left",
    "next",
]
COLUMN_TITLES = {
    "mark": "",
    "tier": "TIER",
    "why": "WHY",
    "rep": "REP",
    "name": "NAME",
    "title": "TITLE",
    "company": "COMPANY",
    "source": "SOURCE",
    "score": "SCR",
    "clock": "CLOCK",
    "state": "STATE",
    "left": "LEFT",
    "next": "NEXT STEP",
}
REASON_WIDTH = 23  # "pricing visit, ICP fit" and a space
REASON_ROOM = 80  # room left beside the fixed columns from which WHY is shown
NEXT_WIDTH = 17  # "!email -12d03h" or " meet  Mon 10:00", and a space
COMPANY_ROOM = 28  # below this much room for the names, Follow up shows the name alone


@lru_cache(maxsize=256)
def _style(base: Style, spec: str) -> Style:
    """The widget's own style with a column's on top (few distinct pairs: cached)."""
    spec = spec.strip()
    return base + Style.parse(spec) if spec else base


def _strip(segments: list[tuple[str, Style]], width: int, base: Style) -> Strip:
    """One line, cut or padded to the widget's width."""
    # Neighbours of one style joined, as Rich would: the same cells, the same output.
    joined = list(Segment.simplify(Segment(text, style) for text, style in segments if text))
    length = sum(cell_len(segment.text) for segment in joined)
    if length == width:
        return Strip(joined, length)
    if length < width:
        return Strip([*joined, Segment(" " * (width - length), base)], width)
    return Strip(joined, length).crop(0, width)


def _has_steps(rows: list[QueueRow]) -> bool:
    return any(r.next_step_kind for r in rows)


TIER_SHORT = {"hot": "HOT", "standard": "STD", "low": "LOW"}
