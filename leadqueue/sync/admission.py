"""Whether a pulled record may join this store's history: what depends on the
store rather than on the record alone (sync.rules has that part).

- Its event id: one already here with the same content is already present;
  with other content it is a conflict, reported (naming where the one here
  came from), never applied; one that two records taken in together claim
  with different contents is applied from neither, and both are reported.
- Who may record it on that lead: domain.authority, the one rule for local
  decisions and pulled records alike, given the rep (this store's roster) and
  the lead's owner before the record (its history here, with what this pull
  admitted before it).
- An undo: its target is a decision of the same lead that may be taken back,
  made no longer than the policy's grace before the undo.
- Unresponsive needs the policy's number of logged contact attempts.

A record that fails on its lead's history so far (the owner, the undo's
target) may pass once more of the history has arrived, so the caller parks
it and asks again at the end of the sync; anything else fails for good.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection

from leadqueue.domain import authority
from leadqueue.domain.events import UNDOABLE, Event, EventKind
from leadqueue.domain.lifecycle import fold
from leadqueue.domain.policy import Policy
from leadqueue.domain.records import make_record, to_record
from leadqueue.domain.roster import Rep
from leadqueue.store import repository as repo
from leadqueue.store.roster import load_reps
from leadqueue.store.schema import ORIGIN_IMPORT, ORIGIN_LOCAL
from leadqueue.store.sync_ledger import ParkedRecord, StoredEvent, lead_owners, stored_events

K = EventKind
# Kinds whose arrival can change the owner a later record is checked against.
_OWNER_CHANGING = frozenset({K.ASSIGNED, K.REASSIGNED, K.UNDONE})


@dataclass(frozen=True)
class Verdict:
    reason: str
    final: bool  # False: may pass once more of the lead's history is here


class Admission:
    """Checks for the records of one transaction, in the order they are admitted.

    A lead's owner is its projection's (rewritten from its events in every
    transaction that adds one) until this pull admits an event that can change
    it; only then, or for an undo, are the lead's events read and folded."""

    def __init__(self, conn: Connection, policy: Policy, lead_ids: Sequence[int]) -> None:
        self.conn = conn
        self.roster: dict[str, Rep] = {r.key: r for r in load_reps(conn)}
        self.grace = timedelta(minutes=policy.undo_grace_minutes)
        self.policy = policy
        self._owner = lead_owners(conn, lead_ids)
        self._stored: dict[int, list[Event]] = {}  # read when first needed
        self._added: dict[int, list[Event]] = {}
        self._refold: set[int] = set()

    def history(self, lead_id: int) -> list[Event]:
        """The lead's events in this store, then those admitted since."""
        if lead_id not in self._stored:
            self._stored[lead_id] = repo.lead_events(self.conn, lead_id)
        return [*self._stored[lead_id], *self._added.get(lead_id, ())]

    def owner(self, lead_id: int) -> str | None:
        if lead_id in self._refold:
            self._owner[lead_id] = fold(self.history(lead_id)).owner
            self._refold.discard(lead_id)
        return self._owner.get(lead_id)

    def check(self, lead_id: int, event: Event) -> Verdict | None:
        """Why `event` may not join lead_id's history now, or None if it may."""
        rep = self.roster.get(event.actor)
        owner = self.owner(lead_id)
        reason = authority.why_not(rep, event.kind, owner, who=event.actor)
        if reason is not None:
            # An owner's work may be read before the reassignment that made them the owner.
            later = rep is not None and event.kind in authority.OWNER_ONLY | authority.OWNER_OR_LEAD
            return Verdict(reason, final=not later)
        if event.kind is K.UNDONE:
            return self._undo(lead_id, event)
        if event.kind is K.DISPOSED and event.payload.get("outcome") == "unresponsive":
            attempts = fold(self.history(lead_id)).contact_attempts
            if attempts < self.policy.min_unresponsive_attempts:
                return Verdict(
                    f"unresponsive needs at least {self.policy.min_unresponsive_attempts} logged contact"
                    f" attempts ({attempts} here)",
                    final=False,
                )
        return None

    def admit(self, lead_id: int, event: Event) -> None:
        self._added.setdefault(lead_id, []).append(event)
        if event.kind in _OWNER_CHANGING:
            self._refold.add(lead_id)

    def _undo(self, lead_id: int, event: Event) -> Verdict | None:
        target_id = event.payload["target"]
        target = next((e for e in self.history(lead_id) if e.event_id == target_id), None)
        if target is None:
            return Verdict(f"undoes event {target_id}, which this lead does not have (yet)", final=False)
        if target.kind not in UNDOABLE or target.kind.value != event.payload["target_kind"]:
            return Verdict(f"undoes a {target.kind.value} event: only a decision can be undone", final=True)
        age = event.at - target.at
        if age < timedelta(0):
            return Verdict("undoes a decision made after it", final=True)
        if age > self.grace:
            minutes = int(age.total_seconds() // 60)
            return Verdict(
                f"undoes a {target.kind.value} decision {minutes} min after it; undo is only possible"
                f" within {self.policy.undo_grace_minutes} min",
                final=True,
            )
        return None


class Seen:
    """Event ids already in this store, those this pull has taken so far, and those
    the files taken in together claim, with what each says: the same id saying
    something else is a conflict, not a repeat. An id that two records of these
    files claim with different contents, and that this store does not have yet,
    is applied from neither: which one its writer's rep really made cannot be
    told, and the one whose folder sorts first must not win."""

    def __init__(self, conn: Connection, claims: Sequence[tuple[str, str, Event]]) -> None:
        """`claims`: (where, crm_id, event) for each record of the files, where is
        its "<path>: line N"."""
        self._stored: dict[str, StoredEvent | ParkedRecord | tuple[str, Event, str]]
        self._stored = dict(stored_events(conn, [e.event_id for _, _, e in claims]))
        self._contested = _contested(claims)

    def verdict(self, crm_id: str, event: Event, where: str = "") -> str | None:
        """None: new. "present": the same event again. Otherwise the conflict's description."""
        known = self._stored.get(event.event_id)
        if known is None:
            claims = self._contested.get(event.event_id)
            if claims is None:
                return None
            others = "; ".join(w for w in claims if w != where)
            return (
                f"event id {event.event_id} is also claimed with other content by {others}: neither is"
                " applied"
            )
        if isinstance(known, StoredEvent):
            said = make_record(event.event_id, known.crm_id, known.kind, known.actor, known.at, known.payload)
            holder = _holder(known.origin)
        elif isinstance(known, tuple):  # taken by this pull
            said = to_record(known[0], known[1])
            holder = _holder(known[2])
        else:  # parked
            said = dict(known.record)
            holder = _holder(known.writer)
        if said == to_record(crm_id, event):
            return "present"
        return (
            f"event id {event.event_id} is already in this store with other content ({holder}): not applied"
        )

    def add(self, crm_id: str, event: Event, writer: str) -> None:
        self._stored[event.event_id] = (crm_id, event, writer)


def _holder(origin: str) -> str:
    if origin == ORIGIN_LOCAL:
        return "recorded in this store"
    if origin == ORIGIN_IMPORT:
        return "from a lead import"
    return f"from writer {origin}"


def _contested(claims: Sequence[tuple[str, str, Event]]) -> dict[str, list[str]]:
    """The ids claimed with more than one content, and where each claim is."""
    by_id: dict[str, list[tuple[str, str, Event]]] = {}
    for claim in claims:
        by_id.setdefault(claim[2].event_id, []).append(claim)
    contested: dict[str, list[str]] = {}
    for event_id, group in by_id.items():
        if len(group) < 2:
            continue
        contents: list[dict[str, Any]] = []
        for _, crm_id, event in group:
            said = to_record(crm_id, event)
            if said not in contents:
                contents.append(said)
        if len(contents) > 1:
            contested[event_id] = [where for where, _, _ in group]
    return contested
