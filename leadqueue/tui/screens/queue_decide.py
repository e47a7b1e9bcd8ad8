"""Deciding from the queue: the forms each key opens, the writes in a worker,
the confirmation a bulk decision asks for, undo, and what the rep is told.

Every message names the lead as people do (`Dana Whitfield · Northwind`), not
by its CRM id. A mixin of QueueScreen, kept apart so the queue's module stays
about the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from leadqueue.domain.queue_view import QueueFilter, QueueRow
from leadqueue.services.context import Services
from leadqueue.services.decision_kinds import Accept, Decision, Dispose, NeedsInfo, Reject, Touch, Undo
from leadqueue.services.decisions import DecisionService
from leadqueue.services.errors import StoreError
from leadqueue.services.queue import QueueHeader, QueueService
from leadqueue.tui.format import lead_name
from leadqueue.tui.store_work import StoreWork, decide_each
from leadqueue.tui.widgets.queue_list import QueueList

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from leadqueue.services.lead_view import LeadView

# The decisions that take a lead out of the queue (and onto the undo stack).
LEAVES_THE_LIST: tuple[type[Decision], ...] = (Accept, Reject, NeedsInfo, Dispose)
DONE: dict[type[Decision], str] = {
    Accept: "Accepted",
    Reject: "Rejected",
    NeedsInfo: "Returned to marketing",
    Touch: "Logged a touch on",
    Dispose: "Disposed",
    Undo: "Undone",
}


class DecideInQueue(StoreWork, Screen[None]):
    # The queue screen's, used here.
    services: Services
    actor: str | None
    filter: QueueFilter
    view: LeadView | None
    zone: ZoneInfo
    decisions: DecisionService
    # One entry per decision that left the list: the leads it decided, one or a batch.
    # u undoes the whole entry, as the toast offered.
    undo_stack: list[list[str]]
    marked: frozenset[str]
    # Each decided lead's name, kept from its row: a toast, a failure or an undo
    # names the lead after it has left the list.
    lead_names: dict[str, str]

    if TYPE_CHECKING:

        def now(self) -> datetime: ...

        def _target(self) -> QueueRow | None: ...

        def _marked(self) -> list[str]: ...

        def marked_names(self, crm_ids: list[str]) -> str: ...

        def load_queue(self, f: QueueFilter, keep: int | str | None, counts: bool = True) -> None: ...

        def _hold_keys_until_the_queue_is_read(self) -> None: ...

        def _apply_counts(self, header: QueueHeader) -> None: ...

    def _label(self, row: QueueRow) -> str:
        """The lead as a form's title names it."""
        return f"{row.name}, {row.company}" if row.company else row.name

    def _remember_names(self, crm_ids: list[str]) -> None:
        for row in self.query_one(QueueList).rows:
            if row.crm_id in crm_ids:
                self.lead_names[row.crm_id] = lead_name(row.name, row.company)

    def name_of(self, crm_id: str) -> str:
        return self.lead_names.get(crm_id) or lead_name("", "", crm_id)

    # Each form opens from the action itself, not from a worker that would start
    # later: the keys typed after its key are held until it has mounted (tui/typeahead.py).
    def _then_decide(self, targets: list[str]) -> Callable[[Decision | None], None]:
        def decided(decision: Decision | None) -> None:
            if decision is not None:
                self._decide_now(targets, decision)

        return decided

    def _decide_now(self, targets: list[str], decision: Decision) -> None:
        self._remember_names(targets)
        # Out of the list as the form closes, not once the write is back: the keys
        # typed right after the form's submit act on the next lead, not this one.
        if isinstance(decision, LEAVES_THE_LIST) and self.query_one(QueueList).drop(set(targets)):
            self.marked -= set(targets)
        self.decide(targets, decision)

    def action_accept(self) -> None:
        from leadqueue.tui.screens.forms import AcceptForm

        row = self._target()
        if row is None:
            return
        form = AcceptForm(self._label(row), self.now(), self.zone)
        self.app.push_screen(form, self._then_decide([row.crm_id]))

    def action_reject(self) -> None:
        from leadqueue.tui.screens.forms import RejectForm

        marked = self._marked()
        row = self._target()
        if row is None:
            return
        duplicate = ""
        if self.view is not None and self.view.profile.crm_id == row.crm_id and self.view.duplicates:
            duplicate = self.view.duplicates[0].crm_id
        label = f"{len(marked)} marked leads" if marked else self._label(row)

        def question(decision: Reject) -> str:
            return f"Reject {len(marked)} leads with {decision.reason}?"

        form = RejectForm(label, self.services.policy, duplicate, self.services, marked or [row.crm_id])
        self.app.push_screen(form, self._then_decide_all(marked, row, question))

    def action_needs_info(self) -> None:
        from leadqueue.tui.screens.forms import NeedsInfoForm

        marked = self._marked()
        row = self._target()
        if row is None:
            return
        label = f"{len(marked)} marked leads" if marked else self._label(row)

        def question(decision: NeedsInfo) -> str:
            return f"Return {len(marked)} leads to marketing?"

        self.app.push_screen(NeedsInfoForm(label), self._then_decide_all(marked, row, question))

    def _then_decide_all(
        self, marked: list[str], row: QueueRow, question: Callable[[Any], str]
    ) -> Callable[[Decision | None], None]:
        """What a form for the marked leads (else the one under the cursor) does with
        its decision: marked leads are decided once `question`, naming them, is answered."""

        def chosen(decision: Decision | None) -> None:
            if decision is not None:
                asked = f"{question(decision)} {self.marked_names(marked)}" if marked else ""
                self._decide_once_confirmed(marked or [row.crm_id], decision, asked)

        return chosen

    def _decide_once_confirmed(self, targets: list[str], decision: Decision, question: str) -> None:
        """Marked leads are decided once their count is confirmed; one lead at once."""
        from leadqueue.tui.screens.forms import ConfirmScreen

        if not question:
            self._decide_now(targets, decision)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._decide_now(targets, decision)

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_touch(self, conversation: bool) -> None:
        from leadqueue.tui.screens.forms import TouchForm

        row = self._target()
        if row is None:
            return
        form = TouchForm(self._label(row), conversation)
        self.app.push_screen(form, self._then_decide([row.crm_id]))

    def action_dispose(self) -> None:
        from leadqueue.tui.screens.forms import DisposeForm

        row = self._target()
        if row is None:
            return
        attempts = (
            self.view.history.contact_attempts if self.view and self.view.profile.crm_id == row.crm_id else 0
        )
        form = DisposeForm(self._label(row), self.services.policy, attempts)
        self.app.push_screen(form, self._then_decide([row.crm_id]))

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo in this session", severity="warning", markup=False)
            return
        # The whole batch the last toast offered to undo, each lead as a single undo is.
        self.decide(list(self.undo_stack[-1]), Undo())

    def decide(self, crm_ids: list[str], decision: Decision) -> None:
        actor = self.actor
        if not actor:
            self._not_decided("Who are you? Start with --as REP or set rep in config.toml")
            return
        names = {crm_id: self.name_of(crm_id) for crm_id in crm_ids}

        def decided(outcome: tuple[list[str], list[str], list[str], QueueHeader | None]) -> None:
            self._decided(decision, *outcome)

        # The keys typed after a decision wait for its write: u undoes it (it is on
        # the undo stack by then), and a failure is said before the next key acts.
        args = (self.decisions, crm_ids, actor, decision, names, self.services.queue, self.filter)
        self.write("write", decide_and_count, *args, then=decided, hold=True)

    def _not_decided(self, failure: str) -> None:
        self.notify(failure, severity="error", markup=False)

    def _decided(
        self,
        decision: Decision,
        done: list[str],
        failures: list[str],
        refused: list[str],
        header: QueueHeader | None,
    ) -> None:
        undo = isinstance(decision, Undo)
        queue = self.query_one(QueueList)
        if header is not None:
            # The header counts the decision with its toast, not a read later: the
            # unsent count, the open and breached leads. A counts read begun before
            # the write would bring the numbers from before it: it is dropped.
            self.workers.cancel_group(self, "counts")
            self._apply_counts(header)
        if undo:
            if self.undo_stack:
                # A lead undone, or refused for good (its grace is over, a touch locks it),
                # leaves the entry, so the next u reaches the decision before it; one the
                # store could not reach stays for the next u.
                settled = {*done, *refused}
                left = [crm_id for crm_id in self.undo_stack[-1] if crm_id not in settled]
                if left:
                    self.undo_stack[-1] = left
                else:
                    self.undo_stack.pop()
        elif isinstance(decision, LEAVES_THE_LIST) and done:
            self.undo_stack.append(list(done))
        for failure in failures[:3]:
            self.notify(failure, severity="error", title="Not saved", timeout=8, markup=False)
        if done:
            what = self.name_of(done[0]) if len(done) == 1 else f"{len(done)} leads: {self.named(done)}"
            # Names are data: plain text, never markup.
            # Only a decision that takes the lead out of the list goes on the undo stack.
            undoable = isinstance(decision, LEAVES_THE_LIST)
            done_text = DONE[type(decision)]
            if isinstance(decision, Touch) and decision.conversation:
                done_text = "Logged a conversation with"
            message = f"{done_text} {what}" + ("  (u undoes)" if undoable else "")
            self.notify(message, title="Saved", markup=False)
        self.marked -= set(done)
        # The decided lead leaves the list: the cursor stays put, on the next most urgent lead.
        keep: int | str | None = queue.cursor
        if isinstance(decision, Touch) and done:
            keep = done[0]
        self.load_queue(self.filter, keep, counts=header is None)
        # The keys typed after the decision move in the rows this read brings, not in
        # the rows it replaces (j j after a submit would be undone by the reload).
        self._hold_keys_until_the_queue_is_read()

    def named(self, crm_ids: list[str], shown: int = 3) -> str:
        names = [self.name_of(i) for i in crm_ids[:shown]]
        more = len(crm_ids) - len(names)
        return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def decide_and_count(
    decisions: DecisionService,
    crm_ids: list[str],
    actor: str,
    decision: Decision,
    names: dict[str, str],
    queue: QueueService,
    f: QueueFilter,
) -> tuple[list[str], list[str], list[str], QueueHeader | None]:
    """In a write's thread: `decision` on each lead (decide_each), then the header's
    counts with it in them, read in the same thread; None when they could not be
    read (the queue's own read of them says why)."""
    done, failures, refused = decide_each(decisions, crm_ids, actor, decision, names)
    try:
        header = queue.header(f)
    except StoreError:
        header = None
    return done, failures, refused, header
