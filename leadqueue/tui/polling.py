"""Screens over a store others write to (a team's PostgreSQL, one SQLite file
for several processes, a sync) notice changes by polling the newest event."""

from __future__ import annotations

from textual import work
from textual.screen import Screen

from leadqueue.services.context import Services
from leadqueue.services.errors import StoreError
from leadqueue.services.routing import RoutingService

POLL_SECONDS = 3.0  # how soon a change made elsewhere shows


class PollsStore(Screen[None]):
    """Mixed into a screen: `start_polling()` on mount; the screen implements
    `store_changed()` and `show_error()`, and clears its error in `store_answers()`."""

    services: Services
    seen_seq: int | None = None  # the newest event the last poll saw

    def start_polling(self) -> None:
        self.set_interval(POLL_SECONDS, self.poll_changes)

    @work(thread=True, exclusive=True, group="poll")
    def poll_changes(self) -> None:
        try:
            latest = self.services.queue.latest_change()
        except StoreError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        self.app.call_from_thread(self._polled, latest)

    def _polled(self, latest: int) -> None:
        seen, self.seen_seq = self.seen_seq, latest
        self.store_answers()
        if seen is not None and latest != seen:
            self.store_changed()
            rep = self.routed_rep()
            if rep:
                self.toast_routed(rep, seen)

    def routed_rep(self) -> str | None:
        """Whose newly routed leads get a toast: the rep whose queue the screen shows
        (its `filter.owner`); None for a screen over every rep's leads."""
        return getattr(getattr(self, "filter", None), "owner", None)

    @work(thread=True, group="routed")
    def toast_routed(self, rep: str, after_seq: int) -> None:
        """A toast per lead routing gave `rep` (or re-routed to them) since `after_seq`."""
        try:
            routed = RoutingService(self.services).routed_to(rep, after_seq)
        except StoreError:
            return  # the poll says the store is out of reach
        for lead in routed[:3]:
            # the lead's name and company are data: never read as markup
            self.app.call_from_thread(self.notify, lead.message(), title="New lead", markup=False)
        if len(routed) > 3:
            more = f"… and {len(routed) - 3} more routed to you"
            self.app.call_from_thread(self.notify, more, title="New lead", markup=False)

    def show_error(self, message: str) -> None:
        raise NotImplementedError

    def store_answers(self) -> None:
        """The store answered a poll: an error about reaching it is over."""

    def store_changed(self) -> None:
        raise NotImplementedError
