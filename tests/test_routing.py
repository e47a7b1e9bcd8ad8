"""Routing: rule matching with every field, the policy's errors, and properties of
the rep choice (round robin fair within one lead; never an away or full rep) and
of a pass (`route --once` twice is once)."""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.routing import LeadFacts, RepState, Router, matches
from leadqueue.domain.routing_policy import Routing, RuleMatch
from leadqueue.services.context import Services
from leadqueue.services.routing import RoutingService
from leadqueue.settings.policy_file import SettingsError, parse_policy
from leadqueue.store.engine import open_store
from tests.routing_helpers import add_reps, all_events, import_leads, routing_policy, write_leads

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # a Friday, 10:00 in New York
LEAD = LeadFacts(
    region="EMEA",
    country="Germany",
    industry="Software",
    source="Webinar",
    tier="hot",
    employees=1200,
    score=85,
)

# -- rule matching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        ({"region": ["EMEA"]}, True),
        ({"region": ["emea "]}, True),  # case and spacing aside
        ({"region": ["NA", "APAC"]}, False),
        ({"region": "EMEA"}, True),  # one value alone is a list of one
        ({"country": ["germany"]}, True),
        ({"country": ["France"]}, False),
        ({"industry": ["Software", "Logistics"]}, True),  # a list: any of
        ({"industry": ["Logistics"]}, False),
        ({"source": ["Webinar"]}, True),
        ({"source": ["Paid search"]}, False),
        ({"tier": ["hot"]}, True),
        ({"tier": ["standard", "low"]}, False),
        ({"employees": {"min": 1000}}, True),
        ({"employees": {"max": 1000}}, False),
        ({"employees": [1200, 1200]}, True),  # both ends count
        ({"employees": [50, 1199]}, False),
        ({"score": {"min": 80, "max": 100}}, True),
        ({"score": {"min": 86}}, False),
        ({}, True),  # no field: a catch-all
        ({"region": ["EMEA"], "industry": ["Software"], "employees": {"min": 50}}, True),
        ({"region": ["EMEA"], "industry": ["Retail"]}, False),  # every listed field must match
    ],
)
def test_a_rule_matches_on_every_field(match: dict[str, Any], expected: bool) -> None:
    assert matches(RuleMatch.model_validate(match), LEAD) is expected


def test_an_unknown_size_or_score_matches_no_range() -> None:
    unknown = LeadFacts(region="EMEA", employees=None, score=None)
    assert not matches(RuleMatch.model_validate({"employees": {"min": 0}}), unknown)
    assert not matches(RuleMatch.model_validate({"score": {"max": 100}}), unknown)
    assert matches(RuleMatch.model_validate({"region": ["EMEA"]}), unknown)


def test_the_first_matching_rule_wins_then_the_fallback() -> None:
    routing = Routing.model_validate(
        {
            "fallback": ["tess"],
            "rules": [
                {"name": "software", "match": {"industry": ["Software"]}, "reps": ["lena"]},
                {"name": "emea", "match": {"region": ["EMEA"]}, "reps": ["omar"]},
            ],
        }
    )
    router = Router(routing, {k: RepState(k) for k in ("lena", "omar", "tess")}, {}, NOW)
    assert router.route(LEAD).rule == "software"  # type: ignore[union-attr]
    assert router.route(LeadFacts(region="EMEA", industry="Retail")).rule == "emea"  # type: ignore[union-attr]
    fallback = router.route(LeadFacts(region="APAC"))
    assert fallback is not None and (fallback.rep, fallback.rule) == ("tess", "fallback")
    assert Router(Routing(rules=routing.rules), router.reps, {}, NOW).route(LeadFacts(region="APAC")) is None


def test_a_team_names_every_rep_of_that_team() -> None:
    routing = Routing.model_validate({"rules": [{"name": "na", "team": "NA Team"}]})
    reps = {
        "b": RepState("b", team="na team"),
        "a": RepState("a", team="NA Team"),
        "c": RepState("c", team="emea"),
    }
    router = Router(routing, reps, {}, NOW)
    assert [router.route(LEAD).rep for _ in range(4)] == ["a", "b", "a", "b"]  # type: ignore[union-attr]


def test_least_open_takes_the_fewest_undecided_ties_in_round_robin_order() -> None:
    routing = Routing.model_validate(
        {"rules": [{"name": "r", "reps": ["a", "b", "c"], "method": "least_open"}]}
    )
    reps = {"a": RepState("a", undecided=3), "b": RepState("b", undecided=1), "c": RepState("c", undecided=1)}
    router = Router(routing, reps, {}, NOW)
    assert [router.route(LEAD).rep for _ in range(5)] == ["b", "c", "b", "c", "a"]  # type: ignore[union-attr]


def test_a_rep_outside_working_hours_is_skipped_only_when_the_rule_says() -> None:
    rules = [{"name": "r", "reps": ["night", "day"], "only_working": True}]
    reps = {"night": RepState("night", working=False), "day": RepState("day")}
    choice = Router(Routing.model_validate({"rules": rules}), reps, {}, NOW).route(LEAD)
    assert choice is not None and choice.rep == "day" and choice.skipped == ("night outside working hours",)
    rules[0]["only_working"] = False
    assert Router(Routing.model_validate({"rules": rules}), reps, {}, NOW).route(LEAD).rep == "night"  # type: ignore[union-attr]


# -- the policy's errors name the rule and the key ------------------------------------------


@pytest.mark.parametrize(
    ("routing", "says"),
    [
        (
            {"rules": [{"name": "big", "reps": ["a"], "match": {"employees": {"min": 500, "max": 50}}}]},
            "routing.rules.0.match.employees: rule 'big': min 500 is above max 50",
        ),
        (
            {"rules": [{"name": "a", "reps": ["x"], "method": "fastest"}]},
            "routing.rules.0.method: rule 'a': Input should be 'round_robin' or 'least_open'",
        ),
        (
            {"rules": [{"name": "a", "reps": ["x"], "match": {"regon": "EMEA"}}]},
            "match.regon: rule 'a': unknown key",
        ),
        ({"rules": [{"name": "lonely"}]}, "routing.rules.0.reps: rule 'lonely': a rule needs reps"),
        (
            {"rules": [{"name": "a", "reps": ["x"], "match": {"tier": []}}]},
            "rule 'a': an empty list matches no lead",
        ),
        (
            {"rules": [{"name": "a", "reps": ["x"]}, {"name": "a", "team": "t"}]},
            "routing.rules.1.name: rule 'a' is also the name of rule 0",
        ),
        ({"rules": [{"name": "fallback", "reps": ["x"]}]}, "names the fallback group"),
        ({"escalation": {"decision": {"reroute_after": "2bd"}}}, "routing.escalation.decision.reroute_after"),
    ],
)
def test_a_bad_routing_table_is_one_error_naming_the_rule_and_key(routing: dict[str, Any], says: str) -> None:
    with pytest.raises(SettingsError) as err:
        parse_policy({"routing": routing})
    assert says in str(err.value)


# -- properties of the choice ------------------------------------------------------------------

reps_keys = st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8, unique=True)


@settings(max_examples=200, deadline=None)
@given(
    keys=reps_keys,
    passes=st.lists(st.integers(0, 25), min_size=1, max_size=6),
    method=st.sampled_from(["round_robin", "least_open"]),
)
def test_round_robin_is_fair_within_one_lead_over_any_sequence(
    keys: list[str], passes: list[int], method: str
) -> None:
    """Leads shared out over several passes (each a Router of its own, the places kept
    between them as the store keeps them) differ by at most one lead between reps."""
    routing = Routing.model_validate({"rules": [{"name": "r", "reps": keys, "method": method}]})
    pointers: dict[str, str] = {}
    reps = {k: RepState(k) for k in keys}
    got: Counter[str] = Counter()
    for n in passes:
        router = Router(routing, reps, pointers, NOW)
        for _ in range(n):
            choice = router.route(LEAD)
            assert choice is not None
            got[choice.rep] += 1
        counts = [got[k] for k in keys]
        assert max(counts) - min(counts) <= 1


rep_states = st.builds(
    RepState,
    key=st.sampled_from("abcdef"),
    away_until=st.one_of(
        st.none(), st.sampled_from([NOW - timedelta(hours=1), NOW, NOW + timedelta(minutes=1)])
    ),
    max_undecided=st.one_of(st.none(), st.integers(0, 4)),
    undecided=st.integers(0, 5),
    working=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(
    states=st.lists(rep_states, min_size=1, max_size=6, unique_by=lambda r: r.key),
    rule_cap=st.one_of(st.none(), st.integers(0, 5)),
    only_working=st.booleans(),
    method=st.sampled_from(["round_robin", "least_open"]),
    leads=st.integers(1, 20),
)
def test_no_lead_goes_to_an_away_or_full_rep(
    states: list[RepState], rule_cap: int | None, only_working: bool, method: str, leads: int
) -> None:
    rule = {"name": "r", "reps": [s.key for s in states], "method": method, "only_working": only_working}
    routing = Routing.model_validate({"rules": [rule | {"max_undecided": rule_cap}]})
    reps = {s.key: s for s in states}
    router = Router(routing, reps, {}, NOW)
    for _ in range(leads):
        before = {k: r.undecided for k, r in reps.items()}
        choice = router.route(LEAD)
        if choice is None:  # nobody may take it: then truly nobody
            assert all(r.why_not(NOW, rule_cap, only_working) is not None for r in reps.values())
            continue
        rep = reps[choice.rep]
        assert rep.away_until is None or rep.away_until <= NOW
        caps = [c for c in (rep.max_undecided, rule_cap) if c is not None]
        assert not caps or before[choice.rep] < min(caps)
        assert rep.working or not only_working


# -- a pass, twice, is a pass once ----------------------------------------------------------------

POLICY = {
    "fallback": ["tess"],
    "rules": [
        {"name": "emea", "match": {"region": ["EMEA"]}, "reps": ["lena", "omar"]},
        {
            "name": "na",
            "match": {"region": ["NA"], "employees": {"min": 500}},
            "team": "na",
            "method": "least_open",
        },
    ],
    "escalation": {"decision": {"auto_reroute": True}},
}
lead_rows = st.lists(
    st.fixed_dictionaries(
        {"region": st.sampled_from(["EMEA", "NA", "APAC"]), "employees": st.sampled_from(["", "100", "5000"])}
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=lead_rows,
    hours=st.lists(st.sampled_from([0, 5, 30, 60, 100]), min_size=1, max_size=3),
    fallback=st.booleans(),
)
def test_route_once_twice_is_once(rows: list[dict[str, str]], hours: list[int], fallback: bool) -> None:
    """At any moment (routing new leads, escalating breaches, re-routing those past the
    threshold), a second pass right after the first writes nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock(NOW)
        policy = routing_policy(POLICY | {"fallback": ["tess"] if fallback else []})
        store = open_store(Path(tmp) / "s.db")
        try:
            services = Services(store=store, policy=policy, clock=clock)
            add_reps(services, "lena", "omar", "tess", reports_to="boss", lead="boss")
            add_reps(services, "nick", "nora", team="na")
            import_leads(services, write_leads(Path(tmp) / "leads.csv", rows))
            for h in sorted(hours):
                clock.set(NOW + timedelta(hours=h))
                RoutingService(services).route_once()
                once = all_events(services)
                again = RoutingService(services).route_once()
                assert all_events(services) == once
                assert not again.changed
        finally:
            store.dispose()
