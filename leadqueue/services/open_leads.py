"""The open leads of a rep (or of everyone) in deadline order, each with its next
SLA deadline, as plain data: what `leadqueue queue` and the demo print."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leadqueue.domain.lifecycle import fold
from leadqueue.domain.policy import Tier
from leadqueue.domain.sla import ClockStatus, evaluate, next_due
from leadqueue.services.context import Services
from leadqueue.store import repository as repo


@dataclass(frozen=True)
class OpenLead:
    crm_id: str
    owner: str | None
    tier: str
    name: str
    company: str
    source: str
    score: int | None
    due: ClockStatus | None  # the clock whose deadline comes first; None: no clock runs


@dataclass(frozen=True)
class OpenLeads:
    leads: list[OpenLead]  # the first `limit` by deadline
    total: int  # every open lead of the owner
    now: datetime  # when their clocks were evaluated


def open_leads(services: Services, owner: str | None, limit: int) -> OpenLeads:
    now = services.clock.now()
    with services.store.read() as conn:
        rows = repo.queue_page(conn, owner, None, limit)
        total = repo.count_open(conn, owner)
        calendar_for = services.calendars(conn)
        history = repo.events_by_lead(conn, [r.id for r in rows])
    listed = [
        OpenLead(
            crm_id=r.crm_id,
            owner=r.owner,
            tier=r.tier,
            name=f"{r.first_name} {r.last_name}".strip(),
            company=r.company,
            source=r.source,
            score=r.score,
            due=next_due(evaluate(fold(history[r.id]), Tier(r.tier), services.policy, calendar_for, now)),
        )
        for r in rows
    ]
    return OpenLeads(leads=listed, total=total, now=now)
