"""CRM owners become the right reps: the owner matcher, `resolve_owners` inside a lead
import's transaction, rep keys in any script, and `reps import` of a CRM's user list."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from leadqueue.cli.main import main
from leadqueue.domain.owners import (
    OwnerMatcher,
    crm_id_key,
    looks_like_crm_user_id,
    name_from_email,
    resolve,
    salesforce_id15,
    salesforce_id18,
)
from leadqueue.domain.roster import AmbiguousRep, Rep, new_rep, parse_key, suggest_key
from leadqueue.io.crm_users import detect
from leadqueue.io.errors import ImportFileError
from leadqueue.services.context import Services
from leadqueue.services.roster import RosterRejected, RosterService, resolve_owners
from tests.cli_run import run

NOW = "2026-11-20T20:00:00Z"
DATA = Path(__file__).parent / "data" / "roster"
SF15 = "0055g00000QaRst"
SF18 = salesforce_id18(SF15)


# -- rep keys in any script ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Лена Фишер", "лена-фишер"),
        ("Ольга Смирнова", "ольга-смирнова"),
        ("José Núñez", "josé-núñez"),
        ("Jose\u0301 Nu\u0301n\u0303ez", "josé-núñez"),  # typed as letters and combining marks
        ("Straße", "straße"),
        ("王芳", "王芳"),
        ("Ana Silva", "ana-silva"),  # ASCII as before
        ("  --Ed  Wu!! ", "ed-wu"),
        ("a--b", "a--b"),
        ("???", "rep"),
        ("maria.santos@x.com", "maria.santos"),  # an email suggests its local part
    ],
)
def test_a_suggested_key_keeps_letters_of_any_script(text: str, key: str) -> None:
    assert suggest_key(text) == key
    assert parse_key(key) == key


@pytest.mark.parametrize("text", ["Лена", "лена фишер", "лена!", "-лена", "ŁUKASZ"])
def test_a_key_is_still_lowercase_with_no_spaces_or_punctuation(text: str) -> None:
    with pytest.raises(ValueError, match="is not a key"):
        parse_key(text)


def test_cyrillic_reps_have_keys_that_tell_them_apart() -> None:
    lena = new_rep({"key": "лена-фишер", "name": "Лена Фишер"})
    olga = new_rep({"key": "ольга-смирнова", "name": "Ольга Смирнова"})
    assert lena.key != olga.key
    assert OwnerMatcher([lena, olga]).match("ЛЕНА ФИШЕР") == lena


def test_compatibility_forms_a_spreadsheet_leaves_match_the_same_rep() -> None:
    maria = new_rep({"key": "maria", "name": "Maria Santos", "email": "maria@x.example"})
    matcher = OwnerMatcher([maria])
    assert matcher.match("Ｍａｒｉａ Ｓａｎｔｏｓ") == maria  # full-width letters
    assert matcher.match("Maria\u00a0Santos") == maria  # a no-break space


# -- the matcher ---------------------------------------------------------------------------

ROSTER = [
    Rep(
        key="ana",
        name="Ana Silva",
        email="ana.silva@acme.example",
        crm_ids=(SF18, "41002001", "zcrm_3652397000000186017"),
        aliases=("A. Silva",),
    ),
    Rep(key="bo", name="Bo Li", email="bo@acme.example", crm_ids=("0055g00000QbXyZ",)),
    Rep(key="sam.k", name="Sam Kim"),
    Rep(key="sam.l", name="Sam Kim", email="sam.l@acme.example"),
]


@pytest.mark.parametrize(
    ("owner", "key"),
    [
        (SF15, "ana"),  # the report's 15 characters; the roster holds the 18
        (SF18, "ana"),
        (SF18.lower(), "ana"),  # the checksum restores the case a tool dropped
        ("0055g00000QbXyZ", "bo"),
        (salesforce_id18("0055g00000QbXyZ"), "bo"),  # an 18 against a stored 15
        ("41002001", "ana"),  # a HubSpot owner id
        ("ZCRM_3652397000000186017", "ana"),  # other ids: case aside
        ("ANA.SILVA@acme.example", "ana"),
        ("  ana   silva ", "ana"),
        ("ANA", "ana"),
        ("a. silva", "ana"),
        ("bo li", "bo"),
        ("sam.l@acme.example", "sam.l"),
    ],
)
def test_an_owner_is_matched_by_crm_id_email_name_key_or_alias(owner: str, key: str) -> None:
    rep = OwnerMatcher(ROSTER).match(owner)
    assert rep is not None and rep.key == key


def test_a_salesforce_id_differing_in_case_is_another_user() -> None:
    other = SF15[:-1] + SF15[-1].swapcase()
    assert crm_id_key(other) != crm_id_key(SF15) == crm_id_key(SF18) == crm_id_key(SF18.lower())
    assert OwnerMatcher(ROSTER).match(other) is None
    assert salesforce_id15(SF18.upper()) == SF15
    assert salesforce_id18("001A0000006Vm9r") == "001A0000006Vm9rIAC"  # Salesforce's own example


def test_an_owner_naming_two_reps_is_ambiguous() -> None:
    matcher = OwnerMatcher(ROSTER)
    assert [r.key for r in matcher.candidates("sam kim")] == ["sam.k", "sam.l"]
    with pytest.raises(AmbiguousRep, match=r"owner 'Sam Kim' names 2 reps \(sam.k, sam.l\)"):
        matcher.match(" Sam Kim ")
    assert matcher.match("nobody") is None and matcher.match("  ") is None


@pytest.mark.parametrize(
    ("text", "crm"),
    [
        ("0055g00000ABCDE", "Salesforce"),
        ("0055g00000ABCDEAAA", "Salesforce"),
        ("0055g00000ABCD", None),  # 14 characters
        ("00Q5g00000ABCDE", None),  # a lead, not a user
        ("41629779", "HubSpot"),
        ("12345", "HubSpot"),
        ("1234", None),
        ("zcrm_3652397000000186017", "Zoho"),
        ("3652397000000186017", "Zoho"),
        ("Maria Santos", None),
        ("maria@acme.example", None),
    ],
)
def test_an_owner_that_looks_like_a_crm_user_id(text: str, crm: str | None) -> None:
    assert looks_like_crm_user_id(text) == crm


def test_a_name_from_an_email() -> None:
    assert name_from_email("maria.santos@x.com") == "Maria Santos"
    assert name_from_email("j_doe+leads@x.com") == "J Doe"


def test_resolve_makes_reps_of_unknown_names_and_emails_only() -> None:
    owners = ["Ana Silva", "Sam Kim", "0055g00000ZZZZZ", "987654", "zcrm_11", "maria.santos@x.com"]
    owners += ["Maria Santos", "Лена Фишер", "Ольга Смирнова", "bad@email", ""]
    out = resolve(ROSTER, owners)
    assert out.keys == {
        "Ana Silva": "ana",
        "maria.santos@x.com": "maria.santos",
        "Maria Santos": "maria.santos",  # the rep the file's email made, not a second one
        "Лена Фишер": "лена-фишер",
        "Ольга Смирнова": "ольга-смирнова",
    }
    assert [(r.key, r.name, r.email) for r in out.created] == [
        ("maria.santos", "Maria Santos", "maria.santos@x.com"),
        ("лена-фишер", "Лена Фишер", ""),
        ("ольга-смирнова", "Ольга Смирнова", ""),
    ]
    assert set(out.errors) == {"Sam Kim", "0055g00000ZZZZZ", "987654", "zcrm_11", "bad@email", ""}
    assert out.errors["0055g00000ZZZZZ"] == (
        "owner '0055g00000ZZZZZ' looks like a Salesforce user id and is not in the roster:"
        " import your Salesforce user list with `leadqueue reps import USERS.csv`"
    )
    assert "HubSpot user id" in out.errors["987654"]
    assert "`leadqueue reps set REP --crm-id zcrm_11`" in out.errors["zcrm_11"]
    assert "names 2 reps" in out.errors["Sam Kim"]
    assert "is not an email address" in out.errors["bad@email"]
    assert out.created_line().startswith("maria.santos (Maria Santos <maria.santos@x.com>), лена-фишер")


# -- resolve_owners, inside the caller's transaction, on SQLite and PostgreSQL ------------


def roster(services: Services) -> dict[str, Rep]:
    return {r.key: r for r in RosterService(services).list()}


def test_resolve_owners_maps_known_owners_and_adds_new_reps(services: Services) -> None:
    service = RosterService(services)
    service.add({"key": "ana", "name": "Ana Silva", "email": "ana@acme.example", "crm_ids": SF18})
    service.add({"key": "лена-фишер", "name": "Лена Ф.", "email": "lena@acme.example"})
    service.add({"key": "ops", "name": "Ops Desk", "aliases": "ольга-смирнова"})
    owners = [SF15, "ANA@acme.example", "Лена Фишер", "Ольга Смирнова", "chidi.eze@acme.example", "41629779"]
    with services.store.write() as conn:
        out = resolve_owners(conn, owners)
    assert out.keys == {
        SF15: "ana",
        "ANA@acme.example": "ana",
        # Keys another rep has as a key or an alias are taken: -2.
        "Лена Фишер": "лена-фишер-2",
        "Ольга Смирнова": "ольга-смирнова-2",
        "chidi.eze@acme.example": "chidi.eze",
    }
    assert list(out.errors) == ["41629779"]
    reps = roster(services)
    assert reps["лена-фишер-2"] == Rep(key="лена-фишер-2", name="Лена Фишер")
    assert reps["ольга-смирнова-2"].name == "Ольга Смирнова"
    assert reps["chidi.eze"] == Rep(key="chidi.eze", name="Chidi Eze", email="chidi.eze@acme.example")
    assert out.created == [reps["chidi.eze"], reps["лена-фишер-2"], reps["ольга-смирнова-2"]]
    # The next import finds them, and makes nothing.
    with services.store.write() as conn:
        again = resolve_owners(conn, ["лена фишер", "Ольга  Смирнова", "Chidi Eze"])
    assert again.created == [] and set(again.keys.values()) == {
        "лена-фишер-2",
        "ольга-смирнова-2",
        "chidi.eze",
    }


def test_new_reps_go_with_the_callers_transaction(services: Services) -> None:
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), services.store.write() as conn:
        assert [r.key for r in resolve_owners(conn, ["Лена Фишер"]).created] == ["лена-фишер"]
        raise Abandon
    assert roster(services) == {}


def test_an_email_whose_name_another_rep_has_keeps_the_email_as_name(services: Services) -> None:
    RosterService(services).add({"key": "maria", "name": "Maria Santos", "email": "maria@acme.example"})
    with services.store.write() as conn:
        out = resolve_owners(conn, ["maria.santos@other.example"])
    # A second "Maria Santos" would make that name mean two reps.
    assert out.created == [
        Rep(key="maria.santos", name="maria.santos@other.example", email="maria.santos@other.example")
    ]


# -- reps import of a CRM's user list, from the command line -------------------------------


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two reps as a lead import makes them (a key and a name), and one complete rep."""
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    path = tmp_path / "cli.db"
    for argv in (
        ["add", "maria-santos", "--name", "Maria Santos"],
        ["add", "james-okafor", "--name", "James Okafor"],
        ["add", "zed", "--name", "Zed Amari", "--email", "zed@acme-demo.example", "--zone", "Asia/Tokyo"],
    ):
        assert main(["--db", str(path), "reps", *argv]) == 0
    return path


def reps_rows(db: Path) -> dict[str, tuple[Any, ...]]:
    with sqlite3.connect(db) as raw:
        rows = raw.execute("SELECT key, name, email, time_zone, crm_ids, aliases FROM reps").fetchall()
    return {r[0]: r[1:] for r in rows}


def copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(DATA / name, tmp_path / name))


def test_a_salesforce_data_export_of_users(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users = copy("salesforce_users.csv", tmp_path)
    code, out, err = run(capsys, "--db", str(db), "reps", "import", str(users))
    assert (code, err) == (0, "")
    assert out == (
        f"{users}: Salesforce user export (API names): 2 added, 2 updated, 0 unchanged;"
        " 1 inactive user(s) skipped\n"
    )
    reps = reps_rows(db)
    # The reps a lead import made by name are these users now, not second reps of the same name.
    assert reps["maria-santos"] == (
        "Maria Santos",
        "maria.santos@acme-demo.example",
        "America/Chicago",
        f'["{SF18}"]',
        "[]",
    )
    assert reps["james-okafor"][2] == "Europe/London"
    # Two Cyrillic names, two reps.
    assert reps["лена-фишер"][:3] == ("Лена Фишер", "lena.fisher@acme-demo.example", "Europe/Berlin")
    assert reps["ольга-смирнова"][:3] == (
        "Ольга Смирнова",
        "olga.smirnova@acme-demo.example",
        "Europe/Moscow",
    )
    assert "tom-berg" not in reps  # inactive
    code, out, _ = run(capsys, "--db", str(db), "reps", "import", str(users))
    assert out.endswith(": 0 added, 0 updated, 4 unchanged; 1 inactive user(s) skipped\n")
    assert reps_rows(db) == reps


def test_a_salesforce_users_report_matches_users_by_their_15_character_ids(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", str(db), "reps", "import", str(copy("salesforce_users.csv", tmp_path)))[0] == 0
    assert run(capsys, "--db", str(db), "reps", "set", "maria-santos", "--name", "Mari Santos")[0] == 0
    report = copy("salesforce_users_report.csv", tmp_path)
    code, out, err = run(capsys, "--db", str(db), "reps", "import", str(report))
    assert (code, err) == (0, "")
    assert out == (
        f"{report}: Salesforce user export (report labels): 1 added, 1 updated, 0 unchanged;"
        " 1 inactive user(s) skipped\n"
    )
    reps = reps_rows(db)
    # Maria's report id is the 15 of the 18 the roster holds; the CRM's name is kept as an alias.
    assert reps["maria-santos"][3:] == (f'["{SF18}"]', '["Maria Santos"]')
    # The zone comes from the picklist label; the id is stored in its 18-character form.
    assert reps["priya-natarajan"][2:4] == ("Asia/Kolkata", f'["{salesforce_id18("0055g00000QfIjK")}"]')


def test_hubspot_users_then_owners(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    users = copy("hubspot_users.csv", tmp_path)
    code, out, err = run(capsys, "--db", str(db), "reps", "import", str(users))
    assert (code, err) == (0, "")
    assert out == f"{users}: HubSpot user export: 2 added, 1 updated, 0 unchanged\n"
    owners = copy("hubspot_owners.csv", tmp_path)
    code, out, _ = run(capsys, "--db", str(db), "reps", "import", str(owners))
    assert (
        out == f"{owners}: HubSpot owner list: 0 added, 2 updated, 0 unchanged; 1 inactive user(s) skipped\n"
    )
    reps = reps_rows(db)
    assert reps["maria-santos"] == (
        "Maria Santos",
        "maria.santos@acme-demo.example",
        None,  # HubSpot's exports give no zone: the team's
        '["7712001", "41002001"]',
        "[]",
    )
    assert reps["chidi-eze"][3] == '["7712002", "41002002"]'
    assert reps["sales-ops"][:2] == ("Sales Ops", "sales-ops@acme-demo.example")  # no name: from the email
    assert "ines-duarte" not in reps  # archived


def test_owners_resolve_against_the_imported_user_list(services: Services) -> None:
    RosterService(services).import_file(DATA / "salesforce_users.csv")
    with services.store.write() as conn:
        out = resolve_owners(conn, [SF15, "Лена Фишер", "0055g00000QeFgH", "0055g00000QzZzZ"])
    assert out.keys == {SF15: "maria-santos", "Лена Фишер": "лена-фишер"}
    assert set(out.errors) == {"0055g00000QeFgH", "0055g00000QzZzZ"} and out.created == []
    # Tom Berg is inactive: his id says so; an id no list had says to import the list.
    inactive = "is Tom Berg, inactive in the Salesforce user list imported on 2026-11-20"
    assert inactive in out.errors["0055g00000QeFgH"]
    assert "--crm-id 0055g00000QeFgH" in out.errors["0055g00000QeFgH"]
    assert "import your Salesforce user list" in out.errors["0055g00000QzZzZ"]


def test_a_report_naming_an_inactive_user_makes_no_rep_of_them(services: Services) -> None:
    RosterService(services).import_file(DATA / "salesforce_users.csv")
    with services.store.write() as conn:
        out = resolve_owners(conn, ["Tom Berg", "tom.berg@acme-demo.example", "Nina Holt"])
    assert set(out.errors) == {"Tom Berg", "tom.berg@acme-demo.example"}
    assert "`leadqueue reps set REP --alias 'Tom Berg'`" in out.errors["Tom Berg"]
    assert [rep.name for rep in out.created] == ["Nina Holt"]  # an owner no list knows is still a rep


def test_a_reactivated_user_is_no_longer_inactive(services: Services, tmp_path: Path) -> None:
    listed = (DATA / "salesforce_users.csv").read_text(encoding="utf-8")
    RosterService(services).import_file(DATA / "salesforce_users.csv")
    again = tmp_path / "users.csv"
    again.write_text(
        listed.replace('"America/New_York","en_US","false"', '"America/New_York","en_US","true"')
    )
    RosterService(services).import_file(again)
    with services.store.write() as conn:
        assert resolve_owners(conn, ["Tom Berg"]).keys == {"Tom Berg": "tom-berg"}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


SF_HEADER = '"Id","Username","FirstName","LastName","Name","Email","TimeZoneSidKey","IsActive"\n'


def sf_row(user_id: str, name: str, zone: str = "Europe/Paris", active: str = "1") -> str:
    first, last = name.split()
    email = f"{first.lower()}@acme-demo.example"
    return f'"{user_id}","{email}","{first}","{last}","{name}","{email}","{zone}","{active}"\n'


def test_bad_rows_name_file_row_and_column_and_write_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(
        tmp_path / "users.csv",
        SF_HEADER
        + sf_row("0055g00000AaAaA", "Good User")  # good, yet not written
        + sf_row("0055g00000BbBbB", "Zone Less", zone="America/Atlantis")
        + sf_row("0055g00000CcCcC", "Flag Bad", active="maybe")
        + sf_row("00Q5g00000DdDdD", "Lead Id")
        + sf_row("0055g00000AaAaA", "Twice Seen"),
    )
    before = reps_rows(db)
    code, out, err = run(capsys, "--db", str(db), "reps", "import", str(bad))
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{bad}: row 3, column 'TimeZoneSidKey': unknown time zone 'America/Atlantis':"
        " use an IANA name like Europe/Berlin",
        f"{bad}: row 4, column 'IsActive': 'maybe' is not true or false (use true/false, yes/no or 1/0)",
        f"{bad}: row 5, column 'Id': '00Q5g00000DdDdD' is not a Salesforce user id"
        " ('005' and 12 or 15 letters and digits)",
        f"{bad}: row 6, column 'Id': user id '0055g00000AaAaA' is already on row 2 of this file",
        f"leadqueue: error: {bad}: 4 bad row(s); nothing was written",
    ]
    assert reps_rows(db) == before


def test_a_user_that_is_a_rep_already_claimed_by_another_row(services: Services, tmp_path: Path) -> None:
    RosterService(services).add({"key": "ana", "name": "Ana Silva", "email": "ana@acme-demo.example"})
    path = write(
        tmp_path / "users.csv",
        SF_HEADER + sf_row("0055g00000AaAaA", "Ana Silva") + sf_row("0055g00000BbBbB", "Ana Silva"),
    )
    with pytest.raises(RosterRejected) as caught:
        RosterService(services).import_file(path)
    [problem] = caught.value.problems
    assert (problem.where, problem.column) == ("row 3", "Email")  # their email found her, not an id
    assert "this user is rep 'ana', as the user on row 2 of this file is" in problem.reason
    assert roster(services)["ana"].crm_ids == ()


def test_a_user_whose_id_is_one_rep_and_email_another_is_refused(services: Services, tmp_path: Path) -> None:
    roster_service = RosterService(services)
    roster_service.import_file(
        write(tmp_path / "users.csv", SF_HEADER + sf_row("0055g00000LeNaA", "Lena Fischer"))
    )
    roster_service.add({"key": "olga", "name": "Olga Smirnova", "email": "olga@acme-demo.example"})
    # Lena's id with Olga's name and email: updating Lena would give her Olga's zone
    clash = SF_HEADER + sf_row("0055g00000LeNaA", "Olga Smirnova", zone="Europe/Moscow")
    with pytest.raises(RosterRejected) as caught:
        roster_service.import_file(write(tmp_path / "clash.csv", clash))
    [problem] = caught.value.problems
    assert (problem.where, problem.column) == ("row 2", "Email")
    assert "the user id is rep 'lena-fischer' but the email 'olga@acme-demo.example' is rep 'olga'" in (
        problem.reason
    )
    assert roster(services)["lena-fischer"].zone == "Europe/Paris"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"Username","Name","Email","TimeZoneSidKey"\n"a@x.io","A B","a@x.io","UTC"\n', "no 'Id' column"),
        ("Owner Name,Email Address,Permissions\nA,a@x.io,\n", "unknown column 'Owner Name'"),
        ("First Name,Last Name,Email Address,Archived,Owner ID,ID\n", "column 'ID' appears twice"),
    ],
)
def test_a_user_list_without_its_id_column_is_one_error(
    services: Services, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ImportFileError, match=message):
        RosterService(services).import_file(write(tmp_path / "users.csv", text))
    assert roster(services) == {}


@pytest.mark.parametrize(
    ("header", "first_row", "crm"),
    [
        ("Id,Username,Name", ["0055g00000AaAaA", "a@x.io", "A"], "Salesforce"),
        ("Id,Name,Email", ["0055g00000AaAaA", "A", "a@x.io"], "Salesforce"),  # the id tells
        ("user id,full name", ["0055g00000AaAaA", "A"], "Salesforce"),
        ("user id,first name,last name,email", ["0055g00000AaAaA", "A", "B", "a@x.io"], "Salesforce"),
        ("user id,first name,last name,email", ["7712001", "A", "B", "a@x.io"], "HubSpot"),
        ("id,email,firstname,lastname", ["41002001", "a@x.io", "A", "B"], "HubSpot"),
        ("id,email", ["41002001", "a@x.io"], None),  # a roster file without its key column
        ("key,name,crm_ids", ["ana", "Ana", "0055g00000AaAaA"], None),
    ],
)
def test_a_user_list_is_told_apart_by_its_header(header: str, first_row: list[str], crm: str | None) -> None:
    assert detect(header.casefold().split(","), first_row) == crm  # as normalised by the reader


def test_a_missing_id_column_from_the_command_line(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "users.csv", '"Username","Name","Email"\n"a@x.io","Al Bo","a@x.io"\n')
    code, out, err = run(capsys, "--db", str(db), "reps", "import", str(path))
    assert code == 1 and out == ""
    assert err == (
        f"leadqueue: error: {path}: a Salesforce user export with no 'Id' column ('User ID' in a report)\n"
    )


def test_a_user_id_whose_suffix_is_not_its_own_is_a_row_error(services: Services, tmp_path: Path) -> None:
    # 0055g00000Omar1 has the suffix AAB; AAA was retyped: a lead's OwnerId would never find it
    path = write(tmp_path / "users.csv", SF_HEADER + sf_row("0055g00000Omar1AAA", "Omar Haddad"))
    with pytest.raises(RosterRejected) as caught:
        RosterService(services).import_file(path)
    [problem] = caught.value.problems
    assert (problem.where, problem.column) == ("row 2", "Id")
    assert "its last 3 characters should be 'AAB'" in problem.reason
    assert "omar-haddad" not in roster(services)
