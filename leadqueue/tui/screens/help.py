"""Every binding of a screen, with the keys in force after the keymap; for the
queue, also how its rows are ordered."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from leadqueue.domain.policy import Policy
from leadqueue.tui.format import visible
from leadqueue.tui.palette import readable_keys

# How a screen's keys behave, under its table of keys ({key}: the binding's keys
# after the keymap), and why a letter means something else here than in the queue.
NOTES: dict[str, str] = {
    "breaches.group": (
        "{key} switches the grouping, by rep or by clock: here it is the letter of groups, not the "
        "queue's first lead (home goes to the first lead, G or end to the last, as in the queue)."
    ),
    "metrics.refresh": (
        "{key} reads the numbers again: nothing is decided on this screen, so it is not the queue's "
        "reject. 3 or c opens a custom period: nor is c the queue's conversation here."
    ),
    "lead.copy_contact": (
        "{key} copies the lead's email to the clipboard, {key} again its phone (no email: the phone "
        "at once); over SSH too, in a terminal that lets programs set the clipboard (OSC 52)."
    ),
    "lead.open_in_crm": (
        "{key} opens the lead's page in the CRM: set "
        'crm_url = "https://yourcompany.my.salesforce.com/{{id}}" in policy.toml '
        "({{id}} is the lead's CRM id). With no display to open a browser on (SSH), the link is copied."
    ),
    "queue.mark": (
        "{key} marks or unmarks the highlighted lead (● in its row; the cursor stays on it); r and i then "
        "act on every marked lead, after a confirmation naming them. The header counts the marks; "
        "esc clears a search first (being typed, or kept with enter), then the marks."
    ),
    "queue.section": (
        "The detail pane shows the lead's local time when an import column (time_zone, HubSpot's Time Zone) "
        "or a country with one time zone gives it. With the terminal in the background, a new hot lead or "
        "a lead turning at risk rings the bell and sends a desktop notification: [alerts] in config.toml "
        '(bell = true, desktop = "osc9", "osc777" or "off").'
    ),
}


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "forms.tcss"
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss_help", "Close", id="help.close"),
        # j/k move everywhere else in the app: here they scroll, as the arrows do
        Binding("j", "scroll_help(1)", "Down", show=False, id="help.down"),
        Binding("k", "scroll_help(-1)", "Up", show=False, id="help.up"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]], order: str = "") -> None:
        """`order`: how the screen's rows are sorted, said under its keys."""
        super().__init__()
        self.rows = rows
        self.order = order

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_edge=False)
        table.add_column("keys", style="bold cyan", no_wrap=True)
        table.add_column("action")
        table.add_column(Text("binding id (for [keymap])"), style="dim", no_wrap=True)
        for keys, description, binding_id in self.rows:
            # Text, not str: a Table reads a str cell as markup, and the keys come from
            # the user's config file.
            table.add_row(Text(visible(keys)), Text(visible(description)), Text(visible(binding_id)))
        with VerticalScroll(classes="form help"):
            yield Label(Text("Keys — remap any of them in config.toml under [keymap]"), classes="form-title")
            yield Static(table)
            notes = [NOTES[i].format(key=keys) for keys, _, i in self.rows if i in NOTES]
            if notes:
                # The keys may come from the user's keymap: shown as text, never markup.
                yield Static(Text(visible("\n".join(notes), keep_layout=True)), classes="help-notes")
            if self.order:
                yield Label(Text("The queue's order"), classes="form-title")
                # Quotes the policy's windows: text, never markup.
                yield Static(Text(visible(self.order, keep_layout=True)), classes="help-order")
            yield Label("esc closes · ctrl+p opens the command palette", classes="form-hint")
        yield Footer()  # the help's keys, not those of the screen under it

    def action_dismiss_help(self) -> None:
        self.dismiss(None)

    def action_scroll_help(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)


def binding_rows(bindings: Iterable[Any], keymap: dict[str, str]) -> list[tuple[str, str, str]]:
    """(keys, description, id) for the help screen, with the user's keymap applied.
    A key with one binding per place (tab: "→ Follow up", "→ Decide") is one row,
    said by its tooltip."""
    rows = []
    seen: set[str] = set()
    for binding in bindings:
        if not isinstance(binding, Binding) or (binding.id and binding.id in seen):
            continue
        seen.add(binding.id or "")
        keys = keymap.get(binding.id or "", binding.key)
        rows.append((readable_keys(keys), binding.tooltip or binding.description or "", binding.id or ""))
    rows.append(("ctrl+p", "Command palette (every action, themes)", ""))
    return rows


def queue_order(policy: Policy) -> str:
    """How the queue sorts its leads, as store/queue_query.py does, in the policy's windows."""
    w = policy.windows
    return (
        "Decide lists the leads waiting for your decision, Follow up the leads you accepted (tab "
        "switches; a lead returned to marketing for information is in neither until it comes back). "
        "In each, the leads whose clock is at risk or breached come first, then the others; within "
        "each group the soonest deadline comes first, so the most overdue lead is at the top. A "
        "lead's deadline is its most urgent open clock's: the decision clock in Decide; first touch, "
        "discovery or disposition in Follow up. The tier moves no lead by itself: it sets the "
        f"decision window (hot {w.decision_hot.window}, standard {w.decision_standard.window}, "
        f"low {w.decision_low.window}), so a hot lead's deadline comes sooner. Leads with the same "
        "deadline stay in the order they were imported."
    )


def queue_help(bindings: Iterable[Any], keymap: dict[str, str], policy: Policy) -> HelpScreen:
    return HelpScreen(binding_rows(bindings, keymap), queue_order(policy))
