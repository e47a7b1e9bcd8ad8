"""Marks in the queue: `space` marks or unmarks the highlighted lead and the
cursor stays on it; `esc` clears every mark, and the header says how many
are marked and that esc clears them, so the next `r` or `i` never acts on
leads the rep forgot were marked.

A mixin of QueueScreen, kept apart so the queue's module stays about the queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.reactive import var
from textual.screen import Screen

from leadqueue.domain.queue_view import QueueFilter
from leadqueue.tui.format import lead_name
from leadqueue.tui.palette import readable_keys
from leadqueue.tui.widgets.queue_list import QueueList

CLEAR_MARKS_ID = "queue.clear_search"  # esc: the search (typed or kept), else the marks
NAMED_IN_A_QUESTION = 3  # a confirmation names this many marked leads, then counts the rest


class MarksInQueue(Screen[None]):
    # The marked leads' ids. Bound to the list, which shows them, and to the header,
    # which counts them (QueueScreen.compose): setting them repaints both.
    marked: var[frozenset[str]] = var(frozenset(), init=False)

    if TYPE_CHECKING:
        filter: QueueFilter

        def _searching(self) -> bool: ...

        def action_clear_search(self) -> None: ...

    def action_mark(self) -> None:
        """Mark or unmark the highlighted lead; the cursor stays on it."""
        row = self.query_one(QueueList).current
        if row is not None:
            self.marked ^= {row.crm_id}

    def action_escape(self) -> None:
        # As the help says: the search (being typed, or kept with enter), else the marks.
        if self._searching() or self.filter.search:
            self.action_clear_search()
        else:
            self.marked = frozenset()

    def watch_marked(self) -> None:
        self.refresh_bindings()  # esc clears them: the palette lists it while there are marks

    def has_marks(self) -> bool:
        return bool(self.marked)

    def _marked(self) -> list[str]:
        return sorted(self.marked)

    def clear_key(self) -> str:
        """The key that clears the marks, as the header names it (the user's keymap applied)."""
        keymap: dict[str, str] = getattr(self.app, "keymap", {}) or {}
        first = readable_keys(keymap.get(CLEAR_MARKS_ID, "escape")).split(",")[0]
        return "esc" if first == "escape" else first

    def marked_names(self, crm_ids: list[str]) -> str:
        """`Dana Whitfield · Northwind, Lee Park · Acme and 3 more`: the leads a
        bulk decision is about to change, by name, for its confirmation."""
        rows = self.query_one(QueueList).rows
        found = {r.crm_id: (position, r) for position, r in enumerate(rows)}
        in_queue_order = sorted(crm_ids, key=lambda i: found[i][0] if i in found else len(rows))
        names = [
            lead_name(found[i][1].name, found[i][1].company) if i in found else lead_name("", "", i)
            for i in in_queue_order[:NAMED_IN_A_QUESTION]
        ]
        more = len(crm_ids) - len(names)
        return ", ".join(names) + (f" and {more} more" if more > 0 else "")
