"""Priority tier from intent signals and score (thresholds in the policy)."""

from __future__ import annotations

from leadqueue.domain.lead import LeadProfile
from leadqueue.domain.policy import Icp, Policy, Tier


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


def tier_of(lead: LeadProfile, policy: Policy) -> Tier:
    t = policy.tiers
    signals = lead.signals()
    if signals & set(t.hot_signals):
        return Tier.HOT
    if signals & set(t.hot_signals_if_icp) and fits_icp(lead, policy.icp):
        return Tier.HOT
    if lead.score is not None and lead.score >= t.hot_score:
        return Tier.HOT
    if lead.score is None or lead.score < t.low_score_below:
        return Tier.LOW
    return Tier.STANDARD
