"""The rep's queue: a keyset-fed list, the detail pane, and every decision key."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize
from textual.reactive import var

from leadqueue.domain.queue_view import QueueFilter, QueueRow
from leadqueue.services.context import Services
from leadqueue.services.decisions import USER_ERRORS, DecisionService
from leadqueue.services.errors import StoreError
from leadqueue.services.lead_view import LeadView, load_lead_view
from leadqueue.tui.polling import PollsStore
from leadqueue.tui.screens.help import queue_help
from leadqueue.tui.screens.queue_decide import DecideInQueue
from leadqueue.tui.screens.queue_marks import MarksInQueue
from leadqueue.tui.screens.queue_pages import PagesInQueue
from leadqueue.tui.screens.queue_reach import ReachInQueue
from leadqueue.tui.screens.queue_search import SearchInQueue
from leadqueue.tui.screens.queue_sync import SyncInQueue
from leadqueue.tui.screens.queue_today import TodayInQueue
from leadqueue.tui.typeahead import hold_keys
from leadqueue.tui.widgets.fitting_footer import FittingFooter
from leadqueue.tui.widgets.lead_detail import LeadDetail
from leadqueue.tui.widgets.queue_list import QueueList
from leadqueue.tui.widgets.queue_summary import QueueSummary

# The forms, the team lead's screens and sync are imported where first used: a rep
# who opens the queue pays for neither their start-up time nor their memory.

log = logging.getLogger(__name__)
PAGE = 120
FIRST_PAGE = 60  # read before start-up: a tall terminal's screenful; the list asks for more as it moves
FIRST_PAGE_WAIT = 1.0  # seconds the app waits for it before opening without it
VIEWED_AFTER = 1.5  # seconds a lead stays highlighted before it counts as viewed
NARROW_BELOW = 110
OPENS_A_SCREEN = {
    *("accept", "reject", "needs_info", "touch", "dispose"),
    *("filters", "breaches", "metrics", "help", "today"),
}
# Keys that read the rows they move to: priority bindings, like the keys above, so
# the keys typed after them wait for those rows (g j j moves from the first lead).
READS_ROWS = {"first", "last"}
# Each section's own actions: the other section's are neither in its footer nor its palette.
SECTION_ONLY = {
    **dict.fromkeys(("accept", "reject", "needs_info"), "decide"),
    **dict.fromkeys(("touch", "dispose"), "follow_up"),
}
ALWAYS_IN_THE_FOOTER = ("help", "quit")
SWITCH = "Switch between Decide and Follow up"


def top_of_queue(services: Services, f: QueueFilter, limit: int = PAGE) -> list[QueueRow]:
    return services.queue.first_page(f, limit)


def read_first_page(
    services: Services, owner: str | None, wait: float = FIRST_PAGE_WAIT
) -> list[QueueRow] | None:
    """The queue's first page, read before the UI starts, as the store is opened
    then, so the first frame already shows rows: a page that arrives after the
    first frame waits for the next one.

    None when the store does not answer, or not within `wait` seconds (a
    server that hangs must not keep the app from opening): the screen's own
    worker then reads it, and shows the error if there is one.
    """
    found: list[list[QueueRow]] = []

    def read() -> None:
        with contextlib.suppress(StoreError):  # the screen's worker meets it again and says so
            found.append(top_of_queue(services, QueueFilter(owner=owner), FIRST_PAGE))

    reader = threading.Thread(target=read, name="leadqueue-first-page", daemon=True)
    reader.start()
    reader.join(wait)
    return found[0] if found else None


class QueueScreen(
    TodayInQueue,
    ReachInQueue,
    DecideInQueue,
    SearchInQueue,
    MarksInQueue,
    SyncInQueue,
    PagesInQueue,
    PollsStore,
):
    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False, id="queue.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="queue.up"),
        Binding("g,home", "first", "First", show=False, id="queue.first", priority=True),
        Binding("G,end", "last", "Last", show=False, id="queue.last", priority=True),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="queue.page_down"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="queue.page_up"),
        # Keys that open another screen are priority bindings: taken ahead of the list,
        # each waits for the keys typed before it, and the keys typed after it wait
        # for the screen it opens (see tui/typeahead.py), not the queue, where "t"
        # would log a touch and "u" undo a decision.
        # Shown in the footer of the section they belong to (see check_action).
        Binding("a", "accept", "Accept", id="lead.accept", priority=True),
        Binding("r", "reject", "Reject", id="lead.reject", priority=True),
        Binding("i", "needs_info", "Needs info", id="lead.needs_info", priority=True),
        Binding("t", "touch(False)", "Touch", id="lead.touch", priority=True),
        Binding("c", "touch(True)", "Conversation", id="lead.conversation", priority=True),
        Binding("d", "dispose", "Dispose", id="lead.dispose", priority=True),
        Binding("u", "undo", "Undo", show=False, id="lead.undo"),
        Binding("y", "copy_contact", "Copy email, then phone", show=False, id="lead.copy_contact"),
        Binding("o", "open_in_crm", "Open in CRM", show=False, id="lead.open_in_crm"),
        Binding("space", "mark", "Mark or unmark", show=False, id="queue.mark"),
        # The detail pane never has the focus (the list keeps j/k): these scroll it from the list.
        Binding("J,shift+down", "scroll_detail(1)", "Scroll the detail down", show=False, id="detail.down"),
        Binding("K,shift+up", "scroll_detail(-1)", "Scroll the detail up", show=False, id="detail.up"),
        # One key, named by where it goes: the footer says "tab → Follow up" in Decide.
        *[
            Binding("tab", f"section('{to}')", f"→ {title}", id="queue.section", tooltip=SWITCH)
            for to, title in (("follow_up", "Follow up"), ("decide", "Decide"))
        ],
        Binding("slash", "search", "Search", id="queue.search", priority=True),
        Binding(
            "enter",
            "keep_search",
            "Keep the search, to the list",
            show=False,
            id="queue.keep_search",
            priority=True,
        ),
        # One key, two jobs: esc clears the search while its box has the focus, the marks otherwise.
        Binding(
            "escape",
            "escape",
            "Clear the search, else the marks",
            show=False,
            id="queue.clear_search",
            priority=True,
        ),
        Binding("f", "filters", "Filters", id="queue.filters", priority=True),
        Binding("s", "sync", "Sync", show=False, id="queue.sync"),
        Binding("b", "breaches", "Breaches", show=False, id="team.breaches", priority=True),
        Binding("m", "metrics", "Metrics", show=False, id="team.metrics", priority=True),
        Binding("n", "today", "Today's next steps", show=False, id="queue.today", priority=True),
        Binding("question_mark", "help", "Help", id="app.help", priority=True),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    # What the header shows is reactive state, bound to it (QueueSummary): setting any
    # of it repaints the header. The counts, the unsent count, the sync and the marks
    # are the mixins' (queue_pages.py, queue_sync.py, queue_marks.py).
    filter: var[QueueFilter] = var(QueueFilter, init=False)
    error: var[str] = var("", init=False)

    def __init__(
        self,
        services: Services,
        actor: str | None,
        owner: str | None,
        export_dir: Path | None = None,
        first_page: list[QueueRow] | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.export_dir = export_dir
        self.actor = actor
        self.set_reactive(QueueScreen.filter, QueueFilter(owner=owner))
        self.decisions = DecisionService(services)
        self.view: LeadView | None = None
        self.zone = services.policy.zone  # the rep's own once read (load_zone)
        self.undo_stack: list[list[str]] = []  # one entry per decision: a lead or a batch
        self.lead_names: dict[str, str] = {}
        self.viewed: set[str] = set()
        self.known_states: dict[str, str] = {}
        self.seen_hot: set[str] | None = None
        self._view_timer: Any = None
        self._first_page = first_page
        self._rows_on_their_way = False  # the newest read of the queue is not in yet
        # Releases of the keys held until the queue's newest read is in.
        self._keys_held_for_the_queue: list[Callable[[], None]] = []

    # -- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield QueueSummary(NARROW_BELOW, id="summary").data_bind(
            QueueScreen.filter,
            QueueScreen.counts,
            QueueScreen.unsent,
            QueueScreen.syncing,
            QueueScreen.marked,
            QueueScreen.error,
            clear_key=self.clear_key(),
        )
        with Horizontal(id="main"):
            yield QueueList(show_rep=self.filter.owner is None, id="queue").data_bind(QueueScreen.marked)
            yield LeadDetail(id="detail")
        yield FittingFooter(keep=ALWAYS_IN_THE_FOOTER)

    def on_mount(self) -> None:
        self.query_one(QueueList).now = self.now()
        self.query_one(QueueList).focus()
        if self._first_page is not None:
            # Read before the UI started: the first frame already shows the queue.
            self._apply_page(self._first_page, None)
            self._first_page = None
        else:
            self.reload()
        self.load_zone()
        self.set_interval(1.0, self.tick)
        self.set_interval(30.0, self.refresh_counts)
        self.start_polling()

    def watch_filter(self, before: QueueFilter, f: QueueFilter) -> None:
        if f.section != before.section:
            self.refresh_bindings()  # the footer and the palette offer the new section's actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A priority key is taken before the focused widget sees it: while the search
        # box has the focus, its letters are the search.
        if action == "keep_search":
            return self._searching()
        if action == "escape":
            return self._searching() or bool(self.filter.search) or self.has_marks()
        if action == "section":
            return parameters[0] != self.filter.section
        # Accepting an accepted lead, or logging a touch on one not accepted, is not
        # on offer: the section's footer shows only what can be done in it.
        if SECTION_ONLY.get(action, self.filter.section) != self.filter.section:
            return False
        # "/" typed in the box is part of the search ("A/B Testing Inc"), not the search key
        # again, and g, G, home and end are the box's.
        return not (action in (*OPENS_A_SCREEN, *READS_ROWS, "search") and self._searching())

    def on_resize(self, event: Resize) -> None:
        self.query_one("#main").set_class(event.size.width < NARROW_BELOW, "narrow")
        self.call_after_refresh(self.read_reasons)  # a list grown wide enough for WHY

    def now(self) -> datetime:
        return self.services.clock.now()

    # -- loading (all database work in thread workers) ------------------------------
    def reload(self, keep: str | None = None) -> None:
        self.load_queue(self.filter, keep)

    def load_queue(self, f: QueueFilter, keep: int | str | None, counts: bool = True) -> None:
        """The rows around `keep`; then the header's counts, unless the caller has
        them already (a decision's write reads them, see queue_decide.py)."""
        self.read_rows(
            top_of_queue, self.services, f, then=lambda rows: self._queue_read(rows, keep, counts=counts)
        )

    def read_rows(self, fetch: Callable[..., Any], *args: Any, then: Callable[[Any], object]) -> None:
        """Every read of the queue's rows: one at a time (a newer one, a search typed
        on say, supersedes the one in flight), and the rows read beyond the window
        before it are for the rows it replaces."""
        self.workers.cancel_group(self, "more")
        self._rows_on_their_way = True
        self.read("queue", fetch, *args, then=then, failed=self._queue_not_read)

    def _queue_read(
        self, rows: list[QueueRow], keep: int | str | None, at_end: bool = False, counts: bool = True
    ) -> None:
        """The newest read's rows; `at_end`: they are the queue's last; `counts`:
        the header's counts are to be read after them."""
        self._rows_on_their_way = False
        self._apply_page(rows, keep, counts)
        if at_end:
            queue = self.query_one(QueueList)
            queue.at_start, queue.at_end = len(rows) < PAGE, True
        self._release_keys_held_for_the_queue()

    def _queue_not_read(self, message: str) -> None:
        self._rows_on_their_way = False
        self.show_error(message)
        self._release_keys_held_for_the_queue()

    def _hold_keys_until_the_queue_is_read(self) -> None:
        """Keys typed now act on the rows being read (a search's results, say),
        not on the rows on screen: they wait for the newest read to arrive."""
        if self._rows_on_their_way:
            self._keys_held_for_the_queue.append(hold_keys(self))

    def _release_keys_held_for_the_queue(self) -> None:
        held, self._keys_held_for_the_queue = self._keys_held_for_the_queue, []
        for release in held:
            release()

    def _apply_page(self, rows: list[QueueRow], keep: int | str | None, counts: bool = True) -> None:
        queue = self.query_one(QueueList)
        index = 0
        if isinstance(keep, int):
            index = keep
        elif keep is not None:
            index = next((i for i, r in enumerate(rows) if r.crm_id == keep), queue.cursor)
        full = PAGE if self._first_page is None else FIRST_PAGE
        queue.set_rows(rows, min(index, max(0, len(rows) - 1)), at_start=True, at_end=len(rows) < full)
        self._notice_hot(rows)
        if counts:
            # Counts scan every open lead: they follow the paint instead of delaying it.
            self.call_after_refresh(self.refresh_counts)
        queue.reasons.clear()  # read again with the rows: a re-import may have changed a tier
        self.call_after_refresh(self.read_reasons)

    # -- the detail pane ---------------------------------------------------------------
    @on(QueueList.Highlighted)
    def _highlighted(self, event: QueueList.Highlighted) -> None:
        if self._view_timer is not None:
            self._view_timer.stop()
            self._view_timer = None
        if event.row is None:
            self.view = None
            self.query_one(LeadDetail).show(None, self.now())
            return
        crm_id = event.row.crm_id
        # An exclusive thread worker, started once the list has repainted: a newer
        # highlight cancels the older load, and the pane's query never delays the list.
        self.call_after_refresh(self.load_detail, crm_id)
        self._view_timer = self.set_timer(VIEWED_AFTER, lambda: self.record_viewed(crm_id))

    def load_detail(self, crm_id: str) -> None:
        detail = self.query_one(LeadDetail)
        self.read(
            "detail", load_lead_view, self.services, crm_id, then=self._show_view, failed=detail.show_message
        )

    def _show_view(self, view: LeadView) -> None:
        current = self.query_one(QueueList).current
        if current is None or current.crm_id != view.profile.crm_id:
            return
        self.view = view
        self.query_one(LeadDetail).show(view, self.now(), self.zone)

    def record_viewed(self, crm_id: str) -> None:
        if crm_id in self.viewed or not self.actor:
            return
        self.viewed.add(crm_id)
        self.write("write", self._view, crm_id, self.actor, then=lambda _: None)

    def _view(self, crm_id: str, actor: str) -> None:
        try:
            self.decisions.view(crm_id, actor)
        except (StoreError, *USER_ERRORS) as exc:
            log.info("viewed not recorded for %s: %s", crm_id, exc)

    def show_error(self, message: str) -> None:
        if message == self.error:  # a poll during an outage says it once
            return
        self.error = message
        log.error(message)
        self.notify(message, severity="error", title="Store", timeout=10, markup=False)

    # -- movement ----------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        self.query_one(QueueList).move(delta)

    def action_page(self, direction: int) -> None:
        queue = self.query_one(QueueList)
        queue.move(direction * queue.page)

    # First and last read their rows: the keys typed after them act on the lead
    # they land on (G then a accepts the last lead), so they wait for the rows.
    def action_first(self) -> None:
        self.reload()
        self._hold_keys_until_the_queue_is_read()

    def action_last(self) -> None:
        def read(rows: list[QueueRow]) -> None:
            self._queue_read(rows, len(rows) - 1, at_end=True)

        self.read_rows(self.services.queue.last_page, self.filter, PAGE, then=read)
        self._hold_keys_until_the_queue_is_read()

    def action_section(self, section: str) -> None:
        self.marked = frozenset()  # marks are the section's: r in Decide, not Follow up
        self.filter = replace(self.filter, section=section)
        self.reload()
        # The keys typed right after tab act on the new section's leads, once they are in.
        self._hold_keys_until_the_queue_is_read()

    def action_scroll_detail(self, direction: int) -> None:
        self.query_one(LeadDetail).scroll_by_half(direction)

    # -- decisions (the forms and the writes: queue_decide.py) ----------------------------
    def _target(self) -> QueueRow | None:
        row = self.query_one(QueueList).current
        if row is None:
            self.notify("No lead selected", severity="warning", markup=False)
        return row

    # -- help, quit, the team's screens (sync: queue_sync.py) ---------------------------------
    def action_help(self) -> None:
        keymap = getattr(self.app, "keymap", {}) or {}
        self.app.push_screen(queue_help(self.BINDINGS, keymap, self.services.policy))

    def action_quit(self) -> None:
        self.app.exit()

    def action_breaches(self) -> None:
        from leadqueue.tui.screens.breaches import BreachesScreen  # imported here: a team-lead screen

        # Reload on return: leads may have been reassigned away meanwhile.
        self.app.push_screen(
            BreachesScreen(self.services), lambda _: self.reload(self.query_one(QueueList).cursor)
        )

    def action_metrics(self) -> None:
        from leadqueue.tui.screens.metrics import MetricsScreen

        self.app.push_screen(MetricsScreen(self.services))
