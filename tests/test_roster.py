"""The team roster: validated reps, one write per change, `--as` naming a known rep."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from leadqueue.cli.main import main
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.domain.roster import (
    AmbiguousRep,
    InvalidRep,
    Rep,
    RosterError,
    clashes,
    new_rep,
    pick,
    revise,
    split_list,
)
from leadqueue.io.errors import ImportFileError
from leadqueue.services.context import Services
from leadqueue.services.decisions import UnknownRep
from leadqueue.services.roster import RosterRejected, RosterService
from leadqueue.store import repository as repo
from leadqueue.store.engine import Store
from leadqueue.store.schema import clock_runs, leads
from tests.cli_run import run
from tests.factories import add_lead

NOW = "2026-11-20T20:00:00Z"
DATA = Path(__file__).parent / "data" / "import"
HEADER = "key,name,email,zone,role,crm_ids,aliases\n"
# Every decision window in working hours: where a rep's working day lies moves the deadline.
WORKING_WINDOWS = {
    f"decision_{tier}": {"window": "8h", "measure": "working"} for tier in ("hot", "standard", "low")
}


# -- the domain: one rep's fields ------------------------------------------------------


def test_a_full_rep_is_read_from_raw_values() -> None:
    rep = new_rep(
        {
            "key": " ana ",
            "name": "  Ana   Silva ",
            "email": "ana@example.com",
            "zone": "Europe/Lisbon",
            "role": "LEAD",
            "crm_ids": "005A; 005B ;;005A",
            "aliases": ["A. Silva", "a. silva", "Annie"],
        }
    )
    assert rep == Rep(
        key="ana",
        name="Ana Silva",
        email="ana@example.com",
        zone="Europe/Lisbon",
        role="lead",
        crm_ids=("005A", "005B"),
        aliases=("A. Silva", "Annie"),
    )


def test_defaults_and_the_team_zone() -> None:
    assert new_rep({"key": "bo", "name": "Bo"}) == Rep(key="bo", name="Bo")
    for team in ("", "  ", "team", "TEAM", None):
        assert new_rep({"key": "bo", "name": "Bo", "zone": team}).zone is None


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(InvalidRep) as caught:
        new_rep({"key": "Ana S", "name": " ", "email": "ana-at-x", "zone": "Mars/Base", "role": "boss"})
    by_field = {p.field: p.reason for p in caught.value.problems}
    assert set(by_field) == {"key", "name", "email", "zone", "role"}
    assert "'Ana S' is not a key" in by_field["key"] and "'ana-s'" in by_field["key"]
    assert by_field["name"] == "a name is required"
    assert by_field["email"] == "'ana-at-x' is not an email address"
    assert "unknown time zone 'Mars/Base'" in by_field["zone"]
    assert by_field["role"] == "'boss' is not a role: use rep or lead"
    assert str(caught.value).startswith("key: ")


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ("a;b", ("a", "b")),
        (" a ; ;b; A ", ("a", "b")),
        ("", ()),
        (None, ()),
        (["x y", "  x   Y "], ("x y",)),
        ([12345, "006"], ("12345", "006")),
    ],
)
def test_lists_are_separated_by_semicolons(value: Any, items: tuple[str, ...]) -> None:
    assert split_list(value) == items


def test_a_list_item_may_not_hide_a_separator() -> None:
    with pytest.raises(ValueError, match="may not contain ';'"):
        split_list(["a;b"])
    with pytest.raises(ValueError, match="is not a list"):
        split_list({"a": 1})


def test_a_revision_changes_only_the_fields_given_and_never_the_key() -> None:
    ana = Rep(key="ana", name="Ana", email="ana@x.io", crm_ids=("1",))
    assert revise(ana, {"zone": "Asia/Tokyo"}) == Rep(
        key="ana", name="Ana", email="ana@x.io", zone="Asia/Tokyo", crm_ids=("1",)
    )
    assert revise(ana, {"crm_ids": ""}).crm_ids == ()
    with pytest.raises(InvalidRep, match="key: a rep's key cannot change"):
        revise(ana, {"key": "anna"})


def test_clashes_name_the_field_and_the_other_rep() -> None:
    ana = Rep(key="ana", name="Ana Silva", email="ana@x.io", aliases=("Annie",), crm_ids=("005A",))
    cases = {
        "aliases": Rep(key="bo", name="Bo", aliases=("ANA SILVA",)),
        "email": Rep(key="bo", name="Bo", email="Ana@X.io"),
        "crm_ids": Rep(key="bo", name="Bo", crm_ids=("005a",)),
        "name": Rep(key="bo", name="annie"),
        "key": Rep(key="annie", name="Bo"),
    }
    for field, other in cases.items():
        [problem] = clashes(other, [ana])
        assert problem.field == field and "of rep 'ana'" in problem.reason
    # Two people may share a display name; their keys tell them apart.
    assert clashes(Rep(key="ana2", name="ana silva"), [ana]) == []


def test_a_text_names_one_rep_by_key_email_name_or_alias() -> None:
    reps = [
        Rep(key="ana", name="Ana Silva", email="ana@x.io", aliases=("Annie",)),
        Rep(key="bo", name="Bo Li", crm_ids=("annie-crm",)),
    ]
    for text in ("ana", " ANA@x.io ", "ana  silva", "annie"):
        found = pick(reps, text)
        assert found is not None and found.key == "ana"
    assert pick(reps, "annie-crm") is None  # CRM ids map CRM owners, not people typing
    assert pick(reps, "  ") is None
    with pytest.raises(AmbiguousRep, match=r"'Sam' names 2 reps \(sam1, sam2\): use the rep's key"):
        pick([Rep(key="sam1", name="Sam"), Rep(key="sam2", name="Sam")], " Sam ")


# -- the service, on SQLite and PostgreSQL ------------------------------------------------


def roster(services: Services) -> dict[str, Rep]:
    return {r.key: r for r in RosterService(services).list()}


def test_add_list_and_resolve(services: Services) -> None:
    service = RosterService(services)
    service.add({"key": "ana", "name": "Ana Silva", "email": "ana@x.io", "aliases": "Annie;A. S."})
    service.add({"key": "bo", "name": "Bo Li", "zone": "Asia/Tokyo", "role": "lead", "crm_ids": "77"})
    assert roster(services)["bo"] == Rep(
        key="bo", name="Bo Li", zone="Asia/Tokyo", role="lead", crm_ids=("77",)
    )
    with services.store.read() as conn:
        assert [repo.resolve_rep(conn, t) for t in ("ANA", "ana@X.io", " Ana Silva ", "annie", "nobody")] == [
            "ana",
            "ana",
            "ana",
            "ana",
            None,
        ]
        assert services.zone_of(conn, "bo").key == "Asia/Tokyo"


def test_a_duplicate_key_or_a_clash_writes_nothing(services: Services) -> None:
    service = RosterService(services)
    service.add({"key": "ana", "name": "Ana Silva", "email": "ana@x.io"})
    with pytest.raises(RosterError, match="key: a rep with key 'ana' already exists"):
        service.add({"key": "ana", "name": "Another Ana"})
    with pytest.raises(InvalidRep, match="aliases: 'ana silva' is already the name of rep 'ana'"):
        service.add({"key": "bo", "name": "Bo", "aliases": "ana silva"})
    with pytest.raises(InvalidRep, match=r"email: 'ANA@x\.io' is already the email of rep 'ana'"):
        service.add({"key": "bo", "name": "Bo", "email": "ANA@x.io"})
    with pytest.raises(InvalidRep, match="zone: unknown time zone"):
        service.add({"key": "bo", "name": "Bo", "zone": "Europe/Atlantis"})
    assert list(roster(services)) == ["ana"]


def test_two_reps_with_one_name_are_told_apart_by_key(services: Services) -> None:
    service = RosterService(services)
    service.add({"key": "sam.k", "name": "Sam Kim"})
    service.add({"key": "sam.l", "name": "Sam Kim"})
    with services.store.read() as conn, pytest.raises(AmbiguousRep, match="names 2 reps"):
        repo.resolve_rep(conn, "sam kim")
    with pytest.raises(AmbiguousRep):
        service.set("Sam Kim", {"zone": "Asia/Tokyo"})
    assert service.set("sam.l", {"zone": "Asia/Tokyo"}).after.zone == "Asia/Tokyo"


def test_set_changes_a_rep_named_any_way(services: Services) -> None:
    service = RosterService(services)
    service.add({"key": "ana", "name": "Ana Silva", "aliases": "Annie"})
    change = service.set("ANNIE", {"email": "ana@x.io", "aliases": "", "role": "lead"})
    assert change.before is not None and change.before.aliases == ("Annie",)
    assert change.after == Rep(key="ana", name="Ana Silva", email="ana@x.io", role="lead")
    assert roster(services)["ana"] == change.after
    with pytest.raises(UnknownRep, match="unknown rep 'zed'"):
        service.set("zed", {"name": "Zed"})
    with pytest.raises(RosterError, match="nothing to change"):
        service.set("ana", {})


def test_reps_made_by_a_lead_import_join_the_roster(services: Services) -> None:
    add_lead(services, "L1", rep="maria")  # the rep the lead file named: key and name only
    assert roster(services)["maria"] == Rep(key="maria", name="Maria")
    RosterService(services).set("maria", {"email": "maria@x.io", "aliases": "Mari"})
    with services.store.read() as conn:
        assert repo.resolve_rep(conn, "mari") == "maria"


def deadlines(store: Store, crm_id: str) -> tuple[datetime | None, list[tuple[str, datetime | None]]]:
    with store.read() as conn:
        lead = conn.execute(select(leads.c.id, leads.c.due_at).where(leads.c.crm_id == crm_id)).one()
        runs = conn.execute(
            select(clock_runs.c.rep, clock_runs.c.deadline).where(clock_runs.c.lead_id == lead.id)
        )
        return lead.due_at, [(r.rep, r.deadline) for r in runs]


@pytest.fixture
def working(store: Store, clock: FixedClock) -> Services:
    return Services(store=store, policy=Policy.model_validate({"windows": WORKING_WINDOWS}), clock=clock)


def test_a_new_zone_moves_the_stored_deadlines_of_the_reps_open_clocks(working: Services) -> None:
    # Friday 15:00 in New York: 2 working hours today, 6 on Monday -> Monday 15:00 EST.
    add_lead(working, "L1", rep="ana")
    add_lead(working, "L2", rep="bo")
    ny_monday = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    assert deadlines(working.store, "L1") == (ny_monday, [("ana", ny_monday)])
    change = RosterService(working).set("ana", {"zone": "Europe/Berlin"})
    # 21:00 in Berlin is after hours: the 8 hours are Monday 09:00-17:00 CET.
    berlin_monday = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    assert change.leads_recomputed == 1
    assert deadlines(working.store, "L1") == (berlin_monday, [("ana", berlin_monday)])
    assert deadlines(working.store, "L2") == (ny_monday, [("bo", ny_monday)])
    # Back on the team's zone; a change that is not a move recomputes nothing.
    assert RosterService(working).set("ana", {"zone": "team"}).leads_recomputed == 1
    assert deadlines(working.store, "L1")[0] == ny_monday
    assert (
        RosterService(working).set("ana", {"zone": "America/New_York", "role": "lead"}).leads_recomputed == 0
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_adds_and_updates_by_key(services: Services, tmp_path: Path) -> None:
    service = RosterService(services)
    service.add({"key": "ana", "name": "Ana Silva", "email": "ana@x.io", "crm_ids": "005A"})
    service.add({"key": "cy", "name": "Cy"})
    summary = service.import_file(
        write(
            tmp_path / "team.csv",
            HEADER + "ana,Ana Silva,ana@x.io,Europe/Lisbon,lead,005A;005B,\n"
            "bo,Bo Li,bo@x.io,,rep,,Bobby;B. Li\n"
            "cy,Cy,,,,,\n",
        )
    )
    assert (summary.added, summary.updated, summary.unchanged) == (["bo"], ["ana"], 1)
    assert summary.line().endswith("team.csv: 1 added, 1 updated, 1 unchanged")
    reps = roster(services)
    assert reps["ana"] == Rep("ana", "Ana Silva", "ana@x.io", "Europe/Lisbon", "lead", ("005A", "005B"))
    assert reps["bo"].aliases == ("Bobby", "B. Li")
    # Columns the file leaves out keep their values.
    service.import_file(write(tmp_path / "zones.csv", "key;zone\nana;Asia/Tokyo\n"))
    assert roster(services)["ana"] == replace(reps["ana"], zone="Asia/Tokyo")


def test_import_reads_json_lines(services: Services, tmp_path: Path) -> None:
    summary = RosterService(services).import_file(
        write(
            tmp_path / "team.jsonl",
            '{"key": "ana", "name": "Ana", "crm_ids": ["005A", 7], "aliases": "Annie;A"}\n\n'
            '{"key": "bo", "name": "Bo", "time_zone": "Asia/Tokyo", "role": null}\n',
        )
    )
    assert summary.added == ["ana", "bo"]
    reps = roster(services)
    assert reps["ana"].crm_ids == ("005A", "7") and reps["ana"].aliases == ("Annie", "A")
    assert reps["bo"].zone == "Asia/Tokyo" and reps["bo"].role == "rep"


def test_an_import_with_any_bad_row_writes_nothing_and_names_every_one(
    services: Services, tmp_path: Path
) -> None:
    service = RosterService(services)
    service.add({"key": "ana", "name": "Ana Silva", "aliases": "Annie"})
    path = write(
        tmp_path / "team.csv",
        HEADER + "bo,Bo Li,bo@x.io,Asia/Tokyo,rep,,\n"  # good, yet not written
        "cy,,cy-at-x,Nowhere/Land,boss,,\n"
        "bo,Bo Again,,,,,\n"  # a key twice in the file
        "dee,Dee,,,,,annie\n"  # an alias already taken
        "Ed Wu,Ed,,,,,\n",
    )
    with pytest.raises(RosterRejected) as caught:
        service.import_file(path)
    assert str(caught.value) == f"{path}: 4 bad row(s); nothing was written"
    found = [(p.where, p.column) for p in caught.value.problems]
    assert found == [
        ("row 3", "name"),
        ("row 3", "email"),
        ("row 3", "zone"),
        ("row 3", "role"),
        ("row 4", "key"),
        ("row 5", "aliases"),
        ("row 6", "key"),
    ]
    lines = [str(p) for p in caught.value.problems]
    assert "row 4, column 'key': key 'bo' is already on row 2 of this file" in lines
    assert "row 5, column 'aliases': 'annie' is already an alias of rep 'ana'" in lines
    assert list(roster(services)) == ["ana"]


def test_an_import_may_move_an_alias_from_one_rep_to_another(services: Services, tmp_path: Path) -> None:
    service = RosterService(services)
    service.add({"key": "ana", "name": "Ana", "aliases": "Inbound"})
    service.add({"key": "bo", "name": "Bo"})
    service.import_file(write(tmp_path / "t.csv", "key,aliases\nana,\nbo,Inbound\n"))
    assert roster(services)["bo"].aliases == ("Inbound",)
    with pytest.raises(RosterRejected) as caught:
        service.import_file(write(tmp_path / "u.csv", "key,name,aliases\ncy,Cy,Pat\ndee,Dee,pat\n"))
    assert [(p.where, p.column) for p in caught.value.problems] == [
        ("row 2", "aliases"),
        ("row 3", "aliases"),
    ]


def test_an_import_zone_move_recomputes_clocks(working: Services, tmp_path: Path) -> None:
    add_lead(working, "L1", rep="ana")
    summary = RosterService(working).import_file(write(tmp_path / "t.csv", "key,zone\nana,Europe/Berlin\n"))
    assert summary.leads_recomputed == 1 and "clocks of 1 lead(s) recomputed" in summary.line()
    assert deadlines(working.store, "L1")[0] == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("name,zone\nAna,\n", "no 'key' column"),
        ("key,timezone,nick\n", "unknown column 'nick'; the columns are key, name"),
        ("key,zone,time_zone\n", "column 'zone' appears twice"),
    ],
)
def test_a_file_that_is_not_a_roster_is_one_error(
    services: Services, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ImportFileError, match=message):
        RosterService(services).import_file(write(tmp_path / "t.csv", text))


# -- the command line -----------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The HubSpot sample imported: leads of `maria-santos` and `james-okafor`."""
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    path = tmp_path / "cli.db"
    source = tmp_path / "hubspot.csv"
    shutil.copyfile(DATA / "hubspot_contacts.csv", source)
    assert main(["--db", str(path), "import", str(source), "--rep", "Maria Santos"]) == 0
    return path


def reps_rows(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as raw:
        return raw.execute(
            "SELECT key, name, email, time_zone, role, crm_ids, aliases FROM reps ORDER BY key"
        ).fetchall()


def events_of(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as raw:
        return raw.execute(
            "SELECT l.crm_id, e.kind, e.actor FROM events e JOIN leads l ON l.id = e.lead_id ORDER BY e.seq"
        ).fetchall()


def test_reps_add_list_and_set_from_the_command_line(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        *("--db", str(db), "reps", "add", "ana", "--name", "Ana Silva", "--email", "ana@x.io"),
        *("--zone", "Europe/Lisbon", "--role", "lead", "--crm-id", "005A", "--crm-id", "005B;005C"),
        *("--alias", "Annie"),
    )
    assert (code, err) == (0, "")
    assert out == "added rep ana: Ana Silva <ana@x.io>, zone Europe/Lisbon, role lead\n"

    code, out, _ = run(capsys, "--db", str(db), "reps")
    lines = out.splitlines()
    header = ["key", "name", "email", "zone", "role", "crm_ids", "aliases", "sync_key"]
    assert code == 0 and lines[0].split() == header
    assert lines[1].split() == [
        "ana",
        "Ana",
        "Silva",
        "ana@x.io",
        "Europe/Lisbon",
        "lead",
        "005A;005B;005C",
        "Annie",
        "-",
    ]
    assert "james-okafor  James Okafor" in out and "America/New_York (team)" in out

    code, out, _ = run(capsys, "reps", "list", "--format", "json", "--db", str(db))
    shown = {r["key"]: r for r in json.loads(out)}
    assert shown["ana"] == {
        "key": "ana",
        "name": "Ana Silva",
        "email": "ana@x.io",
        "zone": "Europe/Lisbon",
        "role": "lead",
        "crm_ids": ["005A", "005B", "005C"],
        "aliases": ["Annie"],
        "sync_key": None,
    }
    assert shown["maria-santos"]["zone"] is None and shown["maria-santos"]["role"] == "rep"

    code, out, _ = run(capsys, "--db", str(db), "reps", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["key"] for r in rows] == ["ana", "james-okafor", "maria-santos"]
    assert rows[0] | {} == {
        "key": "ana",
        "name": "Ana Silva",
        "email": "ana@x.io",
        "zone": "Europe/Lisbon",
        "role": "lead",
        "crm_ids": "005A;005B;005C",
        "aliases": "Annie",
        "sync_key": "",
    }
    assert rows[1]["zone"] == ""

    code, out, _ = run(capsys, "--db", str(db), "reps", "set", "annie", "--zone", "team", "--alias", "")
    assert code == 0
    assert out == "updated rep ana: zone Europe/Lisbon -> America/New_York (team); aliases Annie -> -\n"
    assert reps_rows(db)[0] == (
        "ana",
        "Ana Silva",
        "ana@x.io",
        None,
        "lead",
        '["005A", "005B", "005C"]',
        "[]",
    )


def test_reps_import_and_its_csv_round_trip(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    team = write(
        tmp_path / "team.csv",
        HEADER + "maria-santos,Maria Santos,maria@x.io,America/Chicago,lead,0051;0052,M. Santos;Mari\n"
        "zoe,Zoe Park,zoe@x.io,Asia/Seoul,rep,,\n",
    )
    code, out, err = run(capsys, "--db", str(db), "reps", "import", str(team))
    assert (code, err) == (0, "")
    assert out.startswith(f"{team}: 1 added, 1 updated, 0 unchanged; clocks of ")
    assert ("zoe", "Zoe Park", "zoe@x.io", "Asia/Seoul", "rep", "[]", "[]") in reps_rows(db)
    code, out, _ = run(capsys, "--db", str(db), "reps", "--format", "csv")
    again = write(tmp_path / "again.csv", out)
    before = reps_rows(db)
    code, out, _ = run(capsys, "--db", str(db), "reps", "import", str(again))
    assert code == 0 and out == f"{again}: 0 added, 0 updated, 3 unchanged\n"
    assert reps_rows(db) == before


def test_cells_a_spreadsheet_would_run_as_formulas_round_trip(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `reps --format csv` puts an apostrophe before "@msantos" and "+Zed Team"; reading the
    # file back drops it, so an owner cell "@msantos" still finds maria
    run(capsys, "--db", str(db), "reps", "add", "maria", "--name", "Maria Santos", "--alias", "@msantos")
    run(capsys, "--db", str(db), "reps", "add", "zed", "--name", "+Zed Team")
    before = reps_rows(db)
    code, out, _ = run(capsys, "--db", str(db), "reps", "--format", "csv")
    assert "'@msantos" in out and "'+Zed Team" in out
    again = write(tmp_path / "again.csv", out)
    code, out, _ = run(capsys, "--db", str(db), "reps", "import", str(again))
    assert code == 0 and ": 0 added, 0 updated, " in out
    assert reps_rows(db) == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "zoe", "--name", "Zoe", "--zone", "Mars/Olympus"], "zone: unknown time zone 'Mars/Olympus'"),
        (["add", "maria-santos", "--name", "Maria S"], "key: a rep with key 'maria-santos' already exists"),
        (["add", "zoe", "--name", "Zoe", "--role", "boss"], "role: 'boss' is not a role: use rep or lead"),
        (["add", "zoe", "--name", "Zoe", "--email", "zoe.x.io"], "email: 'zoe.x.io' is not an email address"),
        (["add", "zoe"], "name: a name is required"),
        (["add", "zoe", "--name", " "], "name: a name is required"),
        (["add", "Zoe Park", "--name", "Zoe"], "key: 'Zoe Park' is not a key"),
        (
            ["add", "zoe", "--name", "Zoe", "--alias", "James Okafor"],
            "is already the name of rep 'james-okafor'",
        ),
        (["set", "zed", "--zone", "Asia/Tokyo"], "unknown rep 'zed'"),
        (["set", "maria-santos", "--zone", "Mars/Olympus"], "zone: unknown time zone"),
        (["set", "maria-santos"], "nothing to change"),
    ],
)
def test_bad_roster_commands_are_one_line_and_write_nothing(
    db: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = reps_rows(db)
    code, out, err = run(capsys, "--db", str(db), "reps", *argv)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("leadqueue: error: ") and message in err
    assert reps_rows(db) == before


def test_a_roster_file_with_bad_rows_names_each_and_writes_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(
        tmp_path / "bad.csv",
        HEADER + "zoe,Zoe,,Asia/Seoul,,,\nyan,,yan,Mars/Olympus,rep,,\nzoe,Zoe Again,,,,,\n",
    )
    before = reps_rows(db)
    code, out, err = run(capsys, "--db", str(db), "reps", "import", str(bad))
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{bad}: row 3, column 'name': a name is required",
        f"{bad}: row 3, column 'email': 'yan' is not an email address",
        f"{bad}: row 3, column 'zone': unknown time zone 'Mars/Olympus': use an IANA name like Europe/Berlin",
        f"{bad}: row 4, column 'key': key 'zoe' is already on row 2 of this file",
        f"leadqueue: error: {bad}: 2 bad row(s); nothing was written",
    ]
    jsonl = write(
        tmp_path / "bad.jsonl", '{"key": "zoe", "name": "Zoe"}\n{"key": "yan", "nick": "Y"}\nnope\n'
    )
    code, _, err = run(capsys, "--db", str(db), "reps", "import", str(jsonl))
    assert code == 1
    assert f"{jsonl}: line 2, column 'nick': unknown column" in err
    assert f"{jsonl}: line 3: not valid JSON" in err
    assert err.endswith(f"leadqueue: error: {jsonl}: 2 bad line(s); nothing was written\n")
    assert reps_rows(db) == before


ACCEPT = ["accept", "51234567801", "--next-step", "call", "--due", "+2h", "--note", "Pricing call"]


@pytest.mark.parametrize("who", ["maria-santos", "MARIA@x.io", " maria santos ", "mari"])
def test_as_names_a_rep_by_key_email_name_or_alias(
    db: Path, capsys: pytest.CaptureFixture[str], who: str
) -> None:
    base = ["--db", str(db)]
    assert (
        run(capsys, *base, "reps", "set", "maria-santos", "--email", "maria@x.io", "--alias", "Mari")[0] == 0
    )
    code, out, err = run(capsys, *base, "--as", who, *ACCEPT)
    assert (code, err) == (0, "") and "accepted by maria-santos" in out
    assert events_of(db)[-1] == ("51234567801", "accepted", "maria-santos")


def test_team_actions_record_the_resolved_rep(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--db", str(db)]
    assert (
        run(capsys, *base, "reps", "add", "lee", "--name", "Lee Chan", "--role", "lead", "--alias", "Boss")[0]
        == 0
    )
    assert run(capsys, *base, "--as", "boss", "escalate", "51234567801")[0] == 0
    assert run(capsys, *base, "--as", "BOSS", "reassign", "51234567801", "--to", "james okafor")[0] == 0
    # no --as at all: nobody on the roster, so nobody acts (issue 19: only roster reps act)
    assert run(capsys, *base, "acknowledge", "51234567801")[1:] == (
        "",
        "leadqueue: error: no rep given: pass --as REP or set rep in the config file\n",
    )
    assert run(capsys, *base, "--as", "lee chan", "acknowledge", "51234567801")[0] == 0
    assert events_of(db)[-3:] == [
        ("51234567801", "escalated", "lee"),
        ("51234567801", "reassigned", "lee"),
        ("51234567801", "acknowledged", "lee"),
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ACCEPT,
        ["reassign", "51234567801", "--to", "james-okafor"],
        ["escalate", "51234567801"],
        ["acknowledge", "51234567801"],
        ["resume", "51234567801"],
        ["queue"],
    ],
)
def test_an_unknown_rep_in_as_is_one_line_and_writes_nothing(
    db: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    before = events_of(db)
    code, out, err = run(capsys, "--db", str(db), "--as", "boss", *argv)
    assert code == 1 and out == ""
    assert err == (
        "leadqueue: error: unknown rep 'boss': not on the roster"
        " (known reps: james-okafor, maria-santos; see `leadqueue reps`)\n"
    )
    assert events_of(db) == before


def test_the_configs_rep_must_be_known_too(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('rep = "boss"\n', encoding="utf-8")
    monkeypatch.setenv("LEADQUEUE_CONFIG_DIR", str(config))
    before = events_of(db)
    code, _, err = run(capsys, "--db", str(db), "escalate", "51234567801")
    assert code == 1 and "unknown rep 'boss'" in err
    assert events_of(db) == before


@pytest.mark.parametrize("argv", [ACCEPT, ["escalate", "51234567801"]])
def test_an_ambiguous_as_is_refused(db: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    base = ["--db", str(db)]
    assert run(capsys, *base, "reps", "add", "maria.s", "--name", "Maria Santos")[0] == 0
    before = events_of(db)
    code, _, err = run(capsys, *base, "--as", "Maria Santos", *argv)
    assert code == 1 and err.count("\n") == 1
    assert "'Maria Santos' names 2 reps (maria-santos, maria.s): use the rep's key" in err
    assert events_of(db) == before
    assert run(capsys, *base, "reps", "add", "lee", "--name", "Lee Chan", "--role", "lead")[0] == 0
    code, _, err = run(capsys, *base, "--as", "lee", "reassign", "51234567801", "--to", "maria santos")
    assert code == 1 and "names 2 reps" in err
    assert events_of(db) == before


def open_deadline(db: Path, crm_id: str) -> str:
    with sqlite3.connect(db) as raw:
        [(deadline,)] = raw.execute(
            "SELECT r.deadline FROM clock_runs r JOIN leads l ON l.id = r.lead_id"
            " WHERE l.crm_id = ? AND r.stopped_at IS NULL",
            (crm_id,),
        ).fetchall()
    return str(deadline)


def test_a_zone_change_moves_an_open_working_time_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    policy = write(
        tmp_path / "policy.toml",
        "".join(f'[windows.{w}]\nwindow = "8h"\nmeasure = "working"\n' for w in WORKING_WINDOWS),
    )
    source = tmp_path / "hubspot.csv"
    shutil.copyfile(DATA / "hubspot_contacts.csv", source)
    base = ["--db", str(tmp_path / "w.db"), "--policy", str(policy)]
    assert run(capsys, *base, "import", str(source), "--rep", "Maria Santos")[0] == 0

    def shown_deadline() -> str:
        _, out, _ = run(capsys, *base, "show", "51234567801", "--format", "json")
        [clock] = json.loads(out)["clocks"]
        return str(clock["deadline"])

    # Assigned Friday 14:03 in New York: 2h57 left that day, the rest on Monday until 14:03 EST.
    assert shown_deadline() == "2026-11-23T19:03:00Z"
    assert open_deadline(tmp_path / "w.db", "51234567801").startswith("2026-11-23 19:03:00")
    code, out, _ = run(capsys, *base, "reps", "set", "maria-santos", "--zone", "Europe/Berlin")
    assert code == 0
    assert out == (
        "updated rep maria-santos: zone America/New_York (team) -> Europe/Berlin;"
        " clocks of 5 lead(s) recomputed\n"
    )
    # The 57 minutes worked in New York before the move stay spent; the move at 15:00 EST
    # is 21:00 in Berlin, after hours: the other 7h03 run Monday from 09:00 CET.
    assert shown_deadline() == "2026-11-23T15:03:00Z"
    assert open_deadline(tmp_path / "w.db", "51234567801").startswith("2026-11-23 15:03:00")
