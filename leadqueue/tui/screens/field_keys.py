"""Tab and shift+tab in the modal forms: priority keys, taken in their turn.

The letters typed after tab belong to the next field: "tomorrow 10:00" + tab +
"call" became "tomorrow 10:00call" while tab was an ordinary binding, run once
the key came back up from the field. And the keys typed before tab belong to
the field it leaves: a space ticks the checkbox it was typed on. The app hands
each key on once the one before it is handled (tui/typeahead.py), so a priority
tab moves the focus between the two.
"""

from __future__ import annotations

from textual.binding import Binding

FIELD_FOCUS_BINDINGS = [
    Binding("tab", "app.focus_next", "Next field", show=False, priority=True, id="form.next_field"),
    Binding(
        "shift+tab",
        "app.focus_previous",
        "Previous field",
        show=False,
        priority=True,
        id="form.previous_field",
    ),
]
