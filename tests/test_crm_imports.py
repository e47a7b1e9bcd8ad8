"""The CRM exports RevOps really has, imported as they come.

Fixtures in tests/data/import/crm/ follow the CRMs' documented export formats
with invented people (SOURCES.md says which documentation each follows;
EXPECTED.md what a correct import does, row by row)."""

from __future__ import annotations

import csv
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import func, inspect, select

from leadqueue.cli.main import main
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept
from leadqueue.domain.import_mapping import ImportMapping
from leadqueue.domain.policy import Policy
from leadqueue.export.service import export
from leadqueue.io.errors import ImportFileError
from leadqueue.io.reader import open_lead_file, read_leads
from leadqueue.io.repeats import FirstRowsInMemory
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.services.importing import ImportOptions, ImportRejected, import_file
from leadqueue.services.roster import RosterService
from leadqueue.store.engine import Store
from leadqueue.store.schema import clock_runs, leads
from tests.factories import add_team_lead

CRM = Path(__file__).parent / "data" / "import" / "crm"
NY = ZoneInfo("America/New_York")
NOW = datetime(2024, 11, 20, 15, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def team(store: Store) -> Services:
    return Services(store=store, policy=Policy(), clock=FixedClock(NOW))


def fixture(name: str, tmp_path: Path) -> Path:
    """A copy, so a rejects file lands in tmp_path."""
    target = tmp_path / name
    target.write_bytes((CRM / name).read_bytes())
    return target


def lead(services: Services, crm_id: str) -> dict[str, object]:
    with services.store.read() as conn:
        row = conn.execute(select(leads).where(leads.c.crm_id == crm_id)).first()
    assert row is not None, crm_id
    return dict(row._mapping)


def count_leads(services: Services) -> int:
    with services.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(leads)).scalar_one())


# -- 1. every export is recognised from its header ----------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("salesforce_data_export_leads.csv", "salesforce-api"),
        ("salesforce_workbench_leads.csv", "salesforce-api"),
        ("salesforce_report_us.csv", "salesforce-report"),
        ("salesforce_report_eu.csv", "salesforce-report"),
        ("hubspot_contacts_old.csv", "hubspot"),
        ("hubspot_contacts_new.csv", "hubspot"),
        ("hubspot_contacts_internal_values.csv", "hubspot"),
        ("utf16_no_bom.csv", "hubspot"),
        ("zoho_leads.csv", "zoho"),
    ],
)
def test_each_export_is_recognised_from_its_header(name: str, fmt: str) -> None:
    assert open_lead_file(CRM / name, NY).format.name == fmt


def test_a_report_without_its_lead_id_says_how_to_add_it() -> None:
    with pytest.raises(ImportFileError, match="add the 'Lead ID' field to the columns"):
        open_lead_file(CRM / "salesforce_report_no_id.csv", NY)


@pytest.mark.parametrize("name", ["salesforce_users.csv", "salesforce_users_report.csv", "hubspot_users.csv"])
def test_a_user_list_given_as_leads_points_to_reps_import(name: str) -> None:
    with pytest.raises(ImportFileError, match="leadqueue reps import"):
        open_lead_file(CRM / name, NY)


def test_the_summary_names_the_format(team: Services, tmp_path: Path) -> None:
    summary = import_file(team, fixture("zoho_leads.csv", tmp_path))
    assert summary.line().startswith("imported zoho_leads.csv (Zoho CRM leads export, utf-8): 9 rows")


# -- 2. owners become the right reps -------------------------------------------------


def test_salesforce_owner_ids_need_the_user_list_and_then_resolve(team: Services, tmp_path: Path) -> None:
    path = fixture("salesforce_data_export_leads.csv", tmp_path)
    with pytest.raises(ImportRejected) as info:
        import_file(team, path)
    errors = {
        e.row: e.reason for e in info.value.summary.errors if e.column == "OwnerId"
    }  # the file's header
    # spreadsheet rows (row 8's address holds a line break, one row still); rows 4 and 5 are
    # leads the CRM closed: counted and never queued, so their owners are not read
    assert {row for row, reason in errors.items() if "looks like a Salesforce user id" in reason} == {
        2,
        3,
        7,
        8,
        9,
        10,
        11,
    }  # fmt: skip
    assert "pass --rep" in errors[6]  # owned by a queue (00G...): no rep yet
    assert count_leads(team) == 0

    RosterService(team).import_file(CRM / "salesforce_users.csv")
    with pytest.raises(ImportRejected) as info:
        import_file(team, path)
    # the queue's lead waits for --rep; Derek Whitcombe is an inactive user, not on the roster
    assert [(e.row, e.column) for e in info.value.summary.errors] == [(6, "OwnerId"), (7, "OwnerId")]
    summary = import_file(team, path, ImportOptions(skip_invalid=True))
    assert (summary.created, summary.closed, len(summary.errors)) == (6, 2, 2)
    rosalind = lead(team, "00QDn00000Kq3aTMAR")
    assert rosalind["owner"] == lead(team, "00QDn00000Kq3gZMAR")["owner"]  # both Maria Santos
    assert rosalind["owner"] != lead(team, "00QDn00000Kq3bUMAR")["owner"]  # James Okafor


def test_owner_names_become_reps_and_the_summary_names_them(team: Services, tmp_path: Path) -> None:
    summary = import_file(team, fixture("owners_cyrillic.csv", tmp_path))
    assert summary.created == 6
    assert len(summary.new_reps) == 2
    owners = {lead(team, f"LQ-RU-000{i}")["owner"] for i in range(1, 7)}
    assert len(owners) == 2 and all(owners)
    assert any("Лена Фишер" in r for r in summary.new_reps)
    assert any("Ольга Смирнова" in r for r in summary.new_reps)


# -- 3. ids ------------------------------------------------------------------------


def test_15_and_18_character_ids_of_one_record_are_one_lead(team: Services, tmp_path: Path) -> None:
    RosterService(team).import_file(CRM / "salesforce_users.csv")
    import_file(team, fixture("salesforce_data_export_leads.csv", tmp_path), ImportOptions(skip_invalid=True))
    before = count_leads(team)
    with pytest.raises(ImportRejected) as info:
        import_file(team, fixture("salesforce_workbench_leads.csv", tmp_path))
    (bad,) = info.value.summary.errors
    assert (bad.row, bad.column) == (5, "Id")
    assert "last 3 characters should be 'MAR'" in bad.reason
    summary = import_file(
        team, fixture("salesforce_workbench_leads.csv", tmp_path), ImportOptions(skip_invalid=True)
    )
    # rows 6 and 7 are new; row 3 (15 characters) and row 8 (upper-cased) are records already here
    assert summary.created == 2
    assert count_leads(team) == before + 2


def test_ids_a_spreadsheet_turned_into_numbers_are_row_errors(team: Services, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as info:
        import_file(team, fixture("excel_number_ids.csv", tmp_path), ImportOptions(rep="ana"))
    errors = info.value.summary.errors
    assert [(e.row, e.column) for e in errors] == [(r, "Record ID") for r in (2, 4, 5, 7)]
    assert all("turned into a number by a spreadsheet" in e.reason for e in errors)
    assert count_leads(team) == 0


# -- 4. times and dates ------------------------------------------------------------


def test_salesforce_api_exports_are_read_in_utc() -> None:
    rows = {r.profile.crm_id: r for r in read_leads(CRM / "salesforce_data_export_leads.csv", NY).rows}
    assert rows["00QDn00000Kq3aTMAR"].profile.created_at == utc(2024, 1, 31, 19, 3)


def test_a_source_zone_reads_a_european_report_in_its_writers_zone() -> None:
    stockholm = ZoneInfo("Europe/Stockholm")
    rows = read_leads(CRM / "salesforce_report_eu.csv", NY, source_zone=stockholm).rows
    renee = rows[0].profile
    assert (renee.first_name, renee.last_name) == ("Renée", "Fauchère")
    assert renee.created_at == utc(2024, 1, 31, 13, 3)


def test_day_first_files_are_detected_from_their_own_values() -> None:
    lead_file = open_lead_file(CRM / "day_first_dashes.csv", NY)
    assert (lead_file.date_order, lead_file.date_order_guessed) == ("dmy", False)
    rows = read_leads(CRM / "day_first_dashes.csv", NY).rows
    assert [r.profile.created_at for r in rows[:2]] == [utc(2024, 6, 28, 18), utc(2024, 7, 3, 13, 15)]


def test_an_all_ambiguous_file_uses_the_policys_order_and_says_so(team: Services, tmp_path: Path) -> None:
    summary = import_file(team, fixture("ambiguous_dates.csv", tmp_path), ImportOptions(rep="ana"))
    assert summary.date_order_guessed
    assert any("says whether it is day-first or month-first" in w for w in summary.warnings())
    day_first = Services(store=team.store, policy=Policy(date_order="dmy"), clock=team.clock)
    assert open_lead_file(CRM / "ambiguous_dates.csv", NY, default_order="dmy").date_order == "dmy"
    assert day_first.policy.date_order == "dmy"
    assert read_leads(CRM / "ambiguous_dates.csv", NY, date_order="dmy").rows[0].profile.created_at == utc(
        2024, 4, 3, 4
    )


def test_impossible_dates_and_numbers_are_row_errors_never_a_crash(team: Services, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "crm_id,email,rep,created_at,score\n"
        "A1,a@x.example,ana,9999-12-31T23:59:59Z,10\n"
        "A2,b@x.example,ana,0001-01-01,10\n"
        "A3,c@x.example,ana,2024-01-31,1e308\n"
        "A4,d@x.example,ana,2024-02-30,10\n"
        "A5,e@x.example,ana,2024-01-31,10\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as info:
        import_file(team, path)
    assert [(e.row, e.column) for e in info.value.summary.errors] == [
        (2, "created_at"),
        (3, "created_at"),
        (4, "score"),
        (5, "created_at"),
    ]
    assert count_leads(team) == 0


def test_a_number_out_of_range_is_quoted_as_the_file_has_it(team: Services, tmp_path: Path) -> None:
    path = tmp_path / "big_numbers.csv"
    path.write_text(
        "crm_id,email,rep,employees\nB1,a@x.example,ana,100000000000000000000000\nB2,b@x.example,ana,3e9\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as info:
        import_file(team, path)
    assert [e.reason for e in info.value.summary.errors] == [
        "'100000000000000000000000' is out of range (at most 2,147,483,647)",
        "'3e9' is out of range (at most 2,147,483,647)",
    ]


# -- 5. clocks start when the rep got the lead ------------------------------------


def test_the_clock_starts_at_the_assignment_else_at_the_import(team: Services, tmp_path: Path) -> None:
    summary = import_file(team, fixture("zoho_leads.csv", tmp_path))  # no assignment column
    assert summary.breached_on_arrival == 0
    assert lead(team, "5725767000000412001")["assigned_at"] == NOW
    hubspot = import_file(
        team, fixture("hubspot_contacts_old.csv", tmp_path), ImportOptions(skip_invalid=True)
    )
    assert lead(team, "62150883401")["assigned_at"] == utc(2024, 1, 31, 19, 5)  # Owner Assigned Date
    # every lead with a 2024 assignment date arrives breached, and the summary says so
    assert hubspot.breached_on_arrival == hubspot.created == 6
    # row 9 (Jo) has neither a last name nor an email (EXPECTED.md)
    assert [(e.row, e.column) for e in hubspot.errors if "a new lead needs one of them" in e.reason] == [
        (9, "Last Name")
    ]
    assert any("arrived with their decision clock already breached" in w for w in hubspot.warnings())


def test_clock_start_created_opts_into_the_create_date(team: Services, tmp_path: Path) -> None:
    import_file(team, fixture("zoho_leads.csv", tmp_path), ImportOptions(clock_start="created"))
    assert lead(team, "5725767000000412001")["assigned_at"] == utc(2024, 1, 31, 19, 3)


# -- 6. closed leads stay out of the queue ----------------------------------------


def test_leads_the_crm_closed_are_counted_not_queued(team: Services, tmp_path: Path) -> None:
    summary = import_file(team, fixture("zoho_leads.csv", tmp_path))
    assert (summary.created, summary.closed) == (6, 3)
    assert "3 closed in the CRM (not queued)" in summary.line()
    new = import_file(team, fixture("hubspot_contacts_new.csv", tmp_path))
    assert (new.created, new.closed) == (5, 2)  # Oren's repeated row (a closed company) does not close him


def test_a_lead_the_crm_closed_since_the_last_import_leaves_the_queue(team: Services, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    header = "Record ID,First Name,Last Name,Email,Contact owner,Lead Status\n"
    rows = "101,Ada,Lind,ada@x.example,Maria Lopez,NEW\n102,Ben,Ruiz,ben@x.example,Maria Lopez,NEW\n"
    path.write_text(header + rows, encoding="utf-8")
    import_file(team, path)
    rep = str(lead(team, "101")["owner"])
    DecisionService(team).accept("102", rep, Accept("call", NOW + timedelta(days=1), "intro call"))
    team.clock.set(NOW + timedelta(hours=2))  # type: ignore[attr-defined]

    path.write_text(header + rows.replace("NEW", "UNQUALIFIED"), encoding="utf-8")
    summary = import_file(team, path)
    assert summary.closed_since == 2
    assert "2 closed in the CRM since the last import (left the queue)" in summary.line()
    for crm_id in ("101", "102"):
        row = lead(team, crm_id)
        assert (row["state"], row["is_open"], row["due_at"]) == ("closed_in_crm", False, None)
    with team.store.read() as conn:
        open_runs = conn.execute(
            select(func.count()).select_from(clock_runs).where(clock_runs.c.stopped_at.is_(None))
        ).scalar_one()
    assert open_runs == 0
    # Our older "accepted" must not reopen in HubSpot what the CRM closed.
    out = tmp_path / "hubspot.csv"
    assert export(team, "hubspot", out).rows == 0
    assert "102" not in out.read_text(encoding="utf-8")
    # A third import of the same file changes nothing.
    again = import_file(team, path)
    assert (again.closed_since, again.unchanged) == (0, 2)


def test_the_teams_closed_statuses_come_from_the_policy(store: Store, tmp_path: Path) -> None:
    policy = Policy.model_validate({"crm": {"zoho": {"closed_statuses": ["Junk Lead"]}}})
    services = Services(store=store, policy=policy, clock=FixedClock(NOW))
    assert import_file(services, fixture("zoho_leads.csv", tmp_path)).closed == 1


@pytest.mark.parametrize(
    ("statuses", "said"),
    [
        (["*"], "'*' would close every lead"),
        ([" * "], "would close every lead"),
        (["Junk Lead", "**"], "would close every lead"),
    ],
)
def test_closed_statuses_that_match_every_lead_are_refused(statuses: list[str], said: str) -> None:
    with pytest.raises(ValidationError, match=said):
        Policy.model_validate({"crm": {"salesforce": {"closed_statuses": statuses}}})
    with pytest.raises(ValidationError, match=said):
        ImportMapping.model_validate(
            {"columns": {"Id": "crm_id", "Mail": "email"}, "closed_statuses": statuses}
        )


def test_closed_statuses_are_compared_trimmed(store: Store, tmp_path: Path) -> None:
    # an empty entry (a trailing comma in a shared policy) matches nothing and stops nothing
    policy = Policy.model_validate({"crm": {"zoho": {"closed_statuses": ["  Junk Lead ", ""]}}})
    assert policy.crm.zoho.closed_statuses == ["Junk Lead"]
    services = Services(store=store, policy=policy, clock=FixedClock(NOW))
    assert import_file(services, fixture("zoho_leads.csv", tmp_path)).closed == 1


# -- 7. messy files ---------------------------------------------------------------


def test_repeated_headers_the_first_wins_and_the_summary_names_the_rest(
    team: Services, tmp_path: Path
) -> None:
    summary = import_file(team, fixture("hubspot_contacts_new.csv", tmp_path))
    assert {"Create Date", "Lead Status", "Phone Number", "Company name"} <= set(summary.ignored_columns)
    leandra = lead(team, "73904412001")
    assert (leandra["crm_status"], leandra["created_at"]) == ("New", utc(2024, 5, 6, 14, 12))
    assert lead(team, "73904412002")["company"] == "Castellanos Group"


def test_a_mostly_utf8_file_with_windows_1252_lines_imports_with_a_warning(
    team: Services, tmp_path: Path
) -> None:
    summary = import_file(team, fixture("mixed_encoding.csv", tmp_path), ImportOptions(rep="ana"))
    assert summary.read.fallback_lines == 2
    assert any("2 line(s) were not UTF-8" in w for w in summary.warnings())
    names = {(r["first_name"], r["last_name"]) for r in map(lambda i: lead(team, i), _ids(team))}
    assert {("Inês", "Carvalho"), ("Hélène", "Marchand"), ("Zoë", "Thibodeaux")} <= names


def _ids(services: Services) -> list[str]:
    with services.store.read() as conn:
        return list(conn.execute(select(leads.c.crm_id)).scalars())


def test_utf16_without_a_byte_order_mark_is_detected() -> None:
    rows = read_leads(CRM / "utf16_no_bom.csv", NY).rows
    assert [(r.profile.first_name, r.profile.company) for r in rows][1] == ("Łukasz", "Wisła Tech Sp. z o.o.")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_rejects_file_is_an_error_before_anything_is_imported(
    team: Services, tmp_path: Path
) -> None:
    path = fixture("excel_number_ids.csv", tmp_path)
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(ImportFileError, match="cannot write the rejects file"):
            import_file(team, path, ImportOptions(skip_invalid=True, rep="ana"))
    finally:
        tmp_path.chmod(0o700)
    assert count_leads(team) == 0


def test_a_rejects_file_that_is_a_directory_is_an_error_before_anything_is_imported(
    team: Services, tmp_path: Path
) -> None:
    path = fixture("excel_number_ids.csv", tmp_path)
    (tmp_path / "excel_number_ids.rejects.csv").mkdir()
    with pytest.raises(ImportFileError, match="cannot write the rejects file"):
        import_file(team, path, ImportOptions(skip_invalid=True, rep="ana"))
    assert count_leads(team) == 0


# -- 8. a re-import keeps local decisions -----------------------------------------


def test_a_reimport_keeps_a_local_reassignment_unless_the_crm_owner_changed(
    team: Services, tmp_path: Path
) -> None:
    path = tmp_path / "leads.csv"
    header = "crm_id,email,last_name,rep,crm_status\n"
    path.write_text(header + "R1,r@x.example,Ray,maria,Open\n", encoding="utf-8")
    import_file(team, path)
    with team.store.write() as conn:
        from leadqueue.store.repository import ensure_reps

        ensure_reps(conn, {"james": "James", "hannah": "Hannah"})
    add_team_lead(team.store)
    DecisionService(team).reassign("R1", "lead", "james")
    team.clock.set(NOW + timedelta(hours=1))  # type: ignore[attr-defined]

    path.write_text(header + "R1,r@x.example,Ray,maria,Working\n", encoding="utf-8")  # new data, same owner
    summary = import_file(team, path)
    assert (summary.updated, summary.reassigned) == (1, 0)
    assert lead(team, "R1")["owner"] == "james"

    path.write_text(header + "R1,r@x.example,Ray,hannah,Working\n", encoding="utf-8")  # the CRM moved it
    summary = import_file(team, path)
    assert summary.reassigned == 1
    assert lead(team, "R1")["owner"] == "hannah"


def test_a_crm_reassignment_starts_the_new_owners_clock_when_the_crm_says(
    team: Services, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    header = "Record ID,Last Name,Email,Contact owner,Owner assigned date\n"
    first = NOW - timedelta(hours=6)
    path.write_text(header + f"301,Lind,ada@x.example,Maria Lopez,{first:%Y-%m-%d %H:%M}\n", encoding="utf-8")
    import_file(team, path, ImportOptions(source_zone=ZoneInfo("UTC")))
    assert lead(team, "301")["assigned_at"] == first
    later = NOW + timedelta(hours=3)
    team.clock.set(later)  # type: ignore[attr-defined]
    moved = "301,Lind,ada@x.example,Omar Haddad,{}\n"
    path.write_text(header + moved.format(f"{NOW:%Y-%m-%d %H:%M}"), encoding="utf-8")
    assert import_file(team, path, ImportOptions(source_zone=ZoneInfo("UTC"))).reassigned == 1
    with team.store.read() as conn:
        runs = conn.execute(select(clock_runs.c.rep, clock_runs.c.started_at).order_by(clock_runs.c.n)).all()
    assert [tuple(r) for r in runs][-1] == ("omar-haddad", NOW)  # not the import's own time, 3 h later


# -- 10. show carries every imported field ----------------------------------------


def test_show_json_carries_every_imported_field(
    team: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "show.db"
    path = fixture("hubspot_contacts_old.csv", tmp_path)
    env = {"LEADQUEUE_NOW": NOW.isoformat()}
    os.environ.update(env)
    try:
        assert main(["--db", str(db), "import", str(path), "--skip-invalid", "--rep", "maria"]) == 0
        capsys.readouterr()
        assert main(["--db", str(db), "show", "62150883401", "--format", "json"]) == 0
    finally:
        for key in env:
            os.environ.pop(key)
    shown = json.loads(capsys.readouterr().out)
    expected = {
        "phone": shown["phone"],
        "industry": shown["industry"],
        "crm_status": "New",
        "created_at": "2024-01-31T19:03:00Z",
        "assigned_at": "2024-01-31T19:05:00Z",
        "source_system": "hubspot",
    }
    assert {k: shown[k] for k in expected} == expected
    assert {"region", "country", "employees", "source", "campaign"} <= set(shown)
    assert shown["clocks"][0]["started_at"] == "2024-01-31T19:05:00Z"


# -- 1. anything else through a mapping -------------------------------------------

PARTNER_FILE = (
    "Prospect Ref;Mail;Surname;Owner Email;Received;Stage\n"
    "P-1;ana@acme.example;Amaral;maria@corp.example;03/04/2024 09:30;Open\n"
    "P-2;bo@acme.example;Berg;maria@corp.example;28/04/2024 10:00;Dead\n"
)
PARTNER_COLUMNS = """
[columns]
"Prospect Ref" = "crm_id"
"Mail" = "email"
"Surname" = "last_name"
"Owner Email" = "rep"
"Received" = "assigned_at"
"Stage" = "crm_status"
"""
PARTNER_MAP = (
    'date_order = "dmy"\nsource_zone = "Europe/Lisbon"\nclosed_statuses = ["Dead"]\n' + PARTNER_COLUMNS
)


def test_a_mapping_file_reads_a_layout_no_format_knows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "partner.csv"
    data.write_text(PARTNER_FILE, encoding="utf-8")
    mapping = tmp_path / "partner.toml"
    mapping.write_text(PARTNER_MAP, encoding="utf-8")
    db = tmp_path / "m.db"
    assert main(["--db", str(db), "import", str(data), "--map", str(mapping)]) == 0
    out = capsys.readouterr().out
    assert "(mapping partner.toml, utf-8): 2 rows, 1 new" in out
    assert "1 closed in the CRM" in out
    assert main(["--db", str(db), "show", "P-1", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["assigned_at"] == "2024-04-03T08:30:00Z"  # 3 April, 09:30 in Lisbon (WEST)


def test_a_mapping_profile_comes_from_the_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "partner.csv"
    data.write_text(PARTNER_FILE, encoding="utf-8")
    policy = tmp_path / "policy.toml"
    policy.write_text(
        PARTNER_COLUMNS.replace("[columns]", "[import.partner.columns]"),
        encoding="utf-8",
    )
    db = tmp_path / "p.db"
    args = ["--db", str(db), "--policy", str(policy), "import", str(data)]
    assert main([*args, "--profile", "partner", "--date-order", "dmy"]) == 0
    assert "(mapping partner, utf-8): 2 rows, 2 new" in capsys.readouterr().out
    assert main([*args, "--profile", "nope"]) == 1
    assert "no [import.nope] in the policy (known: partner)" in capsys.readouterr().err


def test_a_bad_mapping_says_what_and_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "partner.csv"
    data.write_text(PARTNER_FILE, encoding="utf-8")
    mapping = tmp_path / "bad.toml"
    mapping.write_text('[columns]\n"Prospect Ref" = "crm_id"\n"Mail" = "e-mail"\n', encoding="utf-8")
    assert main(["--db", str(tmp_path / "b.db"), "import", str(data), "--map", str(mapping)]) == 1
    err = capsys.readouterr().err
    assert f"mapping {mapping}: columns" in err and "'Mail' = 'e-mail': unknown field" in err


# -- 9. any size ------------------------------------------------------------------


def test_rows_stream_from_the_file_as_they_are_read(tmp_path: Path) -> None:
    """A file is never read whole: after the first batch only its bytes were read."""
    path = tmp_path / "big.csv"
    lines = ["crm_id,email,rep"] + [f"B{i:06d},b{i}@x.example,ana" for i in range(20_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    calls: list[tuple[int, int]] = []
    batches = open_lead_file(path, NY).batches(FirstRowsInMemory(), 1000, lambda d, t: calls.append((d, t)))
    first = next(batches)
    assert len(first) == 1000 and len(calls) == 1
    done, total = calls[0]
    assert total == path.stat().st_size
    assert done < total / 10  # the other 19,000 rows are still on disk


def test_a_repeated_id_is_found_across_batches_without_keeping_ids_in_memory(
    team: Services, tmp_path: Path
) -> None:
    """The ids met so far live in a temporary table of the import's transaction."""
    path = tmp_path / "big.csv"
    lines = ["crm_id,email,rep"] + [f"B{i:06d},b{i}@x.example,ana" for i in range(4_500)]
    lines.append("B000002,again@x.example,ana")  # repeats row 4, two batches later
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_file(team, path)
    [error] = caught.value.summary.errors
    assert (error.row, error.column, error.reason) == (4502, "crm_id", "duplicate of row 4 (id B000002)")
    assert count_leads(team) == 0
    summary = import_file(team, path, ImportOptions(skip_invalid=True))
    assert (summary.created, len(summary.errors)) == (4_500, 1)
    with team.store.write() as conn:  # gone with the transaction
        assert "import_first_rows" not in inspect(conn).get_temp_table_names()


# -- what a hostile check found -----------------------------------------------------


def test_a_blank_line_inside_a_report_does_not_end_its_rows(tmp_path: Path) -> None:
    lines = (CRM / "salesforce_report_us.csv").read_text(encoding="utf-8").split("\n")
    path = tmp_path / "gap.csv"
    path.write_text("\n".join([*lines[:3], '""', *lines[3:]]), encoding="utf-8")
    result = read_leads(path, NY)
    assert (len(result.rows), result.errors) == (9, [])  # the footer lines are still skipped


def test_nul_bytes_are_clear_errors(team: Services, tmp_path: Path) -> None:
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"crm_id,email,rep\nN1,a@x.example,ana\nN2,b\x00@x.example,ana\n")
    with pytest.raises(ImportRejected) as info:
        import_file(team, nul)
    assert [(e.row, e.column) for e in info.value.summary.errors] == [(3, "email")]
    assert "NUL byte" in info.value.summary.errors[0].reason
    assert count_leads(team) == 0


def test_an_encoding_that_is_not_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="unknown encoding 'hex'"):
        open_lead_file(CRM / "zoho_leads.csv", NY, encoding="hex")


def test_repeated_rows_that_disagree_are_duplicates_not_merged(team: Services, tmp_path: Path) -> None:
    path = tmp_path / "hs.csv"
    path.write_text(
        "Record ID - Contact,First Name,Last Name,Email,Contact owner,Lead Status,Record ID - Company\n"
        "1001,Ann,Dup,ann@x.example,Maria Santos,New,5001\n"
        "1001,Ann,Dup,ann@x.example,James Okafor,Unqualified,5002\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as info:
        import_file(team, path)
    (error,) = info.value.summary.errors
    assert (error.row, error.reason) == (3, "duplicate of row 2 (id 1001)")


def test_a_reimport_with_another_rep_option_moves_no_lead(team: Services, tmp_path: Path) -> None:
    path = tmp_path / "no_owner.csv"
    path.write_text("crm_id,email,last_name\nQ1,q@x.example,Quay\n", encoding="utf-8")
    import_file(team, path, ImportOptions(rep="ana"))
    summary = import_file(team, path, ImportOptions(rep="bo"))
    assert (summary.reassigned, lead(team, "Q1")["owner"]) == (0, "ana")


def test_rejects_have_one_line_a_row_with_every_reason(team: Services, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("crm_id,email,rep,score,employees\nB1,b@x.example,ana,x,-3\nB2,c@x.example,ana,1,2\n")
    summary = import_file(team, path, ImportOptions(skip_invalid=True))
    assert summary.line().endswith("1 new, 0 updated, 0 unchanged, 1 rejected")
    assert summary.rejects_path is not None
    rows = list(csv.reader(summary.rejects_path.open(encoding="utf-8-sig")))
    assert rows[0][:3] == ["row", "column", "error"]
    assert [r[:2] for r in rows[1:]] == [["2", "score, employees"]]


def test_show_prints_a_lead_whose_clock_has_not_started(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "future.csv"
    path.write_text("crm_id,last_name,rep,assigned_at\nF1,Soon,ana,2099-01-01T00:00:00Z\n", encoding="utf-8")
    db = ["--db", str(tmp_path / "f.db")]
    assert main([*db, "import", str(path)]) == 0
    assert main([*db, "show", "F1"]) == 0
    assert "clocks\n  clock" in capsys.readouterr().out


def test_a_lead_is_found_by_the_15_character_form_of_its_salesforce_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADQUEUE_NOW", NOW.isoformat())
    db = ["--db", str(tmp_path / "s.db")]
    assert main([*db, "import", str(fixture("salesforce_report_us.csv", tmp_path)), "--skip-invalid"]) == 0
    capsys.readouterr()
    assert main([*db, "show", "00QDn00000Kq3aT", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "00QDn00000Kq3aTMAR"
    assert main([*db, "show", "00QDn00000Kq3at"]) == 1  # another record: case matters in 15 characters


def test_countries_the_region_table_does_not_know_are_said(team: Services, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(
        "Lead ID,Last Name,Company / Account,Country,Lead Owner\n"
        "00Q5g00000AbCd1,Orlova,Sibir,Russian Federation,Maria Santos\n"  # in the table now
        "00Q5g00000AbCd2,Nakamura,Kiri,Atlantis,Maria Santos\n"
        "00Q5g00000AbCd3,Lund,Fjord,Atlantis,Maria Santos\n"
        "00Q5g00000AbCd4,Kerr,Isle,Lemuria,Maria Santos\n",
        encoding="utf-8",
    )
    summary = import_file(team, path)
    assert lead(team, "00Q5g00000AbCd1EAF")["region"] == "EMEA"
    (warning,) = [w for w in summary.warnings() if "region table" in w]
    assert warning.startswith("3 lead(s) name a country the region table does not know (Atlantis, Lemuria)")


def test_our_own_files_country_column_gives_the_region(team: Services, tmp_path: Path) -> None:
    path = tmp_path / "ours.csv"
    path.write_text("crm_id,last_name,rep,country\nC-1,Lovelace,ana,United States\n", encoding="utf-8")
    import_file(team, path)
    stored = lead(team, "C-1")
    assert (stored["region"], stored["extra"]) == ("NA", {"country": "United States"})
