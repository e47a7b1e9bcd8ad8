"""The command palette's list of the screen's own actions (ctrl+p).

Every binding of the screen on top, team actions included, named by its
description and followed by its binding id and keys (after the user's
keymap), so the palette also teaches the key. Only the actions the screen
allows where the rep is (its `check_action`): Follow up offers no Accept.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial

from textual.actions import parse
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

# Textual's names for the keys a person types as a symbol.
KEY_SYMBOLS = {
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def readable_keys(keys: str) -> str:
    """`question_mark` as `?`, `slash` as `/`: the keys as they are typed."""
    return ",".join(KEY_SYMBOLS.get(k.strip(), k.strip()) for k in keys.split(","))


def allowed(screen: Screen[object], action: str) -> bool:
    """Whether `screen` would run `action` now (its check_action neither hides nor disables it)."""
    _, name, parameters = parse(action)
    return bool(screen.check_action(name, parameters))


def screen_commands(screen: Screen[object], keymap: Mapping[str, str]) -> Iterator[SystemCommand]:
    for binding in getattr(screen, "BINDINGS", []):
        if not (isinstance(binding, Binding) and binding.description and binding.id):
            continue
        if not allowed(screen, binding.action):
            continue
        keys = readable_keys(keymap.get(binding.id, binding.key))
        yield SystemCommand(
            binding.description, f"{binding.id} ({keys})", partial(screen.run_action, binding.action)
        )
