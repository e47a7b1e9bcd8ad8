"""What a re-import records about a lead it already holds: the CRM closed it, new
data brings it back from marketing, or the CRM gave it to another owner. Pure:
the import service reads the lead and writes these events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lifecycle import OPEN_STATES, LeadState

IMPORT_ACTOR = "import"
# A rep still owes the lead something: the CRM's news about it is worth an event.
LIVE_STATES = OPEN_STATES | {LeadState.NEEDS_INFO}


@dataclass(frozen=True)
class StoredLead:
    """What the rule needs of a lead as stored here."""

    state: LeadState | None  # None: no owner yet (never assigned)
    owner: str | None  # the rep who holds it here
    crm_owner: str | None  # the owner the CRM named at the previous import
    last_event_at: datetime | None  # the latest event of its history


@dataclass(frozen=True)
class CrmNews:
    """What the updated row says about the lead."""

    owner: str | None  # the owner the CRM names now (the previous one when the row names none)
    status: str  # the CRM's status of the lead
    closed: bool  # the CRM has closed it
    new_data: bool  # a stored field changes
    assigned_at: datetime | None  # when the CRM says the owner got it, if the file says


@dataclass(frozen=True)
class CrmModified:
    """When a row says the CRM last changed its lead, as finely as the file says it:
    some time in [at, at + within). A date alone says only the day (a report's
    `Last Modified Date`), `14:03` the minute, `14:03:09` the second."""

    at: datetime
    within: timedelta


def older_than_stored(row: CrmModified | None, stored: datetime | None) -> bool:
    """Whether a row is older than the one last imported for its lead (an older export
    imported again, or files imported out of order): the lead is left as it is. Only
    the CRM's own modification dates tell; without both, or when the row's date may be
    the stored instant or later (a date alone, on the stored day), the row is taken."""
    return row is not None and stored is not None and row.at + row.within <= stored


def modified_after_import(row: CrmModified | None, stored: datetime | None) -> datetime | None:
    """The date a lead keeps once a row is taken: the later of the two, so that a row
    said less finely (a date alone) does not move it back, and a file without the
    column keeps the stored one."""
    if row is None:
        return stored
    return row.at if stored is None else max(row.at, stored)


def reimport_events(lead: StoredLead, news: CrmNews, now: datetime) -> list[Event]:
    """The events a re-import adds to a lead's history, in order.

    A lead the CRM closed meanwhile leaves the queue. New data on a needs-info
    lead brings it back. A new owner in the CRM is a reassignment; an owner
    the CRM still names does not undo a reassignment made here (a team lead's
    stands). The new owner's clock starts when the CRM gave them the lead, if
    the file says and that is after everything recorded here; else now."""
    out: list[Event] = []
    state = lead.state
    if news.closed and state in LIVE_STATES:
        out.append(_event(EventKind.CLOSED_IN_CRM, now, {"status": news.status}))
        state = LeadState.CLOSED_IN_CRM
    elif state is LeadState.NEEDS_INFO and news.new_data:
        out.append(_event(EventKind.RETURNED_FROM_MARKETING, now, {"note": "updated by import"}))
        state = LeadState.NEW
    crm_moved = news.owner != lead.crm_owner
    if crm_moved and news.owner != lead.owner and state in LIVE_STATES:
        moved_at = now
        if (
            news.assigned_at is not None
            and lead.last_event_at is not None
            and lead.last_event_at < news.assigned_at < now
        ):
            moved_at = news.assigned_at
        out.append(_event(EventKind.REASSIGNED, moved_at, {"from": lead.owner, "to": news.owner}))
    return out


def _event(kind: EventKind, at: datetime, payload: dict[str, object]) -> Event:
    return Event(kind=kind, actor=IMPORT_ACTOR, at=at, payload=payload)
