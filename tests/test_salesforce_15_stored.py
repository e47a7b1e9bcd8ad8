"""Salesforce leads a store keeps under their 15-character id (imported before
ids were kept in their 18-character form, or generated for the demo) are the
leads an export's 18-character ids name: a re-import updates them, it does not
add a second copy, and the CLI finds them by either form."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leadqueue.cli.main import main
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.owners import salesforce_id18
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.importing import import_file
from leadqueue.store import repository as repo
from leadqueue.store.engine import Store, open_store
from leadqueue.store.schema import leads
from tests.factories import add_lead

NOW = datetime(2024, 11, 20, 15, 0, tzinfo=UTC)
OLD_ID = "00Q5g00000XyZab"  # as an earlier import stored it
HEADER = '"Id","FirstName","LastName","Company","Email","OwnerId","Status","IsConverted","CreatedDate"\n'


def _services(store: Store) -> Services:
    services = Services(store=store, policy=Policy(), clock=FixedClock(NOW))
    add_lead(services, OLD_ID, rep="ana", source_system="salesforce", company="Old Name Ltd")
    return services


def _export(tmp_path: Path, crm_id: str, company: str) -> Path:
    path = tmp_path / "leads.csv"
    path.write_text(
        HEADER + f'"{crm_id}","Ada","Lovelace","{company}","ada@example.com","ana","Open","0",'
        '"2024-11-19 10:00:00"\n',
        encoding="utf-8",
    )
    return path


def _rows(services: Services) -> list[tuple[str, str]]:
    with services.store.read() as conn:
        return [tuple(r) for r in conn.execute(select(leads.c.crm_id, leads.c.company))]


def test_an_export_with_18_character_ids_updates_the_lead_kept_under_15(store: Store, tmp_path: Path) -> None:
    services = _services(store)
    summary = import_file(services, _export(tmp_path, salesforce_id18(OLD_ID), "New Name Inc"))
    assert (summary.created, summary.updated) == (0, 1)
    assert _rows(services) == [(OLD_ID, "New Name Inc")]  # the same row, its id as it was


def test_an_export_with_the_15_character_id_updates_it_too(store: Store, tmp_path: Path) -> None:
    services = _services(store)
    summary = import_file(services, _export(tmp_path, OLD_ID, "New Name Inc"))
    assert (summary.created, summary.updated) == (0, 1)
    assert _rows(services) == [(OLD_ID, "New Name Inc")]


def test_a_lead_kept_under_both_forms_is_updated_under_the_18(store: Store, tmp_path: Path) -> None:
    services = _services(store)
    add_lead(services, salesforce_id18(OLD_ID), rep="ana", source_system="salesforce", company="Copy")
    import_file(services, _export(tmp_path, salesforce_id18(OLD_ID), "New Name Inc"))
    assert sorted(_rows(services)) == [(OLD_ID, "Old Name Ltd"), (salesforce_id18(OLD_ID), "New Name Inc")]


def test_either_form_finds_the_lead(store: Store) -> None:
    services = _services(store)
    with services.store.read() as conn:
        for given in (OLD_ID, salesforce_id18(OLD_ID)):
            found = repo.find_lead(conn, given)
            assert found is not None and found.crm_id == OLD_ID, given
        assert repo.find_lead(conn, "00Q5g00000XyZac") is None
        count = conn.execute(select(func.count()).select_from(leads)).scalar_one()
    assert count == 1


def test_show_takes_the_18_character_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "store.db"
    store = open_store(db)
    _services(store)
    store.dispose()
    assert main(["show", "--db", str(db), salesforce_id18(OLD_ID)]) == 0
    assert capsys.readouterr().out.startswith(OLD_ID)
