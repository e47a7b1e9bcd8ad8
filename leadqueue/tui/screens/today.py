"""Today: the next steps a rep committed to that are due today (in the rep's zone)
or overdue, most overdue first. Enter goes to the lead in the queue; esc goes back.

Opened with `n` from the queue. The list is read in a thread worker, and read
again now and then: a step turns overdue as time passes, and a decision made
elsewhere (a touch logged, a lead reassigned) changes what is owed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from leadqueue.services.context import Services
from leadqueue.services.next_steps import DueStep, TodaySteps, steps_due_today
from leadqueue.tui.format import visible
from leadqueue.tui.screens.help import HelpScreen, binding_rows
from leadqueue.tui.step_text import local_time, relative, zone_label
from leadqueue.tui.store_work import StoreWork

log = logging.getLogger(__name__)

RELOAD_EVERY = 30.0  # seconds: steps turn overdue, and others' decisions change the list
STATUS_WIDTH = 18  # at least: "! 12d23h overdue" and two spaces
KIND_WIDTH = 8  # at least: "meeting" and a space


@dataclass(frozen=True)
class Columns:
    """The widths (cells) of a list's columns, taken from its widest cells, so that
    the step, the time and the lead start at the same place on every line, however
    long a step has been overdue (326d14h) or a kind's or a zone's name."""

    status: int = STATUS_WIDTH
    kind: int = KIND_WIDTH
    due: int = 0

    @classmethod
    def of(cls, steps: Sequence[DueStep], now: datetime, zone: ZoneInfo) -> Columns:
        return cls(
            status=max([STATUS_WIDTH, *(cell_len(_status(s, now)) + 1 for s in steps)]),
            kind=max([KIND_WIDTH, *(cell_len(visible(s.kind)) + 1 for s in steps)]),
            due=max([0, *(cell_len(local_time(s.due, zone)) for s in steps)]),
        )


def _status(step: DueStep, now: datetime) -> str:
    """`! 2h05m overdue `, or `  in 3h `: overdue reads without colour too."""
    return f"{'!' if step.overdue(now) else ' '} {relative(step.due, now)} "


class TodayScreen(StoreWork, Screen[str | None]):
    """Dismissed with the chosen lead's CRM id (enter), or None (esc)."""

    DEFAULT_CSS = """
    TodayScreen #today-summary {
        height: auto;
        max-height: 3;
        background: $panel;
    }
    TodayScreen #today-list {
        height: 1fr;
        max-height: 100%;
        /* a line each for what and whose, and the note: cut, never wrapped */
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """
    BINDINGS = [
        Binding("j", "move(1)", "Down", show=False, id="today.down"),
        Binding("k", "move(-1)", "Up", show=False, id="today.up"),
        Binding("enter", "open", "Go to lead", id="today.open", priority=True),
        Binding("question_mark", "help", "Help", show=False, id="today.help"),
        Binding("escape,q", "back", "Back", id="today.back"),
    ]

    def __init__(self, services: Services, owner: str | None, zone: ZoneInfo) -> None:
        super().__init__()
        self.services = services
        self.owner = owner  # None: every rep's steps
        self.zone = zone
        self.found: TodaySteps | None = None
        self.error = ""

    def compose(self) -> ComposeResult:
        yield Static(self._summary(), id="today-summary")
        # Compact: no border, so the 80-column list keeps every cell for the steps.
        yield OptionList(id="today-list", compact=True, markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.reload()
        self.set_interval(RELOAD_EVERY, self.reload)

    def now(self) -> datetime:
        return self.services.clock.now()

    # -- loading -------------------------------------------------------------------
    def reload(self) -> None:
        self.load(self.owner, self.zone)

    def load(self, owner: str | None, zone: ZoneInfo) -> None:
        self.read("today", steps_due_today, self.services, owner, zone, then=self._loaded)

    def show_error(self, message: str) -> None:
        log.error(message)
        self.error = message
        self.notify(message, severity="error", title="Store", timeout=10, markup=False)
        self.query_one("#today-summary", Static).update(self._summary())

    def _loaded(self, found: TodaySteps) -> None:
        listing = self.query_one(OptionList)
        keep = self._highlighted_id()
        self.found, self.error = found, ""
        listing.clear_options()
        if found.steps:
            columns = Columns.of(found.steps, found.now, self.zone)
            listing.add_options(
                Option(self._prompt(step, found.now, columns), id=step.crm_id) for step in found.steps
            )
            ids = [s.crm_id for s in found.steps]
            listing.highlighted = ids.index(keep) if keep in ids else 0
        else:
            empty = "Nothing due today and nothing overdue. esc goes back to the queue."
            listing.add_option(Option(Text(empty, style="dim"), disabled=True))
        self.query_one("#today-summary", Static).update(self._summary())

    # -- drawing ---------------------------------------------------------------------
    def _summary(self) -> Text:
        now = self.now()
        local = now.astimezone(self.zone)
        text = Text(no_wrap=False)
        who = visible(self.owner) if self.owner else "all reps"
        text.append(f" Today · {local:%a %d %b} · {who} ", style="bold reverse")
        found = self.found
        if found is not None:
            overdue = found.overdue
            text.append(f"  overdue {overdue}", style="bold red" if overdue else "dim")
            text.append(f"  due later today {len(found.steps) - overdue}", style="bold")
            if found.more:
                text.append(f"  (the first {len(found.steps)})", style="dim")
        text.append(f"  times in {zone_label(self.zone, now)}", style="cyan")
        if self.error:
            text.append(f"   ⚠ {visible(self.error)}", style="bold red")
        return text

    def _prompt(self, step: DueStep, now: datetime, columns: Columns) -> Text:
        """Two lines: when and what, then whose lead and the note, in the list's
        columns. Overdue reads without colour too: `!` and the word."""
        overdue = step.overdue(now)
        status = _status(step, now)
        line = Text(no_wrap=True, overflow="ellipsis")
        # Overdue as a badge, white on red: it reads on the cursor's highlight as well as off it.
        line.append(status, style="bold white on red" if overdue else "green")
        line.append(" " * (columns.status - cell_len(status)))
        # The kind is data (a synced event may carry anything): made visible, fitted by cells.
        kind = visible(step.kind)
        line.append(kind + " " * (columns.kind - cell_len(kind)), style="bold")
        due = local_time(step.due, self.zone)
        line.append(due + " " * (columns.due - cell_len(due)))
        line.append("  ")
        # Lead data: made visible, placed as plain text (never markup).
        line.append(visible(step.lead), style="bold")
        line.append("\n" + " " * columns.status)
        if self.owner is None and step.owner:
            line.append(f"rep {visible(step.owner)} · ", style="cyan")
        line.append(visible(step.note) or "no note", style="italic dim")
        return line

    # -- actions ----------------------------------------------------------------------
    def _highlighted_id(self) -> str | None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None or not listing.option_count:
            return None
        return listing.get_option_at_index(listing.highlighted).id

    def action_move(self, delta: int) -> None:
        listing = self.query_one(OptionList)
        if delta > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    def action_open(self) -> None:
        crm_id = self._highlighted_id()
        if crm_id is not None:
            self.dismiss(crm_id)

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self.BINDINGS, getattr(self.app, "keymap", {}) or {})))
