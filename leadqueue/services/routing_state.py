"""What a routing pass works with: the roster and round robin places one
transaction sees (RoutingState), a stored lead's facts as rules match them,
and what a pass did (RouteSummary). Below both services.routing and the
clock work in services.routing_pass, which each use them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from leadqueue.domain.roster import Rep
from leadqueue.domain.routing import LeadFacts, RepState, Router, working_now
from leadqueue.domain.routing_policy import Routing
from leadqueue.services.context import Services
from leadqueue.store import routing_queries as rq
from leadqueue.store.roster import load_reps


def facts_of_row(row: Any) -> LeadFacts:
    """A stored lead's fields as rules match them."""
    extra = row.extra if isinstance(row.extra, dict) else {}
    return LeadFacts(
        region=row.region or "",
        country=str(extra.get("country") or ""),
        industry=row.industry or "",
        source=row.source or "",
        tier=row.tier or "standard",
        employees=row.employees,
        score=row.score,
    )


@dataclass
class RoutingState:
    """The roster and round robin places as one transaction sees them, and the Router
    that shares leads out over them (made on first use: a pass with nothing to route
    never counts anyone's undecided leads); `finish()` keeps the places it moved."""

    services: Services
    conn: Connection
    now: datetime
    roster: dict[str, Rep] = field(init=False)
    _router: Router | None = field(init=False, default=None)
    _before: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        rq.lock_router(self.conn)
        self.roster = {r.key: r for r in load_reps(self.conn)}

    @property
    def router(self) -> Router:
        if self._router is None:
            routing = self.services.policy.routing or Routing()
            counts = rq.undecided_counts(self.conn)
            calendar_for = self.services.calendars(self.conn) if _any_only_working(routing) else None
            reps = {
                key: RepState(
                    key,
                    rep.team,
                    rep.away_until,
                    rep.max_undecided,
                    counts.get(key, 0),
                    working_now(calendar_for(key), self.now) if calendar_for else True,
                )
                for key, rep in self.roster.items()
            }
            self._router = Router(routing, reps, rq.read_pointers(self.conn), self.now)
            self._before = dict(self._router.pointers)
        return self._router

    def finish(self) -> list[str]:
        """Keep the round robin places; the warnings of the pass."""
        if self._router is None:
            return []
        rq.write_pointers(self.conn, self._router.pointers, self._before)
        return [
            f"a routing rule names {key!r}, who is not a rep on the roster: skipped"
            for key in sorted(self._router.unknown)
        ]


def _any_only_working(routing: Routing) -> bool:
    return any(rule.only_working for rule in routing.rules)


@dataclass
class RouteSummary:
    """What one pass did."""

    by_rep: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    unrouted: int = 0  # leads no rule matched (and no fallback), or whose group had no rep free
    escalated: Counter[str] = field(default_factory=Counter)  # by whom they were addressed to
    rerouted: int = 0
    stuck: int = 0  # due for re-routing, but no other rep of the group may take it
    warnings: list[str] = field(default_factory=list)

    @property
    def routed(self) -> int:
        return sum(self.by_rep.values())

    @property
    def changed(self) -> bool:
        return bool(self.routed or self.escalated or self.rerouted)

    def lines(self) -> list[str]:
        out = []
        if self.routed:
            reps = ", ".join(f"{k} {n}" for k, n in sorted(self.by_rep.items()))
            rules = ", ".join(f"{k} {n}" for k, n in sorted(self.by_rule.items()))
            out.append(f"routed {self.routed} lead(s): {reps} (by rule: {rules})")
        if self.escalated:
            to = ", ".join(f"to {k} {n}" for k, n in sorted(self.escalated.items()))
            out.append(f"escalated {sum(self.escalated.values())} breach(es): {to}")
        if self.rerouted:
            out.append(f"re-routed {self.rerouted} lead(s) past their re-route threshold")
        if self.stuck:
            out.append(
                f"{self.stuck} lead(s) due for re-routing, but no other rep of the group may take them"
            )
        if self.unrouted:
            out.append(
                f"{self.unrouted} lead(s) unrouted: no rule matches and no fallback, or no rep may take them"
                " (`leadqueue route --list-unrouted`)"
            )
        return out or ["nothing due: no lead to route, no breach to escalate or re-route"]
