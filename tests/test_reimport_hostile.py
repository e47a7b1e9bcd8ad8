"""A hostile tester's re-imports and one-row files: what the import summary says,
what a re-import keeps, what `show` carries, when a clock starts (issue 17,
points 5, 8 and 10). Every fixture is written here, shaped like the CRMs'
documented exports (see tests/data/import/crm/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from leadqueue.cli.render import lead_report, print_lead
from leadqueue.services.context import Services
from leadqueue.services.importing import ImportOptions, ImportRejected, import_file
from leadqueue.store.schema import leads


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
        (3, "", "no owner for this row: pass --rep REP")  # the file has no owner column to name
    ]
    assert lead_report(services, "RO-1")["title"] == "VP Sales"  # nothing was written


# ------------------------------------------------------------ a re-import keeps what its file does not say


def _stored(services: Services, crm_id: str) -> Any:
    with services.store.read() as conn:
        return conn.execute(select(leads).where(leads.c.crm_id == crm_id)).one()


def test_a_reimport_lacking_columns_keeps_their_fields(services: Services, tmp_path: Path) -> None:
    import_file(services, _write(tmp_path, "full.csv", OURS_FULL))
    before = _stored(services, "RO-1")
    assert (before.title, before.phone, before.crm_status, before.seniority) == (
        "VP Sales",
        "+1 555 0100",
        "Open",
        "vp",
    )
    summary = import_file(services, _write(tmp_path, "no_owner.csv", OURS_NO_OWNER))
    assert (summary.updated, summary.unchanged) == (0, 1)  # nothing the file has changed
    after = _stored(services, "RO-1")
    for column in ("title", "phone", "crm_status", "seniority", "tier", "search_text", "person_key"):
        assert getattr(after, column) == getattr(before, column), column


def test_an_empty_cell_in_a_column_the_file_has_clears_its_field(services: Services, tmp_path: Path) -> None:
    import_file(services, _write(tmp_path, "full.csv", OURS_FULL))
    text = "crm_id,email,title\nRO-1,a@r.example,\n"
    summary = import_file(services, _write(tmp_path, "no_title.csv", text))
    assert (summary.updated, summary.unchanged) == (1, 0)
    after = _stored(services, "RO-1")
    assert (after.title, after.seniority) == ("", "")  # the seniority follows the title
    assert (after.phone, after.crm_status, after.first_name) == ("+1 555 0100", "Open", "Ann")


def test_derived_columns_follow_the_fields_kept(services: Services, tmp_path: Path) -> None:
    import_file(services, _write(tmp_path, "full.csv", OURS_FULL))
    text = "crm_id,email\nRO-1,Ann.One@NewCo.example\n"
    assert import_file(services, _write(tmp_path, "email.csv", text)).updated == 1
    after = _stored(services, "RO-1")
    assert (after.email_norm, after.domain) == ("ann.one@newco.example", "newco.example")
    assert after.person_key == "ann one@newco.example"
    assert "newco" in after.search_text and "rco" in after.search_text  # the company was kept
    # a file without the email column keeps the domain the email gave
    import_file(services, _write(tmp_path, "title.csv", "crm_id,last_name,title\nRO-1,One,Head of Sales\n"))
    again = _stored(services, "RO-1")
    assert (again.domain, again.email_norm) == ("newco.example", "ann.one@newco.example")
    assert (again.title, again.seniority) == ("Head of Sales", "director")


HS_HEADER = (
    "Record ID,First Name,Last Name,Email,Job Title,Company Name,Contact owner,Lead Status,"
    "Create Date,Owner Assigned Date,Original Source,Original Source Drill-Down 1,Annual Revenue\n"
)
HS_ROW = (
    "8002,Bob,Two,bob2@x.example,CFO,Y Co,Maria Santos,New,2026-11-18 10:00,2026-11-18 10:05,"
    "Paid Social,LinkedIn,5000000\n"
)
# The same contact exported again with fewer columns (no Job Title, no Drill-Down 1,
# no Annual Revenue): the columns a user removed from the export view.
HS_FEWER = (
    "Record ID,First Name,Last Name,Email,Company Name,Contact owner,Lead Status,Create Date,"
    "Owner Assigned Date,Original Source\n"
    "8002,Bob,Two,bob2@x.example,Y Co,Maria Santos,New,2026-11-18 10:00,2026-11-18 10:05,Paid Social\n"
)


def test_a_hubspot_export_with_columns_removed_keeps_their_fields(services: Services, tmp_path: Path) -> None:
    import_file(services, _write(tmp_path, "hs1.csv", HS_HEADER + HS_ROW))
    summary = import_file(services, _write(tmp_path, "hs3.csv", HS_FEWER))
    assert (summary.updated, summary.unchanged) == (0, 1)
    after = _stored(services, "8002")
    assert (after.title, after.seniority, after.campaign, after.source) == (
        "CFO",
        "c_level",
        "LinkedIn",
        "Paid Social",
    )
    assert after.extra.get("Annual Revenue") == "5000000"
    # a column the file has, emptied, clears it; one it lacks stays
    emptied = HS_FEWER.replace("Original Source\n", "Original Source,Annual Revenue\n").replace(
        "Paid Social\n", ",\n"
    )
    assert import_file(services, _write(tmp_path, "hs4.csv", emptied)).updated == 1
    cleared = _stored(services, "8002")
    assert (cleared.source, cleared.campaign, cleared.title) == ("", "LinkedIn", "CFO")
    assert "Annual Revenue" not in cleared.extra


def test_the_same_data_in_another_column_order_is_unchanged(services: Services, tmp_path: Path) -> None:
    import_file(services, _write(tmp_path, "full.csv", OURS_FULL))
    header, row = OURS_FULL.splitlines()
    order = list(reversed(range(len(header.split(",")))))
    shuffled = "\n".join(",".join(line.split(",")[i] for i in order) for line in (header, row)) + "\n"
    summary = import_file(services, _write(tmp_path, "shuffled.csv", shuffled))
    assert (summary.updated, summary.unchanged) == (0, 1)


def test_a_json_line_without_a_key_keeps_its_field(services: Services, tmp_path: Path) -> None:
    first = (
        '{"crm_id": "J-1", "first_name": "Jo", "email": "jo@j.example", "title": "CTO", '
        '"phone": "+1 555 0199", "rep": "ana", "Budget": "50k"}\n'
    )
    import_file(services, _write(tmp_path, "a.jsonl", first))
    second = '{"crm_id": "J-1", "first_name": "Jo", "email": "jo@j.example", "phone": null}\n'
    summary = import_file(services, _write(tmp_path, "b.jsonl", second))
    assert summary.updated == 1
    after = _stored(services, "J-1")
    assert (after.title, after.phone, after.extra.get("Budget")) == ("CTO", "", "50k")


# ---------------------------------------------------------------- show carries every imported column

SF_WITH_EXTRAS = (
    '"Id","FirstName","LastName","Company","Email","Country","Description","AnnualRevenue",'
    '"OwnerId","Status","CreatedDate"\n'
    '"00QDn00000Kq3gZMAR","Priyanka","Raghunathan","Harborview Health","p.r@harborview.example",'
    '"United States","Asked for ""HIPAA"" details\n\x1b]0;owned\x07comparing two vendors","230000000",'
    '"Maria Santos","Open - Not Contacted","2026-11-20 13:15:45"\n'
)


def test_show_json_carries_the_imported_columns_under_their_headers(
    services: Services, tmp_path: Path
) -> None:
    import_file(services, _write(tmp_path, "sf.csv", SF_WITH_EXTRAS))
    report = lead_report(services, "00QDn00000Kq3gZMAR")
    assert report["extra"] == {
        "Description": 'Asked for "HIPAA" details\n\x1b]0;owned\x07comparing two vendors',
        "AnnualRevenue": "230000000",
    }
    assert report["country"] == "United States"  # a field of its own, not repeated in `extra`


def test_show_lists_the_imported_columns_safely(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_file(services, _write(tmp_path, "hs.csv", HS_HEADER + HS_ROW))
    import_file(services, _write(tmp_path, "sf.csv", SF_WITH_EXTRAS))
    capsys.readouterr()
    print_lead(services, "8002", "text")
    assert "\nother imported columns\n  Annual Revenue: 5000000\n" in capsys.readouterr().out
    print_lead(services, "00QDn00000Kq3gZMAR", "text")
    out = capsys.readouterr().out
    assert '  Description: Asked for "HIPAA" details\n    ␛]0;owned␇comparing two vendors\n' in out
    assert "\x1b" not in out and "\x07" not in out


def test_a_reimport_replaces_a_description_stored_under_the_field_name(
    services: Services, tmp_path: Path
) -> None:
    import_file(services, _write(tmp_path, "sf.csv", SF_WITH_EXTRAS))
    with services.store.write() as conn:  # as an import before the header was kept
        conn.execute(
            update(leads)
            .where(leads.c.crm_id == "00QDn00000Kq3gZMAR")
            .values(extra={"country": "United States", "description": "old text"})
        )
    emptied = SF_WITH_EXTRAS.replace("details\n\x1b]0;owned\x07comparing two vendors", "")
    emptied = emptied.replace('"Asked for ""HIPAA"" "', '""')
    assert import_file(services, _write(tmp_path, "sf2.csv", emptied)).updated == 1
    assert lead_report(services, "00QDn00000Kq3gZMAR")["extra"] == {"AnnualRevenue": "230000000"}
