"""When the app cannot start (bad policy, locked or corrupt store), say why on screen."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from leadqueue.tui.format import visible


class StartupErrorApp(App[None]):
    CSS = """
    Screen { align: center middle; }
    #box {
        width: 80; max-width: 100%; height: auto;
        border: thick $error; padding: 1 2; background: $surface;
    }
    #title { text-style: bold; color: $error; }
    #hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("q,escape,enter", "quit", "Quit", id="error.quit")]

    def __init__(self, message: str, log_file: Path | None = None) -> None:
        super().__init__()
        self.message = message
        self.log_file = log_file

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label("leadqueue cannot open", id="title")
            # The message may quote a file's content or a path: plain, control characters visible.
            yield Static(Text(visible(self.message, keep_layout=True)))
            where = f" · details: {visible(self.log_file)}" if self.log_file else ""
            yield Label(Text(f"q quits{where}"), id="hint")
