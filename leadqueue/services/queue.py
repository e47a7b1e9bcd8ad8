"""The rep's queue as plain data: its pages, the header's counts, its sources and
the newest change. Each call opens its own read; rows are domain.queue_view's."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from leadqueue.domain.queue_view import Around, Cursor, QueueCounts, QueueFilter, QueueRow
from leadqueue.store import outbox
from leadqueue.store import queue_query as qq
from leadqueue.store import repository as repo

if TYPE_CHECKING:
    from leadqueue.services.context import Services

HOT_NOTICED = 50  # the hot leads in Decide a header refresh looks at for new ones


@dataclass(frozen=True)
class QueueHeader:
    """What the queue's header shows beside the rows, read together."""

    counts: QueueCounts
    unsent: int  # decisions not yet published by a sync
    hot: list[QueueRow]  # the first hot leads awaiting a decision, to notice new ones


class QueueService:
    def __init__(self, services: Services) -> None:
        self.s = services

    def first_page(self, f: QueueFilter, limit: int) -> list[QueueRow]:
        with self.s.store.read() as conn:
            return qq.page_after(conn, f, self.s.clock.now(), None, limit)

    def last_page(self, f: QueueFilter, limit: int) -> list[QueueRow]:
        with self.s.store.read() as conn:
            return qq.page_before(conn, f, self.s.clock.now(), None, limit)

    def page_after(self, f: QueueFilter, edge: Cursor, limit: int) -> list[QueueRow]:
        with self.s.store.read() as conn:
            return qq.page_after(conn, f, self.s.clock.now(), edge, limit)

    def page_before(self, f: QueueFilter, edge: Cursor, limit: int) -> list[QueueRow]:
        with self.s.store.read() as conn:
            return qq.page_before(conn, f, self.s.clock.now(), edge, limit)

    def around(self, f: QueueFilter, crm_id: str, limit: int) -> Around:
        """A page with the lead among its rows; the top of the queue when the
        queue no longer holds it (done or gone meanwhile)."""
        now = self.s.clock.now()
        with self.s.store.read() as conn:
            found = qq.page_around(conn, f, now, crm_id, limit)
            if found is None:
                rows = qq.page_after(conn, f, now, None, limit)
                found = Around(rows, True, len(rows) < limit)
        return found

    def header(self, f: QueueFilter) -> QueueHeader:
        now = self.s.clock.now()
        hot_filter = replace(f, section="decide", tiers=frozenset({"hot"}))
        with self.s.store.read() as conn:
            counts = qq.counts(conn, f.owner, now)
            unsent = outbox.unsent_count(conn)
            hot = qq.page_after(conn, hot_filter, now, None, HOT_NOTICED)
        return QueueHeader(counts, unsent, hot)

    def sources(self, owner: str | None) -> list[str]:
        with self.s.store.read() as conn:
            return list(qq.sources(conn, owner))

    def latest_change(self) -> int:
        """The newest event that changes a queue or a clock (not a view): when it
        moves, someone here or elsewhere changed a lead."""
        with self.s.store.read() as conn:
            return repo.latest_event_seq(conn, changes_only=True)
