"""The queue's part in the rep's day: the rep's zone for next steps' times, `n`
for the today view, and opening Follow up on the lead chosen there.

A mixin of QueueScreen, kept apart so the queue's module stays about the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from textual.screen import Screen

from leadqueue.domain.queue_view import Around, QueueFilter, QueueRow
from leadqueue.services.context import Services
from leadqueue.services.next_steps import rep_zone
from leadqueue.tui.screens.today import TodayScreen
from leadqueue.tui.store_work import StoreWork
from leadqueue.tui.widgets.lead_detail import LeadDetail
from leadqueue.tui.widgets.queue_list import QueueList

if TYPE_CHECKING:
    from datetime import datetime

    from leadqueue.services.lead_view import LeadView

PAGE = 120  # as the queue reads a page


class TodayInQueue(StoreWork, Screen[None]):
    # The queue screen's, used here.
    services: Services
    actor: str | None
    filter: QueueFilter
    marked: frozenset[str]
    search_open: bool
    view: LeadView | None
    zone: ZoneInfo  # the rep's own once read (the team's meanwhile)

    if TYPE_CHECKING:

        def now(self) -> datetime: ...

        def _queue_read(self, rows: list[QueueRow], keep: int | str | None) -> None: ...

        def read_rows(self, fetch: Callable[..., Any], *args: Any, then: Callable[[Any], object]) -> None: ...

    # -- the rep's zone -----------------------------------------------------------------
    def load_zone(self) -> None:
        """The rep's own zone, which next steps' times (and the clocks') are shown in."""
        self.read("zone", rep_zone, self.services, self.actor or self.filter.owner, then=self._zone_read)

    def _zone_read(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.query_one(QueueList).set_zone(zone)
        if self.view is not None:
            self.query_one(LeadDetail).show(self.view, self.now(), zone)

    # -- the today view -------------------------------------------------------------------
    def action_today(self) -> None:
        # Pushed at once (its list loads in its own worker): the keys typed after n are its.
        self.app.push_screen(TodayScreen(self.services, self.filter.owner, self.zone), self._go_to)

    def _go_to(self, crm_id: str | None) -> None:
        """Open Follow up on the lead chosen in the today view, whatever filter or
        search hid it, wherever it stands in the queue."""
        if crm_id is None:
            return
        self.search_open = False
        self.filter = QueueFilter(owner=self.filter.owner, section="follow_up")
        self.marked = frozenset()

        def read(found: Around) -> None:
            self._queue_read(found.rows, crm_id)
            queue = self.query_one(QueueList)
            queue.at_start, queue.at_end = found.at_start, found.at_end

        # Done or gone meanwhile: Follow up from the top.
        self.read_rows(self.services.queue.around, self.filter, crm_id, PAGE, then=read)
