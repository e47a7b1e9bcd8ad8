"""Build leads in a store without going through a file import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, update

from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lead import LeadProfile
from leadqueue.domain.lifecycle import fold
from leadqueue.domain.tiers import tier_of
from leadqueue.services.context import Services
from leadqueue.services.projection import project
from leadqueue.store import repository as repo
from leadqueue.store.engine import Store
from leadqueue.store.schema import ORIGIN_IMPORT, leads, reps


def add_lead(
    services: Services, crm_id: str, rep: str = "ana", assigned_at: datetime | None = None, **fields: Any
) -> None:
    profile = LeadProfile(
        crm_id=crm_id,
        **({"first_name": "Ada", "last_name": crm_id, "email": f"{crm_id.lower()}@example.com"} | fields),
    )
    at = assigned_at or services.clock.now()
    assigned = Event(kind=EventKind.ASSIGNED, actor="import", at=at, payload={"rep": rep})
    with services.store.write() as conn:
        repo.ensure_reps(conn, {rep: rep.title()})
        values = repo.profile_to_values(profile)
        tier = tier_of(profile, services.policy)
        values["tier"] = tier.value
        projected = project(fold([assigned]), tier, services.policy, services.calendars(conn), at)
        conn.execute(insert(leads), [values | projected.columns])
        lead_id = repo.ids_for(conn, [crm_id])[crm_id]
        repo.insert_runs(conn, {lead_id: projected.runs})
        repo.insert_events(conn, [repo.event_values(lead_id, assigned, ORIGIN_IMPORT)])


def add_team_lead(store: Store, key: str = "lead") -> None:
    """A rep with role `lead` (the roster adds them if new): reassigning,
    escalating and acknowledging need one (domain.authority)."""
    with store.write() as conn:
        repo.ensure_reps(conn, {key: key.title()})
        conn.execute(update(reps).where(reps.c.key == key).values(role="lead"))


def owner_of(services: Services, crm_id: str) -> str:
    """The lead's owner now: the one rep who may decide on it."""
    with services.store.read() as conn:
        row = repo.find_lead(conn, crm_id)
    assert row is not None and row.owner
    return str(row.owner)
