"""Routing in the store: leads nobody owns get a rep by the policy's rules, and
open clocks past their deadline are escalated, then re-routed (`leadqueue
route --once`, the team lead's live toggle, and a lead import for its
ownerless rows).

Every change is an event with actor `routing`, written with the lead's
projection in the same transaction (origin `routing`: the store's own work,
like an import's, never published by a sync). A pass is idempotent: what it
did is in the events it wrote, so a second pass finds nothing left to do.
One pass runs at a time: on PostgreSQL an advisory lock held to the end of
the transaction (a second router waits, then finds the work done), on SQLite
the store's write lock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lead import LeadProfile
from leadqueue.domain.lifecycle import fold
from leadqueue.domain.policy import Tier
from leadqueue.domain.routing import ROUTING_ACTOR, Choice, LeadFacts
from leadqueue.services.context import Services
from leadqueue.services.projection import Projection, project
from leadqueue.services.routing_pass import escalate_breaches, reroute_overdue
from leadqueue.services.routing_state import RouteSummary, RoutingState, facts_of_row
from leadqueue.store import pg_security
from leadqueue.store import repository as repo
from leadqueue.store import routing_queries as rq

CRM_OWNER = "(crm owner)"  # the rule an assignment to the owner a later import named carries


class RoutingRefused(Exception):
    """The router may not run here (a read-only store, a rep's own database role); one line."""


def facts_of_profile(profile: LeadProfile, tier: str) -> LeadFacts:
    return LeadFacts(
        region=profile.region,
        country=str(profile.extra.get("country") or ""),
        industry=profile.industry,
        source=profile.source,
        tier=tier,
        employees=profile.employees,
        score=profile.score,
    )


class ImportRouting:
    """Routing for one lead import: the ownerless rows of each batch, in the import's
    own transaction, sharing one round robin across the batches."""

    def __init__(self, services: Services, conn: Connection, now: datetime) -> None:
        self.services, self.conn, self.now = services, conn, now
        self._state: RoutingState | None = None  # taken on the first ownerless row
        self.by_rep: Counter[str] = Counter()
        self.by_rule: Counter[str] = Counter()
        self.unrouted = 0
        self.warnings: list[str] = []

    def choose(self, profile: LeadProfile, tier: str) -> Choice | None:
        if self._state is None:
            self._state = RoutingState(self.services, self.conn, self.now)
        choice = self._state.router.route(facts_of_profile(profile, tier))
        if choice is None:
            self.unrouted += 1
        else:
            self.by_rep[choice.rep] += 1
            self.by_rule[choice.rule] += 1
        return choice

    def finish(self) -> None:
        if self._state is not None:
            self.warnings = self._state.finish()


def routed_text(routing: ImportRouting) -> str:
    """What an import's summary line says of its routing: leads per rep and per rule."""
    text = ""
    if routing.by_rep:
        reps = ", ".join(f"{k} {n}" for k, n in sorted(routing.by_rep.items()))
        rules = ", ".join(f"{k} {n}" for k, n in sorted(routing.by_rule.items()))
        text += f", {sum(routing.by_rep.values())} routed ({reps}; by rule: {rules})"
    if routing.unrouted:
        text += (
            f", {routing.unrouted} unrouted (no rule matches, no fallback: `leadqueue route --list-unrouted`)"
        )
    return text


class RoutingService:
    def __init__(self, services: Services) -> None:
        self.s = services

    def route_once(self) -> RouteSummary:
        """Everything due now, in one transaction: route the leads nobody owns, escalate
        the breaches not yet escalated, re-route those past the threshold."""
        store = self.s.store
        if store.read_only:
            raise RoutingRefused(f"store {store.label} is read-only: nothing was routed")
        summary = RouteSummary()
        now = self.s.clock.now()
        with store.write() as conn:
            if pg_security.bound_by_policies(conn):
                raise RoutingRefused(
                    f"store {store.label}: routing writes as the store's owner, and this connection is"
                    " a rep's role: run `leadqueue route --once` as the store's owner (a timer)"
                )
            state = RoutingState(self.s, conn, now)
            self._route_unrouted(conn, state, summary)
            escalate_breaches(self.s, conn, state, summary)
            reroute_overdue(self.s, conn, state, summary)
            summary.warnings = state.finish()
        return summary

    def _route_unrouted(self, conn: Connection, state: RoutingState, summary: RouteSummary) -> None:
        policy = self.s.policy
        calendar_for = self.s.calendars(conn)
        projections: dict[tuple[str, str], Projection] = {}  # (tier, rep): every lead routed now shares them
        new_events: list[dict[str, Any]] = []
        written: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        for row in rq.unrouted_leads(conn):
            if policy.crm.closed_in_crm(row.source_system, row.crm_status, False):
                continue  # closed in the CRM since it came in: nobody's to work
            if row.crm_owner in state.roster:
                # A later import named the CRM's owner: the CRM's word stands, as for any lead.
                choice = Choice(row.crm_owner, CRM_OWNER, "crm")
            else:
                choice = state.router.route(facts_of_row(row))
            if choice is None:
                summary.unrouted += 1
                continue
            event = Event(
                kind=EventKind.ASSIGNED, actor=ROUTING_ACTOR, at=state.now, payload=choice.payload()
            )
            key = (row.tier, choice.rep)
            if key not in projections:
                projections[key] = project(fold([event]), Tier(row.tier), policy, calendar_for, state.now)
            new_events.append(repo.event_values(row.id, event, rq.ORIGIN_ROUTING))
            written[row.id] = (projections[key].columns, projections[key].runs)
            summary.by_rep[choice.rep] += 1
            summary.by_rule[choice.rule] += 1
        repo.insert_events(conn, new_events)
        repo.write_projections(conn, written)

    def unrouted(self, limit: int | None = None) -> tuple[list[Any], int]:
        """The leads nobody owns (at most `limit`), and how many there are."""
        with self.s.store.read() as conn:
            return rq.unrouted_leads(conn, limit), rq.count_unrouted(conn)

    def routed_to(self, rep: str, after_seq: int) -> list[RoutedLead]:
        """Leads routing gave `rep` (or re-routed to them) after event `after_seq`."""
        with self.s.store.read() as conn:
            rows = rq.routed_since(conn, after_seq)
        out = []
        for r in rows:
            payload = r.payload if isinstance(r.payload, dict) else {}
            to = payload.get("rep") if r.kind == EventKind.ASSIGNED.value else payload.get("to")
            if to == rep:
                name = f"{r.first_name} {r.last_name}".strip() or r.crm_id
                out.append(RoutedLead(r.crm_id, name, r.company or "", r.kind == EventKind.REASSIGNED.value))
        return out


@dataclass(frozen=True)
class RoutedLead:
    crm_id: str
    name: str
    company: str
    rerouted: bool

    def message(self) -> str:
        verb = "Re-routed to you" if self.rerouted else "Routed to you"
        company = f" ({self.company})" if self.company else ""
        return f"{verb}: {self.name}{company}"
