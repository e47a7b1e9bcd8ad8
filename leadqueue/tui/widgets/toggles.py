"""Radio buttons whose state reads without colour.

Textual's radio button draws the same `●` on and off and tells them apart by
colour alone: under NO_COLOR, or to a colour-blind rep, every option looks
chosen. Here the chosen one shows `●` and the others an empty button.
"""

from __future__ import annotations

from textual.widgets import RadioButton

ON = "●"
OFF = " "


class MarkedRadioButton(RadioButton):
    @property  # type: ignore[override]  # a class constant in Textual, read through self
    def BUTTON_INNER(self) -> str:  # Textual's name for it
        return ON if self.value else OFF
