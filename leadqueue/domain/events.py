"""The append-only history of a lead: every change is an event."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from leadqueue.domain.clock import ensure_utc


class EventKind(StrEnum):
    ASSIGNED = "assigned"
    VIEWED = "viewed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    NEEDS_INFO = "needs_info"
    RETURNED_FROM_MARKETING = "returned_from_marketing"
    TOUCHED = "touched"
    CONVERSATION = "conversation"
    DISPOSED = "disposed"
    ESCALATED = "escalated"
    REASSIGNED = "reassigned"
    # a team lead has seen a breach and owns the follow-up; changes no state or clock
    ACKNOWLEDGED = "acknowledged"
    # a re-import found the lead closed in the CRM (converted, disqualified) while
    # it was still open here: it leaves the queue and its clocks stop
    CLOSED_IN_CRM = "closed_in_crm"
    UNDONE = "undone"


# Events a rep may take back within the grace period.
UNDOABLE = frozenset({EventKind.ACCEPTED, EventKind.REJECTED, EventKind.NEEDS_INFO, EventKind.DISPOSED})


@dataclass(frozen=True)
class Event:
    kind: EventKind
    actor: str
    at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", ensure_utc(self.at))
        object.__setattr__(self, "kind", EventKind(self.kind))
