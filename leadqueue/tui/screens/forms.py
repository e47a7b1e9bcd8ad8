"""The decision forms, each a ModalScreen validated as you type. Esc cancels
and writes nothing; submitting explains what is missing."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, SelectionList, Static
from textual.widgets.option_list import Option

from leadqueue.domain.decisions import (
    NEXT_STEP_KINDS,
    TOUCH_CHANNELS,
    Accept,
    DecisionError,
    Dispose,
    NeedsInfo,
    Reject,
    Touch,
)
from leadqueue.domain.policy import NEEDS_INFO_FACTS, Policy
from leadqueue.domain.when import WhenError, describe, parse_when
from leadqueue.tui.format import plain, visible
from leadqueue.tui.screens.field_keys import FIELD_FOCUS_BINDINGS, FieldFocusActions
from leadqueue.tui.typeahead import in_turn

FACT_LABELS = {
    "contact_data": "Contact data",
    "title_role": "Title / role",
    "company_size": "Company size",
    "industry": "Industry",
    "region": "Region",
    "intent": "Intent",
}


class DecisionForm(FieldFocusActions, ModalScreen[Any]):
    """Shared frame: a title, the fields, an error line, Submit and Cancel.

    The title names the lead, and the error line may quote what was typed or a
    record's id: both are plain text (the lead's name is data, and `[/]` or
    `[@click=...]` in it must show as written, not crash or run an action)."""

    CSS_PATH = "forms.tcss"

    BINDINGS = [
        # Priority, and acted on in turn: what was typed before them is in the form
        # when it is read, and what is typed after them goes to the queue.
        Binding("escape", "cancel", "Cancel", id="form.cancel", priority=True),
        Binding("ctrl+s", "submit", "Submit", id="form.submit", priority=True),
        *FIELD_FOCUS_BINDINGS,
    ]
    TITLE_TEXT = ""
    SUBMIT_LABEL = "Submit"

    def __init__(self, lead_label: str) -> None:
        super().__init__()
        self.lead_label = lead_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            title = Content.assemble(self.TITLE_TEXT, " — ", plain(self.lead_label))
            yield Label(title, classes="form-title")
            yield from self.fields()
            yield Static("", id="form-error", classes="form-error", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button(self.SUBMIT_LABEL, variant="primary", id="submit")
                yield Button("Cancel", id="cancel")
            yield Label("ctrl+s submit · esc cancel · tab next field", classes="form-hint")

    def fields(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        blink = getattr(self.app, "cursor_blink", True)
        for box in self.query(Input):
            box.cursor_blink = blink
        self.focus_first()

    def focus_first(self) -> None:
        """Where the cursor starts; each form picks its first field."""

    def build(self) -> Any:
        """The decision, or DecisionError naming what is missing."""
        raise NotImplementedError

    def show_error(self, message: str, field: str | None = None) -> None:
        self.query_one("#form-error", Static).update(visible(message, keep_layout=True))
        if field:
            for widget in self.query(f"#{field}"):
                # set_focus, not focus(), which waits for a refresh: the keys typed
                # after the submit are handed on straight after it.
                self.set_focus(widget)
                break

    def action_cancel(self) -> None:
        in_turn(self, lambda: self.dismiss(None))

    def action_submit(self) -> None:
        in_turn(self, self._submit_now)

    def _submit_now(self) -> None:
        try:
            decision = self.build()
        except DecisionError as exc:
            self.show_error(f"✘ {exc.message}", exc.field.replace("_", "-"))
            return
        self.dismiss(decision)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter(self) -> None:
        # Enter came through the field: all typed before it is in. At once, not in
        # turn, which would first let the field take the keys typed after enter.
        self._submit_now()


class AcceptForm(DecisionForm):
    TITLE_TEXT = "Accept"
    SUBMIT_LABEL = "Accept"

    def __init__(self, lead_label: str, now: datetime, zone: ZoneInfo) -> None:
        super().__init__(lead_label)
        self.now = now
        self.zone = zone

    def fields(self) -> ComposeResult:
        yield Label("Next step")
        with RadioSet(id="next-step"):
            for i, kind in enumerate(NEXT_STEP_KINDS):
                yield RadioButton(kind, value=i == 0)
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
        radio = self.query_one("#next-step", RadioSet)
        kind = NEXT_STEP_KINDS[radio.pressed_index] if radio.pressed_index >= 0 else ""
        text = self.query_one("#due", Input).value.strip()
        due = self._due()
        if text and due is None:
            raise DecisionError("due", f"could not read {text!r} as a time")
        decision = Accept(next_step=kind, due=due, note=self.query_one("#note", Input).value)
        decision.payload(self.now)
        return decision


class RejectForm(DecisionForm):
    TITLE_TEXT = "Reject"
    SUBMIT_LABEL = "Reject"
    BINDINGS = [
        # Priority and in turn, like tab: the keys typed after enter go to the field
        # the chosen reason needs (OTHER's written reason, R5's record), not to the list.
        Binding("enter", "choose_reason", "Choose", show=False, priority=True, id="reject.choose_reason"),
    ]

    def __init__(self, lead_label: str, policy: Policy, duplicate_of: str = "") -> None:
        super().__init__(lead_label)
        self.policy = policy
        self.codes = list(policy.active_reasons())
        self.duplicate_of = duplicate_of

    def fields(self) -> ComposeResult:
        yield Label("Reason (number keys pick)")
        # The policy's labels are the team's own text: shown as written, never as markup.
        reasons = self.policy.reasons
        yield OptionList(
            *[
                Option(Content(f"{i + 1}  {visible(code):<6}{visible(reasons[code].label)}"), id=code)
                for i, code in enumerate(self.codes)
            ],
            id="reason",
            markup=False,
        )
        yield Static("", id="routing", classes="form-feedback", markup=False)
        yield Label("Written reason", id="note-label")
        yield Input(placeholder="Required for OTHER", id="note")
        yield Label("Duplicate of (CRM id)", id="duplicate-label")
        # Filled in only with an id the terminal can show as it is: an id with control
        # characters would be shown escaped, and the escaped text names no record.
        duplicate = self.duplicate_of if visible(self.duplicate_of) == self.duplicate_of else ""
        yield Input(value=duplicate, placeholder="id of the record it duplicates", id="duplicate-of")

    def focus_first(self) -> None:
        self.query_one("#reason", OptionList).focus()
        self._reveal(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose_reason":  # enter elsewhere: a button's press, a field's submit
            return self.focused is not None and self.focused.id == "reason"
        return True

    def action_choose_reason(self) -> None:
        in_turn(self, self._choose_highlighted)

    def _choose_highlighted(self) -> None:
        code = self._code()
        if not code:
            return
        self._reveal(code)  # its field shown now, should the highlight's own message still be on its way
        reason = self.policy.reasons[code]
        if reason.requires_text:
            self.set_focus(self.query_one("#note", Input))
        elif reason.requires_duplicate:
            self.set_focus(self.query_one("#duplicate-of", Input))
        else:
            self._submit_now()

    def on_key(self, event: Any) -> None:
        if event.character and event.character.isdigit() and not isinstance(self.focused, Input):
            index = int(event.character) - 1
            if 0 <= index < len(self.codes):
                reasons = self.query_one("#reason", OptionList)
                reasons.highlighted = index
                event.stop()

    @on(OptionList.OptionHighlighted, "#reason")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._reveal(event.option.id)

    @on(OptionList.OptionSelected, "#reason")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        code = event.option.id or ""
        reason = self.policy.reasons[code]
        if reason.requires_text:
            self.query_one("#note", Input).focus()
        elif reason.requires_duplicate:
            self.query_one("#duplicate-of", Input).focus()
        else:
            self.action_submit()

    def _code(self) -> str:
        reasons = self.query_one("#reason", OptionList)
        return self.codes[reasons.highlighted] if reasons.highlighted is not None else ""

    def _reveal(self, code: str | None) -> None:
        reason = self.policy.reasons.get(code or "")
        needs_text = bool(reason and reason.requires_text)
        needs_dup = bool(reason and reason.requires_duplicate)
        for widget_id in ("#note-label", "#note"):
            self.query_one(widget_id).display = needs_text
        for widget_id in ("#duplicate-label", "#duplicate-of"):
            self.query_one(widget_id).display = needs_dup
        routing = self.query_one("#routing", Static)
        routing.update(f"Then: {visible(reason.routing)}" if reason else "Choose a reason code.")

    def build(self) -> Reject:
        code = self._code()
        reason = self.policy.reasons.get(code)
        note = self.query_one("#note", Input).value if reason and reason.requires_text else ""
        dup = self.query_one("#duplicate-of", Input).value if reason and reason.requires_duplicate else ""
        decision = Reject(reason=code, note=note, duplicate_of=dup)
        decision.payload(self.policy)
        return decision


class NeedsInfoForm(DecisionForm):
    TITLE_TEXT = "Needs info (back to marketing)"
    SUBMIT_LABEL = "Return to marketing"

    def fields(self) -> ComposeResult:
        yield Label("What is missing (space toggles)")
        yield SelectionList[str](*[(FACT_LABELS[f], f) for f in NEEDS_INFO_FACTS], id="missing")
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
        decision = NeedsInfo(missing=facts, note=self.query_one("#note", Input).value)
        decision.payload()
        return decision


class TouchForm(DecisionForm):
    SUBMIT_LABEL = "Log"

    def __init__(self, lead_label: str, conversation: bool) -> None:
        super().__init__(lead_label)
        self.conversation = conversation
        self.TITLE_TEXT = "Log a conversation" if conversation else "Log a touch"

    def fields(self) -> ComposeResult:
        yield Label("Channel")
        with RadioSet(id="channel"):
            for i, channel in enumerate(TOUCH_CHANNELS):
                yield RadioButton(channel, value=i == 0)
        yield Label("Note (optional)")
        yield Input(id="note")

    def build(self) -> Touch:
        radio = self.query_one("#channel", RadioSet)
        channel = TOUCH_CHANNELS[radio.pressed_index] if radio.pressed_index >= 0 else ""
        decision = Touch(
            channel=channel, conversation=self.conversation, note=self.query_one("#note", Input).value
        )
        decision.payload()
        return decision


class DisposeForm(DecisionForm):
    TITLE_TEXT = "Dispose"
    SUBMIT_LABEL = "Dispose"
    OUTCOMES = ("advanced", "returned", "unresponsive")

    def __init__(self, lead_label: str, policy: Policy, attempts: int) -> None:
        super().__init__(lead_label)
        self.policy = policy
        self.attempts = attempts

    def fields(self) -> ComposeResult:
        yield Label(f"Outcome ({self.attempts} contact attempt(s) logged)", markup=False)
        with RadioSet(id="outcome"):
            for i, outcome in enumerate(self.OUTCOMES):
                yield RadioButton(outcome, value=i == 0)
        yield Label("Reason code (required for returned)")
        yield Input(placeholder=visible(", ".join(self.policy.active_reasons())), id="reason")
        yield Label("Note (optional)")
        yield Input(id="note")

    def build(self) -> Dispose:
        radio = self.query_one("#outcome", RadioSet)
        outcome = self.OUTCOMES[radio.pressed_index] if radio.pressed_index >= 0 else ""
        decision = Dispose(
            outcome=outcome,
            reason=self.query_one("#reason", Input).value,
            note=self.query_one("#note", Input).value,
        )
        decision.payload(self.policy, self.attempts)
        return decision


class ConfirmScreen(ModalScreen[bool]):
    CSS_PATH = "forms.tcss"
    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm.no", priority=True),
        Binding("y", "answer(True)", "Yes", id="confirm.yes", priority=True),
        Binding("enter", "answer(True)", "Yes", show=False, id="confirm.enter"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="form confirm"):
            # A question may quote a reason code from the policy: plain text.
            yield Label(visible(self.question), classes="form-title", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button("Yes (y)", variant="primary", id="yes")
                yield Button("No (n)", id="no")

    def action_answer(self, value: bool) -> None:
        in_turn(self, lambda: self.dismiss(value))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
