"""Everything a rep needs to decide on one lead, loaded in one read."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from leadqueue.domain.checklist import ChecklistItem, evaluate_checklist
from leadqueue.domain.events import Event
from leadqueue.domain.lead import LeadProfile
from leadqueue.domain.lead_zone import LeadZone, lead_zone
from leadqueue.domain.lifecycle import LeadHistory, fold
from leadqueue.domain.next_step import NextStep, next_step_of
from leadqueue.domain.policy import Policy, Tier
from leadqueue.domain.sla import ClockStatus, evaluate
from leadqueue.domain.tiers import judge_tier
from leadqueue.services.context import Services
from leadqueue.services.decisions import LeadNotFound
from leadqueue.store import repository as repo
from leadqueue.store.schema import leads


@dataclass(frozen=True)
class LeadView:
    profile: LeadProfile
    tier: Tier
    history: LeadHistory
    clocks: list[ClockStatus]
    checklist: list[ChecklistItem]
    account_contacts: list[Any]
    duplicates: list[Any]
    events: list[Event]
    rep_name: str
    now: datetime
    next_step: NextStep | None = None  # what the rep committed to on accepting, and if it was done
    local_zone: LeadZone | None = None  # where the lead is, when an import column or its country says
    tier_reason: str = ""  # the policy's rule that made the tier ("demo request", "score 85 ≥ 80")
    crm_modified_at: datetime | None = None  # when the CRM last changed it, as the last import said


def load_lead_view(services: Services, crm_id: str) -> LeadView:
    now = services.clock.now()
    with services.store.read() as conn:
        row = repo.find_lead(conn, crm_id)
        if row is None:
            raise LeadNotFound(crm_id)
        events = repo.lead_events(conn, row.id)
        calendar_for = services.calendars(conn)
        contacts = repo.account_contacts(conn, row)
        dups = repo.possible_duplicates(conn, row)
        names = {r.key: r.name for r in repo.all_reps(conn)}
    profile = repo.row_to_profile(row)
    history = fold(events)
    tier = Tier(row.tier)
    clocks = evaluate(history, tier, services.policy, calendar_for, now)
    reason = tier_reason(profile, tier, services.policy)
    engaged = sum(1 for c in contacts if c.last_event_at is not None)
    checklist = evaluate_checklist(profile, services.policy, now, engaged)
    return LeadView(
        profile,
        tier,
        history,
        clocks,
        checklist,
        contacts,
        dups,
        events,
        names.get(history.owner or "", history.owner or ""),
        now,
        next_step_of(history),
        lead_zone(profile.extra, profile.region),
        reason,
        row.crm_modified_at,
    )


def tier_reason(profile: LeadProfile, tier: Tier, policy: Policy) -> str:
    """Why the lead has `tier`, its stored tier. The tier was set at import under the
    policy of the day: when today's policy would say otherwise, the reason says so."""
    verdict = judge_tier(profile, policy)
    if verdict.tier is tier:
        return verdict.reason
    return f"set at import; the policy now says {verdict.tier.value}: {verdict.reason}"


def tier_reasons(services: Services, crm_ids: Collection[str]) -> dict[str, str]:
    """Each lead's tier reason, for the queue's rows (a page at a time), in one read."""
    if not crm_ids:
        return {}
    with services.store.read() as conn:
        rows = conn.execute(select(leads).where(leads.c.crm_id.in_(list(crm_ids)))).all()
    return {r.crm_id: tier_reason(repo.row_to_profile(r), Tier(r.tier), services.policy) for r in rows}
