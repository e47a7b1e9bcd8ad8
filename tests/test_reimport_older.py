"""An export older than the one last imported leaves its leads alone: the CRM's
own modification date (Salesforce LastModifiedDate or SystemModstamp, a report's
Last Modified Date, HubSpot's Last Modified Date, Zoho's Modified Time) is kept
with each lead, and a row dated before it changes neither the owner nor a field.
Fixtures are written here, shaped like the CRMs' documented exports (see
tests/data/import/crm/SOURCES.md)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text, update

from leadqueue.cli.render import lead_report, print_lead
from leadqueue.domain.reimport import CrmModified, older_than_stored
from leadqueue.io.reader import ParsedRow, ReadStats, read_leads
from leadqueue.io.timestamps import TimestampParser, resolution
from leadqueue.services.context import Services
from leadqueue.services.import_summary import ImportSummary
from leadqueue.services.importing import ImportOptions, ImportRejected, import_file
from leadqueue.store import repository as repo
from leadqueue.store.engine import open_store
from leadqueue.store.schema import crm_closed_leads, events, leads

SF_HEADER = '"Id","FirstName","LastName","Company","Title","Email","Status","OwnerId","LastModifiedDate"\n'
LEAD = "00QDn00000Kq3aTMAR"
SECOND = timedelta(seconds=1)


def _sf_file(tmp_path: Path, name: str, owner: str, title: str, modified: str) -> Path:
    path = tmp_path / name
    path.write_text(
        SF_HEADER + f'"{LEAD}","Rosalind","Achterberg","Tessaline Foods Inc.","{title}",'
        f'"r.achterberg@tessaline.example","Open - Not Contacted","{owner}","{modified}"\n',
        encoding="utf-8",
    )
    return path


def _lead(services: Services) -> tuple[str | None, str, datetime | None, int]:
    """The lead's owner, title, stored CRM modification date and number of events."""
    with services.store.read() as conn:
        row = conn.execute(select(leads).where(leads.c.crm_id == LEAD)).one()
        history = conn.execute(select(events.c.seq).where(events.c.lead_id == row.id)).all()
    return row.owner, row.title, row.crm_modified_at, len(history)


def test_an_older_export_leaves_the_owner_and_the_fields_as_the_newer_one_set(
    services: Services, tmp_path: Path
) -> None:
    newer = _sf_file(tmp_path, "monday.csv", "Maria Santos", "VP Supply Chain", "2026-11-16T10:00:00.000Z")
    older = _sf_file(tmp_path, "last_week.csv", "Devon Park", "Buyer", "2026-11-09T10:00:00.000Z")
    import_file(services, newer)
    before = _lead(services)
    summary = import_file(services, older)
    assert (summary.older, summary.updated, summary.reassigned) == (1, 0, 0)
    assert "1 older than their leads' last import (left as they are)" in summary.line()
    assert _lead(services) == before
    assert before[:3] == ("maria-santos", "VP Supply Chain", datetime(2026, 11, 16, 10, tzinfo=UTC))


def test_a_newer_export_moves_the_owner_and_keeps_its_date(services: Services, tmp_path: Path) -> None:
    import_file(services, _sf_file(tmp_path, "a.csv", "Maria Santos", "VP", "2026-11-09T10:00:00Z"))
    summary = import_file(services, _sf_file(tmp_path, "b.csv", "Devon Park", "COO", "2026-11-16T10:00:00Z"))
    assert (summary.older, summary.updated, summary.reassigned) == (0, 1, 1)
    owner, title, modified, _ = _lead(services)
    assert (owner, title, modified) == ("devon-park", "COO", datetime(2026, 11, 16, 10, tzinfo=UTC))
    assert lead_report(services, LEAD)["crm_modified_at"] == "2026-11-16T10:00:00Z"


def test_a_later_date_alone_is_kept_so_an_export_between_the_two_is_older(
    services: Services, tmp_path: Path
) -> None:
    import_file(services, _sf_file(tmp_path, "a.csv", "Maria Santos", "VP", "2026-11-09T10:00:00Z"))
    touched = import_file(services, _sf_file(tmp_path, "c.csv", "Maria Santos", "VP", "2026-11-18T10:00:00Z"))
    assert (touched.unchanged, touched.updated) == (1, 0)  # nothing stored changed but the date
    assert _lead(services)[2] == datetime(2026, 11, 18, 10, tzinfo=UTC)
    between = import_file(services, _sf_file(tmp_path, "b.csv", "Devon Park", "COO", "2026-11-12T10:00:00Z"))
    assert between.older == 1
    assert _lead(services)[:2] == ("maria-santos", "VP")


def test_a_file_without_the_date_is_taken_and_keeps_the_stored_date(
    services: Services, tmp_path: Path
) -> None:
    import_file(services, _sf_file(tmp_path, "a.csv", "Maria Santos", "VP", "2026-11-16T10:00:00Z"))
    undated = tmp_path / "undated.csv"
    undated.write_text(
        '"Id","LastName","Email","Title","OwnerId"\n'
        f'"{LEAD}","Achterberg","r.achterberg@tessaline.example","COO","Maria Santos"\n',
        encoding="utf-8",
    )
    assert import_file(services, undated).updated == 1
    assert _lead(services)[1:3] == ("COO", datetime(2026, 11, 16, 10, tzinfo=UTC))


def test_an_impossible_modification_date_is_a_row_error_and_nothing_is_written(
    services: Services, tmp_path: Path
) -> None:
    bad = _sf_file(tmp_path, "bad.csv", "Maria Santos", "VP", "2026-13-45T10:00:00Z")
    with pytest.raises(ImportRejected) as caught:
        import_file(services, bad)
    (error,) = caught.value.summary.errors
    assert (error.row, error.column) == (2, "LastModifiedDate")
    assert "2026-13-45" in error.reason
    with services.store.read() as conn:
        assert repo.lead_ids_exist(conn, [LEAD]) == set()


def test_an_older_row_names_no_new_rep_and_is_not_refused_for_its_owner(
    services: Services, tmp_path: Path
) -> None:
    import_file(services, _sf_file(tmp_path, "a.csv", "Maria Santos", "VP", "2026-11-16T10:00:00Z"))
    # last week's file names an owner the roster lacks, by a CRM user id: a row error were it taken
    older = _sf_file(tmp_path, "b.csv", "005Dn000001zZz9IAE", "COO", "2026-11-09T10:00:00Z")
    summary = import_file(services, older)
    assert (summary.older, summary.new_reps, summary.errors) == (1, [], [])
    plain = _sf_file(tmp_path, "c.csv", "Devon Park", "COO", "2026-11-09T10:00:00Z")
    assert import_file(services, plain).new_reps == []
    assert _lead(services)[:2] == ("maria-santos", "VP")


def test_a_dry_run_counts_the_older_rows_and_writes_nothing(services: Services, tmp_path: Path) -> None:
    import_file(services, _sf_file(tmp_path, "a.csv", "Maria Santos", "VP", "2026-11-16T10:00:00Z"))
    before = _lead(services)
    older = _sf_file(tmp_path, "b.csv", "Devon Park", "COO", "2026-11-09T10:00:00Z")
    summary = import_file(services, older, ImportOptions(dry_run=True))
    assert summary.older == 1 and not summary.written
    assert "would import" in summary.line() and "1 older than their leads' last import" in summary.line()
    assert _lead(services) == before


REPORT_HEADER = "Lead ID,Last Name,Email,Title,Lead Owner,Last Modified Date\n"


def _report(tmp_path: Path, title: str, day: str) -> Path:
    """A Salesforce report as Excel saves it in the US: the 15-character id, a date alone."""
    path = tmp_path / f"report-{title}.csv"
    row = f"{LEAD[:15]},Achterberg,r.achterberg@tessaline.example,{title},Maria Santos,{day}\n"
    path.write_text(REPORT_HEADER + row, encoding="utf-8")
    return path


def test_a_report_dated_by_the_day_is_older_only_when_the_whole_day_is(
    services: Services, tmp_path: Path
) -> None:
    # an API export says 15:10:44 UTC on the 16th; the reports (the team's zone) say only the day
    import_file(services, _sf_file(tmp_path, "api.csv", "Maria Santos", "VP", "2026-11-16T15:10:44.000Z"))
    assert import_file(services, _report(tmp_path, "Buyer", "11/15/2026")).older == 1
    taken = import_file(services, _report(tmp_path, "COO", "11/16/2026"))
    assert (taken.older, taken.updated) == (0, 1)  # the 16th may be after 15:10:44: taken
    # the date kept stays the finer, later one: an export of 10:00 that day is older
    assert _lead(services)[1:3] == ("COO", datetime(2026, 11, 16, 15, 10, 44, tzinfo=UTC))
    morning = _sf_file(tmp_path, "am.csv", "Devon Park", "Buyer", "2026-11-16T10:00:00.000Z")
    assert import_file(services, morning).older == 1


def test_show_says_when_the_crm_last_changed_the_lead(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_file(services, _sf_file(tmp_path, "a.csv", "Maria Santos", "VP", "2026-11-16T10:00:00Z"))
    capsys.readouterr()
    print_lead(services, LEAD, "text")
    shown = capsys.readouterr().out
    assert "  CRM status Open - Not Contacted (salesforce), changed there 2026-11-16T10:00:00Z\n" in shown


CLOSED_HEADER = '"Id","LastName","Email","Status","OwnerId","IsConverted","LastModifiedDate"\n'


def _status_file(tmp_path: Path, name: str, status: str, modified: str) -> Path:
    path = tmp_path / name
    row = (
        f'"{LEAD}","Achterberg","r.achterberg@tessaline.example","{status}","Maria Santos","0","{modified}"\n'
    )
    path.write_text(CLOSED_HEADER + row, encoding="utf-8")
    return path


def _queued(services: Services) -> bool:
    with services.store.read() as conn:
        return bool(repo.lead_ids_exist(conn, [LEAD]))


def test_a_lead_the_crm_closed_is_not_queued_by_an_older_export_in_which_it_is_open(
    services: Services, tmp_path: Path
) -> None:
    closed = import_file(
        services, _status_file(tmp_path, "new.csv", "Closed - Not Converted", "2026-11-16 10:00:00")
    )
    assert closed.closed == 1 and not _queued(services)
    older = import_file(
        services, _status_file(tmp_path, "old.csv", "Open - Not Contacted", "2026-11-09 10:00:00")
    )
    assert (older.older, older.created) == (1, 0)
    assert not _queued(services)
    # reopened in the CRM since: a later export queues it, and it is a lead like any other
    reopened = import_file(services, _status_file(tmp_path, "later.csv", "Working", "2026-11-18 10:00:00"))
    assert reopened.created == 1 and _queued(services)
    assert _lead(services)[2] == datetime(2026, 11, 18, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "owner",
    ["005Dn000009zZz9IAE", "00GDn000001AbCdMAK", "Somebody Gone"],
    ids=["unknown-user-id", "a-queue", "a-name"],
)
def test_a_lead_the_crm_closed_is_remembered_whoever_owns_it(
    services: Services, tmp_path: Path, owner: str
) -> None:
    # a full export holds closed leads of departed users and of queues: their owners are not read
    path = tmp_path / "closed.csv"
    row = f'"{LEAD}","Achterberg","r.achterberg@tessaline.example","Closed - Converted","{owner}","1",'
    path.write_text(CLOSED_HEADER + row + '"2026-11-16 10:00:00"\n', encoding="utf-8")
    summary = import_file(services, path)
    assert (summary.closed, summary.errors, summary.new_reps) == (1, [], [])
    older = import_file(services, _status_file(tmp_path, "old.csv", "Working", "2026-11-09 10:00:00"))
    assert older.older == 1 and not _queued(services)


def _remembered_closed(services: Services) -> list[tuple[str, datetime | None]]:
    with services.store.read() as conn:
        return [(r.crm_id, r.crm_modified_at) for r in conn.execute(select(crm_closed_leads))]


def test_a_lead_reopened_by_a_row_dated_by_the_day_keeps_the_finer_date_it_was_closed_at(
    services: Services, tmp_path: Path
) -> None:
    closed_at = datetime(2026, 11, 16, 15, 10, 44, tzinfo=UTC)
    import_file(
        services, _status_file(tmp_path, "closed.csv", "Closed - Not Converted", "2026-11-16T15:10:44Z")
    )
    assert _remembered_closed(services) == [(LEAD, closed_at)]
    # a report dated the 16th may be later than 15:10:44: the lead is queued, and forgotten as closed
    assert import_file(services, _report(tmp_path, "VP", "11/16/2026")).created == 1
    assert _remembered_closed(services) == []
    assert _lead(services)[2] == closed_at  # not the report's midnight
    morning = _sf_file(tmp_path, "am.csv", "Devon Park", "Buyer", "2026-11-16T10:00:00.000Z")
    assert import_file(services, morning).older == 1
    assert _lead(services)[:2] == ("maria-santos", "VP")


def test_a_lead_closed_again_by_a_row_dated_by_the_day_keeps_the_finer_date(
    services: Services, tmp_path: Path
) -> None:
    closed_at = datetime(2026, 11, 16, 15, 10, 44, tzinfo=UTC)
    import_file(services, _status_file(tmp_path, "a.csv", "Closed - Not Converted", "2026-11-16T15:10:44Z"))
    import_file(services, _status_file(tmp_path, "b.csv", "Closed - Not Converted", "11/16/2026"))
    assert _remembered_closed(services) == [(LEAD, closed_at)]


def test_a_lead_the_crm_closed_without_a_date_is_queued_by_the_next_open_row(
    services: Services, tmp_path: Path
) -> None:
    undated = tmp_path / "undated.csv"
    undated.write_text(
        '"Id","LastName","Status","OwnerId"\n'
        f'"{LEAD}","Achterberg","Closed - Not Converted","Maria Santos"\n',
        encoding="utf-8",
    )
    import_file(services, undated)
    assert (
        import_file(services, _status_file(tmp_path, "old.csv", "Working", "2026-11-09 10:00:00")).created
        == 1
    )


def test_take_older_mends_a_date_an_import_misread(services: Services, tmp_path: Path) -> None:
    # a report of 11 May read day-first by mistake: 5 November
    report = tmp_path / "may.csv"
    report.write_text(
        REPORT_HEADER
        + f"{LEAD[:15]},Achterberg,r.achterberg@tessaline.example,Buyer,Maria Santos,5/11/2026 9:00 AM\n",
        encoding="utf-8",
    )
    import_file(services, report, ImportOptions(date_order="dmy"))
    august = _sf_file(tmp_path, "august.csv", "Devon Park", "COO", "2026-08-20T10:00:00Z")
    refused = import_file(services, august)
    assert (refused.older, refused.older_ids) == (1, [LEAD])
    (warning,) = [w for w in refused.warnings() if "older" in w or "before an earlier import" in w]
    assert f"({LEAD})" in warning and "--take-older" in warning
    taken = import_file(services, august, ImportOptions(take_older=True))
    assert (taken.older, taken.reassigned) == (0, 1)
    assert _lead(services)[:3] == ("devon-park", "COO", datetime(2026, 8, 20, 10, tzinfo=UTC))


# ---------------------------------------------------------------- each CRM's column


UTC_ZONE = ZoneInfo("UTC")


def _only_row(path: Path, zone: str) -> ParsedRow:
    result = read_leads(path, ZoneInfo(zone))
    assert not result.errors, result.errors
    (row,) = result.rows
    return row


@pytest.mark.parametrize(
    ("header", "cells", "expected"),
    [
        # Salesforce Data Export: UTC, no offset; SystemModstamp when LastModifiedDate is empty
        (
            '"Id","LastName","Email","OwnerId","IsConverted","CreatedDate","LastModifiedDate","SystemModstamp"',
            f'"{LEAD}","Achterberg","r@t.example","Maria Santos","0","2024-01-31 19:03:00","",'
            '"2024-02-02 15:10:44"',
            datetime(2024, 2, 2, 15, 10, 44, tzinfo=UTC),
        ),
        # a Salesforce report, as Excel saves it in the US
        (
            "Lead ID,Last Name,Email,Lead Owner,Create Date,Last Modified Date",
            "00QDn00000Kq3aT,Achterberg,r@t.example,Maria Santos,1/31/2024 2:03 PM,2/2/2024 10:10 AM",
            datetime(2024, 2, 2, 15, 10, tzinfo=UTC),
        ),
        # HubSpot's contact export
        (
            "Record ID,First Name,Last Name,Email,Contact owner,Create Date,Last Modified Date",
            "51,Ada,Nwachukwu,ada@k.example,Maria Santos,2024-01-31 14:03,2024-02-02 10:10",
            datetime(2024, 2, 2, 15, 10, tzinfo=UTC),
        ),
        # Zoho CRM's lead export
        (
            "Record Id,Lead Owner,Last Name,Email,Created Time,Modified Time",
            "zcrm_5725767000000412001,Maria Santos,Nwachukwu,ada@k.example,"
            '"31 Jan, 2024 14:03:00","2 Feb, 2024 10:10:00"',
            datetime(2024, 2, 2, 15, 10, tzinfo=UTC),
        ),
    ],
    ids=["salesforce-api", "salesforce-report", "hubspot", "zoho"],
)
def test_each_crm_export_gives_the_modification_date(
    tmp_path: Path, header: str, cells: str, expected: datetime
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"{header}\n{cells}\n", encoding="utf-8")
    modified = _only_row(path, "America/New_York").modified
    assert modified is not None and modified.at == expected


def test_an_associated_companys_dates_are_not_the_contacts(tmp_path: Path) -> None:
    # "include associated records" without the contact's own Last Modified Date or Create Date:
    # the company's come after `Record ID - Company` and say nothing of the lead
    path = tmp_path / "hubspot.csv"
    path.write_text(
        "Record ID - Contact,First Name,Last Name,Email,Contact owner,"
        "Record ID - Company,Company name,Industry,Create Date,Last Modified Date\n"
        "51,Ada,Nwachukwu,ada@k.example,Maria Santos,"
        "9001,Kestrel Learning Labs,Education,2019-03-01 09:00,2026-11-25 10:00\n",
        encoding="utf-8",
    )
    row = _only_row(path, "America/New_York")
    assert (row.modified, row.profile.created_at) == (None, None)
    assert (row.profile.company, row.profile.industry) == ("Kestrel Learning Labs", "Education")
    assert "Last Modified Date" not in row.profile.extra  # nothing of the lead's, nor shown as if it were


def test_the_fixtures_modification_dates_are_read() -> None:
    crm = Path(__file__).parent / "data" / "import" / "crm"
    workbench = read_leads(crm / "salesforce_workbench_leads.csv", UTC_ZONE)
    assert workbench.rows[0].modified == CrmModified(datetime(2024, 2, 2, 15, 10, 44, tzinfo=UTC), SECOND)
    zoho = read_leads(crm / "zoho_leads.csv", UTC_ZONE)
    assert zoho.rows[0].modified == CrmModified(datetime(2024, 1, 31, 14, 3, tzinfo=UTC), SECOND)


# ---------------------------------------------------------------- a store of version 7


@pytest.fixture
def upgraded(services: Services, tmp_path: Path) -> Iterator[Services]:
    """A store of version 7 holding the lead as Monday's export gave it (the date kept
    with its unknown columns), opened by this version: SQLite and PostgreSQL."""
    import_file(services, _sf_file(tmp_path, "monday.csv", "Maria Santos", "VP", "2026-11-16T10:00:00Z"))
    with services.store.write() as conn:  # back to what version 7 had
        conn.execute(update(leads).values(extra={"LastModifiedDate": "2026-11-16T10:00:00Z"}))
        conn.execute(text("ALTER TABLE leads DROP COLUMN crm_modified_at"))
        conn.execute(text("DROP TABLE crm_closed_leads"))
        conn.execute(text("UPDATE meta SET value = '7' WHERE key = 'schema_version'"))
    services.store.dispose()
    store = open_store(services.store.url)
    yield replace(services, store=store)
    store.dispose()


def test_an_upgraded_store_takes_the_next_row_as_it_comes(upgraded: Services, tmp_path: Path) -> None:
    assert _lead(upgraded)[2] is None  # nothing said when, before
    older = import_file(upgraded, _sf_file(tmp_path, "b.csv", "Devon Park", "COO", "2026-11-09T10:00:00Z"))
    assert older.older == 0 and older.reassigned == 1  # no date stored: the row is taken
    assert _lead(upgraded)[:3] == ("devon-park", "COO", datetime(2026, 11, 9, 10, tzinfo=UTC))


def test_an_upgraded_store_keeps_the_date_of_the_same_export_again(
    upgraded: Services, tmp_path: Path
) -> None:
    again = import_file(
        upgraded, _sf_file(tmp_path, "monday.csv", "Maria Santos", "VP", "2026-11-16T10:00:00Z")
    )
    assert again.unchanged == 1
    assert _lead(upgraded)[2] == datetime(2026, 11, 16, 10, tzinfo=UTC)
    older = import_file(upgraded, _sf_file(tmp_path, "b.csv", "Devon Park", "COO", "2026-11-09T10:00:00Z"))
    assert older.older == 1
    assert _lead(upgraded)[:2] == ("maria-santos", "VP")


def test_a_date_once_kept_as_an_unknown_column_leaves_extra_when_read(
    upgraded: Services, tmp_path: Path
) -> None:
    import_file(upgraded, _sf_file(tmp_path, "tuesday.csv", "Maria Santos", "COO", "2026-11-17T10:00:00Z"))
    assert lead_report(upgraded, LEAD)["extra"] == {}  # not a stale LastModifiedDate of Monday
    assert _lead(upgraded)[1:3] == ("COO", datetime(2026, 11, 17, 10, tzinfo=UTC))


def test_a_date_alone_covers_a_day_the_clocks_went_back() -> None:
    # New York's 3 November 2024 lasted 25 hours: 23:30 EST that day is 04:30Z on the 4th
    stored = datetime(2024, 11, 4, 4, 30, tzinfo=UTC)
    text = "11/3/2024"
    row = CrmModified(TimestampParser(ZoneInfo("America/New_York"))(text), resolution(text))
    assert not older_than_stored(row, stored)
    assert older_than_stored(row, stored + timedelta(hours=1))


def test_a_column_repeated_twice_is_named_once() -> None:
    # a contact export with an associated company and an associated deal repeats Create Date twice
    summary = ImportSummary(
        path=Path("hubspot.csv"),
        format="HubSpot contacts export",
        read=ReadStats(encoding="utf-8"),
        ignored_columns=["Create Date", "Lead Status", "Create Date"],
    )
    (warning,) = summary.read_warnings()
    assert warning.endswith(": Create Date, Lead Status")


def test_an_upgraded_store_remembers_the_leads_the_crm_closed(upgraded: Services, tmp_path: Path) -> None:
    other = "00QDn00000Kq3bTMAR"
    closed = tmp_path / "closed.csv"
    closed.write_text(
        CLOSED_HEADER
        + f'"{other}","Berg","b@t.example","Closed - Converted","Maria Santos","1","2026-11-16 10:00:00"\n',
        encoding="utf-8",
    )
    assert import_file(upgraded, closed).closed == 1
    assert _remembered_closed(upgraded) == [(other, datetime(2026, 11, 16, 10, tzinfo=UTC))]
