"""The queue's part in the rep's day: the rep's zone for next steps' times, `n`
for the today view, and opening Follow up on the lead chosen there.

A mixin of QueueScreen, kept apart so the queue's module stays about the queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from textual import work
from textual.screen import Screen

from leadqueue.domain.queue_view import Around, QueueFilter, QueueRow
from leadqueue.services.context import Services
from leadqueue.services.errors import StoreError
from leadqueue.tui.widgets.lead_detail import LeadDetail
from leadqueue.tui.widgets.queue_list import QueueList

if TYPE_CHECKING:
    from datetime import datetime

    from leadqueue.services.lead_view import LeadView

PAGE = 120  # as the queue reads a page


class TodayInQueue(Screen[None]):
    # The queue screen's, used here.
    services: Services
    actor: str | None
    filter: QueueFilter
    view: LeadView | None
    zone: ZoneInfo  # the rep's own once read (the team's meanwhile)
    _loads_started: int
    _loads_done: int

    def now(self) -> datetime:
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        raise NotImplementedError

    def _queue_read(self, rows: list[QueueRow], keep: int | str | None, load: int) -> None:
        raise NotImplementedError

    def _queue_not_read(self, message: str, load: int) -> None:
        raise NotImplementedError

    # -- the rep's zone -----------------------------------------------------------------
    @work(thread=True, group="zone")
    def load_zone(self) -> None:
        """The rep's own zone, which next steps' times (and the clocks') are shown in."""
        from leadqueue.services.next_steps import rep_zone

        try:
            zone = rep_zone(self.services, self.actor or self.filter.owner)
        except StoreError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        self.app.call_from_thread(self._zone_read, zone)

    def _zone_read(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.query_one(QueueList).set_zone(zone)
        if self.view is not None:
            self.query_one(LeadDetail).show(self.view, self.now(), zone)

    # -- the today view -------------------------------------------------------------------
    def action_today(self) -> None:
        from leadqueue.tui.screens.today import TodayScreen

        # Pushed at once (its list loads in its own worker): the keys typed after n are its.
        self.app.push_screen(TodayScreen(self.services, self.filter.owner, self.zone), self._go_to)

    def _go_to(self, crm_id: str | None) -> None:
        """Open Follow up on the lead chosen in the today view, whatever filter or
        search hid it, wherever it stands in the queue."""
        from textual.widgets import Input

        if crm_id is None:
            return
        for box in self.query("#search").results(Input):
            box.value, box.display = "", False
        self.filter = QueueFilter(owner=self.filter.owner, section="follow_up")
        self.query_one(QueueList).marked.clear()
        self._loads_started += 1
        self._read_around(self.filter, crm_id, self._loads_started)

    @work(thread=True, exclusive=True, group="queue")
    def _read_around(self, f: QueueFilter, crm_id: str, load: int) -> None:
        try:
            # done or gone meanwhile: Follow up from the top
            found = self.services.queue.around(f, crm_id, PAGE)
        except StoreError as exc:
            self.app.call_from_thread(self._queue_not_read, str(exc), load)
            return
        self.app.call_from_thread(self._around_read, found, crm_id, load)

    def _around_read(self, found: Around, crm_id: str, load: int) -> None:
        self._queue_read(found.rows, crm_id, load)
        if load == self._loads_done:  # painted, not superseded by a newer read
            queue = self.query_one(QueueList)
            queue.at_start, queue.at_end = found.at_start, found.at_end
