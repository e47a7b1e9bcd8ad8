"""Routing: which rule a lead matches, and which rep of the rule's group gets it.

Pure: the caller loads the roster's routing facts (RepState), each rule's
round robin place (`pointers`, the last rep it chose) and the leads, and
writes what comes out. A Router keeps its state across the leads of one pass,
so a batch of leads is shared out as one lead at a time would be.

- The first rule whose every listed field matches the lead wins; no rule
  matching sends the lead to the fallback group, and with none it stays
  unrouted (the caller lists it, never drops it).
- Within a group, `round_robin` takes the next rep after the rule's last
  choice; `least_open` the rep with the fewest undecided leads (ties in
  round robin order). A rep is skipped while away, at capacity
  (`max_undecided`, the rep's own or the rule's, whichever is lower), or
  outside working hours when the rule says `only_working`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from leadqueue.domain.calendar import WorkCalendar
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.roster import fold
from leadqueue.domain.routing_policy import FALLBACK, ClockEscalation, Method, Routing, RoutingRule, RuleMatch
from leadqueue.domain.sla import ClockStatus

ROUTING_ACTOR = "routing"  # who routing's events are recorded as: not a person on the roster
METHOD_WORDS = {"round_robin": "round robin", "least_open": "fewest undecided leads"}


@dataclass(frozen=True)
class LeadFacts:
    """What rules match on: the lead's fields as stored."""

    region: str = ""
    country: str = ""
    industry: str = ""
    source: str = ""
    tier: str = "standard"
    employees: int | None = None
    score: int | None = None


_TEXT_FIELDS = ("region", "country", "industry", "source", "tier")
_fold = lru_cache(maxsize=4096)(fold)  # a few regions and industries, over and over


@lru_cache(maxsize=4096)
def _folded(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_fold(v) for v in values)


def matches(match: RuleMatch, lead: LeadFacts) -> bool:
    """Every field the rule lists matches (a list: any of its values, case and spacing aside)."""
    for name in _TEXT_FIELDS:
        wanted = getattr(match, name)
        if wanted is not None and _fold(getattr(lead, name)) not in _folded(tuple(wanted)):
            return False
    for name in ("employees", "score"):
        span = getattr(match, name)
        if span is not None and not span.holds(getattr(lead, name)):
            return False
    return True


def matched_fields(match: RuleMatch, lead: LeadFacts) -> str:
    """What made the lead match, for `show`: 'region EMEA, employees 1200 (50-5000)'."""
    parts = [f"{name} {getattr(lead, name)}" for name in _TEXT_FIELDS if getattr(match, name) is not None]
    for name in ("employees", "score"):
        span = getattr(match, name)
        if span is not None:
            parts.append(f"{name} {getattr(lead, name)} ({span.describe()})")
    return ", ".join(parts) or "every lead"


@dataclass
class RepState:
    """A rep as routing sees them now; `undecided` grows as the pass assigns."""

    key: str
    team: str | None = None
    away_until: datetime | None = None
    max_undecided: int | None = None
    undecided: int = 0
    working: bool = True  # inside the rep's working hours now

    def why_not(self, now: datetime, rule_cap: int | None, only_working: bool) -> str | None:
        """Why the rep is skipped now, or None."""
        if self.away_until is not None and self.away_until > now:
            return f"away until {self.away_until.isoformat(timespec='minutes')}"
        caps = [c for c in (self.max_undecided, rule_cap) if c is not None]
        if caps and self.undecided >= min(caps):
            return f"at capacity ({self.undecided} undecided, at most {min(caps)})"
        if only_working and not self.working:
            return "outside working hours"
        return None


@dataclass(frozen=True)
class Group:
    rule: str  # the rule's name, or FALLBACK
    method: Method
    reps: tuple[str, ...]  # in round robin order
    only_working: bool = False
    max_undecided: int | None = None


@dataclass(frozen=True)
class Choice:
    rep: str
    rule: str
    method: str
    matched: str = ""
    skipped: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        """What the event says: who, by which rule and method, and why."""
        out: dict[str, Any] = {"rep": self.rep, "rule": self.rule, "method": self.method}
        if self.matched:
            out["matched"] = self.matched
        if self.skipped:
            out["skipped"] = list(self.skipped)
        return out


@dataclass
class Router:
    routing: Routing
    reps: Mapping[str, RepState]
    pointers: MutableMapping[str, str]  # rule name -> the rep it chose last
    now: datetime
    unknown: set[str] = field(default_factory=set)  # rep keys a rule names that the roster lacks
    _groups: dict[str, Group] = field(default_factory=dict)  # the roster's teams hold for a pass

    def group_of(self, rule: RoutingRule) -> Group:
        if rule.name not in self._groups:
            self._groups[rule.name] = self._group_of(rule)
        return self._groups[rule.name]

    def _group_of(self, rule: RoutingRule) -> Group:
        keys = list(rule.reps)
        if rule.team:
            team = fold(rule.team)
            keys += sorted(
                k for k, r in self.reps.items() if r.team and fold(r.team) == team and k not in keys
            )
        return Group(rule.name, rule.method, tuple(keys), rule.only_working, rule.max_undecided)

    def fallback(self) -> Group | None:
        if not self.routing.fallback:
            return None
        return Group(FALLBACK, self.routing.fallback_method, tuple(self.routing.fallback))

    def group_for(self, lead: LeadFacts) -> tuple[Group | None, str]:
        """The first matching rule's group (and what matched), else the fallback's."""
        for rule in self.routing.rules:
            if matches(rule.match, lead):
                return self.group_of(rule), matched_fields(rule.match, lead)
        return self.fallback(), ""

    def group_named(self, name: str, lead: LeadFacts) -> Group | None:
        """The group of the rule that routed a lead, for re-routing it; a rule since
        removed from the policy: the group the lead would get now."""
        if name == FALLBACK and self.routing.fallback:
            return self.fallback()
        rule = self.routing.rule(name)
        return self.group_of(rule) if rule is not None else self.group_for(lead)[0]

    def route(self, lead: LeadFacts) -> Choice | None:
        group, matched = self.group_for(lead)
        return self.choose(group, matched=matched) if group is not None else None

    def choose(
        self, group: Group, exclude: Iterable[str] = (), avoid: Iterable[str] = (), matched: str = ""
    ) -> Choice | None:
        """The group's next rep, never one in `exclude` and, if anyone else may, not
        one in `avoid`; None when every rep is skipped."""
        known = [k for k in group.reps if k in self.reps]
        self.unknown.update(k for k in group.reps if k not in self.reps)
        if not known:
            return None
        last = self.pointers.get(group.rule)
        start = known.index(last) + 1 if last in known else 0
        excluded, avoided = set(exclude), set(avoid)
        rotated = [k for k in known[start:] + known[:start] if k not in excluded]
        why: dict[str, str | None] = {}
        for k in rotated:
            why[k] = self.reps[k].why_not(self.now, group.max_undecided, group.only_working)
            if why[k] is None and group.method == "round_robin" and not avoided:
                break  # round robin takes the first rep free: the rest need not be asked
        eligible = [k for k in why if why[k] is None]
        fresh = [k for k in eligible if k not in avoided]
        pool = fresh or eligible
        if not pool:
            return None
        # least open: the fewest undecided, ties to the first in round robin order
        chosen = min(pool, key=lambda k: self.reps[k].undecided) if group.method == "least_open" else pool[0]
        self.pointers[group.rule] = chosen
        self.reps[chosen].undecided += 1
        skipped = tuple(f"{k} {why[k]}" for k in rotated[: rotated.index(chosen)] if why.get(k) is not None)
        return Choice(chosen, group.rule, group.method, matched, skipped)


def working_now(calendar: WorkCalendar, now: datetime) -> bool:
    """Whether `now` falls inside the calendar's working hours."""
    return any(start <= now < end for start, end in calendar.day_intervals(calendar.local_date(now)))


def reroute_due(status: ClockStatus, escalation: ClockEscalation, now: datetime) -> bool:
    """Whether an open, breached clock has reached its re-route threshold."""
    if status.deadline is None or status.stopped_at is not None:
        return False
    seconds = escalation.reroute_seconds()
    threshold = status.reroute_at if seconds is None else status.deadline + timedelta(seconds=seconds)
    return threshold is not None and now >= threshold


def escalation_since(
    events: Sequence[Event], clock: str, since: datetime, by: str | None = ROUTING_ACTOR
) -> Event | None:
    """The latest escalation of this clock's breach (at or after `since`, when it
    began) by `by`, or by anyone when `by` is None; an escalation that names no
    clock (a team lead's) is of every clock."""
    found = None
    for e in events:
        if (
            e.kind is EventKind.ESCALATED
            and (by is None or e.actor == by)
            and e.at >= since
            and e.payload.get("clock") in (None, clock)
            and (found is None or e.at >= found.at)
        ):
            found = e
    return found


def escalated_since(events: Sequence[Event], clock: str, since: datetime) -> bool:
    """Whether this clock's breach was already escalated (at or after `since`, its
    deadline), by routing or by a team lead: once per breach, as breach_acts says."""
    return escalation_since(events, clock, since, by=None) is not None


def routed_rule(events: Sequence[Event]) -> str | None:
    """The rule of routing's last assignment or re-route of the lead, if routing made one."""
    for e in reversed(events):
        if e.actor == ROUTING_ACTOR and e.kind in (EventKind.ASSIGNED, EventKind.REASSIGNED):
            rule = e.payload.get("rule")
            return str(rule) if rule else None
    return None


def notified(payload: Mapping[str, Any]) -> str:
    """Who an escalation was addressed to: 'maria', 'the team emea', 'the team'."""
    if payload.get("to"):
        return str(payload["to"])
    return f"the team {payload['team']}" if payload.get("team") else "the team"


def explain(events: Iterable[Event]) -> list[str]:
    """Why the lead is where it is, one line per routing event, for `show`."""
    lines = []
    for e in events:
        if e.actor != ROUTING_ACTOR:
            continue
        p = e.payload
        by = "the fallback group" if p.get("rule") == FALLBACK else f"rule {p.get('rule')}"
        how = METHOD_WORDS.get(str(p.get("method")), str(p.get("method") or ""))
        if e.kind is EventKind.ASSIGNED and p.get("method") == "crm":
            text = f"routed to {p.get('rep')}: an import named them as the lead's owner in the CRM"
        elif e.kind is EventKind.ASSIGNED:
            text = f"routed to {p.get('rep')} by {by} ({how})"
            if p.get("matched"):
                text += f": {p['matched']}"
            if p.get("skipped"):
                text += f"; skipped {', '.join(map(str, p['skipped']))}"
        elif e.kind is EventKind.REASSIGNED:
            text = (
                f"re-routed from {p.get('from')} to {p.get('to')} by {by} ({how}): the {p.get('clock')} clock"
                " was overdue by its re-route threshold"
            )
        elif e.kind is EventKind.ESCALATED:
            text = f"escalated to {notified(p)}: {p.get('rep')}'s {p.get('clock')} clock breached"
        else:
            continue
        lines.append(f"{e.at.isoformat(timespec='minutes')} {text}")
    return lines
