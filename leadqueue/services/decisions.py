"""Decisions on a lead: validate, check the transition, append the event and
refresh the projection, all in one write transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection

from leadqueue.domain.authority import NotAllowed, check
from leadqueue.domain.breach_acts import ONCE_PER_BREACH, check_once_per_breach
from leadqueue.domain.decisions import Accept, DecisionError, Dispose, NeedsInfo, Reject, Touch
from leadqueue.domain.durations import format_seconds
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lifecycle import (
    IllegalTransition,
    LeadHistory,
    check_append,
    fold,
    no_undo_reason,
    undo_target,
)
from leadqueue.domain.policy import Tier
from leadqueue.domain.records import encode, to_record
from leadqueue.domain.roster import Rep
from leadqueue.domain.sla import breaches
from leadqueue.services.acting import UnknownRep, acting_rep
from leadqueue.services.context import Services
from leadqueue.services.decision_kinds import Acknowledge, Decision, Escalate, Reassign, Undo
from leadqueue.services.projection import project
from leadqueue.store import outbox, pg_security
from leadqueue.store import repository as repo
from leadqueue.store.engine import StoreError
from leadqueue.store.pg_policies import CLOCK_TOLERANCE
from leadqueue.store.schema import ORIGIN_LOCAL


class LeadNotFound(LookupError):
    def __init__(self, crm_id: str) -> None:
        super().__init__(f"no lead with id {crm_id!r}")
        self.crm_id = crm_id


@dataclass(frozen=True)
class Outcome:
    crm_id: str
    event: Event
    history: LeadHistory


# Errors a caller shows as one line; anything else is a bug.
USER_ERRORS = (LeadNotFound, UnknownRep, IllegalTransition, DecisionError, NotAllowed)


class DecisionService:
    def __init__(self, services: Services) -> None:
        self.s = services

    def apply(self, crm_id: str, actor: str, decision: Decision) -> Outcome:
        """Any decision, by its type: the one entry point screens use."""
        match decision:
            case Accept():
                return self.accept(crm_id, actor, decision)
            case Reject():
                return self.reject(crm_id, actor, decision)
            case NeedsInfo():
                return self.needs_info(crm_id, actor, decision)
            case Touch():
                return self.touch(crm_id, actor, decision)
            case Dispose():
                return self.dispose(crm_id, actor, decision)
            case Undo():
                return self.undo(crm_id, actor)
            case Escalate(note=note):
                return self.escalate(crm_id, actor, note)
            case Acknowledge(note=note):
                return self.acknowledge(crm_id, actor, note)
            case Reassign(to_rep=to_rep, note=note):
                return self.reassign(crm_id, actor, to_rep, note)

    # -- the decisions -------------------------------------------------------
    def accept(self, crm_id: str, actor: str, decision: Accept) -> Outcome:
        payload = decision.payload(self.s.clock.now())
        return self._append(crm_id, actor, EventKind.ACCEPTED, lambda conn, h: payload)

    def reject(self, crm_id: str, actor: str, decision: Reject) -> Outcome:
        def build(conn: Connection, h: LeadHistory) -> dict[str, Any]:
            dup = decision.duplicate_of.strip()
            known = bool(repo.lead_ids_exist(conn, [dup])) if dup else None
            if dup and dup == crm_id:
                raise DecisionError("duplicate_of", "a lead cannot duplicate itself")
            return decision.payload(self.s.policy, known)

        decision.payload(self.s.policy)  # field errors before touching the store
        return self._append(crm_id, actor, EventKind.REJECTED, build)

    def needs_info(self, crm_id: str, actor: str, decision: NeedsInfo) -> Outcome:
        payload = decision.payload()
        return self._append(crm_id, actor, EventKind.NEEDS_INFO, lambda conn, h: payload)

    def touch(self, crm_id: str, actor: str, action: Touch) -> Outcome:
        kind = EventKind.CONVERSATION if action.conversation else EventKind.TOUCHED
        payload = action.payload()
        return self._append(crm_id, actor, kind, lambda conn, h: payload)

    def dispose(self, crm_id: str, actor: str, decision: Dispose) -> Outcome:
        return self._append(
            crm_id,
            actor,
            EventKind.DISPOSED,
            lambda conn, h: decision.payload(self.s.policy, h.contact_attempts),
        )

    def undo(self, crm_id: str, actor: str) -> Outcome:
        grace = timedelta(minutes=self.s.policy.undo_grace_minutes)
        now = self.s.clock.now()

        def build(conn: Connection, h: LeadHistory, events: list[Event]) -> dict[str, Any]:
            target = undo_target(events)
            if target is None:
                raise IllegalTransition(no_undo_reason(events))
            age = now - target.at
            if age > grace:
                raise IllegalTransition(
                    f"the {target.kind.value} decision is {int(age.total_seconds() // 60)} min old; undo is "
                    f"only possible within {self.s.policy.undo_grace_minutes} min: record a new decision"
                )
            return {"target": target.event_id, "target_kind": target.kind.value}

        return self._append(crm_id, actor, EventKind.UNDONE, build, with_events=True)

    def view(self, crm_id: str, actor: str) -> Outcome:
        return self._append(crm_id, actor, EventKind.VIEWED, lambda conn, h: {})

    def escalate(self, crm_id: str, actor: str, note: str = "") -> Outcome:
        """Flag the lead's breach to the team; once per breach (domain.breach_acts)."""
        return self._append(
            crm_id, actor, EventKind.ESCALATED, lambda conn, h: {"note": note.strip()} if note.strip() else {}
        )

    def acknowledge(self, crm_id: str, actor: str, note: str = "") -> Outcome:
        """A team lead has seen the lead's breach; shown on the breaches screen until it changes
        hands. Once per breach (domain.breach_acts): again with no breach or escalation since is refused."""
        return self._append(
            crm_id,
            actor,
            EventKind.ACKNOWLEDGED,
            lambda conn, h: {"note": note.strip()} if note.strip() else {},
        )

    def reassign(self, crm_id: str, actor: str, to_rep: str, note: str = "") -> Outcome:
        def build(conn: Connection, h: LeadHistory) -> dict[str, Any]:
            key = repo.resolve_rep(conn, to_rep)
            if key is None:
                raise UnknownRep(f"unknown rep {to_rep!r}")
            if key == h.owner:
                raise IllegalTransition(f"the lead is already assigned to {key}")
            out: dict[str, Any] = {"from": h.owner, "to": key}
            if note.strip():
                out["note"] = note.strip()
            return out

        return self._append(crm_id, actor, EventKind.REASSIGNED, build)

    def returned_from_marketing(self, crm_id: str, actor: str, note: str = "") -> Outcome:
        return self._append(
            crm_id,
            actor,
            EventKind.RETURNED_FROM_MARKETING,
            lambda conn, h: {"note": note.strip()} if note.strip() else {},
        )

    # -- the one write path ----------------------------------------------------
    def _append(
        self,
        crm_id: str,
        actor: str,
        kind: EventKind,
        build: Callable[..., dict[str, Any]],
        with_events: bool = False,
    ) -> Outcome:
        """Record one event as `actor` (a rep's key, or what names one). Who acts and
        whether they may (domain.authority) is settled in the write transaction
        itself, so the roster or the lead's owner cannot change in between, and a
        refusal writes nothing."""
        try:
            with self.s.store.write() as conn:
                rep = acting_rep(conn, actor)
                assert rep is not None
                row = repo.find_lead(conn, crm_id, for_update=True)
                if row is None:
                    self._refuse_hidden_lead(conn, crm_id, rep, kind)
                    raise LeadNotFound(crm_id)
                events = repo.lead_events(conn, row.id)
                before = fold(events)
                check(rep, kind, before.owner)
                payload = build(conn, before, events) if with_events else build(conn, before)
                event = Event(kind=kind, actor=rep.key, at=self.s.clock.now(), payload=payload)
                after = check_append(events, event)
                if kind in ONCE_PER_BREACH:
                    tier, calendars = Tier(row.tier), self.s.calendars(conn)
                    found = breaches(before, tier, self.s.policy, calendars, event.at)
                    zone = self.s.zone_of(conn, rep.key)
                    check_once_per_breach(kind, events, before, found, zone, event.at)
                seq = repo.insert_event(conn, repo.event_values(row.id, event, ORIGIN_LOCAL))
                # Encoded now, in the event's own transaction: publishing only reads ready lines.
                outbox.add_line(conn, seq, encode(to_record(crm_id, event)))
                p = project(after, Tier(row.tier), self.s.policy, self.s.calendars(conn), event.at)
                repo.write_projection(conn, row.id, p.columns, p.runs)
        except StoreError as exc:
            # A PostgreSQL team store's own policies said no (store.pg_security): one line.
            reason = pg_security.refused_by_database(exc)
            if reason is None:
                raise
            why = self._clock_off() or reason
            raise NotAllowed(
                f"store {self.s.store.label} refuses this {kind.value} event on {crm_id}: {why}"
            ) from exc
        return Outcome(crm_id, event, after)

    def _clock_off(self) -> str | None:
        """Why a PostgreSQL team store refused an event, when it is this machine's clock:
        the server takes events dated by its own clock, within CLOCK_TOLERANCE."""
        with self.s.store.read() as conn:
            off = self.s.clock.now() - pg_security.server_time(conn)
        if abs(off) <= CLOCK_TOLERANCE:
            return None
        way = "ahead of" if off > timedelta(0) else "behind"
        return (
            f"this machine's clock is {format_seconds(abs(off).total_seconds())} {way} the store server's,"
            f" which takes events dated within {format_seconds(CLOCK_TOLERANCE.total_seconds())} of its own:"
            " set this machine's clock"
        )

    @staticmethod
    def _refuse_hidden_lead(conn: Connection, crm_id: str, rep: Rep, kind: EventKind) -> None:
        """On a PostgreSQL team store a lead the role may not write is not even
        locked for it: say why rather than that there is no such lead."""
        if not pg_security.bound_by_policies(conn):
            return
        row = repo.find_lead(conn, crm_id)
        if row is None:
            return
        check(rep, kind, fold(repo.lead_events(conn, row.id)).owner)
        raise NotAllowed(f"{rep.key} may not write lead {crm_id}: the store's policies refuse it")
