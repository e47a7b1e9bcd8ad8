"""The next step a rep committed to when accepting a lead, and whether it is done.

Acceptance is a commitment to a concrete next step (docs/domain.md). The step is
kept in the acceptance's payload; what counts as doing it is read from the
contacts logged after it: a call is done by a call logged (or any
conversation), an email by an email logged (or any conversation), a meeting
or a demo, which are live conversations, only by a logged conversation. A
voicemail-then-email touch does not tick off the call the rep planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leadqueue.domain.lifecycle import LeadHistory

# Step kinds done by a live conversation rather than by any contact attempt.
LIVE_KINDS = frozenset({"meeting", "demo"})


@dataclass(frozen=True)
class NextStep:
    kind: str
    due: datetime | None  # None: the payload's due time could not be read (a foreign writer)
    note: str
    done_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.done_at is None

    def overdue(self, now: datetime) -> bool:
        return self.pending and self.due is not None and self.due <= now


def parse_due(value: str | None) -> datetime | None:
    """The payload's ISO due time, or None when it is missing or not an aware instant."""
    if not value:
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        return None
    return due if due.tzinfo is not None else None


def next_step_of(history: LeadHistory) -> NextStep | None:
    """The step of the lead's standing acceptance (None when it was never accepted,
    or the acceptance was undone), with the instant it was done, if it was."""
    step = history.next_step
    if not step or history.accepted_at is None:
        return None
    kind = step.get("next_step", "")
    done_at = next(
        (
            at
            for at, channel, conversation in history.contacts
            if at >= history.accepted_at and (conversation or (kind not in LIVE_KINDS and channel == kind))
        ),
        None,
    )
    return NextStep(kind, parse_due(step.get("due")), step.get("note", ""), done_at)
