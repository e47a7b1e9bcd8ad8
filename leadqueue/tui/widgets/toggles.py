"""Radio buttons and checkboxes whose state reads without colour.

Textual's radio button draws the same `●` on and off, and its selection list
the same `X` ticked or not, telling them apart by colour alone: under
NO_COLOR, or to a colour-blind rep, every option looks chosen. Here the
chosen ones show `●` or `X` and the others an empty button.

In a choice set (one of N, a radio set) the arrows choose: the option they move
to is the one chosen, as in every desktop toolkit. Textual's moves a highlight
only, and ctrl+s then saved the option still ticked, not the one the rep saw.

The selection list also ticks the item space was typed on, at once: Textual's
posts itself a message and ticks whatever is highlighted when that message is
handled, which in a burst ("space down space") is the item below.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.strip import Strip
from textual.widgets import RadioButton, RadioSet, SelectionList
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


class ChoiceSet(RadioSet):
    """A radio set whose arrows choose the option they move to, not only highlight
    it: what is shown highlighted is what is saved. Space, enter and a click still
    choose the highlighted option; the highlight starts on the option chosen.

    Chosen at once, in the key's own turn: Textual's set learns a button was
    pressed from a message the button posts, so a ctrl+s typed right after an
    arrow would read the option chosen before it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,right", "step(1)", "Next option", show=False),
        Binding("up,left", "step(-1)", "Previous option", show=False),
    ]

    def _buttons(self) -> list[RadioButton]:
        return [node for node in self._nodes if isinstance(node, RadioButton)]

    def action_next_button(self) -> None:
        # Textual's mount puts the highlight on the first option: on the chosen one instead.
        if self._selected is None:
            chosen = [i for i, node in enumerate(self._nodes) if isinstance(node, RadioButton) and node.value]
            if chosen:
                self._selected = chosen[0]
                return
        super().action_next_button()

    def action_step(self, direction: int) -> None:
        """Move to the next (1) or previous (-1) option, wrapping round, and choose it."""
        if direction > 0:
            super().action_next_button()
        else:
            self.action_previous_button()
        self.action_toggle_button()

    def action_toggle_button(self) -> None:
        """Space or enter: choose the highlighted option (never unchoose it)."""
        if self._selected is not None:
            self.choose(self._selected)

    def choose(self, index: int) -> None:
        """Choose the option at `index` now: on, the others off, highlighted, and
        `pressed_index` saying so before the next key is handled."""
        button = self._nodes[index]
        if not isinstance(button, RadioButton) or button.disabled:
            return
        self._selected = index
        if self._pressed_button is button and button.value:
            return
        with self.prevent(RadioButton.Changed):  # the set's own handler would redo this later
            for other in self._buttons():
                if other is not button and other.value:
                    other.value = False
            button.value = True
        self._pressed_button = button  # Textual's record of the chosen button (pinned Textual 8)
        self.post_message(self.Changed(self, button))


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
