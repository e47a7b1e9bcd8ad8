"""The queue's search bar: shown while the screen's search is open, and emptied
as it closes, whoever closes it (esc, or the today view's jump to a lead)."""

from __future__ import annotations

from typing import Any

from textual.reactive import var
from textual.widgets import Input

SEARCH_PLACEHOLDER = "search name, company or email — enter to keep, esc to clear"


class SearchBar(Input):
    """`open` follows the queue screen's `search_open` (see SearchInQueue.action_search)."""

    open: var[bool] = var(True, init=False)

    def __init__(self, cursor_blink: bool, **kwargs: Any) -> None:
        super().__init__(placeholder=SEARCH_PLACEHOLDER, **kwargs)
        self.cursor_blink = cursor_blink

    def follow(self, open: bool) -> None:
        self.open = open

    def watch_open(self, open: bool) -> None:
        self.display = open
        if not open:
            self.value = ""
