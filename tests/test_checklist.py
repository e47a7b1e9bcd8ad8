from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadqueue.domain.checklist import Check, evaluate_checklist
from leadqueue.domain.duplicates import normalise_email, person_key
from leadqueue.domain.lead import ContentItem, LeadProfile, Touchpoint
from leadqueue.domain.policy import Policy, Tier
from leadqueue.domain.tiers import tier_of

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


def statuses(lead: LeadProfile, engaged: int | None = None) -> dict[str, Check]:
    return {i.key: i.status for i in evaluate_checklist(lead, Policy(), NOW, engaged)}


def test_an_ideal_lead_meets_every_item() -> None:
    lead = LeadProfile(
        crm_id="1",
        first_name="Ada",
        last_name="Lovelace",
        title="VP Revenue Operations",
        seniority="vp",
        email="ada@northwind.com",
        email_verified=True,
        industry="Software",
        employees=800,
        region="NA",
        growth_signals=("Raised Series B",),
        third_party_intent=("lead routing",),
        content=(ContentItem("Pricing guide", "bofu"),),
        touchpoints=(Touchpoint(at=NOW - timedelta(days=2), kind="pricing_visit", label="Pricing"),),
    )
    assert set(statuses(lead, engaged=2).values()) == {Check.MET}


def test_unknown_when_the_data_is_silent_and_not_met_when_it_says_no() -> None:
    empty = statuses(LeadProfile(crm_id="2"))
    assert empty["real_person"] is Check.UNKNOWN
    assert empty["icp_fit"] is Check.UNKNOWN
    assert empty["buying_influence"] is Check.UNKNOWN
    assert empty["multi_contact"] is Check.UNKNOWN
    bad = statuses(
        LeadProfile(
            crm_id="3",
            email="not-an-email",
            industry="Government",
            employees=20,
            region="NA",
            seniority="student",
            account_status="",
            touchpoints=(Touchpoint(at=NOW - timedelta(days=40), kind="page_visit", label="Blog"),),
        ),
        engaged=0,
    )
    assert bad["real_person"] is Check.NOT_MET
    assert bad["icp_fit"] is Check.NOT_MET
    assert bad["buying_influence"] is Check.NOT_MET
    assert bad["not_excluded"] is Check.NOT_MET  # a student
    assert bad["multi_contact"] is Check.NOT_MET
    assert bad["recent_engagement"] is Check.NOT_MET
    assert bad["mid_bottom_content"] is Check.NOT_MET


def test_existing_customer_and_competitor_fail_the_exclusion_item() -> None:
    assert statuses(LeadProfile(crm_id="4", account_status="customer"))["not_excluded"] is Check.NOT_MET
    assert statuses(LeadProfile(crm_id="5", account_status="competitor"))["not_excluded"] is Check.NOT_MET


def test_duplicate_keys_normalise_case_tags_accents_and_domains() -> None:
    assert normalise_email("  Ada.Lovelace+webinar@NorthWind.com ") == "ada.lovelace@northwind.com"
    assert normalise_email("nope") == ""
    a = LeadProfile(crm_id="1", first_name="José", last_name="Müller", domain="https://www.acme.io/about")
    b = LeadProfile(crm_id="2", first_name="jose", last_name="MULLER", email="j.m@acme.io")
    assert person_key(a) == person_key(b) == "jose muller@acme.io"


def test_tiers_follow_signals_and_score() -> None:
    p = Policy()
    icp = {"industry": "Software", "employees": 500, "region": "NA"}
    visit = (Touchpoint(at=NOW, kind="pricing_visit", label="Pricing"),)
    assert tier_of(LeadProfile(crm_id="1", score=10, intent_signals=("demo_request",)), p) is Tier.HOT
    assert tier_of(LeadProfile(crm_id="2", score=50, touchpoints=visit, **icp), p) is Tier.HOT
    assert (
        tier_of(
            LeadProfile(
                crm_id="3", score=50, touchpoints=visit, industry="Government", employees=500, region="NA"
            ),
            p,
        )
        is Tier.STANDARD
    )
    assert tier_of(LeadProfile(crm_id="4", score=80), p) is Tier.HOT
    assert tier_of(LeadProfile(crm_id="5", score=79), p) is Tier.STANDARD
    assert tier_of(LeadProfile(crm_id="6", score=39), p) is Tier.LOW
    assert tier_of(LeadProfile(crm_id="7"), p) is Tier.LOW


def test_an_engagement_just_past_the_limit_says_how_far_past() -> None:
    """14.3 days ago beside a 14-day limit read "14 day(s) ago" and a ✘."""
    lead = LeadProfile(
        crm_id="5",
        touchpoints=(Touchpoint(at=NOW - timedelta(days=14, hours=7), kind="download", label="Guide"),),
    )
    [item] = [i for i in evaluate_checklist(lead, Policy(), NOW, None) if i.key == "recent_engagement"]
    assert (item.status, item.detail) == (Check.NOT_MET, "last action 14d 7h ago")
