"""The queue's reads beyond its first page and its live parts: more rows as the
cursor nears an edge of the window, the header's counts, new hot leads, the
tier reasons for the WHY column of a wide list (reads all in thread workers),
and the clock's tick: countdowns, and a lead turning at risk or breached.

A mixin of QueueScreen, kept apart so the queue's module stays about the queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.reactive import var
from textual.screen import Screen

from leadqueue.domain.queue_view import Cursor, QueueCounts, QueueFilter, QueueRow
from leadqueue.services.context import Services
from leadqueue.services.lead_view import tier_reasons
from leadqueue.services.queue import QueueHeader
from leadqueue.tui.alerts import alert
from leadqueue.tui.format import clock_state, lead_name
from leadqueue.tui.store_work import StoreWork
from leadqueue.tui.widgets.lead_detail import LeadDetail
from leadqueue.tui.widgets.queue_list import QueueList

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from leadqueue.services.lead_view import LeadView

PAGE = 120  # as the queue reads a page


class PagesInQueue(StoreWork, Screen[None]):
    # Shown by the header (bound to it in QueueScreen.compose): set, they repaint it.
    counts: var[QueueCounts | None] = var(None, init=False)
    unsent: var[int | None] = var(None, init=False)
    # The queue screen's, used here.
    services: Services
    filter: QueueFilter
    error: str
    seen_hot: set[str] | None
    known_states: dict[str, str]  # each row's clock state at the last tick
    view: LeadView | None
    zone: ZoneInfo

    if TYPE_CHECKING:

        def now(self) -> datetime: ...

        def show_error(self, message: str) -> None: ...

        def load_queue(self, f: QueueFilter, keep: int | str | None) -> None: ...

    def load_more(self, direction: str, f: QueueFilter, edge: Cursor) -> None:
        # Cancelled by the next read of the whole queue (read_rows): its rows replace these.
        queue = self.services.queue
        fetch = queue.page_after if direction == "after" else queue.page_before
        self.read("more", fetch, f, edge, PAGE, then=lambda rows: self._apply_more(direction, rows))

    def _apply_more(self, direction: str, rows: list[QueueRow]) -> None:
        queue = self.query_one(QueueList)
        if direction == "after":
            queue.extend_after(rows, at_end=len(rows) < PAGE)
        else:
            queue.extend_before(rows, at_start=len(rows) < PAGE)
        self.read_reasons()

    @on(QueueList.NeedRows)
    def _need_rows(self, event: QueueList.NeedRows) -> None:
        queue = self.query_one(QueueList)
        if not queue.rows:
            return
        edge = queue.rows[-1] if event.direction == "after" else queue.rows[0]
        self.load_more(event.direction, self.filter, edge.cursor)

    def refresh_counts(self) -> None:
        self.read("counts", self.services.queue.header, self.filter, then=self._apply_counts)

    def store_answers(self) -> None:
        self.error = ""

    def store_changed(self) -> None:
        current = self.query_one(QueueList).current
        self.load_queue(self.filter, current.crm_id if current else None)

    def _apply_counts(self, header: QueueHeader) -> None:
        self.counts = header.counts
        self.unsent = header.unsent
        self._notice_hot(header.hot)

    def _notice_hot(self, rows: list[QueueRow]) -> None:
        ids = {r.crm_id for r in rows if r.tier == "hot" and r.clock == "decision"}
        if self.seen_hot is not None:
            fresh = [r for r in rows if r.crm_id in ids - self.seen_hot]
            for r in fresh[:3]:
                # Imported by anyone, named by anyone: the toast shows the name, never reads it as markup.
                self.notify(f"New hot lead: {lead_name(r.name, r.company)}", title="Hot lead", markup=False)
            if fresh:  # one bell for the lot, and only while the terminal is in the background
                alert(self.app, "hot lead", ", ".join(lead_name(r.name, r.company) for r in fresh[:3]))
        self.seen_hot = (self.seen_hot or set()) | ids

    # -- why each lead has its tier, for a list wide enough to say ---------------------
    def read_reasons(self) -> None:
        queue = self.query_one(QueueList)
        if queue.shows_reasons():
            missing = [r.crm_id for r in queue.rows if r.crm_id not in queue.reasons]
            if missing:
                self._read_reasons(missing)

    def _read_reasons(self, crm_ids: list[str]) -> None:
        self.read("reasons", tier_reasons, self.services, crm_ids, then=self.query_one(QueueList).set_reasons)

    # -- the clock ---------------------------------------------------------------------
    def tick(self) -> None:
        now = self.now()
        queue = self.query_one(QueueList)
        queue.now = now
        turned: list[str] = []
        for row in queue.rows[queue.top : queue.top + queue.page]:
            state = clock_state(row.due_at, row.at_risk_at, now)
            before = self.known_states.get(row.crm_id)
            if before is not None and before != state and state in ("at_risk", "breached"):
                severity = "error" if state == "breached" else "warning"
                word = "breached" if state == "breached" else "is at risk"
                clock = (row.clock or "").replace("_", " ")
                said = f"{lead_name(row.name, row.company)}: {clock} clock {word}"
                self.notify(said, severity=severity, title="SLA", markup=False)
                turned.append(said)
            self.known_states[row.crm_id] = state
        if turned:
            alert(self.app, "SLA", "; ".join(turned))
        if self.view is not None:
            self.query_one(LeadDetail).tick(self.view, now, self.zone)
