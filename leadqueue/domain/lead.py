"""What the system knows about a lead: contact, company, score, engagement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ScoreItem:
    label: str
    points: int
    kind: str = "fit"  # "fit" (who they are) or "behavior" (what they did)
    at: datetime | None = None  # when the action happened (behaviour points)


@dataclass(frozen=True)
class Touchpoint:
    at: datetime
    kind: str  # page_visit, pricing_visit, download, webinar_attended, form_fill, demo_request, ...
    label: str
    points: int = 0
    mql_trigger: bool = False  # the action that made the lead an MQL


@dataclass(frozen=True)
class ContentItem:
    title: str
    stage: str = "tofu"  # tofu / mofu / bofu


@dataclass(frozen=True)
class LeadProfile:
    crm_id: str
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    seniority: str = ""
    email: str = ""
    email_verified: bool | None = None
    phone: str = ""
    profile_url: str = ""
    company: str = ""
    domain: str = ""
    industry: str = ""
    employees: int | None = None
    region: str = ""
    tech_stack: tuple[str, ...] = ()
    growth_signals: tuple[str, ...] = ()
    score: int | None = None
    score_breakdown: tuple[ScoreItem, ...] = ()
    touchpoints: tuple[Touchpoint, ...] = ()
    source: str = ""
    campaign: str = ""
    channel: str = ""
    content: tuple[ContentItem, ...] = ()
    talk_track: str = ""
    intent_signals: tuple[str, ...] = ()
    third_party_intent: tuple[str, ...] = ()
    account_status: str = ""  # "", customer, competitor, disqualified
    crm_status: str = ""
    source_system: str = "leadqueue"
    created_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.email or self.crm_id

    def signals(self) -> frozenset[str]:
        """Intent signals, explicit or implied by touchpoint kinds."""
        return frozenset(self.intent_signals) | {t.kind for t in self.touchpoints}
