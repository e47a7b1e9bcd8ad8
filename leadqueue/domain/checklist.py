"""The acceptance checklist of docs/domain.md, evaluated from the lead's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from leadqueue.domain.duplicates import is_valid_email
from leadqueue.domain.lead import LeadProfile
from leadqueue.domain.policy import Policy
from leadqueue.domain.tiers import fits_icp


class Check(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    required: bool
    status: Check
    detail: str


_EXCLUDED = {
    "customer": "existing customer",
    "competitor": "competitor",
    "disqualified": "known disqualified contact",
}
_BUYING_WORDS = (
    "chief",
    "vp",
    "vice president",
    "head",
    "director",
    "founder",
    "owner",
    "manager",
    "lead",
    "cfo",
    "ceo",
    "coo",
    "cro",
    "cmo",
    "cto",
)
_MID_BOTTOM_TOUCHES = {"pricing_visit", "demo_request", "direct_inquiry", "trial_signup"}


def _tri(value: bool | None) -> Check:
    return Check.UNKNOWN if value is None else (Check.MET if value else Check.NOT_MET)


def evaluate_checklist(
    lead: LeadProfile, policy: Policy, now: datetime, engaged_account_contacts: int | None = None
) -> list[ChecklistItem]:
    icp = policy.icp
    items: list[ChecklistItem] = []

    def add(key: str, label: str, required: bool, status: Check, detail: str) -> None:
        items.append(ChecklistItem(key, label, required, status, detail))

    # -- required -----------------------------------------------------------
    if not lead.email.strip():
        add("real_person", "Real person (valid email)", True, Check.UNKNOWN, "no email on record")
    elif not is_valid_email(lead.email):
        add(
            "real_person", "Real person (valid email)", True, Check.NOT_MET, f"{lead.email!r} is not an email"
        )
    elif lead.email_verified is False:
        add("real_person", "Real person (valid email)", True, Check.NOT_MET, "email failed verification")
    else:
        verified = "verified" if lead.email_verified else "not verified yet"
        add("real_person", "Real person (valid email)", True, Check.MET, f"{lead.email} ({verified})")

    fit = fits_icp(lead, icp)
    facts = (
        ", ".join(
            p
            for p in (lead.industry, f"{lead.employees} employees" if lead.employees else "", lead.region)
            if p
        )
        or "no firmographics"
    )
    add("icp_fit", "Company inside the ICP (industry, size, region)", True, _tri(fit), facts)

    if lead.seniority:
        influence: bool | None = lead.seniority in icp.buying_seniorities
    elif lead.title:
        title = lead.title.casefold()
        influence = any(w in title.split() or w in title for w in _BUYING_WORDS) or None
    else:
        influence = None
    add(
        "buying_influence",
        "Title with buying influence",
        True,
        _tri(influence),
        lead.title or "no title on record",
    )

    flag = _EXCLUDED.get(lead.account_status.casefold())
    if lead.seniority == "student":
        flag = flag or "student"
    add(
        "not_excluded",
        "Not a customer, competitor or disqualified contact",
        True,
        Check.NOT_MET if flag else Check.MET,
        flag or "no match in customer/competitor lists",
    )

    # -- preferred ----------------------------------------------------------
    if engaged_account_contacts is None:
        add(
            "multi_contact",
            "Several contacts from the account engaged",
            False,
            Check.UNKNOWN,
            "not looked up",
        )
    else:
        add(
            "multi_contact",
            "Several contacts from the account engaged",
            False,
            _tri(engaged_account_contacts > 0),
            f"{engaged_account_contacts} other engaged contact(s)",
        )

    if lead.touchpoints:
        latest = max(t.at for t in lead.touchpoints)
        days = (now - latest) / timedelta(days=1)
        add(
            "recent_engagement",
            f"Engagement within {icp.recent_engagement_days} days",
            False,
            _tri(days <= icp.recent_engagement_days),
            f"last action {_age(now - latest)} ago",
        )
    else:
        add(
            "recent_engagement",
            f"Engagement within {icp.recent_engagement_days} days",
            False,
            Check.UNKNOWN,
            "no engagement recorded",
        )

    mid_bottom = [c.title for c in lead.content if c.stage in ("mofu", "bofu")]
    touches = lead.signals() & _MID_BOTTOM_TOUCHES
    if mid_bottom or touches:
        status, detail = Check.MET, ", ".join([*mid_bottom, *sorted(touches)][:3])
    elif lead.content or lead.touchpoints:
        status, detail = Check.NOT_MET, "top-of-funnel content only"
    else:
        status, detail = Check.UNKNOWN, "no content recorded"
    add("mid_bottom_content", "Middle- or bottom-of-funnel content", False, status, detail)

    add(
        "growth_signals",
        "Growth signals (funding, hiring)",
        False,
        Check.MET if lead.growth_signals else Check.UNKNOWN,
        "; ".join(lead.growth_signals[:2]) or "none recorded",
    )
    add(
        "third_party_intent",
        "Third-party intent",
        False,
        Check.MET if lead.third_party_intent else Check.UNKNOWN,
        ", ".join(lead.third_party_intent[:3]) or "none recorded",
    )
    return items


def _age(elapsed: timedelta) -> str:
    """Days and hours: "14 days ago" beside a 14-day limit it misses would read wrong."""
    hours = max(0, int(elapsed / timedelta(hours=1)))
    days, hours = divmod(hours, 24)
    if not days:
        return f"{hours}h"
    return f"{days}d {hours}h" if hours else f"{days}d"
