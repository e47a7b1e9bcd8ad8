"""The queue as a rep sees it: a row, the filter that chose it, a page around a
lead and the counts in the header. Plain data, made by the store's queries and
read by the screens, so neither needs the other's types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

Cursor = tuple[int, datetime, int]

SECTIONS = {"decide": "new", "follow_up": "accepted"}


class QueueRow(NamedTuple):
    """One line of the queue. A named tuple: a page makes one per row, and a
    frozen dataclass cost several times as much to build."""

    id: int
    crm_id: str
    owner: str | None
    tier: str
    name: str
    title: str
    company: str
    email: str
    source: str
    score: int | None
    clock: str | None
    due_at: datetime
    at_risk_at: datetime | None
    # the next step of an accepted lead (None in Decide): kind, due, and when it was done
    next_step_kind: str | None
    next_step_due: datetime | None
    next_step_done_at: datetime | None
    segment: int

    def step_overdue(self, now: datetime) -> bool:
        """A next step still owed whose due time has passed."""
        return self.next_step_done_at is None and self.next_step_due is not None and self.next_step_due <= now

    @property
    def cursor(self) -> Cursor:
        return (self.segment, self.due_at, self.id)


@dataclass(frozen=True)
class QueueFilter:
    owner: str | None = None  # None: every rep
    section: str = "decide"
    tiers: frozenset[str] = frozenset()
    clock_state: str = ""  # "", running, at_risk, breached
    source: str = ""
    search: str = ""


class Around(NamedTuple):
    rows: list[QueueRow]
    at_start: bool  # nothing comes before the first row
    at_end: bool  # nothing comes after the last row


@dataclass(frozen=True)
class QueueCounts:
    open: int
    at_risk: int
    breached: int
    decide: int
    follow_up: int
