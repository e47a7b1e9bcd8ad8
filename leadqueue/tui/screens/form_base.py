"""The frame every modal form shares, and the yes/no confirmation."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Static

from leadqueue.domain.decisions import DecisionError
from leadqueue.tui.format import plain, visible
from leadqueue.tui.screens.field_keys import FIELD_FOCUS_BINDINGS

DEFAULT_HINT = "ctrl+s submit · esc cancel · tab next field"


class DecisionForm(ModalScreen[Any]):
    """Shared frame: a title, the fields, an error line, Submit and Cancel.

    The title names the lead, and the error line may quote what was typed or a
    record's id: both are plain text (the lead's name is data, and `[/]` or
    `[@click=...]` in it must show as written, not crash or run an action)."""

    CSS_PATH = "forms.tcss"

    BINDINGS = [
        # Priority keys, taken in their turn (tui/typeahead.py): what was typed before them is in the form
        # when it is read, and what is typed after them goes to the queue.
        Binding("escape", "cancel", "Cancel", id="form.cancel", priority=True),
        Binding("ctrl+s", "submit", "Submit", id="form.submit", priority=True),
        *FIELD_FOCUS_BINDINGS,
    ]
    TITLE_TEXT = ""
    SUBMIT_LABEL = "Submit"
    HINT = DEFAULT_HINT
    # A refused submit shows its error right under the field it is about (marked
    # invalid, with the cursor in it), not at the bottom of a long form.
    ERROR_AT_FIELD: ClassVar[bool] = False

    def __init__(self, lead_label: str) -> None:
        super().__init__()
        self.lead_label = lead_label
        self._error_field: Widget | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            title = Content.assemble(self.TITLE_TEXT, " — ", plain(self.lead_label))
            yield Label(title, classes="form-title")
            yield from self.fields()
            yield Static("", id="form-error", classes="form-error", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button(self.SUBMIT_LABEL, variant="primary", id="submit")
                yield Button("Cancel", id="cancel")
            yield Label(self.HINT, classes="form-hint")
        # Its own footer, over the one of the screen below, which lists that screen's keys
        # (under the form, should the form need the last line: forms.tcss).
        yield Footer()

    def fields(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        blink = getattr(self.app, "cursor_blink", True)
        for box in self.query(Input):
            box.cursor_blink = blink
            if self.ERROR_AT_FIELD:
                # Back in a field (shift+tab, a refused submit), the next key adds to
                # what it holds instead of replacing all of it.
                box.select_on_focus = False
        self.focus_first()

    def focus_first(self) -> None:
        """Where the cursor starts; each form picks its first field."""

    def build(self) -> Any:
        """The decision, or DecisionError naming what is missing."""
        raise NotImplementedError

    def show_error(self, message: str, field: str | None = None) -> None:
        error = self.query_one("#form-error", Static)
        error.update(visible(message, keep_layout=True))
        self._clear_field_mark()
        if not field:
            return
        for widget in self.query(f"#{field}"):
            if self.ERROR_AT_FIELD:
                self._place_error(error, widget)
            # set_focus, not focus(), which waits for a refresh: the keys typed
            # after the submit are handed on straight after it.
            self.set_focus(widget)
            break

    def _place_error(self, error: Static, field: Widget) -> None:
        parent = field.parent
        if parent is None or error.parent is not parent:
            return
        # Under the field, and under the line that explains what was typed in it.
        anchor = field
        siblings = list(parent.children)
        following = siblings[siblings.index(field) + 1 :]
        while following and following[0].has_class("form-feedback"):
            anchor = following.pop(0)
        if anchor is not error:
            parent.move_child(error, after=anchor)
        field.add_class("-invalid")
        self._error_field = field

    def _clear_field_mark(self) -> None:
        if self._error_field is not None:
            self._error_field.remove_class("-invalid")
            self._error_field = None

    @on(Input.Changed)
    def _field_changed(self, event: Input.Changed) -> None:
        # The error was about what the field held: once it changes, the error goes.
        if self.ERROR_AT_FIELD and event.input is self._error_field:
            self._clear_field_mark()
            self.query_one("#form-error", Static).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        self._submit_now()

    def _submit_now(self) -> None:
        if not self.is_active:
            return  # closed already (an enter's message arriving after ctrl+s), or a question on top
        try:
            decision = self.build()
        except DecisionError as exc:
            self.show_error(f"✘ {exc.message}", exc.field.replace("_", "-"))
            return
        self.submit(decision)

    def submit(self, decision: Any) -> None:
        """Close with a valid decision; a form that checks more first overrides this."""
        self.dismiss(decision)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        self.field_submitted(event.input, event.value)

    def field_submitted(self, field: Input, value: str) -> None:
        """Enter in `field`, which held `value` then. Enter came through the field:
        all typed before it is in. At once, not in turn, which would first let the
        field take the keys typed after enter."""
        self._submit_now()


class ConfirmScreen(ModalScreen[bool]):
    CSS_PATH = "forms.tcss"
    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm.no", priority=True),
        Binding("y", "answer(True)", "Yes", id="confirm.yes", priority=True),
        Binding("enter", "answer(True)", "Yes", show=False, id="confirm.enter"),
    ]

    def __init__(self, question: str, default: bool = True) -> None:
        """`default` is the answer enter gives: No for a question that warns."""
        super().__init__()
        self.question = question
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="form confirm"):
            # A question may quote a reason code from the policy or a lead's name: plain text.
            yield Label(visible(self.question), classes="form-title", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button("Yes (y)", variant="primary", id="yes")
                yield Button("No (n)", id="no")
        yield Footer()

    def on_mount(self) -> None:
        # Enter presses the focused button.
        self.query_one("#yes" if self.default else "#no", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
