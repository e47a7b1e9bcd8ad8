"""What a synced record may say, checked on the record alone (the policy aside):
its kind, the fields of that kind and their values, as a local decision's
are checked before it is written (domain.decisions), lengths and instants
the store can hold, and (given this store's clock) a date not in the
future. Whether its writer may say it about that lead is for sync.admission,
which has the store.

A record that fails is skipped and reported (RecordError); it never stops the
rest of its file, and never reaches the store, where it could crash a fold
(`reassigned` without `to`, `undone` without `target`) or be refused as a
whole transaction (an `at` in year 9999, an event id longer than the column).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from leadqueue.domain.decisions import NEXT_STEP_KINDS, TOUCH_CHANNELS
from leadqueue.domain.events import UNDOABLE, Event, EventKind
from leadqueue.domain.lifecycle import DISPOSITIONS
from leadqueue.domain.policy import NEEDS_INFO_FACTS, Policy
from leadqueue.domain.records import RecordError, from_record
from leadqueue.domain.years import MAX_YEAR, MIN_YEAR

# Widths of the columns a record's values are stored in (store.schema).
MAX_EVENT_ID = 36  # events.event_id
MAX_LEAD_ID = 64  # leads.crm_id
MAX_REP = 120  # reps.key, events.actor
# How far a writer's clock may run ahead of this store's: a record dated later
# than that after this store's now is refused ("dated in the future"). A day:
# a laptop whose clock is set to local time under a UTC setting is hours
# ahead, and its decisions are real; a year like 2199 is not.
MAX_CLOCK_SKEW = timedelta(days=1)
_SHOWN = 40

K = EventKind
Check = Callable[[Any, Mapping[str, Any], Event, Policy], None]


def check_record(record: Any, policy: Policy, now: datetime | None = None) -> tuple[str, Event]:
    """(crm_id, event) from a decoded record that says only what a writer may
    say; RecordError naming the field otherwise. Given this store's `now`, a
    record dated more than MAX_CLOCK_SKEW after it is refused. (One dated long
    ago is not: stores import at different times, and a writer backdating under
    its own key cannot be told without a trusted time.)"""
    crm_id, event = from_record(record)
    if now is not None and event.at > now + MAX_CLOCK_SKEW:
        raise RecordError(
            f"dated in the future: {event.at.isoformat()} is more than a day after this"
            f" store's clock ({now.isoformat()}); is the writer's clock right?"
        )
    _fits("event_id", event.event_id, MAX_EVENT_ID)
    _fits("lead_id", crm_id, MAX_LEAD_ID)
    _fits("actor", event.actor, MAX_REP)
    fields = _FIELDS.get(event.kind)
    if fields is None:  # assigned, closed_in_crm: refused by who may record them (admission)
        return crm_id, event
    required, optional = fields
    payload = event.payload
    for name in payload:
        if name not in required and name not in optional:
            raise RecordError(f"field {name!r} is not a field of {event.kind.value}")
    for name, check in required.items():
        if name not in payload:
            raise RecordError(f"{event.kind.value} needs field {name!r}")
        check(payload[name], payload, event, policy)
    for name, check in optional.items():
        if name in payload:
            check(payload[name], payload, event, policy)
    _whole(event, policy)
    return crm_id, event


def show(value: Any) -> str:
    """A value quoted in a message: repr escapes control characters; long ones are cut."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 4] + "...'"


def _fits(name: str, value: str, width: int) -> None:
    if len(value) > width:
        raise RecordError(f"field {name!r} is {len(value)} characters long; at most {width}")


def _text(name: str, required: bool = False, width: int | None = None) -> Check:
    def check(value: Any, payload: Mapping[str, Any], event: Event, policy: Policy) -> None:
        if not isinstance(value, str):
            raise RecordError(f"field {name!r} is not text")
        if required and not value.strip():
            raise RecordError(f"field {name!r} is empty")
        if width is not None:
            _fits(name, value, width)

    return check


def _one_of(name: str, choices: tuple[str, ...] | frozenset[str]) -> Check:
    def check(value: Any, payload: Mapping[str, Any], event: Event, policy: Policy) -> None:
        if value not in choices:
            raise RecordError(f"field {name!r}: {show(value)} is not one of {', '.join(sorted(choices))}")

    return check


def _reason(value: Any, payload: Mapping[str, Any], event: Event, policy: Policy) -> None:
    # Retired codes stay readable in old records; a code the policy never had is refused.
    if not isinstance(value, str) or policy.reason(value) is None or value != value.strip().upper():
        raise RecordError(f"field 'reason': {show(value)} is not a reason code of the policy")


def _due(value: Any, payload: Mapping[str, Any], event: Event, policy: Policy) -> None:
    try:
        due = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        due = None
    if due is None or due.tzinfo is None:
        raise RecordError(f"field 'due': {show(value)} is not an ISO 8601 instant with an offset")
    if not MIN_YEAR <= due.year <= MAX_YEAR:
        raise RecordError(f"field 'due': {show(value)} is outside the years {MIN_YEAR}-{MAX_YEAR}")
    if due <= event.at:
        raise RecordError("field 'due': the next step is not after the decision")


def _missing(value: Any, payload: Mapping[str, Any], event: Event, policy: Policy) -> None:
    if not isinstance(value, list) or not value or any(v not in NEEDS_INFO_FACTS for v in value):
        raise RecordError(f"field 'missing': {show(value)} is not a list of {', '.join(NEEDS_INFO_FACTS)}")


def _from(value: Any, payload: Mapping[str, Any], event: Event, policy: Policy) -> None:
    if value is not None:
        _text("from", width=MAX_REP)(value, payload, event, policy)


def _whole(event: Event, policy: Policy) -> None:
    """What depends on several fields: a reason that needs a note, or a duplicate's id."""
    p = event.payload
    code = p.get("reason")
    reason = policy.reason(code) if isinstance(code, str) else None
    if event.kind is K.DISPOSED and p.get("outcome") == "returned" and reason is None:
        raise RecordError("a returned disposition needs field 'reason'")
    if reason is not None and reason.requires_text and not str(p.get("note", "")).strip():
        raise RecordError(f"reason {code} needs field 'note'")
    needs_duplicate = event.kind is K.REJECTED and reason is not None and reason.requires_duplicate
    if needs_duplicate and not str(p.get("duplicate_of", "")).strip():
        raise RecordError(f"reason {code} needs field 'duplicate_of'")


_NOTE = {"note": _text("note")}
_FIELDS: dict[EventKind, tuple[dict[str, Check], dict[str, Check]]] = {
    K.VIEWED: ({}, {}),
    K.ACCEPTED: (
        {"next_step": _one_of("next_step", NEXT_STEP_KINDS), "due": _due, "note": _text("note", True)},
        {},
    ),
    K.REJECTED: (
        {"reason": _reason},
        {
            **_NOTE,
            "routing": _text("routing"),
            "action": _text("action"),
            "duplicate_of": _text("duplicate_of", True, MAX_LEAD_ID),
        },
    ),
    K.NEEDS_INFO: ({"missing": _missing, "note": _text("note", True)}, {}),
    K.RETURNED_FROM_MARKETING: ({}, _NOTE),
    K.TOUCHED: ({"channel": _one_of("channel", TOUCH_CHANNELS)}, _NOTE),
    K.CONVERSATION: ({"channel": _one_of("channel", TOUCH_CHANNELS)}, _NOTE),
    K.DISPOSED: ({"outcome": _one_of("outcome", tuple(DISPOSITIONS))}, {"reason": _reason, **_NOTE}),
    K.ESCALATED: ({}, _NOTE),
    K.ACKNOWLEDGED: ({}, _NOTE),
    K.REASSIGNED: ({"to": _text("to", True, MAX_REP)}, {"from": _from, **_NOTE}),
    K.UNDONE: (
        {
            "target": _text("target", True, MAX_EVENT_ID),
            "target_kind": _one_of("target_kind", frozenset(k.value for k in UNDOABLE)),
        },
        {},
    ),
}
