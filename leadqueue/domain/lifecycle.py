"""The lead lifecycle: explicit transitions, and the current state derived by
folding the events. Nothing here stores a status; callers fold."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from leadqueue.domain.events import UNDOABLE, Event, EventKind
from leadqueue.domain.policy import ClockName


class LeadState(StrEnum):
    NEW = "new"  # assigned, awaiting the rep's decision
    NEEDS_INFO = "needs_info"  # returned to marketing, decision clock paused
    ACCEPTED = "accepted"  # SAL: follow-up clocks running
    REJECTED = "rejected"
    ADVANCED = "advanced"  # disposed: advanced to SQL / opportunity
    RETURNED = "returned"  # disposed: returned with a reason code
    UNRESPONSIVE = "unresponsive"  # disposed after enough contact attempts
    CLOSED_IN_CRM = "closed_in_crm"  # closed in the CRM before a decision or disposition here


OPEN_STATES = frozenset({LeadState.NEW, LeadState.ACCEPTED})
CLOSED_STATES = frozenset(
    {
        LeadState.REJECTED,
        LeadState.ADVANCED,
        LeadState.RETURNED,
        LeadState.UNRESPONSIVE,
        LeadState.CLOSED_IN_CRM,
    }
)
DISPOSITIONS = {
    "advanced": LeadState.ADVANCED,
    "returned": LeadState.RETURNED,
    "unresponsive": LeadState.UNRESPONSIVE,
}

K = EventKind
S = LeadState
# (state before, event) -> state after. Anything not listed is illegal.
TRANSITIONS: dict[tuple[LeadState | None, EventKind], LeadState | None] = {
    (None, K.ASSIGNED): S.NEW,
    (S.NEW, K.ACCEPTED): S.ACCEPTED,
    (S.NEW, K.REJECTED): S.REJECTED,
    (S.NEW, K.NEEDS_INFO): S.NEEDS_INFO,
    (S.NEW, K.ESCALATED): S.NEW,
    (S.NEW, K.REASSIGNED): S.NEW,
    (S.NEEDS_INFO, K.RETURNED_FROM_MARKETING): S.NEW,
    (S.NEEDS_INFO, K.REASSIGNED): S.NEEDS_INFO,
    (S.ACCEPTED, K.TOUCHED): S.ACCEPTED,
    (S.ACCEPTED, K.CONVERSATION): S.ACCEPTED,
    (S.ACCEPTED, K.ESCALATED): S.ACCEPTED,
    (S.ACCEPTED, K.REASSIGNED): S.ACCEPTED,
    (S.NEW, K.ACKNOWLEDGED): S.NEW,
    (S.NEEDS_INFO, K.ACKNOWLEDGED): S.NEEDS_INFO,
    (S.ACCEPTED, K.ACKNOWLEDGED): S.ACCEPTED,
    (S.NEW, K.CLOSED_IN_CRM): S.CLOSED_IN_CRM,
    (S.NEEDS_INFO, K.CLOSED_IN_CRM): S.CLOSED_IN_CRM,
    (S.ACCEPTED, K.CLOSED_IN_CRM): S.CLOSED_IN_CRM,
    # (S.ACCEPTED, K.DISPOSED) depends on the outcome: see _after()
}


class IllegalTransition(ValueError):
    pass


@dataclass
class ClockRun:
    """One run of one SLA clock for one rep: the raw stamps, no deadlines yet."""

    clock: ClockName
    rep: str
    started_at: datetime
    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    stopped_at: datetime | None = None
    stopped_by: EventKind | None = None

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None

    @property
    def is_paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None


@dataclass
class LeadHistory:
    """What the events say about a lead, folded in order."""

    state: LeadState | None = None
    owner: str | None = None
    assigned_at: datetime | None = None
    first_decision_at: datetime | None = None
    first_decision: EventKind | None = None
    decided_at: datetime | None = None
    accepted_at: datetime | None = None
    first_touch_at: datetime | None = None
    conversation_at: datetime | None = None
    disposed_at: datetime | None = None
    reason_code: str | None = None
    reason_note: str | None = None
    decided_by: str | None = None
    next_step: dict[str, str] | None = None
    contact_attempts: int = 0
    # each logged contact: (when, channel, whether it was a conversation)
    contacts: list[tuple[datetime, str, bool]] = field(default_factory=list)
    escalations: int = 0
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    viewed_at: datetime | None = None
    last_event_at: datetime | None = None
    runs: list[ClockRun] = field(default_factory=list)
    undone_ids: frozenset[str] = frozenset()
    conflicts: list[Event] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def open_runs(self) -> list[ClockRun]:
        return [r for r in self.runs if r.is_open]


def next_state(state: LeadState | None, event: Event) -> LeadState | None:
    """The state after `event`, or IllegalTransition saying why not."""
    if event.kind in (K.VIEWED, K.UNDONE):
        if state is None:
            raise IllegalTransition(f"cannot record {event.kind.value}: the lead was never assigned")
        return state
    if state is S.ACCEPTED and event.kind is K.DISPOSED:
        outcome = str(event.payload.get("outcome", ""))
        if outcome not in DISPOSITIONS:
            raise IllegalTransition(f"unknown disposition {outcome!r}")
        return DISPOSITIONS[outcome]
    key = (state, event.kind)
    if key not in TRANSITIONS:
        where = state.value if state else "unassigned"
        raise IllegalTransition(f"cannot {_verb(event.kind)} a lead that is {where}")
    return TRANSITIONS[key]


def _verb(kind: EventKind) -> str:
    return {
        K.ASSIGNED: "assign",
        K.ACCEPTED: "accept",
        K.REJECTED: "reject",
        K.NEEDS_INFO: "return (needs info)",
        K.RETURNED_FROM_MARKETING: "take back from marketing",
        K.TOUCHED: "log a touch on",
        K.CONVERSATION: "log a conversation on",
        K.DISPOSED: "dispose",
        K.ESCALATED: "escalate",
        K.REASSIGNED: "reassign",
        K.ACKNOWLEDGED: "acknowledge a breach on",
        K.CLOSED_IN_CRM: "close (in the CRM)",
    }.get(kind, kind.value)


def effective(events: Iterable[Event]) -> tuple[list[Event], frozenset[str]]:
    """Events in order with the undone ones (and the undo markers) removed. An undo
    that names no target (written past the app's checks) undoes nothing."""
    ordered = list(events)
    undone = frozenset(
        str(e.payload["target"]) for e in ordered if e.kind is K.UNDONE and e.payload.get("target")
    )
    return [e for e in ordered if e.kind is not K.UNDONE and e.event_id not in undone], undone


def _malformed(e: Event) -> bool:
    """An event whose payload lacks what replaying it needs: one written past the
    app's and the sync's checks (raw SQL on a shared store) must not stop every
    reader of the lead's history."""
    return e.kind is K.REASSIGNED and not e.payload.get("to")


def fold(events: Sequence[Event]) -> LeadHistory:
    """Replay events (in the order the store learned them) into the lead's history.

    Events written here were checked before they were appended, but a sync can
    bring in a decision made elsewhere on a lead that has moved on meanwhile
    (a rep accepts while the team lead reassigns). The first one to arrive
    wins; a later event that no longer fits (or a malformed one) is kept in
    the history, listed in `conflicts`, and changes nothing. Every store that learns the same events
    in the same order therefore folds them alike.
    """
    kept, undone = effective(events)
    h = LeadHistory(undone_ids=undone)
    for e in kept:
        if _malformed(e):
            h.conflicts.append(e)
            continue
        try:
            h.state = next_state(h.state, e)
        except IllegalTransition:
            h.conflicts.append(e)
            continue
        h.last_event_at = e.at
        _apply(h, e)
    return h


def _stop(runs: Iterable[ClockRun], at: datetime, by: EventKind, *clocks: ClockName) -> None:
    for run in runs:
        if run.is_open and (not clocks or run.clock in clocks):
            if run.is_paused:
                run.pauses[-1] = (run.pauses[-1][0], at)
            run.stopped_at = at
            run.stopped_by = by


def _apply(h: LeadHistory, e: Event) -> None:
    C = ClockName
    if e.kind is K.ASSIGNED:
        h.owner = str(e.payload.get("rep") or e.actor)
        h.assigned_at = e.at
        h.runs.append(ClockRun(C.DECISION, h.owner, e.at))
    elif e.kind is K.VIEWED:
        h.viewed_at = h.viewed_at or e.at
    elif e.kind in (K.ACCEPTED, K.REJECTED, K.NEEDS_INFO):
        h.first_decision_at = h.first_decision_at or e.at
        h.first_decision = h.first_decision or e.kind
        if e.kind is K.NEEDS_INFO:
            for run in h.open_runs():
                if run.clock is C.DECISION:
                    run.pauses.append((e.at, None))
            return
        h.decided_at = e.at
        h.decided_by = e.actor
        _stop(h.runs, e.at, e.kind, C.DECISION)
        if e.kind is K.ACCEPTED:
            h.accepted_at = e.at
            h.next_step = {k: str(e.payload[k]) for k in ("next_step", "due", "note") if k in e.payload}
            assert h.owner is not None
            for clock in (C.FIRST_TOUCH, C.DISCOVERY, C.DISPOSITION):
                h.runs.append(ClockRun(clock, h.owner, e.at))
        else:
            h.reason_code = str(e.payload.get("reason", "")) or None
            h.reason_note = str(e.payload.get("note", "")) or None
    elif e.kind is K.RETURNED_FROM_MARKETING:
        for run in h.open_runs():
            if run.clock is C.DECISION and run.is_paused:
                run.pauses[-1] = (run.pauses[-1][0], e.at)
    elif e.kind in (K.TOUCHED, K.CONVERSATION):
        h.contact_attempts += 1
        h.contacts.append((e.at, str(e.payload.get("channel", "")), e.kind is K.CONVERSATION))
        h.first_touch_at = h.first_touch_at or e.at
        _stop(h.runs, e.at, e.kind, C.FIRST_TOUCH)
        if e.kind is K.CONVERSATION:
            h.conversation_at = h.conversation_at or e.at
            _stop(h.runs, e.at, e.kind, C.DISCOVERY)
    elif e.kind is K.DISPOSED:
        h.disposed_at = e.at
        if e.payload.get("reason"):
            h.reason_code = str(e.payload["reason"])
            h.reason_note = str(e.payload.get("note", "")) or None
        _stop(h.runs, e.at, e.kind)
    elif e.kind is K.CLOSED_IN_CRM:
        _stop(h.runs, e.at, e.kind)
    elif e.kind is K.ESCALATED:
        h.escalations += 1
    elif e.kind is K.ACKNOWLEDGED:
        h.acknowledged_at = e.at
        h.acknowledged_by = e.actor
    elif e.kind is K.REASSIGNED:
        new_rep = str(e.payload["to"])
        reopened = [r.clock for r in h.open_runs()]
        # The old rep's runs close here, breach and all; the new rep starts fresh.
        _stop(h.runs, e.at, e.kind)
        h.owner = new_rep
        for clock in reopened:
            h.runs.append(ClockRun(clock, new_rep, e.at))
        if h.state is S.NEEDS_INFO:
            h.runs[-1].pauses.append((e.at, None))


def check_append(events: Sequence[Event], new: Event) -> LeadHistory:
    """Fold the existing events, check `new` is a legal next step, and return
    the history after it. Raises IllegalTransition with a one-line reason."""
    before = fold(events)
    if new.kind is K.UNDONE:
        target = undo_target(events)
        if target is None:
            raise IllegalTransition(no_undo_reason(events))
        if str(new.payload.get("target")) != target.event_id:
            raise IllegalTransition("only the latest decision can be undone")
    else:
        next_state(before.state, new)
    return fold([*events, new])


def undo_target(events: Sequence[Event]) -> Event | None:
    """The latest decision that an undo would take back, if nothing was logged
    on top of it (a touch after an acceptance pins the acceptance)."""
    kept, _ = effective(events)
    for e in reversed(kept):
        if e.kind is K.VIEWED:
            continue
        return e if e.kind in UNDOABLE else None
    return None


# The decisions an undo takes back, and what pins them once it comes after, as a rep says them.
DECISION_NAMES = {
    K.ACCEPTED: "the acceptance",
    K.REJECTED: "the rejection",
    K.NEEDS_INFO: "the return to marketing",
    K.DISPOSED: "the disposal",
}
LOGGED_AFTER = {
    K.TOUCHED: "a touch was logged",
    K.CONVERSATION: "a conversation was logged",
    K.ESCALATED: "the breach was escalated",
    K.ACKNOWLEDGED: "the breach was acknowledged",
    K.REASSIGNED: "the lead was reassigned",
    K.RETURNED_FROM_MARKETING: "the lead came back from marketing",
    K.CLOSED_IN_CRM: "the CRM closed the lead",
    K.ASSIGNED: "the lead was assigned again",
}


def no_undo_reason(events: Sequence[Event]) -> str:
    """Why an undo is refused when undo_target finds nothing: no decision at all, or
    one pinned by what was logged after it (a touch after an acceptance), named."""
    kept, _ = effective(events)
    after: Event | None = None
    for e in reversed(kept):
        if e.kind is K.VIEWED:
            continue
        if e.kind in UNDOABLE:
            if after is None:
                break  # undo_target would have found it: not a refusal of this kind
            logged = LOGGED_AFTER.get(
                after.kind, f"a {after.kind.value.replace('_', ' ')} event was recorded"
            )
            return f"nothing to undo: {logged} after {DECISION_NAMES[e.kind]}, which can no longer be undone"
        if after is None:
            after = e  # the latest event on top: what the rep most likely just did
    return "nothing to undo: the lead has no decision to take back"
