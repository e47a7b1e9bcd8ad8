"""The tier says which rule of the policy gave it (issue 23, point 4): `HOT: demo request`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadqueue.domain.lead import LeadProfile, Touchpoint
from leadqueue.domain.policy import Policy, Tier
from leadqueue.domain.tiers import TierVerdict, judge_tier, tier_of

FIT = {"industry": "Software", "employees": 500, "region": "NA"}
AT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lead", "verdict"),
    [
        (LeadProfile("1", score=10, intent_signals=("demo_request",)), TierVerdict(Tier.HOT, "demo request")),
        (
            LeadProfile("2", score=10, intent_signals=("direct_inquiry", "demo_request")),
            TierVerdict(Tier.HOT, "demo request, direct inquiry"),  # in the policy's order
        ),
        (
            LeadProfile("3", score=50, touchpoints=(Touchpoint(AT, "pricing_visit", "Pricing"),), **FIT),
            TierVerdict(Tier.HOT, "pricing visit, ICP fit"),
        ),
        # A pricing visit outside the ICP is not hot: the score decides.
        (
            LeadProfile("4", score=50, intent_signals=("pricing_visit",), industry="Retail"),
            TierVerdict(Tier.STANDARD, "score 50, in 40–79"),
        ),
        (LeadProfile("5", score=85), TierVerdict(Tier.HOT, "score 85 ≥ 80")),
        (LeadProfile("6", score=39), TierVerdict(Tier.LOW, "score 39 < 40")),
        (LeadProfile("7"), TierVerdict(Tier.LOW, "no score")),
    ],
)
def test_the_verdict_names_the_rule(lead: LeadProfile, verdict: TierVerdict) -> None:
    assert judge_tier(lead, Policy()) == verdict
    assert tier_of(lead, Policy()) is verdict.tier


def test_the_reason_follows_the_policys_thresholds() -> None:
    policy = Policy.model_validate({"tiers": {"hot_score": 70, "low_score_below": 30}})
    assert judge_tier(LeadProfile("1", score=72), policy) == TierVerdict(Tier.HOT, "score 72 ≥ 70")
    assert judge_tier(LeadProfile("2", score=45), policy).reason == "score 45, in 30–69"
