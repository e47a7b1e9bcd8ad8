"""What `[keymap]` and `theme` in config.toml may name, checked without loading Textual.

The settings layer must not import the terminal UI, so the binding ids each
screen declares are listed here; tests/test_policy_semantics.py checks this
list against the screens' real BINDINGS, so a binding added there without
being added here fails the suite.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

DEFAULT_THEME = "textual-dark"

# Textual's built-in themes (textual.theme.BUILTIN_THEMES); leadqueue registers none.
THEMES = (
    "textual-dark",
    "textual-light",
    "nord",
    "gruvbox",
    "catppuccin-mocha",
    "dracula",
    "tokyo-night",
    "monokai",
    "flexoki",
    "catppuccin-latte",
    "catppuccin-frappe",
    "catppuccin-macchiato",
    "solarized-light",
    "solarized-dark",
    "rose-pine",
    "rose-pine-moon",
    "rose-pine-dawn",
    "atom-one-dark",
    "atom-one-light",
    "ansi-dark",
    "ansi-light",
)

_FORM = {
    "form.cancel": "escape",
    "form.submit": "ctrl+s",
    "form.next_field": "tab",
    "form.previous_field": "shift+tab",
}

# screen -> binding id -> its default keys, as Textual names them (comma-separated)
SCREEN_BINDINGS: dict[str, dict[str, str]] = {
    "queue": {
        "queue.down": "j,down",
        "queue.up": "k,up",
        "queue.first": "g,home",
        "queue.last": "G,end",
        "queue.page_down": "pagedown,ctrl+d",
        "queue.page_up": "pageup,ctrl+u",
        "lead.accept": "a",
        "lead.reject": "r",
        "lead.needs_info": "i",
        "lead.touch": "t",
        "lead.conversation": "c",
        "lead.dispose": "d",
        "lead.undo": "u",
        "lead.copy_contact": "y",
        "lead.open_in_crm": "o",
        "queue.mark": "space",
        "detail.down": "J,shift+down",
        "detail.up": "K,shift+up",
        "queue.section": "tab",
        "queue.search": "slash",
        "queue.keep_search": "enter",
        "queue.clear_search": "escape",
        "queue.filters": "f",
        "queue.sync": "s",
        "team.breaches": "b",
        "team.metrics": "m",
        "queue.today": "n",
        "app.help": "question_mark",
        "app.quit": "q",
    },
    "breaches": {
        "breaches.down": "j,down",
        "breaches.up": "k,up",
        "breaches.page_down": "pagedown,ctrl+d",
        "breaches.page_up": "pageup,ctrl+u",
        "breaches.first": "home",
        "breaches.last": "G,end",
        "breaches.mark": "space",
        "breaches.reassign": "R",
        "breaches.escalate": "e",
        "breaches.acknowledge": "A",
        "breaches.group": "g",
        "breaches.live_routing": "L",
        "breaches.export_csv": "x",
        "breaches.export_json": "X",
        "breaches.help": "question_mark",
        "breaches.back": "escape,q",
    },
    "metrics": {
        "metrics.this_week": "1",
        "metrics.four_weeks": "2",
        "metrics.custom": "3,c",
        "metrics.refresh": "r",
        "metrics.down": "j,down",
        "metrics.up": "k,up",
        "metrics.next": "right_square_bracket",
        "metrics.previous": "left_square_bracket",
        "metrics.export_csv": "x",
        "metrics.export_json": "X",
        "metrics.weekly_report": "W",
        "metrics.help": "question_mark",
        "metrics.back": "escape,q",
        "metrics.leads": "enter",
    },
    "metrics leads": {"leads.close": "escape,q", "leads.down": "j", "leads.up": "k"},
    "today": {
        "today.down": "j",
        "today.up": "k",
        "today.open": "enter",
        "today.help": "question_mark",
        "today.back": "escape,q",
    },
    "help": {"help.close": "escape,q,question_mark", "help.down": "j", "help.up": "k"},
    "filters": {
        "filters.cancel": "escape",
        "filters.apply": "ctrl+s",
        "form.next_field": "tab",
        "form.previous_field": "shift+tab",
    },
    "form": dict(_FORM),
    "reject form": {**_FORM, "reject.choose_reason": "enter", "reject.pick_reason": "1,2,3,4,5,6,7,8,9"},
    "confirmation": {"confirm.no": "escape,n", "confirm.yes": "y", "confirm.enter": "enter"},
    "startup error": {"error.quit": "q,escape,enter"},
}

# Keys every screen answers to that no binding id names: a keymap that takes
# one of them loses that function (or, for the app's priority keys, never fires).
RESERVED_KEYS = {"ctrl+q": "quit", "ctrl+p": "the command palette", "ctrl+c": "copy"}

UNKNOWN_ID = "unknown binding id: it changes nothing (the help screen, ?, lists the ids)"

KNOWN_IDS = frozenset(i for bindings in SCREEN_BINDINGS.values() for i in bindings)


def normalize_key(key: str) -> str:
    """A key as Textual compares it: one character by its name ("?" is question_mark)."""
    key = key.strip()
    if len(key) != 1 or key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return {
        "solidus": "slash",
        "reverse_solidus": "backslash",
        "commercial_at": "at",
        "hyphen_minus": "minus",
        "plus_sign": "plus",
        "low_line": "underscore",
    }.get(name, name)


def split_keys(keys: str) -> list[str]:
    return [normalize_key(k) for k in keys.split(",")]


def check_theme(theme: str) -> str | None:
    """Why `theme` cannot be used, or None."""
    if theme in THEMES:
        return None
    return f"unknown theme {theme!r}; using {DEFAULT_THEME} (the command palette, ctrl+p, lists the themes)"


def check_keymap(keymap: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The entries that can be applied, and for each one that cannot, why.

    An unknown id is kept (Textual ignores it, and the app may learn the id
    later) but reported. An entry whose key another action on the same screen
    already has is left out: Textual would silently drop that other action
    (`"lead.accept" = "r"` would leave no key to reject with)."""
    problems: dict[str, str] = {}
    applied = dict(keymap)
    for binding_id, keys in keymap.items():
        if binding_id not in KNOWN_IDS:
            problems[binding_id] = (
                "unknown binding id: it changes nothing (the help screen, ?, lists the ids)"
            )
            continue
        parts = split_keys(keys)
        if any(not k or any(c.isspace() for c in k) for k in parts):
            problems[binding_id] = f"{keys!r} is not a key or a comma-separated list of keys: not applied"
            del applied[binding_id]
    # Taking an entry out gives its binding its default keys back, which may
    # clash with another entry: check again until nothing changes.
    changed = True
    while changed:
        changed = False
        for binding_id in list(applied):
            clash = _clash(binding_id, applied)
            if clash:
                problems[binding_id] = clash
                del applied[binding_id]
                changed = True
    return applied, problems


def _clash(binding_id: str, keymap: Mapping[str, str]) -> str | None:
    """Why `binding_id`'s keys in `keymap` would take another action's key, or None."""
    if binding_id not in KNOWN_IDS:
        return None
    mine = [(written.strip(), normalize_key(written)) for written in keymap[binding_id].split(",")]
    for written, key in mine:
        if key in RESERVED_KEYS:
            return (
                f"{written!r} is the key for {RESERVED_KEYS[key]} on every screen: "
                "not applied (choose another key)"
            )
    for screen, bindings in SCREEN_BINDINGS.items():
        if binding_id not in bindings:
            continue
        for other, default in bindings.items():
            if other == binding_id:
                continue
            theirs = split_keys(keymap.get(other, default))
            for written, key in mine:
                if key in theirs:
                    return (
                        f"{written!r} is already {other}'s key on the {screen} screen: not applied "
                        f"(remap {other} too, or choose another key)"
                    )
    return None
