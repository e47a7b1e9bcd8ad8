"""A hostile tester's re-imports and one-row files: what the import summary says,
what a re-import keeps, what `show` carries, when a clock starts (issue 17,
points 5, 8 and 10). Every fixture is written here, shaped like the CRMs'
documented exports (see tests/data/import/crm/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadqueue.cli.render import lead_report
from leadqueue.services.context import Services
from leadqueue.services.importing import ImportOptions, ImportRejected, import_file


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


OURS_FULL = (
    "crm_id,first_name,last_name,email,company,title,phone,rep,crm_status,assigned_at\n"
    "RO-1,Ann,One,a@r.example,RCo,VP Sales,+1 555 0100,Maria Santos,Open,2026-11-20T14:00:00Z\n"
)


# ---------------------------------------------------------------- the summary's words


def test_a_one_row_file_says_1_row(services: Services, tmp_path: Path) -> None:
    summary = import_file(services, _write(tmp_path, "one.csv", OURS_FULL))
    assert ": 1 row, 1 new, 0 updated, 0 unchanged" in summary.line()
    two = OURS_FULL + "RO-2,Bo,Two,b@r.example,RCo,CFO,,Maria Santos,Open,2026-11-20T14:00:00Z\n"
    assert (
        ": 2 rows, 1 new, 0 updated, 1 unchanged"
        in import_file(services, _write(tmp_path, "two.csv", two), ImportOptions()).line()
    )


# ---------------------------------------------------------------- when the clock starts

SF_API_HEADER = (
    '"Id","FirstName","LastName","Company","Email","Status","OwnerId","IsConverted",'
    '"CreatedDate","LastTransferDate"\n'
)


def _sf_api_row(crm_id: str, created: str, transferred: str) -> str:
    return (
        f'"{crm_id}","Rosalind","Achterberg","Tessaline Foods Inc.","r.achterberg@tessaline.example",'
        f'"Open - Not Contacted","Maria Santos","0","{created}","{transferred}"\n'
    )


def test_a_date_only_transfer_on_the_create_date_starts_the_clock_at_the_creation(
    services: Services, tmp_path: Path
) -> None:
    # Salesforce's LastTransferDate is a date: read as 00:00Z it would be hours before
    # the lead was created (19:03Z), and the lead would arrive with its clock long run.
    text = SF_API_HEADER + _sf_api_row("00QDn00000Kq3aTMAR", "2026-11-20 14:03:00", "2026-11-20")
    summary = import_file(services, _write(tmp_path, "sf.csv", text))
    assert summary.created == 1
    report = lead_report(services, "00QDn00000Kq3aTMAR")
    assert report["created_at"] == "2026-11-20T14:03:00Z"
    assert report["assigned_at"] == "2026-11-20T14:03:00Z"
    assert [c["started_at"] for c in report["clocks"]] == ["2026-11-20T14:03:00Z"]


def test_an_assignment_dated_before_the_creation_starts_the_clock_at_the_creation(
    services: Services, tmp_path: Path
) -> None:
    text = SF_API_HEADER + _sf_api_row("00QDn00000Kq3aTMAR", "2026-11-20 14:03:00", "2026-11-18")
    import_file(services, _write(tmp_path, "sf.csv", text))
    assert lead_report(services, "00QDn00000Kq3aTMAR")["assigned_at"] == "2026-11-20T14:03:00Z"


def test_a_transfer_after_the_creation_starts_the_clock_then(services: Services, tmp_path: Path) -> None:
    text = SF_API_HEADER + _sf_api_row("00QDn00000Kq3aTMAR", "2026-11-18 14:03:00", "2026-11-19")
    import_file(services, _write(tmp_path, "sf.csv", text))
    assert lead_report(services, "00QDn00000Kq3aTMAR")["assigned_at"] == "2026-11-19T00:00:00Z"


# ---------------------------------------------------------------- a re-import without an owner column

OURS_NO_OWNER = "crm_id,first_name,last_name,email,company\nRO-1,Ann,One,a@r.example,RCo\n"


def _owner(services: Services, crm_id: str) -> str | None:
    return lead_report(services, crm_id)["rep"]


def test_a_reimport_without_an_owner_column_keeps_the_stored_owner(
    services: Services, tmp_path: Path
) -> None:
    import_file(services, _write(tmp_path, "full.csv", OURS_FULL))
    summary = import_file(services, _write(tmp_path, "no_owner.csv", OURS_NO_OWNER))
    assert summary.errors == [] and summary.written
    assert summary.reassigned == 0
    assert _owner(services, "RO-1") == "maria-santos"


def test_a_reimport_with_rep_keeps_the_stored_owner(services: Services, tmp_path: Path) -> None:
    import_file(services, _write(tmp_path, "full.csv", OURS_FULL))
    summary = import_file(services, _write(tmp_path, "no_owner.csv", OURS_NO_OWNER), ImportOptions(rep="ana"))
    assert summary.reassigned == 0
    assert _owner(services, "RO-1") == "maria-santos"


def test_only_a_new_lead_needs_an_owner(services: Services, tmp_path: Path) -> None:
    import_file(services, _write(tmp_path, "full.csv", OURS_FULL))
    text = OURS_NO_OWNER + "RO-2,Bo,Two,b@r.example,RCo\n"
    with pytest.raises(ImportRejected) as caught:
        import_file(services, _write(tmp_path, "one_new.csv", text))
    errors = caught.value.summary.errors
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (3, "owner", "no owner for this row: pass --rep REP")
    ]
    assert lead_report(services, "RO-1")["title"] == "VP Sales"  # nothing was written
