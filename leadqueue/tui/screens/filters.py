"""Filters for the queue: tier, clock state, source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Static

from leadqueue.domain.queue_view import QueueFilter
from leadqueue.tui.format import plain, visible
from leadqueue.tui.screens.field_keys import FIELD_FOCUS_BINDINGS
from leadqueue.tui.store_work import StoreWork
from leadqueue.tui.widgets.toggles import ChoiceSet, MarkedRadioButton

TIERS = ("any", "hot", "standard", "low")
STATES = ("any", "breached", "at_risk", "running")


class FilterScreen(StoreWork, ModalScreen[QueueFilter | None]):
    CSS_PATH = "forms.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="filters.cancel", priority=True),
        Binding("ctrl+s", "apply", "Apply", id="filters.apply", priority=True),
        *FIELD_FOCUS_BINDINGS,
    ]

    def __init__(self, current: QueueFilter, load_sources: Callable[[], list[str]]) -> None:
        """`load_sources` reads the queue's sources from the store; it runs in a
        worker once the screen is up, so the screen opens as its key is pressed."""
        super().__init__()
        self.current = current
        self.load_sources = load_sources
        # Until the store answers: "any", and the source the queue is filtered on.
        self.sources = ["any", *([current.source] if current.source else [])]

    def compose(self) -> ComposeResult:
        tier = next(iter(self.current.tiers), "any")
        with Vertical(classes="form"):
            yield Label("Filters", classes="form-title")
            yield Label("Tier")
            with ChoiceSet(id="tier"):
                for t in TIERS:
                    yield MarkedRadioButton(t, value=t == tier)
            yield Label("Clock state")
            with ChoiceSet(id="state"):
                for s in STATES:
                    yield MarkedRadioButton(
                        s.replace("_", " "), value=s == (self.current.clock_state or "any")
                    )
            yield Label("Source")
            with ChoiceSet(id="source", classes="vertical"):
                for s in self.sources:
                    yield MarkedRadioButton(self._source_label(s), value=s == (self.current.source or "any"))
            error = Static("", id="source-error", classes="form-error", markup=False)
            error.display = False  # shown only if the store does not answer
            yield error
            with Horizontal(classes="form-buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Clear", id="clear")
        yield Footer()  # the filters' keys, not the queue's under it

    def on_mount(self) -> None:
        self.read("sources", self.load_sources, then=self._show_sources, failed=self._no_sources)

    def _show_sources(self, found: list[str]) -> None:
        fresh = [s for s in found if s not in self.sources]
        self.sources.extend(fresh)
        self.query_one("#source", ChoiceSet).mount(*[MarkedRadioButton(self._source_label(s)) for s in fresh])

    @staticmethod
    def _source_label(source: str) -> Content:
        # A source is whatever the CRM export said: a plain label, never markup.
        return plain(source)

    def _no_sources(self, message: str) -> None:
        error = self.query_one("#source-error", Static)
        error.update(f"✘ sources not read: {visible(message)}")
        error.display = True

    def _pick(self, widget_id: str, options: tuple[str, ...] | list[str]) -> str:
        index = self.query_one(widget_id, ChoiceSet).pressed_index
        value = options[index] if index >= 0 else "any"
        return "" if value == "any" else value

    def action_apply(self) -> None:
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
        self.dismiss(None)

    @on(Button.Pressed, "#apply")
    def _apply(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss(replace(self.current, tiers=frozenset(), clock_state="", source=""))
