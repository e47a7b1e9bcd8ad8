"""`leadqueue sync`: publish this store's new events to the shared folder and
take in what the other writers published.

Exactly once, without locks on the share (sync.publish, sync.pull), and
trusting nothing in the folder but signatures: each store signs its segments
with a key of its own (sync.keys, sync.signing), and takes in another
writer's only when the key may write as the writer's rep (sync.trust), record
by record as far as that rep may say it (sync.rules, sync.admission).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from leadqueue.services.context import Services
from leadqueue.store import outbox
from leadqueue.sync import keys
from leadqueue.sync.publish import Publisher, TakenIn
from leadqueue.sync.pull import PULL_BATCH_EVENTS, Puller
from leadqueue.sync.segments import SEGMENT_EVENTS, SharedFolder
from leadqueue.sync.summary import SyncSummary

__all__ = ["PULL_BATCH_EVENTS", "SyncService", "SyncSummary", "TakenIn", "show_key"]

Progress = Callable[[int, int], None]


class SyncService:
    def __init__(
        self,
        services: Services,
        folder: SharedFolder | Path,
        writer_hint: str | None = None,
        segment_events: int = SEGMENT_EVENTS,
        progress: Progress | None = None,
        rep: str | None = None,
    ) -> None:
        """`writer_hint` names the writer's folder; `rep` is who this store writes
        as (fixed by its first segment; None: the actor of its first event)."""
        self.s = services
        self.folder = folder if isinstance(folder, SharedFolder) else SharedFolder(Path(folder))
        self.progress = progress or (lambda done, total: None)
        self.publisher = Publisher(services, self.folder, writer_hint, rep, segment_events, self.progress)
        self.puller = Puller(services, self.folder, self.progress)

    def run(self) -> SyncSummary:
        """Publish, then pull. FolderUnreachable leaves the outbox as it was."""
        summary = SyncSummary()
        self.folder.check()
        writer, taken_in = self.publish(summary)
        self.pull(writer, taken_in, summary)
        return summary

    def publish(self, summary: SyncSummary) -> tuple[str, TakenIn]:
        return self.publisher.publish(summary)

    def pull(self, writer: str, taken_in: TakenIn, summary: SyncSummary) -> None:
        self.puller.pull(writer, taken_in, summary)


def show_key(services: Services) -> tuple[str, str | None]:
    """This store's public signing key (made now if it has none), for the roster
    of the other stores (`leadqueue reps set REP --sync-key KEY`), and what was
    done if its key file was gone."""
    with services.store.read() as conn:
        known = keys.current_key(conn)
    if known is not None:
        return known.public, None
    with services.store.write() as conn:
        found = keys.store_key(conn, outbox.all_meta(conn))
        old = outbox.read_meta(conn, outbox.WRITER_ID)
        if not (found.replaced and old):
            return found.key.public, None
        # As a sync would: the others pinned the old key for the old writer.
        writer = outbox.new_writer_id(conn, old.rsplit("-", 1)[0])
    return found.key.public, (
        f"this store's signing key was not in {keys.key_dir()}: a new key was made, and this store"
        f" will publish as writer {writer} (it was {old})"
    )
