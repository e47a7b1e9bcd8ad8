"""Tab and shift+tab in the modal forms, taken before the focused field sees the key.

Textual hands a key to the focused field first and runs a screen's ordinary
binding only once the key has come back up unhandled. Letters typed right
after tab (a fast typist, a paste, a loaded machine) have by then been handed
to the field tab was leaving: "tomorrow 10:00" + tab + "call" became
"tomorrow 10:00call". A priority binding moves the focus as the key arrives,
before the next key is handed on.
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
