"""Tab and shift+tab in the modal forms: taken as they arrive, acted on in turn.

Textual hands a key to the focused field first and runs a screen's ordinary
binding only once the key has come back up unhandled. Two orders matter when
keys come in one burst (a fast typist, a paste, a loaded machine):

- the letters typed after tab belong to the next field: "tomorrow 10:00" +
  tab + "call" became "tomorrow 10:00call" while tab was an ordinary binding.
  A priority binding is taken as the key arrives, and the keys after it are
  held until it has moved the focus (tui/typeahead.py);
- the keys typed before tab belong to the field it leaves: a space on a list
  of checkboxes is the list's ordinary binding, looked up from the focus when
  the space comes back up. Had tab moved the focus by then, the space ticked
  nothing. So tab moves the focus in its turn, once those keys are handled.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.screen import Screen

from leadqueue.tui.typeahead import in_turn

FIELD_FOCUS_BINDINGS = [
    Binding("tab", "next_field", "Next field", show=False, priority=True, id="form.next_field"),
    Binding(
        "shift+tab",
        "previous_field",
        "Previous field",
        show=False,
        priority=True,
        id="form.previous_field",
    ),
]


class FieldFocusActions:
    """The actions of FIELD_FOCUS_BINDINGS, for a screen that lists them."""

    @in_turn
    def action_next_field(self: Screen[Any]) -> None:
        self.focus_next()

    @in_turn
    def action_previous_field(self: Screen[Any]) -> None:
        self.focus_previous()
