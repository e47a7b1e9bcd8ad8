"""A team lead's acts on a lead's breach, acknowledge and escalate: once per breach.

Done again with nothing new since, either would only repeat the record (another
event, another line in the export), so it is refused in one line naming the
earlier one, and nothing is written.

A breach begins when a clock run first passes its deadline (`sla.breaches`): a
lead can breach its decision clock, be accepted, and later breach its
first-touch clock; after a reassignment the new rep's runs breach on their own.

- **Acknowledge** is refused while the lead's last acknowledgement came at or
  after the start of every breach it has had, and after its last escalation
  (the breaches screen shows an escalation as seen once acknowledged after it).
- **Escalate** is refused when the lead was escalated before and each of its
  clocks breached now was escalated since its breach began: by routing for
  that clock, or by a team lead (`routing.escalation_since`, the notion routing
  escalates by). A breach since closed (the clock missed) asks for no escalation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lifecycle import IllegalTransition, LeadHistory, effective
from leadqueue.domain.routing import ROUTING_ACTOR, escalation_since, notified
from leadqueue.domain.sla import Breach
from leadqueue.domain.when import stamp

ONCE_PER_BREACH = frozenset({EventKind.ACKNOWLEDGED, EventKind.ESCALATED})


class AlreadyDone(IllegalTransition):
    """The act was already done for the lead's breaches; the message names the earlier one."""


def check_once_per_breach(
    kind: EventKind,
    events: Sequence[Event],
    history: LeadHistory,
    breaches: Sequence[Breach],
    zone: ZoneInfo,
    now: datetime,
) -> None:
    """Raise AlreadyDone if `kind` (acknowledge or escalate) on the lead whose
    `events` fold to `history` would repeat an earlier one; `breaches` are the
    lead's breaches by `now` (sla.breaches), times are said in `zone`."""
    if kind not in ONCE_PER_BREACH:
        return
    kept, _ = effective(events)
    conflicted = {e.event_id for e in history.conflicts}  # kept in the history, changed nothing
    done = [e for e in kept if e.event_id not in conflicted]
    if kind is EventKind.ACKNOWLEDGED:
        _acknowledge(done, breaches, zone, now)
    else:
        _escalate(done, breaches, zone, now)


def _acknowledge(events: Sequence[Event], breaches: Sequence[Breach], zone: ZoneInfo, now: datetime) -> None:
    last = _last(events, EventKind.ACKNOWLEDGED)
    if last is None:
        return
    if any(b.began_at > last.at for b in breaches):
        return  # a breach began since: this acknowledgement is of it
    escalated = _last(events, EventKind.ESCALATED)
    if escalated is not None and escalated.at > last.at:
        return  # escalated since: acknowledging says the team lead saw it
    at = stamp(last.at, zone, now, short_today=True)
    raise AlreadyDone(f"already acknowledged by {last.actor} at {at}; no breach or escalation since")


def _escalate(events: Sequence[Event], breaches: Sequence[Breach], zone: ZoneInfo, now: datetime) -> None:
    earlier = _last(events, EventKind.ESCALATED)
    if earlier is None:
        return
    ongoing = [b for b in breaches if b.ongoing]
    if any(escalation_since(events, b.clock.value, b.began_at, by=None) is None for b in ongoing):
        return  # a breach nobody escalated since it began: this escalation is of it
    by = earlier.actor
    if by == ROUTING_ACTOR:
        by = f"{by} (to {notified(earlier.payload)})"
    at = stamp(earlier.at, zone, now, short_today=True)
    raise AlreadyDone(f"already escalated by {by} at {at}; no new breach since")


def _last(events: Sequence[Event], kind: EventKind) -> Event | None:
    """The latest event of `kind` (by when it happened; the later learned on a tie)."""
    found = None
    for e in events:
        if e.kind is kind and (found is None or e.at >= found.at):
            found = e
    return found
