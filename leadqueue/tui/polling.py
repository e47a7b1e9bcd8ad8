"""Screens over a store others write to (a team's PostgreSQL, one SQLite file
for several processes, a sync) notice changes by polling the newest event."""

from __future__ import annotations

from textual.screen import Screen

from leadqueue.services.context import Services
from leadqueue.services.routing import RoutedLead, RoutingService
from leadqueue.tui.store_work import StoreWork

POLL_SECONDS = 3.0  # how soon a change made elsewhere shows


class PollsStore(StoreWork, Screen[None]):
    """Mixed into a screen: `start_polling()` on mount; the screen implements
    `store_changed()` and `show_error()`, and clears its error in `store_answers()`."""

    services: Services
    seen_seq: int | None = None  # the newest event the last poll saw

    def start_polling(self) -> None:
        self.set_interval(POLL_SECONDS, self.poll_changes)

    def poll_changes(self) -> None:
        self.read("poll", self.services.queue.latest_change, then=self._polled)

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

    def toast_routed(self, rep: str, after_seq: int) -> None:
        """A toast per lead routing gave `rep` (or re-routed to them) since `after_seq`."""
        # Not exclusive: each poll's leads are its own. An error is the poll's to say.
        routed_to = RoutingService(self.services).routed_to
        self.read(
            "routed", routed_to, rep, after_seq, then=self._toast, failed=lambda _: None, exclusive=False
        )

    def _toast(self, routed: list[RoutedLead]) -> None:
        for lead in routed[:3]:
            # the lead's name and company are data: never read as markup
            self.notify(lead.message(), title="New lead", markup=False)
        if len(routed) > 3:
            self.notify(f"… and {len(routed) - 3} more routed to you", title="New lead", markup=False)

    def store_answers(self) -> None:
        """The store answered a poll: an error about reaching it is over."""

    def store_changed(self) -> None:
        raise NotImplementedError
