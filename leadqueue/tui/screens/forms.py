"""The decision forms, each a ModalScreen validated as you type. Esc cancels
and writes nothing; submitting explains what is missing."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, SelectionList, Static

from leadqueue.domain.decisions import (
    NEXT_STEP_KINDS,
    TOUCH_CHANNELS,
    Accept,
    DecisionError,
    Dispose,
    NeedsInfo,
    Touch,
)
from leadqueue.domain.policy import NEEDS_INFO_FACTS, Policy
from leadqueue.domain.when import WhenError, describe, parse_when
from leadqueue.tui.format import visible
from leadqueue.tui.screens.form_base import ConfirmScreen, DecisionForm
from leadqueue.tui.screens.reject_form import RejectForm
from leadqueue.tui.widgets.toggles import ChoiceSet, MarkedRadioButton, MarkedSelectionList

__all__ = [
    "AcceptForm",
    "ConfirmScreen",
    "DecisionForm",
    "DisposeForm",
    "NeedsInfoForm",
    "RejectForm",
    "TouchForm",
]

FACT_LABELS = {
    "contact_data": "Contact data",
    "title_role": "Title / role",
    "company_size": "Company size",
    "industry": "Industry",
    "region": "Region",
    "intent": "Intent",
}


class AcceptForm(DecisionForm):
    TITLE_TEXT = "Accept"
    SUBMIT_LABEL = "Accept"
    ERROR_AT_FIELD = True

    def __init__(self, lead_label: str, now: datetime, zone: ZoneInfo) -> None:
        super().__init__(lead_label)
        self.now = now
        self.zone = zone

    def fields(self) -> ComposeResult:
        yield Label("Next step")
        with ChoiceSet(id="next-step"):
            for i, kind in enumerate(NEXT_STEP_KINDS):
                yield MarkedRadioButton(kind, value=i == 0)  # ● on the chosen one only: reads without colour
        yield Label("When (e.g. tomorrow 10:00, +2h, fri 14:30)")
        yield Input(placeholder="tomorrow 10:00", id="due")
        yield Static("", id="due-resolved", classes="form-feedback", markup=False)
        yield Label("Note")
        yield Input(placeholder="What the next step is about", id="note")

    def focus_first(self) -> None:
        self.query_one("#due", Input).focus()

    def _due(self) -> datetime | None:
        text = self.query_one("#due", Input).value.strip()
        if not text:
            return None
        try:
            return parse_when(text, self.now, self.zone)
        except WhenError:
            return None

    @on(Input.Changed, "#due")
    def _due_changed(self, event: Input.Changed) -> None:
        feedback = self.query_one("#due-resolved", Static)
        text = event.value.strip()
        if not text:
            feedback.update("")
            return
        try:
            due = parse_when(text, self.now, self.zone)
        except WhenError as exc:
            feedback.update(f"✘ {visible(exc)}")  # quotes what was typed
            feedback.set_class(True, "invalid")
            return
        past = due <= self.now
        feedback.update(("✘ in the past: " if past else "→ ") + describe(due, self.zone, self.now))
        feedback.set_class(past, "invalid")

    def build(self) -> Accept:
        radio = self.query_one("#next-step", ChoiceSet)
        kind = NEXT_STEP_KINDS[radio.pressed_index] if radio.pressed_index >= 0 else ""
        text = self.query_one("#due", Input).value.strip()
        due = self._due()
        if text and due is None:
            # What is wrong with it is already said under the field: one message, not two.
            raise DecisionError("due", "the due time is not one yet: see under it, or clear it")
        decision = Accept(next_step=kind, due=due, note=self.query_one("#note", Input).value)
        decision.payload(self.now)
        return decision


class NeedsInfoForm(DecisionForm):
    TITLE_TEXT = "Needs info (back to marketing)"
    SUBMIT_LABEL = "Return to marketing"
    ERROR_AT_FIELD = True

    def fields(self) -> ComposeResult:
        yield Label("What is missing (space toggles)")
        yield MarkedSelectionList[str](*[(FACT_LABELS[f], f) for f in NEEDS_INFO_FACTS], id="missing")
        yield Label("Note for marketing")
        yield Input(placeholder="What would let you decide", id="note")

    def focus_first(self) -> None:
        # The cursor on the first fact from the start: a space typed ahead of the
        # form toggles it, where a list with nothing highlighted would drop it.
        missing = self.query_one("#missing", SelectionList)
        missing.highlighted = 0
        missing.focus()

    def build(self) -> NeedsInfo:
        facts = tuple(self.query_one("#missing", SelectionList).selected)
        if not facts:  # said with the list's own labels, not the ids the CLI takes
            raise DecisionError("missing", "tick at least one missing fact (space ticks the highlighted one)")
        decision = NeedsInfo(missing=facts, note=self.query_one("#note", Input).value)
        decision.payload()
        return decision


class TouchForm(DecisionForm):
    """Opens on the note, what a rep types first after a call; the channel is a
    pick from three. c, e and s pick it while the channel has the cursor (tab
    from the note), and so do the arrows: in the note they are letters, as in
    "called back"."""

    SUBMIT_LABEL = "Log"
    ERROR_AT_FIELD = True
    HINT = "ctrl+s log · esc cancel · tab to the channel: c call, e email, s social"
    CHANNEL_KEYS = {channel[0]: i for i, channel in enumerate(TOUCH_CHANNELS)}

    def __init__(self, lead_label: str, conversation: bool) -> None:
        super().__init__(lead_label)
        self.conversation = conversation
        self.TITLE_TEXT = "Log a conversation" if conversation else "Log a touch"

    def fields(self) -> ComposeResult:
        yield Label("Note (optional)")
        yield Input(placeholder="What happened: left a voicemail, booked a call…", id="note")
        yield Label("Channel (c, e, s or ←→ here)")
        with ChoiceSet(id="channel"):
            for i, channel in enumerate(TOUCH_CHANNELS):
                yield MarkedRadioButton(channel, value=i == 0)

    def focus_first(self) -> None:
        self.query_one("#note", Input).focus()

    def on_key(self, event: Any) -> None:
        channel = self.query_one("#channel", ChoiceSet)
        index = self.CHANNEL_KEYS.get(event.character or "")
        if index is not None and self.focused is channel:
            # Chosen at once, highlight and all: ←→ go on from the channel picked.
            channel.choose(index)
            event.stop()

    def build(self) -> Touch:
        radio = self.query_one("#channel", ChoiceSet)
        channel = TOUCH_CHANNELS[radio.pressed_index] if radio.pressed_index >= 0 else ""
        decision = Touch(
            channel=channel, conversation=self.conversation, note=self.query_one("#note", Input).value
        )
        decision.payload()
        return decision


class DisposeForm(DecisionForm):
    TITLE_TEXT = "Dispose"
    SUBMIT_LABEL = "Dispose"
    ERROR_AT_FIELD = True
    OUTCOMES = ("advanced", "returned", "unresponsive")

    def __init__(self, lead_label: str, policy: Policy, attempts: int) -> None:
        super().__init__(lead_label)
        self.policy = policy
        self.attempts = attempts

    def fields(self) -> ComposeResult:
        yield Label(f"Outcome ({self.attempts} contact attempt(s) logged)", markup=False)
        with ChoiceSet(id="outcome"):
            for i, outcome in enumerate(self.OUTCOMES):
                yield MarkedRadioButton(outcome, value=i == 0)
        yield Label("Reason code (required for returned)")
        yield Input(placeholder=visible(", ".join(self.policy.active_reasons())), id="reason")
        yield Label("Note (optional)")
        yield Input(id="note")

    def build(self) -> Dispose:
        radio = self.query_one("#outcome", ChoiceSet)
        outcome = self.OUTCOMES[radio.pressed_index] if radio.pressed_index >= 0 else ""
        decision = Dispose(
            outcome=outcome,
            reason=self.query_one("#reason", Input).value,
            note=self.query_one("#note", Input).value,
        )
        decision.payload(self.policy, self.attempts)
        return decision
