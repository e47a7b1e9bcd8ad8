"""`[routing]` in policy.toml: which rep gets a lead nobody owns, and what the
router does when a clock breaches.

    [routing]
    fallback = ["tess"]                 # [] leaves unmatched leads unassigned (unrouted)

    [[routing.rules]]                   # first match wins
    name = "emea-software"
    match = { region = ["EMEA"], industry = ["Software"], employees = { min = 50 } }
    reps = ["lena", "omar"]             # or team = "emea" (the roster's `team`)
    method = "round_robin"              # or "least_open" (fewest undecided leads)
    only_working = true                 # skip reps outside their working hours
    max_undecided = 40                  # skip a rep holding this many undecided leads

    [routing.escalation.decision]       # per clock: decision, first_touch, discovery, disposition
    escalate = true                     # at breach: escalated to the rep's reports_to (or the team)
    auto_reroute = true                 # at the re-route threshold: to the next rep of the group
    reroute_after = "4h"                # after the deadline; default: the clock's whole window again

An error names the rule and the key to change (`routing.rules.0.match.employees:
rule 'emea-software': ...`). Whether the reps a rule names are on the roster is
for the router to say, which has the store.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from leadqueue.domain.durations import parse_window

Method = Literal["round_robin", "least_open"]
TierName = Literal["hot", "standard", "low"]
ClockKey = Literal["decision", "first_touch", "discovery", "disposition"]
CLOCK_KEYS: tuple[ClockKey, ...] = ("decision", "first_touch", "discovery", "disposition")
FALLBACK = "fallback"  # the rule name an assignment by the fallback group carries
MAX_RULE_NAME = 48  # the round robin's place is kept under "routing.rr.<name>" (64 characters)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class RuleError(ValueError):
    """A problem that names the key to change; settings.toml_errors reads `key`."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NumberRange(_Strict):
    """`{ min = 50, max = 500 }` (either may be left out) or `[50, 500]`; both ends count."""

    min: int | None = None
    max: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise ValueError("a range is [min, max] or { min = N, max = N }")
            return {"min": value[0], "max": value[1]}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> NumberRange:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    def holds(self, value: int | None) -> bool:
        if value is None:  # an unknown size or score matches no range
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        if self.max is None:
            return f">= {self.min}"
        if self.min is None:
            return f"<= {self.max}"
        return f"{self.min}-{self.max}"


def _text_list(value: Any) -> Any:
    """A list of plain one-line texts; one text alone is a list of one."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        if not value:
            raise ValueError("an empty list matches no lead: leave the key out to match any")
        for item in value:
            if isinstance(item, str) and (not item.strip() or _CONTROL.search(item)):
                raise ValueError(f"{item!r} is not one line of text")
    return value


class RuleMatch(_Strict):
    """Every listed field must match; a list means any of its values (case aside)."""

    region: list[str] | None = None
    country: list[str] | None = None
    industry: list[str] | None = None
    source: list[str] | None = None
    tier: list[TierName] | None = None
    employees: NumberRange | None = None
    score: NumberRange | None = None

    @field_validator("region", "country", "industry", "source", "tier", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _text_list(value)


class RoutingRule(_Strict):
    name: str
    match: RuleMatch = RuleMatch()  # no field: every lead matches (a catch-all rule)
    reps: list[str] = Field(default_factory=list)  # roster keys, in round robin order
    team: str | None = None  # every rep whose roster `team` is this, in key order
    method: Method = "round_robin"
    only_working: bool = False
    max_undecided: int | None = Field(None, ge=0)  # each rep's cap here (the rep's own, if lower, wins)

    @model_validator(mode="wrap")
    @classmethod
    def _named(cls, data: Any, handler: Any) -> RoutingRule:
        """Any error of a rule says which rule, by name, and which key."""
        name = data.get("name") if isinstance(data, dict) else None
        who = f"rule {name!r}" if isinstance(name, str) and name.strip() else "a rule"
        try:
            rule: RoutingRule = handler(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"]) or "name"
            message = first["msg"].removeprefix("Value error, ")
            if first["type"] == "extra_forbidden":
                message = "unknown key"
            raise RuleError(key, f"{who}: {message}") from None
        if not rule.reps and not (rule.team and rule.team.strip()):
            raise RuleError("reps", f'{who}: a rule needs reps = ["key", ...] or team = "name"')
        return rule

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value or _CONTROL.search(value):
            raise ValueError("a rule needs a name: one line of text")
        if len(value) > MAX_RULE_NAME:
            raise ValueError(f"{value[:20]!r}... is {len(value)} characters long; at most {MAX_RULE_NAME}")
        if value == FALLBACK:
            raise ValueError(f"{FALLBACK!r} names the fallback group: give the rule another name")
        return value

    @field_validator("reps")
    @classmethod
    def _keys(cls, value: list[str]) -> list[str]:
        seen: list[str] = []
        for key in value:
            key = key.strip()
            if not key:
                raise ValueError("a rep key is empty")
            if key in seen:
                raise ValueError(f"rep {key!r} is listed twice")
            seen.append(key)
        return seen


class ClockEscalation(_Strict):
    escalate: bool = True
    auto_reroute: bool = False
    # Real time after the deadline; None: the clock's whole window again (the breaches screen's re-route).
    reroute_after: str | None = None

    @field_validator("reroute_after")
    @classmethod
    def _elapsed(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if parse_window(value).in_business_days:
            raise ValueError(f"{value!r}: reroute_after is real time after the deadline (m, h or d)")
        return value

    def reroute_seconds(self) -> float | None:
        return parse_window(self.reroute_after).seconds if self.reroute_after else None


def _default_escalation() -> dict[ClockKey, ClockEscalation]:
    return {clock: ClockEscalation() for clock in CLOCK_KEYS}


class Routing(_Strict):
    fallback: list[str] = Field(default_factory=list)  # roster keys; [] leaves such leads unrouted
    fallback_method: Method = "round_robin"
    rules: list[RoutingRule] = Field(default_factory=list)
    escalation: dict[ClockKey, ClockEscalation] = Field(default_factory=_default_escalation)

    @field_validator("escalation", mode="before")
    @classmethod
    def _over_the_defaults(cls, value: Any) -> Any:
        # A clock left out keeps its defaults (escalate at breach, re-route by hand).
        if isinstance(value, dict):
            return {**_default_escalation(), **value}
        return value

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, value: list[RoutingRule]) -> list[RoutingRule]:
        for i, rule in enumerate(value):
            earlier = next((j for j in range(i) if value[j].name == rule.name), None)
            if earlier is not None:
                raise RuleError(f"{i}.name", f"rule {rule.name!r} is also the name of rule {earlier}")
        return value

    def rule(self, name: str) -> RoutingRule | None:
        return next((r for r in self.rules if r.name == name), None)

    def for_clock(self, clock: str) -> ClockEscalation:
        return self.escalation.get(clock, ClockEscalation())  # type: ignore[call-overload,no-any-return]
