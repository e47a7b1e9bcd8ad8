"""Import into the store: upsert by CRM id, all-or-nothing, rejects file, history kept."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leadqueue.domain.decisions import NeedsInfo
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.services.importing import ImportOptions, ImportRejected, import_file
from leadqueue.store.schema import events, leads, reps

DATA = Path(__file__).parent / "data" / "import"


def counts(services: Services) -> tuple[int, int]:
    with services.store.read() as conn:
        n_leads = conn.execute(select(func.count()).select_from(leads)).scalar_one()
        n_events = conn.execute(select(func.count()).select_from(events)).scalar_one()
    return int(n_leads), int(n_events)


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copyfile(DATA / name, target)
    return target


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("salesforce_leads.csv", "Salesforce report export"),
        ("hubspot_contacts.csv", "HubSpot contacts export"),
        ("leadqueue_leads.csv", "leadqueue lead file"),
        ("leads.jsonl", "JSON lines"),
        ("windows1252.csv", "Salesforce report export"),
    ],
)
def test_each_format_imports_and_a_second_import_changes_nothing(
    services: Services, tmp_path: Path, name: str, fmt: str
) -> None:
    path = copy(name, tmp_path)
    first = import_file(services, path, ImportOptions(rep="ana"))  # fills the rows without an owner
    assert first.format == fmt
    assert first.created > 0 and first.errors == []
    after_first = counts(services)
    assert after_first == (first.created, first.created)  # one `assigned` event per new lead
    second = import_file(services, path, ImportOptions(rep="ana"))
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
    assert counts(services) == after_first


def test_salesforce_rows_land_with_owner_assignment_time_and_open_clock(
    services: Services, tmp_path: Path
) -> None:
    import_file(services, copy("salesforce_leads.csv", tmp_path), ImportOptions(rep="ana"))
    with services.store.read() as conn:
        row = conn.execute(select(leads).where(leads.c.crm_id == "00Q5g00000AbCdEEAV")).one()
        owner = conn.execute(select(reps.c.name).where(reps.c.key == row.owner)).scalar_one()
    assert owner == "Maria Santos"
    # 11/20/2026 2:05 PM in New York is 19:05 UTC; the Owner Assigned Date wins over Create Date.
    assert row.assigned_at == datetime(2026, 11, 20, 19, 5, tzinfo=UTC)
    assert (row.state, row.is_open, row.due_clock) == ("new", True, "decision")
    assert row.tier == "hot"  # score 82
    assert row.due_at == row.assigned_at + timedelta(hours=4)


def test_an_updated_file_updates_leads_and_keeps_their_history(services: Services, tmp_path: Path) -> None:
    path = copy("hubspot_contacts.csv", tmp_path)
    import_file(services, path, ImportOptions(rep="ana"))
    _, events_before = counts(services)
    text = path.read_text(encoding="utf-8-sig").replace("Head of Revenue Operations", "VP Revenue Operations")
    path.write_text(text, encoding="utf-8")
    summary = import_file(services, path, ImportOptions(rep="ana"))
    assert (summary.updated, summary.created) == (1, 0)
    with services.store.read() as conn:
        title = conn.execute(select(leads.c.title).where(leads.c.crm_id == "51234567801")).scalar_one()
    assert title == "VP Revenue Operations"
    assert counts(services)[1] == events_before  # context change only: no new event


def test_a_new_owner_in_the_file_is_a_reassignment(services: Services, tmp_path: Path) -> None:
    path = copy("hubspot_contacts.csv", tmp_path)
    import_file(services, path, ImportOptions(rep="ana"))
    text = path.read_text(encoding="utf-8-sig")
    first_row = text.splitlines()[1]
    path.write_text(text.replace(first_row, first_row.replace("Maria Santos", "Leo Park")), encoding="utf-8")
    summary = import_file(services, path, ImportOptions(rep="ana"))
    assert summary.reassigned == 1
    with services.store.read() as conn:
        row = conn.execute(select(leads).where(leads.c.crm_id == "51234567801")).one()
        kinds = [
            k
            for (k,) in conn.execute(
                select(events.c.kind).where(events.c.lead_id == row.id).order_by(events.c.seq)
            )
        ]
    assert row.owner == "leo-park"
    assert kinds == ["assigned", "reassigned"]


def test_new_data_on_a_needs_info_lead_brings_it_back(services: Services, tmp_path: Path) -> None:
    path = copy("hubspot_contacts.csv", tmp_path)
    import_file(services, path, ImportOptions(rep="ana"))
    with services.store.read() as conn:
        owner = conn.execute(select(leads.c.owner).where(leads.c.crm_id == "51234567801")).scalar_one()
    DecisionService(services).needs_info("51234567801", owner, NeedsInfo(("company_size",), "How big?"))
    text = path.read_text(encoding="utf-8-sig").replace(",240,", ",260,", 1)
    path.write_text(text, encoding="utf-8")
    summary = import_file(services, path, ImportOptions(rep="ana"))
    assert summary.returned == 1
    with services.store.read() as conn:
        state = conn.execute(select(leads.c.state).where(leads.c.crm_id == "51234567801")).scalar_one()
    assert state == "new"


BAD = """crm_id,first_name,last_name,email,score,created_at,rep
A1,Ada,Lovelace,ada@acme.com,80,2026-11-20 09:00,ana
A2,Bob,Builder,bob@acme.com,eighty,2026-11-20 09:00,ana
A3,Cy,Young,cy@acme.com,50,2026-02-30 09:00,ana
A1,Ada,Again,ada2@acme.com,70,2026-11-20 09:00,ana
A4,Di,Prince,di@acme.com,40,2026-11-20 09:00,
"""


def test_any_bad_row_stops_the_import_and_writes_nothing(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_file(services, path)
    found = {(e.row, e.column) for e in info.value.summary.errors}
    assert found == {(3, "score"), (4, "created_at"), (5, "crm_id"), (6, "rep")}
    assert counts(services) == (0, 0)
    assert not (tmp_path / "bad.rejects.csv").exists()


def test_skip_invalid_imports_good_rows_and_writes_a_rejects_file(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    summary = import_file(services, path, ImportOptions(skip_invalid=True))
    assert summary.created == 1
    assert counts(services) == (1, 1)
    rejects = (tmp_path / "bad.rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejects[0] == "row,column,error,crm_id,first_name,last_name,email,score,created_at,rep"
    assert len(rejects) == 5
    assert rejects[1].startswith("3,score,")
    assert "Bob,Builder" in rejects[1]


def test_dry_run_counts_but_writes_nothing(services: Services, tmp_path: Path) -> None:
    summary = import_file(
        services, copy("salesforce_leads.csv", tmp_path), ImportOptions(rep="ana", dry_run=True)
    )
    assert summary.created == 8 and not summary.written
    assert counts(services) == (0, 0)


def test_rep_option_fills_rows_without_an_owner_only(services: Services, tmp_path: Path) -> None:
    import_file(services, copy("salesforce_leads.csv", tmp_path), ImportOptions(rep="Quinn"))
    with services.store.read() as conn:
        owners = dict(conn.execute(select(leads.c.owner, func.count()).group_by(leads.c.owner)).all())
    assert owners == {"maria-santos": 4, "james-okafor": 3, "quinn": 1}
