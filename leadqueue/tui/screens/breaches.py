"""The team lead's breaches screen: every open clock that is breached or at risk,
across all reps, grouped by rep or by clock, with a live countdown.

The report (reports.breaches) is loaded in a thread worker; the countdown and the
escalation level are then recomputed every second from each row's deadline and
the injected clock, for the rows on screen only. Groups come worst first (the
most breached, then the most overdue), each headed by its summary (a rep's open
leads, breached, at risk, the worst overdue), ordered again at each load only,
so a group never moves under the cursor; an escalated lead carries ⚑.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import var
from textual.widgets import Static

from leadqueue.domain.authority import NotAllowed, why_not
from leadqueue.domain.events import EventKind
from leadqueue.services.acting import UnknownRep, acting_rep_of
from leadqueue.services.breach_groups import RepLoad
from leadqueue.services.context import Services
from leadqueue.services.decision_kinds import Acknowledge, Escalate, Reassign
from leadqueue.services.decisions import DecisionService
from leadqueue.tui.breach_rows import (
    BreachReport,
    BreachRow,
    Group,
    export_breaches,
    group_rows,
    read_report,
    reps_and_loads,
    team_totals,
)
from leadqueue.tui.format import CLOCK_ORDER, clock_label, lead_name
from leadqueue.tui.live_routing import LiveRouting
from leadqueue.tui.polling import PollsStore
from leadqueue.tui.screens.forms import ConfirmScreen
from leadqueue.tui.screens.help import HelpScreen, binding_rows
from leadqueue.tui.screens.reassign import ReassignForm
from leadqueue.tui.store_work import decide_each
from leadqueue.tui.widgets.breach_list import NARROW_BELOW, BreachList, describe_row
from leadqueue.tui.widgets.breach_summary import BreachSummary, Totals
from leadqueue.tui.widgets.fitting_footer import FittingFooter

log = logging.getLogger(__name__)

# The team lead's actions, as the screen names them, and the events they record (live
# routing records escalations and reassignments, as routing's).
LEAD_ONLY_ACTIONS = {
    "reassign": EventKind.REASSIGNED,
    "escalate": EventKind.ESCALATED,
    "acknowledge": EventKind.ACKNOWLEDGED,
    "toggle_routing": EventKind.ESCALATED,
}
ALWAYS_IN_THE_FOOTER = ("help", "back")  # on the narrowest footer too
RELOAD_EVERY = 30.0  # seconds: new at-risk clocks appear without a key press
DEFAULT_ACTOR = "team-lead"


def lead_refusals(services: Services, actor: str | None) -> dict[str, str]:
    """In the read's thread: why the acting rep may not take each team-lead action
    (authority.why_not, the rule the write applies), by action; empty for a team
    lead, and for a rep the roster does not know (the write says why then)."""
    try:
        rep = acting_rep_of(services, actor, required=False)
    except (UnknownRep, NotAllowed):
        return {}
    if rep is None:
        return {}
    found = {action: why_not(rep, kind, None) for action, kind in LEAD_ONLY_ACTIONS.items()}
    if found["toggle_routing"] is not None:
        found["toggle_routing"] = f"live routing escalates and reassigns: {found['toggle_routing']}"
    return {action: why for action, why in found.items() if why is not None}


# -- the screen ----------------------------------------------------------------------------


class BreachesScreen(LiveRouting, PollsStore):
    CSS_PATH = "team.tcss"
    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False, id="breaches.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="breaches.up"),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="breaches.page_down"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="breaches.page_up"),
        Binding("home", "edge(-1)", "First", show=False, id="breaches.first"),
        Binding("G,end", "edge(1)", "Last", show=False, id="breaches.last"),
        # Every key the screen acts on is in the footer, the most used first: at 80
        # columns the last give way (FittingFooter), never help and back, and the help
        # (?) lists them all. Only movement is left to the help: j/k and the arrows,
        # as in the queue.
        # Team-lead actions: offered to a rep with role `lead` only (check_action). The same
        # keys for anyone else say at once why not, instead of after a form (no description:
        # neither in the footer nor in the palette; the same id: a keymap moves both).
        Binding("R", "reassign", "Reassign", id="breaches.reassign"),
        Binding("e", "escalate", "Escalate", id="breaches.escalate"),
        Binding("A", "acknowledge", "Acknowledge", id="breaches.acknowledge"),
        Binding("L", "toggle_routing", "Live routing", id="breaches.live_routing"),
        *[
            Binding(key, f"needs_lead('{action}')", "", show=False, id=f"breaches.{binding_id}")
            for key, action, binding_id in (
                ("R", "reassign", "reassign"),
                ("e", "escalate", "escalate"),
                ("A", "acknowledge", "acknowledge"),
                ("L", "toggle_routing", "live_routing"),
            )
        ],
        Binding("space", "mark", "Mark", id="breaches.mark"),
        Binding("g", "toggle_grouping", "Group", id="breaches.group"),
        Binding("x", "export('csv')", "Export", id="breaches.export_csv"),
        Binding("X", "export('json')", "Export JSON", id="breaches.export_json"),
        Binding("question_mark", "help", "Help", id="breaches.help"),
        Binding("escape,q", "back", "Back", id="breaches.back"),
    ]

    # What the header shows is reactive state, bound to it (BreachSummary): setting any
    # of it repaints the header (live routing's is LiveRouting's). The marks are bound
    # to the list too, which shows them.
    totals: var[Totals | None] = var(None, init=False)  # None until the list is first loaded
    partial: var[bool] = var(False, init=False)  # only the first reps' clocks are loaded yet
    by: var[str] = var("rep", init=False)  # grouped by rep or by clock
    marked: var[frozenset[str]] = var(frozenset(), init=False)  # lead ids: actions work per lead
    error: var[str] = var("", init=False)
    # Why the acting rep may not take the team lead's actions ('' when they may, or
    # until the roster says who they are: the write then refuses as it always has).
    refusals: var[dict[str, str]] = var(dict, init=False)

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.decisions = DecisionService(services)
        self.all_rows: list[BreachRow] = []
        self.first_rows: list[BreachRow] = []  # what the first paint showed
        self.rep_names: dict[str, str] = {}
        self.loads: dict[str, RepLoad] = {}  # each rep's open leads and flagged clocks

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield BreachSummary(NARROW_BELOW, id="breach-summary").data_bind(
            BreachesScreen.totals,
            BreachesScreen.partial,
            BreachesScreen.by,
            BreachesScreen.marked,
            BreachesScreen.routing_live,
            BreachesScreen.error,
        )
        yield BreachList(self.services.policy.zone, id="breach-list").data_bind(BreachesScreen.marked)
        yield Static("", id="breach-detail")
        yield FittingFooter(keep=ALWAYS_IN_THE_FOOTER)

    def on_mount(self) -> None:
        listing = self.query_one(BreachList)
        listing.now = self.now()
        listing.focus()
        self.reload()
        self.read("role", lead_refusals, self.services, getattr(self.app, "actor", None), then=self._refusals)
        self.set_interval(1.0, self.tick)
        # clocks turn at risk as time passes; decisions made elsewhere show at the next poll
        self.set_interval(RELOAD_EVERY, self.reload)
        self.start_polling()

    def now(self) -> datetime:
        return self.services.clock.now()

    @property
    def actor(self) -> str:
        return getattr(self.app, "actor", None) or DEFAULT_ACTOR

    # -- who may act -------------------------------------------------------------------------
    def _refusals(self, refusals: dict[str, str]) -> None:
        self.refusals = refusals

    def watch_refusals(self) -> None:
        self.refresh_bindings()  # the footer and the palette offer only what the rep may do

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in LEAD_ONLY_ACTIONS:
            return action not in self.refusals
        if action == "needs_lead":
            return parameters[0] in self.refusals
        return True

    def action_needs_lead(self, action: str) -> None:
        # Titled as the write's own refusal was: nothing is saved, and the toast says why.
        self.notify(self.refusals[action], severity="error", title="Not saved", markup=False)

    # -- loading ----------------------------------------------------------------------------
    def reload(self, keep: tuple[str, str] | int | None = None) -> None:
        listing = self.query_one(BreachList)
        current = listing.current
        # The first load of a team paints its first screens of clocks before everyone's.
        first_page = 2 * max(40, self.size.height) if not self.all_rows and listing.by == "rep" else 0
        self.load(keep if keep is not None else (current.key if current else None), first_page)

    def load(self, keep: tuple[str, str] | int | None, first_page: int = 0) -> None:
        def apply(report: BreachReport) -> None:
            self._apply(report.rows, report.names, keep, report.partial, report.loads)

        self.read("breaches", read_report, self.services, first_page, then=apply)

    def _apply(
        self,
        rows: list[BreachRow],
        names: dict[str, str],
        keep: tuple[str, str] | int | None,
        partial: bool = False,
        loads: dict[str, RepLoad] | None = None,
    ) -> None:
        if not partial and self.partial:
            listing = self.query_one(BreachList)
            keep = listing.current.key if listing.current else keep  # where the user moved meanwhile
        self.partial = partial
        if not self.all_rows:
            self.first_rows = rows
        self.all_rows, self.rep_names = rows, names
        self.loads = loads if loads is not None else self.loads
        self.error = ""
        listing = self.query_one(BreachList)
        self.marked &= {r.lead_id for r in rows}  # a lead that left the list is no longer marked
        listing.set_groups(self._groups(self.by), self.by, keep)
        self.count_clocks()
        if partial:
            # After the paint, not in the same worker: a worker busy turning rows into
            # objects holds the GIL, and the frame would wait for it.
            self.call_after_refresh(self.load, None)

    def _groups(self, by: str) -> list[Group]:
        """The rows grouped: reps worst first (ordered at each load, never under the
        cursor between loads; the loaded groups are whole reps, so their totals are
        right), clocks in lifecycle order."""
        open_leads = {rep: load.open_leads for rep, load in self.loads.items()}
        groups = group_rows(self.all_rows, by, self.rep_names, now=self.now(), open_leads=open_leads)
        if by == "clock":
            # A lead's clocks in the order it meets them, not worst first: four groups
            # that keep their places read as the lifecycle, each under the TUI's one name.
            place = {clock: i for i, clock in enumerate(CLOCK_ORDER)}
            groups.sort(key=lambda g: place.get(g.key, len(place)))
            for group in groups:
                group.label = f"{clock_label(group.key)} clock"
        return groups

    # -- the clock ----------------------------------------------------------------------------
    def tick(self) -> None:
        self.query_one(BreachList).now = self.now()
        self.count_clocks()
        self.update_detail()

    def count_clocks(self) -> None:
        """The team's totals, from the groups on the list at this moment: a value, which
        repaints the header only when it differs from the last (a clock turned)."""
        listing = self.query_one(BreachList)
        self.totals = team_totals(listing.groups, self.now()) if listing.loaded else None

    def update_detail(self) -> None:
        row = self.query_one(BreachList).current
        detail = describe_row(row, self.now(), self.services.policy.zone) if row else Text()
        self.query_one("#breach-detail", Static).update(detail)

    def show_error(self, message: str) -> None:
        if message == self.error:  # a poll during an outage says it once
            return
        self.error = message
        log.error(message)
        self.notify(message, severity="error", title="Store", timeout=10, markup=False)

    def store_answers(self) -> None:
        self.error = ""

    def store_changed(self) -> None:
        self.reload()

    @on(BreachList.Highlighted)
    def _highlighted(self) -> None:
        self.update_detail()

    # -- movement --------------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        self.query_one(BreachList).move(delta)

    def action_page(self, direction: int) -> None:
        listing = self.query_one(BreachList)
        listing.move(direction * listing.page)

    def action_edge(self, direction: int) -> None:
        listing = self.query_one(BreachList)
        listing.move(direction * len(listing.row_lines))

    def action_mark(self) -> None:
        listing = self.query_one(BreachList)
        if listing.current is not None:
            self.marked ^= {listing.current.lead_id}
        listing.move(1)

    def action_toggle_grouping(self) -> None:
        listing = self.query_one(BreachList)
        self.by = "clock" if self.by == "rep" else "rep"
        current = listing.current
        listing.top = 0
        listing.set_groups(self._groups(self.by), self.by, current.key if current else None)
        self.count_clocks()

    def action_back(self) -> None:
        # dismiss, not pop: the queue's callback reloads it (leads may have changed hands here)
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self.BINDINGS, getattr(self.app, "keymap", {}) or {})))

    # -- actions on leads ---------------------------------------------------------------------------
    def _targets(self) -> list[BreachRow]:
        """The marked leads (one row each, in screen order), else the highlighted one."""
        listing = self.query_one(BreachList)
        if self.marked:
            seen: dict[str, BreachRow] = {}
            for row in listing.rows:
                if row.lead_id in self.marked:
                    seen.setdefault(row.lead_id, row)
            return list(seen.values())
        row = listing.current
        if row is None:
            self.notify("No lead selected", severity="warning", markup=False)
            return []
        return [row]

    @staticmethod
    def _label(targets: Sequence[BreachRow]) -> str:
        if len(targets) == 1:
            return f"{targets[0].name}, {targets[0].company}" if targets[0].company else targets[0].name
        return f"{len(targets)} marked leads"

    def action_reassign(self) -> None:
        targets = self._targets()
        if targets:
            self.load_reps(targets)

    def load_reps(self, targets: list[BreachRow]) -> None:
        def ask(found: tuple[list[tuple[str, str]], dict[str, RepLoad]]) -> None:
            self._ask_reassign(targets, *found)

        self.read("reps", reps_and_loads, self.services, then=ask)

    def _ask_reassign(
        self, targets: list[BreachRow], reps: list[tuple[str, str]], loads: dict[str, RepLoad]
    ) -> None:
        form = ReassignForm(self._label(targets), reps, [t.rep for t in targets], loads)
        self.app.push_screen(form, callback=partial(self._reassign_chosen, targets))

    def _reassign_chosen(self, targets: list[BreachRow], choice: Reassign | None) -> None:
        if choice is not None:
            # A lead already with the chosen rep would only fail: leave it out.
            ids = [t.lead_id for t in targets if t.rep != choice.to_rep]
            self.run_decision(choice, ids)

    def action_escalate(self) -> None:
        self._confirm_then(Escalate(), "Escalate")

    def action_acknowledge(self) -> None:
        self._confirm_then(Acknowledge(), "Acknowledge the breach on")

    def _confirm_then(self, decision: Escalate | Acknowledge, verb: str) -> None:
        targets = self._targets()
        if not targets:
            return
        ids = [t.lead_id for t in targets]
        if len(ids) == 1:
            self.run_decision(decision, ids)
            return
        # One key writing an event on many leads deserves a yes/no, as bulk decisions do in the queue.
        named = ", ".join(lead_name(t.name, t.company) for t in targets[:3])
        more = f" and {len(ids) - 3} more" if len(ids) > 3 else ""
        self.app.push_screen(
            ConfirmScreen(f"{verb} {len(ids)} leads? {named}{more}"),
            callback=lambda yes: self.run_decision(decision, ids) if yes else None,
        )

    def run_decision(self, decision: Reassign | Escalate | Acknowledge, lead_ids: list[str]) -> None:
        # Failures name the lead as the list does, with the id to find it by.
        names = {r.lead_id: lead_name(r.name, r.company, r.lead_id) for r in self.all_rows}

        def decided(outcome: tuple[list[str], list[str], list[str]]) -> None:
            done, failures, _ = outcome
            self._decided(decision, done, failures)

        self.write("write", decide_each, self.decisions, lead_ids, self.actor, decision, names, then=decided)

    def _decided(
        self, decision: Reassign | Escalate | Acknowledge, done: list[str], failures: list[str]
    ) -> None:
        # Through the app: the notes must show even if the user has left this screen.
        for failure in failures[:3]:
            self.app.notify(failure, severity="error", title="Not saved", timeout=8, markup=False)
        if len(failures) > 3:
            more = f"… and {len(failures) - 3} more not saved"
            self.app.notify(more, severity="error", title="Not saved", markup=False)
        if done:
            names = {r.lead_id: lead_name(r.name, r.company, r.lead_id) for r in self.all_rows}
            what = names.get(done[0], done[0]) if len(done) == 1 else f"{len(done)} leads"
            verb = {Reassign: "Reassigned", Escalate: "Escalated", Acknowledge: "Acknowledged"}[
                type(decision)
            ]
            suffix = f" to {decision.to_rep}" if isinstance(decision, Reassign) else ""
            # The lead's name and id are data: plain text.
            self.app.notify(f"{verb} {what}{suffix}", title="Saved", markup=False)
        if not self.is_attached:
            return
        listing = self.query_one(BreachList)
        self.marked -= set(done)
        # Stay on the highlighted lead; if it was reassigned it restarts its clocks and
        # leaves the list, so stay at the same place, on the next one.
        current = listing.current
        moved = isinstance(decision, Reassign) and current is not None and current.lead_id in done
        self.reload(keep=listing.cursor if moved or current is None else current.key)

    # -- export --------------------------------------------------------------------------------
    def action_export(self, fmt: str) -> None:
        listing = self.query_one(BreachList)
        if not listing.loaded:
            self.notify("Nothing loaded yet", severity="warning", markup=False)
            return
        rows, zone = listing.shown(), self.services.policy.zone
        self.write("export", export_breaches, fmt, rows, self.now(), zone, then=self.show_exported)
