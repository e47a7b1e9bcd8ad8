"""A lead file's owners are the roster's people however the CRM spells them, a CRM
queue is nobody, and what an import says about owners is true (hostile import
findings on issue 17, point 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leadqueue.cli.main import main
from leadqueue.domain.owners import OwnerMatcher, resolve
from leadqueue.domain.roster import AmbiguousRep, Rep
from leadqueue.services.context import Services
from leadqueue.services.roster import RosterService, resolve_owners

CRM = Path(__file__).parent / "data" / "import" / "crm"
NOW = "2024-11-20T15:00:00Z"

TOMAS = Rep(key="tomas", name="Tomás Herrera", email="tomas@leadqueue.example")
MARIA = Rep(key="maria-santos", name="Maria Santos", crm_ids=("005Dn000001mQx2IAE",))
JAMES = Rep(key="james-okafor", name="James Okafor", aliases=("J. Okafor",))
ROSTER = [TOMAS, MARIA, JAMES]


# -- another spelling of a rep's name is that rep ----------------------------------------------


@pytest.mark.parametrize(
    ("owner", "key"),
    [
        ("Tomas Herrera", "tomas"),  # the accent dropped
        ("TOMÁS  HERRERA", "tomas"),
        ("Tomás Herrera", "tomas"),  # with the accent as a letter and a combining mark
        ("Herrera Tomás", "tomas"),  # last name first
        ("Herrera, Tomas", "tomas"),  # "Last, First"
        ("María Santos", "maria-santos"),  # an accent the roster does not have
        ("Okafor, James", "james-okafor"),
        ("okafor james", "james-okafor"),
        ("Tomás", "tomas"),  # the key, accented
    ],
)
def test_an_owner_spelled_otherwise_is_the_roster_rep(owner: str, key: str) -> None:
    rep = OwnerMatcher(ROSTER).match(owner)
    assert rep is not None and rep.key == key


@pytest.mark.parametrize(
    "owner", ["Tomas Herrero", "Herrera Tomás Luis", "Santos Maria Luisa", "Tom Herrera"]
)
def test_a_name_that_differs_in_more_than_accents_and_order_is_nobody(owner: str) -> None:
    assert OwnerMatcher(ROSTER).match(owner) is None


def test_an_exact_spelling_wins_over_a_looser_one_and_two_loose_matches_are_ambiguous() -> None:
    accented = Rep(key="jose-a", name="José Ruiz")
    plain = Rep(key="jose-b", name="Jose Ruiz")
    matcher = OwnerMatcher([accented, plain])
    assert matcher.match("JOSÉ RUIZ") == accented
    assert matcher.match("jose ruiz") == plain
    with pytest.raises(AmbiguousRep, match=r"owner 'Josè Ruiz' names 2 reps \(jose-a, jose-b\)"):
        matcher.match("Josè Ruiz")
    with pytest.raises(AmbiguousRep, match="names 2 reps"):
        matcher.match("Ruiz, Jose")


def test_resolve_makes_no_rep_of_another_spelling_of_a_rep() -> None:
    owners = ["Tomas Herrera", "Herrera Tomás", "tomás herrera", "María Santos", "Okafor, James"]
    out = resolve(ROSTER, owners)
    assert out.created == [] and out.errors == {}
    assert out.keys == dict.fromkeys(owners[:3], "tomas") | {
        "María Santos": "maria-santos",
        "Okafor, James": "james-okafor",
    }


def test_new_reps_keep_their_letters_and_one_person_is_one_rep() -> None:
    out = resolve([], ["Лена Фишер", "Ольга Смирнова", "Tomás Herrera", "Herrera Tomas", "лена  фишер"])
    assert [(r.key, r.name) for r in out.created] == [
        ("herrera-tomas", "Herrera Tomas"),
        ("лена-фишер", "Лена Фишер"),
        ("ольга-смирнова", "Ольга Смирнова"),
    ]
    assert out.keys["Tomás Herrera"] == out.keys["Herrera Tomas"] == "herrera-tomas"


def test_an_inactive_user_spelled_otherwise_is_still_inactive() -> None:
    inactive = {"derek whitcombe": "Derek Whitcombe (Salesforce, row 5)"}
    out = resolve(ROSTER, ["Whitcombe, Dérek", "DEREK WHITCOMBE"], inactive)
    assert out.created == [] and set(out.errors) == {"Whitcombe, Dérek", "DEREK WHITCOMBE"}


# -- an owner the CRM's user list does not know is not a person -------------------------------


def test_a_queue_is_no_rep_once_the_crms_user_list_is_imported(services: Services) -> None:
    RosterService(services).import_file(CRM / "salesforce_users.csv")
    owners = ["Inbound Lead Queue", "Maria Santos", "Okafor, James"]
    with services.store.write() as conn:
        out = resolve_owners(conn, owners, crm="salesforce")
    assert out.created == []
    assert out.keys == {"Maria Santos": "maria-santos", "Okafor, James": "james-okafor"}
    assert set(out.not_users) == set(out.errors) == {"Inbound Lead Queue"}
    reason = out.errors["Inbound Lead Queue"]
    assert reason.startswith("no owner for this row: 'Inbound Lead Queue' is not a user")
    assert "Salesforce user list imported on 2026-11-20" in reason and "--rep" in reason
    assert {r.key for r in RosterService(services).list()} == {
        "maria-santos",
        "james-okafor",
        "hannah-lindqvist",
        "ruth-adeyemi",
    }


def test_without_that_crms_user_list_an_unknown_name_is_still_a_new_rep(services: Services) -> None:
    RosterService(services).import_file(CRM / "salesforce_users.csv")
    with services.store.write() as conn:
        hubspot = resolve_owners(conn, ["Sofia Ferreira"], crm="hubspot")
        own = resolve_owners(conn, ["Nina Holt"])  # a file of leadqueue's own columns
    assert [r.name for r in hubspot.created] == ["Sofia Ferreira"] and hubspot.not_users == {}
    assert [r.name for r in own.created] == ["Nina Holt"]


def test_reps_carrying_the_crms_user_ids_say_its_users_are_known(services: Services) -> None:
    """A store whose user list was imported before the store recorded when."""
    RosterService(services).add({"key": "maria", "name": "Maria Santos", "crm_ids": "61044871"})
    with services.store.write() as conn:
        out = resolve_owners(conn, ["Inbound Leads", "maria santos"], crm="HubSpot")
    assert out.keys == {"maria santos": "maria"} and out.created == []
    assert "is not a user in the imported HubSpot user list" in out.not_users["Inbound Leads"]


# -- what the import says ------------------------------------------------------------------


def test_an_inactive_owner_says_which_user_list_not_its_row(services: Services) -> None:
    RosterService(services).import_file(CRM / "salesforce_users.csv")
    with services.store.write() as conn:
        out = resolve_owners(
            conn, ["Derek Whitcombe", "005Dn000000kLp9", "Whitcombe, Derek"], crm="salesforce"
        )
    by_name = out.errors["Derek Whitcombe"]
    assert by_name.startswith(
        "owner 'Derek Whitcombe' is inactive in the Salesforce user list imported on 2026-11-20:"
    )
    assert "row 5" not in by_name and "row 5" not in out.errors["005Dn000000kLp9"]
    assert out.errors["005Dn000000kLp9"].startswith(
        "owner '005Dn000000kLp9' is Derek Whitcombe, inactive in the Salesforce user list imported on"
    )
    assert "inactive in the Salesforce user list" in out.errors["Whitcombe, Derek"]
    assert out.created == [] and out.not_users == {}


def test_an_inactive_user_recorded_by_an_older_version_names_no_row() -> None:
    out = resolve([], ["Derek Whitcombe"], {"derek whitcombe": "Derek Whitcombe (Salesforce, row 5)"})
    assert out.errors["Derek Whitcombe"].startswith(
        "owner 'Derek Whitcombe' is inactive in the imported Salesforce user list: reassign"
    )


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    return tmp_path / "cli.db"


def test_a_dry_run_says_which_reps_it_would_create(
    cli_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("crm_id,last_name,rep\nA1,One,Лена Фишер\n", encoding="utf-8")
    assert main(["--db", str(cli_db), "import", str(leads), "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "would create reps for owners not in the roster: лена-фишер (Лена Фишер)" in err
    assert "new reps for owners" not in err
    assert main(["--db", str(cli_db), "import", str(leads)]) == 0
    assert "new reps for owners not in the roster: лена-фишер (Лена Фишер)" in capsys.readouterr().err


def test_the_rep_option_is_described_as_it_works(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "assign every row" not in text
    assert "--rep REP owner of the rows that name no owner" in text


def test_a_salesforce_report_queue_lead_goes_to_the_rep_option(
    cli_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(cli_db)]
    for users in ("salesforce_users.csv", "hubspot_users.csv"):
        assert main([*db, "reps", "import", str(CRM / users)]) == 0
    report = tmp_path / "salesforce_report_us.csv"
    shutil.copyfile(CRM / "salesforce_report_us.csv", report)
    code = main([*db, "import", str(report), "--skip-invalid", "--rep", "ruth-adeyemi"])
    err = capsys.readouterr().err
    assert code == 0 and "inbound-lead-queue" not in err and "new reps" not in err
