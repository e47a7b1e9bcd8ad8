"""The rep's queue: a keyset-fed list, the detail pane, and every decision key."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize
from textual.widgets import Footer, Static

from leadqueue.domain.decisions import Accept, Dispose, NeedsInfo, Reject, Touch
from leadqueue.services.context import Services
from leadqueue.services.decisions import USER_ERRORS, DecisionService
from leadqueue.services.lead_view import LeadView, load_lead_view
from leadqueue.store import outbox
from leadqueue.store import queue_query as qq
from leadqueue.store.engine import StoreError
from leadqueue.tui.alerts import alert
from leadqueue.tui.format import clock_state, visible
from leadqueue.tui.polling import PollsStore
from leadqueue.tui.screens.queue_today import TodayInQueue
from leadqueue.tui.screens.queue_reach import ReachInQueue
from leadqueue.tui.typeahead import hold_keys, in_turn
from leadqueue.tui.widgets.lead_detail import LeadDetail
from leadqueue.tui.widgets.queue_list import QueueList

if TYPE_CHECKING:
    from leadqueue.sync.service import SyncSummary

# The forms, filters, help and sync are imported where first used: a rep who
# opens the queue pays for neither their start-up time nor their memory.

log = logging.getLogger(__name__)
PAGE = 120
FIRST_PAGE = 60  # read before start-up: a tall terminal's screenful; the list asks for more as it moves
FIRST_PAGE_WAIT = 1.0  # seconds the app waits for it before opening without it
VIEWED_AFTER = 1.5  # seconds a lead stays highlighted before it counts as viewed
NARROW_BELOW = 110
SEARCH_PLACEHOLDER = "search name, company or email — enter to keep, esc to clear"
SECTION_TITLES = {"decide": "Decide", "follow_up": "Follow up"}
LEAVES_THE_LIST = {"accept", "reject", "needs_info", "dispose"}
OPENS_A_SCREEN = {
    *("accept", "reject", "needs_info", "touch", "dispose"),
    *("filters", "breaches", "metrics", "help", "today"),
}


def top_of_queue(services: Services, f: qq.QueueFilter, limit: int = PAGE) -> list[qq.QueueRow]:
    with services.store.read() as conn:
        return qq.page_after(conn, f, services.clock.now(), None, limit)


def read_first_page(
    services: Services, owner: str | None, wait: float = FIRST_PAGE_WAIT
) -> list[qq.QueueRow] | None:
    """The queue's first page, read before the UI starts, as the store is opened
    then, so the first frame already shows rows: a page that arrives after the
    first frame waits for the next one.

    None when the store does not answer, or not within `wait` seconds (a
    server that hangs must not keep the app from opening): the screen's own
    worker then reads it, and shows the error if there is one.
    """
    found: list[list[qq.QueueRow]] = []

    def read() -> None:
        with contextlib.suppress(StoreError):  # the screen's worker meets it again and says so
            found.append(top_of_queue(services, qq.QueueFilter(owner=owner), FIRST_PAGE))

    reader = threading.Thread(target=read, name="leadqueue-first-page", daemon=True)
    reader.start()
    reader.join(wait)
    return found[0] if found else None


class QueueScreen(TodayInQueue, ReachInQueue, PollsStore):
    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False, id="queue.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="queue.up"),
        Binding("g,home", "first", "First", show=False, id="queue.first"),
        Binding("G,end", "last", "Last", show=False, id="queue.last"),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="queue.page_down"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="queue.page_up"),
        # Keys that open another screen are priority bindings: they act as they arrive,
        # so the keys typed right after them go to that screen (see tui/typeahead.py),
        # not to the queue, where "t" would log a touch and "u" undo a decision.
        Binding("a", "accept", "Accept", id="lead.accept", priority=True),
        Binding("r", "reject", "Reject", id="lead.reject", priority=True),
        Binding("i", "needs_info", "Needs info", id="lead.needs_info", priority=True),
        Binding("t", "touch(False)", "Touch", show=False, id="lead.touch", priority=True),
        Binding("c", "touch(True)", "Conversation", show=False, id="lead.conversation", priority=True),
        Binding("d", "dispose", "Dispose", show=False, id="lead.dispose", priority=True),
        Binding("u", "undo", "Undo", show=False, id="lead.undo"),
        Binding("y", "copy_contact", "Copy email, then phone", show=False, id="lead.copy_contact"),
        Binding("o", "open_in_crm", "Open in CRM", show=False, id="lead.open_in_crm"),
        Binding("space", "mark", "Mark", show=False, id="queue.mark"),
        Binding("tab", "section", "Decide/Follow up", id="queue.section"),
        Binding("slash", "search", "Search", id="queue.search", priority=True),
        *[
            Binding(key, action, text, show=False, id=f"queue.{action}", priority=True)
            for key, action, text in [
                ("enter", "keep_search", "Keep the search, to the list"),
                ("escape", "clear_search", "Clear the search"),
            ]
        ],
        Binding("f", "filters", "Filters", id="queue.filters", priority=True),
        Binding("s", "sync", "Sync", show=False, id="queue.sync"),
        Binding("b", "breaches", "Breaches", show=False, id="team.breaches", priority=True),
        Binding("m", "metrics", "Metrics", show=False, id="team.metrics", priority=True),
        Binding("n", "today", "Today's next steps", show=False, id="queue.today", priority=True),
        Binding("question_mark", "help", "Help", id="app.help", priority=True),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(
        self,
        services: Services,
        actor: str | None,
        owner: str | None,
        export_dir: Path | None = None,
        first_page: list[qq.QueueRow] | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.export_dir = export_dir
        self.unsent: int | None = None
        self.syncing = False
        self.actor = actor
        self.filter = qq.QueueFilter(owner=owner)
        self.decisions = DecisionService(services)
        self.view: LeadView | None = None
        self.zone = services.policy.zone  # the rep's own once read (load_zone)
        self.counts: qq.QueueCounts | None = None
        self.undo_stack: list[str] = []
        self.viewed: set[str] = set()
        self.known_states: dict[str, str] = {}
        self.seen_hot: set[str] | None = None
        self._view_timer: Any = None
        self.error: str = ""
        self._first_page = first_page
        self._loads_started = 0
        self._loads_done = 0
        # Releases of the keys held until the queue's newest read is in, and until each write is back.
        self._keys_held_for_the_queue: list[Callable[[], None]] = []
        self._keys_held_for_writes: list[Callable[[], None]] = []

    # -- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="summary")
        with Horizontal(id="main"):
            yield QueueList(show_rep=self.filter.owner is None, id="queue")
            yield LeadDetail(id="detail")
        yield Footer()

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A priority key is taken before the focused widget sees it: while the search
        # box has the focus, its letters are the search.
        if action in ("keep_search", "clear_search"):
            return self._searching()
        # "/" typed in the box is part of the search ("A/B Testing Inc"), not the search key again.
        return not (action in (*OPENS_A_SCREEN, "search") and self._searching())

    def _searching(self) -> bool:
        focused = self.focused
        return focused is not None and focused.id == "search"

    def on_resize(self, event: Resize) -> None:
        self.query_one("#main").set_class(event.size.width < NARROW_BELOW, "narrow")
        self.update_summary()

    def now(self) -> datetime:
        return self.services.clock.now()

    # -- loading (all database work in thread workers) ------------------------------
    def reload(self, keep: str | None = None) -> None:
        self.load_queue(self.filter, keep)

    def load_queue(self, f: qq.QueueFilter, keep: int | str | None) -> None:
        self._loads_started += 1
        self._read_queue(f, keep, self._loads_started)

    @work(thread=True, exclusive=True, group="queue")
    def _read_queue(self, f: qq.QueueFilter, keep: int | str | None, load: int) -> None:
        try:
            rows = top_of_queue(self.services, f)
        except StoreError as exc:
            self.app.call_from_thread(self._queue_not_read, str(exc), load)
            return
        self.app.call_from_thread(self._queue_read, rows, keep, load)

    def _queue_read(
        self, rows: list[qq.QueueRow], keep: int | str | None, load: int, at_end: bool = False
    ) -> None:
        """A read's rows, painted unless a newer read has begun; `at_end`: they are the queue's last."""
        if load < self._loads_started:
            return  # a newer read is on its way (a search typed on, say): this one is stale
        self._loads_done = load
        self._apply_page(rows, keep)
        if at_end:
            queue = self.query_one(QueueList)
            queue.at_start, queue.at_end = len(rows) < PAGE, True
        self._release_keys_held_for_the_queue()

    def _queue_not_read(self, message: str, load: int) -> None:
        self.show_error(message)
        if load == self._loads_started:
            self._loads_done = load
            self._release_keys_held_for_the_queue()

    def _hold_keys_until_the_queue_is_read(self) -> None:
        """Keys typed now act on the rows being read (a search's results, say),
        not on the rows on screen: they wait for the newest read to arrive."""
        if self._loads_done < self._loads_started:
            self._keys_held_for_the_queue.append(hold_keys(self))

    def _release_keys_held_for_the_queue(self) -> None:
        held, self._keys_held_for_the_queue = self._keys_held_for_the_queue, []
        for release in held:
            release()

    def _apply_page(self, rows: list[qq.QueueRow], keep: int | str | None) -> None:
        queue = self.query_one(QueueList)
        index = 0
        if isinstance(keep, int):
            index = keep
        elif keep is not None:
            index = next((i for i, r in enumerate(rows) if r.crm_id == keep), queue.cursor)
        full = PAGE if self._first_page is None else FIRST_PAGE
        queue.set_rows(rows, min(index, max(0, len(rows) - 1)), at_start=True, at_end=len(rows) < full)
        self._notice_hot(rows)
        self.update_summary()
        # Counts scan every open lead: they follow the paint instead of delaying it.
        self.call_after_refresh(self.refresh_counts)

    @work(thread=True, exclusive=True, group="more")
    def load_more(self, direction: str, f: qq.QueueFilter, edge: qq.Cursor) -> None:
        now = self.now()
        try:
            with self.services.store.read() as conn:
                if direction == "after":
                    rows = qq.page_after(conn, f, now, edge, PAGE)
                else:
                    rows = qq.page_before(conn, f, now, edge, PAGE)
        except StoreError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        self.app.call_from_thread(self._apply_more, direction, rows, f)

    def _apply_more(self, direction: str, rows: list[qq.QueueRow], f: qq.QueueFilter) -> None:
        if f != self.filter:
            return
        queue = self.query_one(QueueList)
        if direction == "after":
            queue.extend_after(rows, at_end=len(rows) < PAGE)
        else:
            queue.extend_before(rows, at_start=len(rows) < PAGE)

    @on(QueueList.NeedRows)
    def _need_rows(self, event: QueueList.NeedRows) -> None:
        queue = self.query_one(QueueList)
        if not queue.rows:
            return
        edge = queue.rows[-1] if event.direction == "after" else queue.rows[0]
        self.load_more(event.direction, self.filter, edge.cursor)

    @work(thread=True, exclusive=True, group="counts")
    def refresh_counts(self) -> None:
        try:
            with self.services.store.read() as conn:
                counts = qq.counts(conn, self.filter.owner, self.now())
                unsent = outbox.unsent_count(conn)
                hot = qq.page_after(
                    conn,
                    replace(self.filter, section="decide", tiers=frozenset({"hot"})),
                    self.now(),
                    None,
                    50,
                )
        except StoreError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        self.app.call_from_thread(self._apply_counts, counts, hot, unsent)

    def store_answers(self) -> None:
        if self.error:
            self.error = ""
            self.update_summary()

    def store_changed(self) -> None:
        current = self.query_one(QueueList).current
        self.load_queue(self.filter, current.crm_id if current else None)

    def _apply_counts(self, counts: qq.QueueCounts, hot: list[qq.QueueRow], unsent: int) -> None:
        self.counts = counts
        self.unsent = unsent
        self._notice_hot(hot)
        self.update_summary()

    def _notice_hot(self, rows: list[qq.QueueRow]) -> None:
        ids = {r.crm_id for r in rows if r.tier == "hot" and r.clock == "decision"}
        if self.seen_hot is not None:
            fresh = [r for r in rows if r.crm_id in ids - self.seen_hot]
            for r in fresh[:3]:
                # Imported by anyone, named by anyone: the toast shows the name, never reads it as markup.
                self.notify(f"New hot lead: {r.name} ({r.company})", title="Hot lead", markup=False)
            if fresh:  # one bell for the lot, and only while the terminal is in the background
                alert(self.app, "hot lead", ", ".join(f"{r.name} ({r.company})" for r in fresh[:3]))
        self.seen_hot = (self.seen_hot or set()) | ids

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

    @work(thread=True, exclusive=True, group="detail")
    def load_detail(self, crm_id: str) -> None:
        try:
            view = load_lead_view(self.services, crm_id)
        except (StoreError, *USER_ERRORS) as exc:
            self.app.call_from_thread(self.query_one(LeadDetail).show_message, str(exc))
            return
        self.app.call_from_thread(self._show_view, view)

    def _show_view(self, view: LeadView) -> None:
        current = self.query_one(QueueList).current
        if current is None or current.crm_id != view.profile.crm_id:
            return
        self.view = view
        self.query_one(LeadDetail).show(view, self.now(), self.zone)

    @work(thread=True, group="write")
    def record_viewed(self, crm_id: str) -> None:
        if crm_id in self.viewed or not self.actor:
            return
        self.viewed.add(crm_id)
        try:
            self.decisions.view(crm_id, self.actor)
        except (StoreError, *USER_ERRORS) as exc:
            log.info("viewed not recorded for %s: %s", crm_id, exc)

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
                self.notify(
                    f"{row.name}: {(row.clock or '').replace('_', ' ')} clock {word}",
                    severity=severity,
                    title="SLA",
                    markup=False,
                )
                turned.append(f"{row.name}: {(row.clock or '').replace('_', ' ')} clock {word}")
            self.known_states[row.crm_id] = state
        if turned:
            alert(self.app, "SLA", "; ".join(turned))
        if self.view is not None:
            self.query_one(LeadDetail).tick(self.view, now, self.zone)

    def update_summary(self) -> None:
        c = self.counts
        text = Text()
        who = visible(self.filter.owner or "all reps")
        # Short labels on narrow terminals, so the unsent count still fits at 80 columns.
        wide = self.size.width >= NARROW_BELOW
        text.append(f" leadqueue · {who} " if wide else f" {who} ", style="bold reverse")
        for key, title in SECTION_TITLES.items():
            n = (c.decide if key == "decide" else c.follow_up) if c else 0
            style = "bold underline" if key == self.filter.section else "dim"
            text.append(f"  {title} ({n})" if wide else f"  {title} {n}", style=style)
        if c:
            text.append(f"   open {c.open}", style="bold")
            text.append(f"  {'at risk' if wide else 'risk'} {c.at_risk}", style="bold yellow")
            text.append(f"  {'breached' if wide else 'breach'} {c.breached}", style="bold red")
        if self.syncing:
            text.append("  syncing…", style="bold cyan")
        elif self.unsent is not None:
            text.append(f"  unsent {self.unsent}", style="bold magenta" if self.unsent else "dim")
        active = [
            f"tier={','.join(sorted(self.filter.tiers))}" if self.filter.tiers else "",
            f"state={self.filter.clock_state}" if self.filter.clock_state else "",
            f"source={visible(self.filter.source)}" if self.filter.source else "",
            f"search='{visible(self.filter.search)}'" if self.filter.search else "",
        ]
        if any(active):
            text.append("   filter: " + " ".join(a for a in active if a), style="cyan")
        marked = self.query_one(QueueList).marked
        if marked:
            text.append(f"   {len(marked)} marked", style="magenta")
        if self.error:
            text.append(f"   ⚠ {visible(self.error)}", style="bold red")
        self.query_one("#summary", Static).update(text)

    def show_error(self, message: str) -> None:
        if message == self.error:  # a poll during an outage says it once
            return
        self.error = message
        log.error(message)
        self.notify(message, severity="error", title="Store", timeout=10, markup=False)
        self.update_summary()

    # -- movement ----------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        self.query_one(QueueList).move(delta)

    def action_page(self, direction: int) -> None:
        queue = self.query_one(QueueList)
        queue.move(direction * queue.page)

    def action_first(self) -> None:
        self.reload()

    def action_last(self) -> None:
        # Numbered like every read of the queue: it cancels a read in flight (one group).
        self._loads_started += 1
        self.load_last(self.filter, self._loads_started)

    @work(thread=True, exclusive=True, group="queue")
    def load_last(self, f: qq.QueueFilter, load: int) -> None:
        try:
            with self.services.store.read() as conn:
                rows = qq.page_before(conn, f, self.now(), None, PAGE)
        except StoreError as exc:
            self.app.call_from_thread(self._queue_not_read, str(exc), load)
            return
        self.app.call_from_thread(self._queue_read, rows, len(rows) - 1, load, at_end=True)

    def action_section(self) -> None:
        self.filter = replace(
            self.filter, section="follow_up" if self.filter.section == "decide" else "decide"
        )
        self.query_one(QueueList).marked.clear()
        self.reload()

    def action_mark(self) -> None:
        self.query_one(QueueList).toggle_mark()
        self.action_move(1)
        self.update_summary()

    # -- search and filters ---------------------------------------------------------------
    def action_search(self) -> None:
        from textual.widgets import Input

        found = self.query("#search")
        if found:
            box = found.first(Input)
        else:
            # Made on first use: a rep who never searches never pays for the box at start-up.
            box = Input(placeholder=SEARCH_PLACEHOLDER, id="search")
            box.cursor_blink = getattr(self.app, "cursor_blink", True)
            self.mount(box, after="#summary")
        box.display = True
        # Focused now, not after the next refresh (which focus() waits for): the keys
        # typed right after the slash are already on their way, and must reach the box.
        self.set_focus(box)

    # Handlers by name, not @on(Input.Changed): Input is imported with the box, on first use.
    def on_input_changed(self, event: Any) -> None:
        if event.input.id == "search":
            self._search_for(event.value)

    def _search_for(self, text: str) -> None:
        # Also called by enter and esc, which may come before the box's last Changed.
        if text != self.filter.search:
            self.filter = replace(self.filter, search=text)
            self.reload()

    # Enter and esc in the search box act in turn, as priority keys: the letters
    # typed before them are in the search, and the keys after them (j, a...) are
    # the queue's, not more letters for a box that is about to lose the focus.
    def action_keep_search(self) -> None:
        from textual.widgets import Input

        def keep() -> None:
            self._search_for(self.query_one("#search", Input).value)
            self._back_to_the_list()

        in_turn(self, keep)

    def action_clear_search(self) -> None:
        from textual.widgets import Input

        def clear() -> None:
            box = self.query_one("#search", Input)
            box.value = ""
            box.display = False
            self._search_for("")
            self._back_to_the_list()

        in_turn(self, clear)

    def _back_to_the_list(self) -> None:
        self.set_focus(self.query_one(QueueList))
        self._hold_keys_until_the_queue_is_read()

    def action_filters(self) -> None:
        from leadqueue.tui.screens.filters import FilterScreen

        def chosen(picked: qq.QueueFilter | None) -> None:
            if picked is not None:
                self.filter = picked
                self.reload()

        # Pushed at once (its sources load in its own worker): the keys typed after f are its.
        self.app.push_screen(FilterScreen(self.filter, self._sources), chosen)

    def _sources(self) -> list[str]:
        with self.services.store.read() as conn:
            return list(qq.sources(conn, self.filter.owner))

    # -- decisions ---------------------------------------------------------------------------
    def _target(self) -> qq.QueueRow | None:
        row = self.query_one(QueueList).current
        if row is None:
            self.notify("No lead selected", severity="warning", markup=False)
        return row

    def _label(self, row: qq.QueueRow) -> str:
        return f"{row.name}, {row.company}" if row.company else row.name

    def _marked(self) -> list[str]:
        return sorted(self.query_one(QueueList).marked)

    # Each form opens in the key's turn (after the keys typed before it, with the
    # keys typed after it held for the form), and from the action itself, not from
    # a worker that would start later: see tui/typeahead.py.
    def _then_decide(self, kind: str, targets: list[str]) -> Callable[[Any], None]:
        def decided(decision: Any) -> None:
            if decision is not None:
                self._decide_now(kind, targets, decision)

        return decided

    def _decide_now(self, kind: str, targets: list[str], decision: Any) -> None:
        # Out of the list as the form closes, not once the write is back: the keys
        # typed right after the form's submit act on the next lead, not this one.
        if kind in LEAVES_THE_LIST:
            self.query_one(QueueList).drop(set(targets))
        self._write(kind, targets, decision)

    def _write(self, kind: str, targets: list[str], decision: Any) -> None:
        # The keys typed after a decision wait for its write: u undoes it (it is on
        # the undo stack by then), and a failure is said before the next key acts.
        self._keys_held_for_writes.append(hold_keys(self))
        self.decide(kind, targets, decision)

    def _written(self) -> None:
        if self._keys_held_for_writes:
            self._keys_held_for_writes.pop(0)()

    def action_accept(self) -> None:
        in_turn(self, self._open_accept)

    def _open_accept(self) -> None:
        from leadqueue.tui.screens.forms import AcceptForm

        row = self._target()
        if row is None:
            return
        form = AcceptForm(self._label(row), self.now(), self.zone)
        self.app.push_screen(form, self._then_decide("accept", [row.crm_id]))

    def action_reject(self) -> None:
        in_turn(self, self._open_reject)

    def _open_reject(self) -> None:
        from leadqueue.tui.screens.forms import RejectForm

        marked = self._marked()
        row = self._target()
        if row is None:
            return
        duplicate = ""
        if self.view is not None and self.view.profile.crm_id == row.crm_id and self.view.duplicates:
            duplicate = self.view.duplicates[0].crm_id
        label = f"{len(marked)} marked leads" if marked else self._label(row)

        def chosen(decision: Reject | None) -> None:
            if decision is not None:
                question = f"Reject {len(marked)} leads with {decision.reason}?" if marked else ""
                self._decide_once_confirmed("reject", marked or [row.crm_id], decision, question)

        form = RejectForm(label, self.services.policy, duplicate, self.services, marked or [row.crm_id])
        self.app.push_screen(form, chosen)

    def action_needs_info(self) -> None:
        in_turn(self, self._open_needs_info)

    def _open_needs_info(self) -> None:
        from leadqueue.tui.screens.forms import NeedsInfoForm

        marked = self._marked()
        row = self._target()
        if row is None:
            return
        label = f"{len(marked)} marked leads" if marked else self._label(row)

        def chosen(decision: NeedsInfo | None) -> None:
            if decision is not None:
                question = f"Return {len(marked)} leads to marketing?" if marked else ""
                self._decide_once_confirmed("needs_info", marked or [row.crm_id], decision, question)

        self.app.push_screen(NeedsInfoForm(label), chosen)

    def _decide_once_confirmed(self, kind: str, targets: list[str], decision: Any, question: str) -> None:
        """Marked leads are decided once their count is confirmed; one lead at once."""
        from leadqueue.tui.screens.forms import ConfirmScreen

        if not question:
            self._decide_now(kind, targets, decision)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._decide_now(kind, targets, decision)

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_touch(self, conversation: bool) -> None:
        in_turn(self, lambda: self._open_touch(conversation))

    def _open_touch(self, conversation: bool) -> None:
        from leadqueue.tui.screens.forms import TouchForm

        row = self._target()
        if row is None:
            return
        form = TouchForm(self._label(row), conversation)
        self.app.push_screen(form, self._then_decide("touch", [row.crm_id]))

    def action_dispose(self) -> None:
        in_turn(self, self._open_dispose)

    def _open_dispose(self) -> None:
        from leadqueue.tui.screens.forms import DisposeForm

        row = self._target()
        if row is None:
            return
        attempts = (
            self.view.history.contact_attempts if self.view and self.view.profile.crm_id == row.crm_id else 0
        )
        form = DisposeForm(self._label(row), self.services.policy, attempts)
        self.app.push_screen(form, self._then_decide("dispose", [row.crm_id]))

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo in this session", severity="warning", markup=False)
            return
        self._write("undo", [self.undo_stack[-1]], None)

    @work(thread=True, group="write")
    def decide(self, kind: str, crm_ids: list[str], decision: Any) -> None:
        actor = self.actor
        if not actor:
            failure = "Who are you? Start with --as REP or set rep in config.toml"
            self.app.call_from_thread(self._not_decided, failure)
            return
        done: list[str] = []
        failures: list[str] = []
        for crm_id in crm_ids:
            try:
                self._apply_decision(kind, crm_id, actor, decision)
                done.append(crm_id)
            except (StoreError, *USER_ERRORS) as exc:
                failures.append(f"{crm_id}: {exc}")
        self.app.call_from_thread(self._decided, kind, done, failures)

    def _apply_decision(self, kind: str, crm_id: str, actor: str, decision: Any) -> None:
        d = self.decisions
        if kind == "accept":
            assert isinstance(decision, Accept)
            d.accept(crm_id, actor, decision)
        elif kind == "reject":
            assert isinstance(decision, Reject)
            d.reject(crm_id, actor, decision)
        elif kind == "needs_info":
            assert isinstance(decision, NeedsInfo)
            d.needs_info(crm_id, actor, decision)
        elif kind == "touch":
            assert isinstance(decision, Touch)
            d.touch(crm_id, actor, decision)
        elif kind == "dispose":
            assert isinstance(decision, Dispose)
            d.dispose(crm_id, actor, decision)
        elif kind == "undo":
            d.undo(crm_id, actor)

    def _not_decided(self, failure: str) -> None:
        self.notify(failure, severity="error", markup=False)
        self._written()

    def _decided(self, kind: str, done: list[str], failures: list[str]) -> None:
        self._written()
        queue = self.query_one(QueueList)
        if kind == "undo":
            if done:
                self.undo_stack.pop()
        elif kind in ("accept", "reject", "needs_info", "dispose"):
            self.undo_stack.extend(done)
        for failure in failures[:3]:
            self.notify(failure, severity="error", title="Not saved", timeout=8, markup=False)
        if done:
            verb = {
                "accept": "Accepted",
                "reject": "Rejected",
                "needs_info": "Returned to marketing",
                "touch": "Logged",
                "dispose": "Disposed",
                "undo": "Undone",
            }[kind]
            what = done[0] if len(done) == 1 else f"{len(done)} leads"
            # `what` is the CRM id: data, so plain text.
            message = f"{verb} {what}" + ("  (u undoes)" if kind != "undo" else "")
            self.notify(message, title="Saved", markup=False)
        queue.marked.difference_update(done)
        # The decided lead leaves the list: the cursor stays put, on the next most urgent lead.
        keep: int | str | None = queue.cursor
        if kind == "touch" and done:
            keep = done[0]
        self.load_queue(self.filter, keep)

    # -- help, sync, quit ------------------------------------------------------------------------
    def action_help(self) -> None:
        from leadqueue.tui.screens.help import HelpScreen, binding_rows

        self.app.push_screen(HelpScreen(binding_rows(self.BINDINGS, getattr(self.app, "keymap", {}) or {})))

    def action_sync(self) -> None:
        if self.export_dir is None:
            self.notify(
                "No shared folder set: add export_dir to the config file, then press s again.",
                title="Sync",
                severity="warning",
                markup=False,
            )
            return
        if self.syncing:
            return
        self.syncing = True
        self.update_summary()
        self.run_sync(self.export_dir)

    @work(thread=True, exclusive=True, group="sync")
    def run_sync(self, folder: Path) -> None:
        from leadqueue.sync.segments import FolderUnreachable
        from leadqueue.sync.service import SyncService

        try:
            summary = SyncService(self.services, folder, self.actor or socket.gethostname()).run()
        except FolderUnreachable as exc:
            self.app.call_from_thread(self._sync_done, None, f"{exc}. Decisions wait in the outbox.")
            return
        except StoreError as exc:
            self.app.call_from_thread(self._sync_done, None, str(exc))
            return
        self.app.call_from_thread(self._sync_done, summary, "")

    def _sync_done(self, summary: SyncSummary | None, problem: str) -> None:
        self.syncing = False
        if summary is None:
            self.notify(problem, title="Sync failed", severity="error", markup=False)
        else:
            severity = "warning" if summary.needs_attention else "information"
            # What was refused or skipped, said now: a file stays refused until it is fixed.
            message = "\n".join([summary.line().capitalize(), *summary.problems()[:5]])
            self.notify(message, title="Synced", severity=severity, markup=False)
            if summary.received:
                self.load_queue(self.filter, self.query_one(QueueList).cursor)
        self.refresh_counts()

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
