"""Priority tier from intent signals and score (thresholds in the policy), and
which rule of the policy gave it: a rep trusts `HOT: demo request` more than `HOT`."""

from __future__ import annotations

from dataclasses import dataclass

from leadqueue.domain.lead import LeadProfile
from leadqueue.domain.policy import Icp, Policy, Tier


@dataclass(frozen=True)
class TierVerdict:
    tier: Tier
    # The rule that decided, in words: "demo request", "pricing visit, ICP fit",
    # "score 85 ≥ 80", "score 55, in 40–79", "score 30 < 40", "no score".
    reason: str


def fits_icp(lead: LeadProfile, icp: Icp) -> bool | None:
    """True/False when the data says so, None when it cannot tell."""
    checks: list[bool] = []
    if lead.industry:
        checks.append(lead.industry.casefold() in {i.casefold() for i in icp.industries})
    if lead.employees is not None:
        checks.append(icp.min_employees <= lead.employees <= icp.max_employees)
    if lead.region:
        checks.append(lead.region.upper() in {r.upper() for r in icp.regions})
    if not checks:
        return None
    if not all(checks):
        return False
    return True if len(checks) == 3 else None


def _said(signals: list[str]) -> str:
    return ", ".join(s.replace("_", " ") for s in signals)


def judge_tier(lead: LeadProfile, policy: Policy) -> TierVerdict:
    """The lead's tier and the first rule of the policy that gave it, in the
    order the rules are tried: a hot signal, a hot signal by an ICP fit, a hot
    score, then the score's band."""
    t = policy.tiers
    signals = lead.signals()
    # In the policy's order, so the reason names the signals as the policy lists them.
    hot = [s for s in t.hot_signals if s in signals]
    if hot:
        return TierVerdict(Tier.HOT, _said(hot))
    hot_if_fit = [s for s in t.hot_signals_if_icp if s in signals]
    if hot_if_fit and fits_icp(lead, policy.icp):
        return TierVerdict(Tier.HOT, f"{_said(hot_if_fit)}, ICP fit")
    score = lead.score
    if score is not None and score >= t.hot_score:
        return TierVerdict(Tier.HOT, f"score {score} ≥ {t.hot_score}")
    if score is None:
        return TierVerdict(Tier.LOW, "no score")
    if score < t.low_score_below:
        return TierVerdict(Tier.LOW, f"score {score} < {t.low_score_below}")
    return TierVerdict(Tier.STANDARD, f"score {score}, in {t.low_score_below}–{t.hot_score - 1}")


def tier_of(lead: LeadProfile, policy: Policy) -> Tier:
    return judge_tier(lead, policy).tier
