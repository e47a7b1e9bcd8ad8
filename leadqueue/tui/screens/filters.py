"""Filters for the queue: tier, clock state, source."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, RadioButton, RadioSet

from leadqueue.store.queue_query import QueueFilter
from leadqueue.tui.screens.field_keys import FIELD_FOCUS_BINDINGS
from leadqueue.tui.typeahead import in_turn

TIERS = ("any", "hot", "standard", "low")
STATES = ("any", "breached", "at_risk", "running")


class FilterScreen(ModalScreen[QueueFilter | None]):
    CSS_PATH = "forms.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="filters.cancel", priority=True),
        Binding("ctrl+s", "apply", "Apply", id="filters.apply", priority=True),
        *FIELD_FOCUS_BINDINGS,
    ]

    def __init__(self, current: QueueFilter, sources: list[str]) -> None:
        super().__init__()
        self.current = current
        self.sources = ["any", *sources]

    def compose(self) -> ComposeResult:
        tier = next(iter(self.current.tiers), "any")
        with Vertical(classes="form"):
            yield Label("Filters", classes="form-title")
            yield Label("Tier")
            with RadioSet(id="tier"):
                for t in TIERS:
                    yield RadioButton(t, value=t == tier)
            yield Label("Clock state")
            with RadioSet(id="state"):
                for s in STATES:
                    yield RadioButton(s.replace("_", " "), value=s == (self.current.clock_state or "any"))
            yield Label("Source")
            with RadioSet(id="source", classes="vertical"):
                for s in self.sources:
                    yield RadioButton(s, value=s == (self.current.source or "any"))
            with Horizontal(classes="form-buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Clear", id="clear")

    def _pick(self, widget_id: str, options: tuple[str, ...] | list[str]) -> str:
        index = self.query_one(widget_id, RadioSet).pressed_index
        value = options[index] if index >= 0 else "any"
        return "" if value == "any" else value

    def action_apply(self) -> None:
        in_turn(self, self._apply_now)

    def _apply_now(self) -> None:
        tier = self._pick("#tier", TIERS)
        self.dismiss(
            replace(
                self.current,
                tiers=frozenset({tier} if tier else ()),
                clock_state=self._pick("#state", STATES),
                source=self._pick("#source", self.sources),
            )
        )

    def action_cancel(self) -> None:
        in_turn(self, lambda: self.dismiss(None))

    @on(Button.Pressed, "#apply")
    def _apply(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss(replace(self.current, tiers=frozenset(), clock_state="", source=""))
