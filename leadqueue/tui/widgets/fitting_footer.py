"""A footer that fits the terminal: help and quit stay on the smallest one.

Textual's footer lays the screen's keys out in a row and lets those past the
right edge fall off, so at 80 columns `? Help` and `q Quit` (the last keys,
and the two a new user needs most) were the first to go. In this one, when
the keys are more than the width holds, the last of the others give way,
never the ones it is told to keep.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # the footer's own key widget, to measure it


class FittingFooter(Footer):
    def __init__(self, keep: Collection[str], **kwargs: Any) -> None:
        """`keep`: the actions whose keys always show (as `help`, `quit`)."""
        super().__init__(**kwargs)
        self.keep = frozenset(keep)
        self._composed_for = 0  # the width the keys were chosen for

    def compose(self) -> ComposeResult:
        keys: list[Widget] = list(super().compose())
        width = self.size.width or self.app.size.width
        self._composed_for = width
        palette = [k for k in keys if k.has_class("-command-palette")]
        kept = [k for k in keys if isinstance(k, FooterKey) and k.action in self.keep]
        others = [k for k in keys if k not in palette and k not in kept]
        # The palette's key sits apart, behind a one-cell rule.
        room = width - sum(_cells(k) + 1 for k in palette)
        while others and _cells_of(others) + _cells_of(kept) > room:
            others.pop()
        yield from [*others, *kept, *palette]

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._composed_for and self._composed_for:
            self.call_after_refresh(self.recompose)


def _cells(key: Widget) -> int:
    """A key's cells as the footer pads them: ` a Accept `."""
    if not isinstance(key, FooterKey):
        return key.size.width
    label = 1 + cell_len(key.key_display) + 1
    return label + (cell_len(key.description) + 1 if key.description else 0)


def _cells_of(keys: list[Widget]) -> int:
    return sum(_cells(k) for k in keys)
