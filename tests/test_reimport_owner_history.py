"""A lead imported before the CRM's owner was kept with it (and the demo's leads)
has no CRM owner on record: a re-import reads the owner the last import gave it
from its history, so a team lead's reassignment here stands until the CRM's own
owner changes (issue 17, point 8)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.services.importing import import_file
from leadqueue.store import repository as repo
from leadqueue.store.engine import Store
from leadqueue.store.schema import leads
from tests.factories import add_lead, add_team_lead

NOW = datetime(2024, 11, 20, 15, 0, tzinfo=UTC)
CRM_ID = "LQ-1"


def _file(tmp_path: Path, owner: str) -> Path:
    path = tmp_path / f"leads-{owner}.csv"
    path.write_text(
        f"crm_id,first_name,last_name,email,company,rep\n{CRM_ID},Ada,Lovelace,ada@example.com,Acme,{owner}\n",
        encoding="utf-8",
    )
    return path


def _owner_and_crm_owner(services: Services) -> tuple[str, str | None]:
    with services.store.read() as conn:
        row = conn.execute(select(leads.c.owner, leads.c.crm_owner).where(leads.c.crm_id == CRM_ID)).one()
    return row.owner, row.crm_owner


def _reassigned_here(store: Store) -> Services:
    services = Services(store=store, policy=Policy(), clock=FixedClock(NOW))
    add_lead(services, CRM_ID, rep="ana")  # as an import before crm_owner was kept: none on record
    with services.store.write() as conn:
        repo.ensure_reps(conn, {"devon": "Devon", "priya": "Priya"})
    add_team_lead(store)
    DecisionService(services).reassign(CRM_ID, "lead", "devon")
    assert _owner_and_crm_owner(services) == ("devon", None)
    return services


def test_a_reimport_naming_the_same_crm_owner_keeps_the_reassignment(store: Store, tmp_path: Path) -> None:
    services = _reassigned_here(store)
    summary = import_file(services, _file(tmp_path, "ana"))
    assert summary.reassigned == 0
    assert _owner_and_crm_owner(services) == ("devon", "ana")  # and the CRM's owner is kept from now on


def test_a_new_owner_in_the_crm_moves_the_lead(store: Store, tmp_path: Path) -> None:
    services = _reassigned_here(store)
    summary = import_file(services, _file(tmp_path, "priya"))
    assert summary.reassigned == 1
    assert _owner_and_crm_owner(services) == ("priya", "priya")
