"""Radio buttons and checkboxes whose state reads without colour.

Textual's radio button draws the same `●` on and off, and its selection list
the same `X` ticked or not, telling them apart by colour alone: under
NO_COLOR, or to a colour-blind rep, every option looks chosen. Here the
chosen ones show `●` or `X` and the others an empty button.

The selection list also ticks the item space was typed on, at once: Textual's
posts itself a message and ticks whatever is highlighted when that message is
handled, which in a burst ("space down space") is the item below.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import RadioButton, SelectionList
from textual.widgets._toggle_button import ToggleButton  # the glyph Textual draws, to replace it
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import SelectionType

ON = "●"
TICKED = "X"
OFF = " "


class MarkedRadioButton(RadioButton):
    @property  # type: ignore[override]  # a class constant in Textual, read through self
    def BUTTON_INNER(self) -> str:  # Textual's name for it
        return ON if self.value else OFF


class MarkedSelectionList(SelectionList[SelectionType]):
    """A selection list whose ticked items show `X` and the others an empty box
    (Textual draws `X` on every item and tells them apart by colour)."""

    def action_select(self) -> None:
        """Space (or a click): tick or untick the highlighted item now. Textual's list
        posts itself OptionSelected and toggles the item highlighted once that is
        handled: a down typed right after the space has moved the highlight by then,
        and the space ticks the item below the one it was typed on."""
        highlighted = self.highlighted
        if highlighted is None:
            return
        selection = self.get_option_at_index(highlighted)
        if not selection.disabled:
            self.toggle(selection)

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        if len(segments) < 3 or segments[1].text != ToggleButton.BUTTON_INNER:
            return line  # not a line with a box (Textual drew it otherwise)
        box = segments[1]
        glyph = TICKED if selection.value in self.selected else OFF
        segments[1] = Segment(glyph, box.style, box.control)
        return Strip(segments, line.cell_length)
