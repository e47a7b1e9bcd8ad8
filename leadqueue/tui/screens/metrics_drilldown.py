"""The leads behind a metrics row, by name: a modal list the metrics screen opens
with enter (a rep's open breached first touches, the rejections with one code,
the written OTHER reasons in full). The list comes from the drilldown service,
in a worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from leadqueue.services.context import Services
from leadqueue.services.drilldown import LeadItem, LeadList, leads_behind, list_title
from leadqueue.tui.format import visible
from leadqueue.tui.store_work import StoreWork


def lead_prompt(item: LeadItem) -> Text:
    """Name · company, then the CRM id, rep and why it is listed; what the rep wrote
    below. Every part is data: plain text, never markup."""
    text = Text(no_wrap=False)
    text.append(visible(item.label), style="bold")
    text.append(f"  {visible(item.lead_id)} · {visible(item.rep)}", style="dim")
    text.append(f"\n{visible(item.detail)}")
    if item.note:
        text.append(f"\n“{visible(item.note)}”", style="italic")
    return text


class LeadListScreen(StoreWork, ModalScreen[None]):
    CSS_PATH = "forms.tcss"
    # CSS, not DEFAULT_CSS: it must win over forms.tcss's `.form` sizes.
    CSS = """
    LeadListScreen .form.leads { width: 100; height: 90%; }
    LeadListScreen .form.leads OptionList { height: 1fr; max-height: 100%; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="leads.close"),
        Binding("j", "move('down')", "Down", show=False, id="leads.down"),
        Binding("k", "move('up')", "Up", show=False, id="leads.up"),
    ]

    def __init__(
        self, services: Services, section: str, row: dict[str, Any], since: datetime, until: datetime
    ) -> None:
        super().__init__()
        self.services = services
        self.section = section
        self.row = row
        self.since = since
        self.until = until
        self.result: LeadList | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="form leads"):
            yield Label(Text(visible(list_title(self.section, self.row))), classes="form-title")
            yield Static("loading…", id="leads-status", markup=False)
            yield OptionList(id="leads-options")
            yield Label("↑↓ j k move · esc closes", classes="form-hint")
        yield Footer()  # the list's keys, not the metrics screen's under it

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    def load(self) -> None:
        args = (self.services, self.section, self.row, self.since, self.until)
        self.read("drilldown", leads_behind, *args, then=self._show, failed=self._failed)

    def _show(self, result: LeadList) -> None:
        self.result = result
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(lead_prompt(item)) for item in result.items])
        if result.items:
            options.highlighted = 0
        status = f"{result.total} lead{'' if result.total == 1 else 's'}"
        if result.more:
            status += f" · the first {len(result.items)} shown"
        self.query_one("#leads-status", Static).update(status if result.total else "no leads")

    def _failed(self, message: str) -> None:
        self.query_one("#leads-status", Static).update(f"⚠ {visible(message)}")

    def action_move(self, direction: str) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if direction == "down" else options.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(None)
