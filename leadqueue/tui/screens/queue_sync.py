"""Sync from the queue (`s`): publish this store's unsent events to the shared
folder and pull everyone else's, in a worker; the header counts what is unsent
and says when a sync runs. A mixin of QueueScreen, kept apart so the queue's
module stays about the queue.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING

from textual.reactive import var
from textual.screen import Screen

from leadqueue.domain.queue_view import QueueFilter
from leadqueue.services.context import Services
from leadqueue.services.errors import StoreError
from leadqueue.settings import paths
from leadqueue.tui.store_work import StoreWork
from leadqueue.tui.widgets.queue_list import QueueList

if TYPE_CHECKING:
    from leadqueue.sync.service import SyncSummary


class SyncInQueue(StoreWork, Screen[None]):
    syncing: var[bool] = var(False, init=False)  # the header says so (bound in QueueScreen.compose)
    # The queue screen's, used here.
    services: Services
    actor: str | None
    filter: QueueFilter
    export_dir: Path | None

    if TYPE_CHECKING:

        def load_queue(self, f: QueueFilter, keep: int | str | None) -> None: ...

        def refresh_counts(self) -> None: ...

    def action_sync(self) -> None:
        if self.export_dir is None:
            self.notify(
                f"No shared folder set: add export_dir to {self.app_config_path()} and start"
                " leadqueue again, or run: leadqueue sync --export-dir DIR",
                title="Sync",
                severity="warning",
                markup=False,
            )
            return
        if self.syncing:
            return
        self.syncing = True
        self.read(
            "sync",
            run_sync,
            self.services,
            self.export_dir,
            self.actor or socket.gethostname(),
            then=lambda summary: self._sync_done(summary, ""),
            failed=lambda problem: self._sync_done(None, problem),
        )

    def app_config_path(self) -> Path:
        """The config file this app read (the user's, unless it was started with another)."""
        return getattr(self.app, "config_path", None) or paths.config_file()

    def _sync_done(self, summary: SyncSummary | None, problem: str) -> None:
        self.syncing = False
        if summary is None:
            self.notify(problem, title="Sync failed", severity="error", markup=False)
        else:
            severity = "warning" if summary.needs_attention else "information"
            # What was refused or skipped, said now: a file stays refused until it is fixed.
            message = "\n".join([summary.line().capitalize(), *summary.problems()[:5]])
            self.notify(message, title="Synced", severity=severity, markup=False)
            if summary.received:
                self.load_queue(self.filter, self.query_one(QueueList).cursor)
        self.refresh_counts()


def run_sync(services: Services, folder: Path, who: str) -> SyncSummary:
    """One sync, in the read's thread; a shared folder out of reach is a StoreError
    for the screen, saying the decisions are safe meanwhile."""
    # Imported at the first sync: a rep who never syncs never loads the sync's code.
    from leadqueue.sync.segments import FolderUnreachable
    from leadqueue.sync.service import SyncService

    try:
        return SyncService(services, folder, who).run()
    except FolderUnreachable as exc:
        raise StoreError(f"{exc}. Decisions wait in the outbox.") from exc
