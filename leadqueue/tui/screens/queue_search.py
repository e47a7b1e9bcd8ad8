"""The queue's search bar (`/`) and filters (`f`).

The search box is made on first use and placed under the header; `enter`
keeps the search and goes back to the list, `esc` clears it. Whether it is
open is the screen's reactive `search_open`, bound to the box, which shows or
hides (and empties) itself. A mixin of QueueScreen, kept apart so the queue's
module stays about the queue.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Input

from leadqueue.domain.queue_view import QueueFilter
from leadqueue.services.context import Services
from leadqueue.tui.screens.filters import FilterScreen
from leadqueue.tui.widgets.queue_list import QueueList
from leadqueue.tui.widgets.search_bar import SearchBar


class SearchInQueue(Screen[None]):
    search_open: var[bool] = var(False, init=False)

    # The queue screen's, used here.
    services: Services
    filter: QueueFilter

    if TYPE_CHECKING:

        def reload(self, keep: str | None = None) -> None: ...

        def _hold_keys_until_the_queue_is_read(self) -> None: ...

    def _searching(self) -> bool:
        focused = self.focused
        return focused is not None and focused.id == "search"

    def action_search(self) -> None:
        found = self.query("#search")
        if found:
            box = found.first(SearchBar)
        else:
            # Made on first use: a rep who never searches never pays for the box at start-up.
            box = SearchBar(getattr(self.app, "cursor_blink", True), id="search")
            self.mount(box, after="#summary")
            # What data_bind does, by hand: data_bind binds from the running message
            # pump, which for a priority key's action is the app, not this screen.
            box.watch(self, "search_open", box.follow, init=False)
        self.search_open = True
        # Focused now, not after the next refresh (which focus() waits for): the keys
        # typed right after the slash are already on their way, and must reach the box.
        self.set_focus(box)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._search_for(event.value)

    def _search_for(self, text: str) -> None:
        # Also called by enter and esc, which may come before the box's last Changed.
        if text != self.filter.search:
            self.filter = replace(self.filter, search=text)
            self.reload()

    # Enter and esc in the search box are priority keys, taken in their turn: the letters
    # typed before them are in the search, and the keys after them (j, a...) are
    # the queue's, not more letters for a box that is about to lose the focus.
    def action_keep_search(self) -> None:
        self._search_for(self.query_one("#search", Input).value)
        self._back_to_the_list()

    def action_clear_search(self) -> None:
        self.search_open = False  # the box hides and empties itself
        self._search_for("")
        self._back_to_the_list()

    def _back_to_the_list(self) -> None:
        self.set_focus(self.query_one(QueueList))
        self._hold_keys_until_the_queue_is_read()

    def action_filters(self) -> None:
        def chosen(picked: QueueFilter | None) -> None:
            if picked is not None:
                self.filter = picked
                self.reload()

        # Pushed at once (its sources load in its own worker): the keys typed after f are its.
        self.app.push_screen(FilterScreen(self.filter, self._sources), chosen)

    def _sources(self) -> list[str]:
        return self.services.queue.sources(self.filter.owner)
