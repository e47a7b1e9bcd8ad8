"""The Textual app: thin. It owns the services, the theme and the keymap;
each screen owns its bindings."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen

from leadqueue.domain.queue_view import QueueRow
from leadqueue.domain.safe_text import terminal_safe
from leadqueue.services.acting import UnknownRep, acting_key
from leadqueue.services.context import Services
from leadqueue.services.decisions import NotAllowed
from leadqueue.services.errors import StoreError
from leadqueue.settings import paths
from leadqueue.settings.config import UserConfig, save_config
from leadqueue.tui.palette import screen_commands
from leadqueue.tui.screens.queue import QueueScreen
from leadqueue.tui.typeahead import HoldsKeysInTurn


class LeadqueueApp(HoldsKeysInTurn):
    CSS_PATH = "leadqueue.tcss"
    TITLE = "leadqueue"
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        services: Services,
        actor: str | None,
        owner: str | None,
        config: UserConfig | None = None,
        config_path: Path | None = None,
        persist: bool = True,
        cursor_blink: bool = True,
        first_page: list[QueueRow] | None = None,
    ) -> None:
        super().__init__()
        # Snapshot tests turn blinking off so every capture is the same.
        self.cursor_blink = cursor_blink
        self.services = services
        self.actor = actor
        self.owner = owner
        self.config = config or UserConfig()
        self.config_path = config_path
        self.persist = persist
        self.keymap = dict(self.config.keymap)
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        export_dir = Path(self.config.export_dir).expanduser() if self.config.export_dir else None
        self.queue_screen = QueueScreen(self.services, self.actor, self.owner, export_dir, first_page)

    def get_default_screen(self) -> Screen[None]:
        # The queue is the base screen: no blank default screen is composed first.
        return self.queue_screen

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        if self.actor:
            self.check_actor(self.actor)

    @work(thread=True, group="actor")
    def check_actor(self, actor: str) -> None:
        """Whoever the app decides as must be a rep on the roster (on a PostgreSQL
        team store, the rep of the connection's role): otherwise it does not start,
        and says why in one line instead of refusing every decision later."""
        try:
            acting_key(self.services, actor)
        except (UnknownRep, NotAllowed) as exc:
            message = Text(terminal_safe(f"leadqueue: cannot start as {actor!r}: {exc}"))
            self.call_from_thread(self.exit, None, 1, message)
        except StoreError as exc:  # the queue shows what is wrong with the store
            logging.getLogger(__name__).info("actor not checked: %s", exc)

    def watch_theme(self, theme: str) -> None:
        """Remember the theme chosen from the palette."""
        if not self.persist or theme == self.config.theme:
            return
        self.config = self.config.model_copy(update={"theme": theme})
        try:
            save_config(self.config, self.config_path)
        except OSError as exc:
            self.notify(f"Theme not saved: {exc}", severity="warning", markup=False)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast passes here (a widget's notify calls the app's): whatever a
        message quotes (a lead's name, a store error naming a file) reaches the
        terminal with its control characters made visible. Our own calls also say
        markup=False, so that the text is never read as markup either."""
        super().notify(
            terminal_safe(message, keep_layout=True),
            title=terminal_safe(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from screen_commands(screen, self.keymap)


def setup_logging() -> Path:
    """Details of errors go to a log file, never to the screen."""
    folder = paths.log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "leadqueue.log"
    logging.basicConfig(
        filename=target, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return target
