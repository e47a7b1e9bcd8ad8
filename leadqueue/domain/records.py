"""One event as one JSON object: the line format of shared segments and of
`export --format jsonl`.

The record is flat: the five identity fields, then the event's own fields
(reason, note, next_step, ...). `lead_id` is the lead's CRM record id, the id
every store and the CRM agree on. The mapping is lossless: text, microsecond
timestamps and nested payload values come back as they went in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.years import MAX_YEAR, MIN_YEAR

IDENTITY_FIELDS = ("event_id", "lead_id", "kind", "actor", "at")
_IDENTITY = frozenset(IDENTITY_FIELDS)
_KINDS = frozenset(k.value for k in EventKind)


class RecordError(ValueError):
    """A record that is not a leadqueue event; the message names the field."""


def iso_utc(at: datetime) -> str:
    """ISO 8601 in UTC with a Z, microseconds kept when there are any."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_record(crm_id: str, event: Event) -> dict[str, Any]:
    return make_record(event.event_id, crm_id, event.kind.value, event.actor, event.at, event.payload)


def make_record(
    event_id: str, crm_id: str, kind: str, actor: str, at: datetime, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """The record of a stored event, from its columns (no Event built: publishing calls this per row)."""
    if kind not in _KINDS:
        raise RecordError(f"event {event_id}: unknown event kind {kind!r}")
    if not _IDENTITY.isdisjoint(payload):
        clash = sorted(_IDENTITY.intersection(payload))[0]
        raise RecordError(f"event {event_id}: payload field {clash!r} is reserved")
    return {
        "event_id": event_id,
        "lead_id": crm_id,
        "kind": kind,
        "actor": actor,
        "at": iso_utc(at),
        **payload,
    }


# ensure_ascii=False keeps names readable in the file; json escapes the line
# breaks inside strings, so one record is always one line. One encoder for
# all records: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode(record: Mapping[str, Any]) -> str:
    return _ENCODER.encode(record)


def from_record(record: Any) -> tuple[str, Event]:
    """(crm_id, event) from a decoded record, or RecordError naming what is wrong."""
    if not isinstance(record, dict):
        raise RecordError("not a JSON object")
    for name in IDENTITY_FIELDS:
        value = record.get(name)
        if not isinstance(value, str) or not value:
            raise RecordError(f"field {name!r} is missing or not text")
    try:
        kind = EventKind(record["kind"])
    except ValueError:
        raise RecordError(f"field 'kind': unknown event kind {record['kind']!r}") from None
    try:
        at = datetime.fromisoformat(record["at"])
    except ValueError:
        raise RecordError(f"field 'at': {record['at']!r} is not an ISO 8601 instant") from None
    if at.tzinfo is None:
        raise RecordError(f"field 'at': {record['at']!r} has no UTC offset")
    if not MIN_YEAR <= at.year <= MAX_YEAR:
        # a bad record, skipped and reported: the store would refuse it and every later sync with it
        raise RecordError(f"field 'at': {record['at']!r} is outside the years {MIN_YEAR}-{MAX_YEAR}")
    payload = {k: v for k, v in record.items() if k not in IDENTITY_FIELDS}
    event = Event(kind=kind, actor=record["actor"], at=at, payload=payload, event_id=record["event_id"])
    return record["lead_id"], event
