"""Who may act (issue 19, point 4), through the one write path (DecisionService)
and the command line: a rep acts only on leads they own, team-lead actions
need role `lead`, `--as` must be a roster rep, and a refusal writes nothing."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from leadqueue.cli.main import main
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Dispose, NeedsInfo, Reject, Touch
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService, NotAllowed, UnknownRep
from leadqueue.store.schema import clock_runs, events, leads, outbox_chunks
from tests.cli_run import run
from tests.factories import add_lead, add_team_lead

CLI_NOW = "2026-11-20T20:00:00Z"
DATA = Path(__file__).parent / "data" / "import"


@pytest.fixture
def team(services: Services) -> Services:
    """ana owns A1 and A2, ben owns B1; lea is the team lead."""
    for crm_id, rep in (("A1", "ana"), ("A2", "ana"), ("B1", "ben")):
        add_lead(services, crm_id, rep=rep, assigned_at=services.clock.now() - timedelta(hours=1))
    add_team_lead(services.store, "lea")
    return services


def snapshot(services: Services) -> tuple[Any, ...]:
    """Everything a decision writes: events, the outbox, the projection, the clock runs."""
    with services.store.read() as conn:
        count = conn.execute(select(func.count()).select_from(events)).scalar_one()
        lines = conn.execute(select(func.count()).select_from(outbox_chunks)).scalar_one()
        projection = sorted(
            tuple(r) for r in conn.execute(select(leads.c.crm_id, leads.c.owner, leads.c.state))
        )
        runs = sorted(
            tuple(r) for r in conn.execute(select(clock_runs.c.lead_id, clock_runs.c.rep, clock_runs.c.n))
        )
    return count, lines, projection, runs


def accept(clock: FixedClock) -> Accept:
    return Accept("call", clock.now() + timedelta(hours=2), "Call about routing")


ON_ANOTHERS_LEAD: dict[str, Callable[[DecisionService, FixedClock], object]] = {
    "accept": lambda d, c: d.accept("A1", "ben", accept(c)),
    "reject": lambda d, c: d.reject("A1", "ben", Reject("R3")),
    "needs-info": lambda d, c: d.needs_info("A1", "ben", NeedsInfo(("intent",), "who buys?")),
    "touch": lambda d, c: d.touch("A2", "ben", Touch("call")),
    "conversation": lambda d, c: d.touch("A2", "ben", Touch("call", conversation=True)),
    "dispose": lambda d, c: d.dispose("A2", "ben", Dispose("advanced")),
    "undo": lambda d, c: d.undo("A2", "ben"),
    "resume": lambda d, c: d.returned_from_marketing("A1", "ben"),
    "view": lambda d, c: d.view("A1", "ben"),
}


@pytest.mark.parametrize("action", sorted(ON_ANOTHERS_LEAD))
def test_a_rep_acting_on_anothers_lead_is_refused_and_nothing_is_written(
    team: Services, clock: FixedClock, action: str
) -> None:
    svc = DecisionService(team)
    svc.accept("A2", "ana", accept(clock))  # an accepted lead to touch, dispose or undo
    if action == "resume":
        svc.needs_info("A1", "ana", NeedsInfo(("intent",), "who buys?"))
    before = snapshot(team)
    with pytest.raises(NotAllowed) as refused:
        ON_ANOTHERS_LEAD[action](svc, clock)
    message = str(refused.value)
    assert message.startswith("ben may not ") and "ana's lead" in message and "\n" not in message
    assert snapshot(team) == before


def test_the_owner_does_what_another_rep_may_not(team: Services, clock: FixedClock) -> None:
    svc = DecisionService(team)
    svc.accept("A2", "ana", accept(clock))
    svc.touch("A2", "ana", Touch("call"))
    svc.dispose("A2", "ana", Dispose("advanced"))
    assert svc.undo("A2", "ana").event.actor == "ana"
    svc.needs_info("A1", "ana", NeedsInfo(("intent",), "who buys?"))
    assert svc.returned_from_marketing("A1", "ana").history.state is not None


@pytest.mark.parametrize("action", ["reassign", "escalate", "acknowledge"])
def test_a_rep_may_not_reassign_escalate_or_acknowledge_even_their_own_lead(
    team: Services, action: str
) -> None:
    svc = DecisionService(team)
    before = snapshot(team)
    with pytest.raises(NotAllowed) as refused:
        if action == "reassign":
            svc.reassign("A1", "ana", "ben")
        else:
            getattr(svc, action)("A1", "ana")
    assert str(refused.value).endswith("that needs role lead (ana is a rep)")
    assert snapshot(team) == before


def test_a_team_lead_reassigns_escalates_and_acknowledges_any_lead(team: Services) -> None:
    svc = DecisionService(team)
    assert svc.escalate("B1", "lea").event.actor == "lea"
    assert svc.acknowledge("B1", "lea").event.actor == "lea"
    out = svc.reassign("A1", "lea", "ben")
    assert (out.event.actor, out.history.owner) == ("lea", "ben")
    # and may resume a lead that came back from marketing for its owner
    svc.needs_info("A2", "ana", NeedsInfo(("intent",), "who buys?"))
    assert svc.returned_from_marketing("A2", "lea").event.actor == "lea"


def test_a_team_lead_decides_only_on_their_own_leads(team: Services, clock: FixedClock) -> None:
    before = snapshot(team)
    with pytest.raises(NotAllowed, match="lea may not accept ben's lead: only its owner may"):
        DecisionService(team).accept("B1", "lea", accept(clock))
    assert snapshot(team) == before


def test_after_a_reassignment_the_new_owner_decides_and_the_old_one_may_not(
    team: Services, clock: FixedClock
) -> None:
    svc = DecisionService(team)
    svc.reassign("A1", "lea", "ben")
    with pytest.raises(NotAllowed, match="ana may not reject ben's lead"):
        svc.reject("A1", "ana", Reject("R3"))
    assert svc.reject("A1", "ben", Reject("R3")).event.actor == "ben"


@pytest.mark.parametrize("actor", ["team-lead", "marketing", "nobody", ""])
def test_someone_not_on_the_roster_may_do_nothing(team: Services, clock: FixedClock, actor: str) -> None:
    svc = DecisionService(team)
    before = snapshot(team)
    for act in (
        lambda: svc.accept("A1", actor, accept(clock)),
        lambda: svc.escalate("A1", actor),
        lambda: svc.returned_from_marketing("A1", actor),
    ):
        with pytest.raises(UnknownRep) as refused:
            act()
        expected = (
            f"unknown rep {actor!r}: not on the roster (known reps: ana, ben, lea; see `leadqueue reps`)"
            if actor
            else "no rep given: pass --as REP or set rep in the config file"
        )
        assert str(refused.value) == expected
    assert snapshot(team) == before


def test_an_actor_given_by_name_is_recorded_by_key(team: Services, clock: FixedClock) -> None:
    # "Ana" is the name the factory gave rep ana; the event names the key
    assert DecisionService(team).accept("A1", " ANA ", accept(clock)).event.actor == "ana"


# -- the command line -----------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The HubSpot sample: 51234567801 and ...03 are maria-santos's, ...02 james-okafor's."""
    monkeypatch.setenv("LEADQUEUE_NOW", CLI_NOW)
    path = tmp_path / "cli.db"
    source = tmp_path / "hubspot.csv"
    shutil.copyfile(DATA / "hubspot_contacts.csv", source)
    assert main(["--db", str(path), "import", str(source), "--rep", "Maria Santos"]) == 0
    return path


def rows(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as raw:
        return raw.execute(
            "SELECT e.seq, l.crm_id, e.kind, e.actor, l.owner, l.state FROM events e"
            " JOIN leads l ON l.id = e.lead_id ORDER BY e.seq"
        ).fetchall()


def test_cli_a_rep_acting_on_anothers_lead_is_one_line_exit_1_and_nothing_written(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = rows(db)
    accept_args = ["accept", "51234567802", "--next-step", "call", "--due", "+2h", "--note", "Call"]
    code, out, err = run(capsys, "--db", str(db), "--as", "maria-santos", *accept_args)
    assert (code, out) == (1, "")
    assert err == "leadqueue: error: maria-santos may not accept james-okafor's lead: only its owner may\n"
    code, _, err = run(capsys, "--db", str(db), "--as", "maria santos", "undo", "51234567802")
    assert code == 1 and err.count("\n") == 1 and "may not undo a decision on james-okafor's lead" in err
    assert rows(db) == before
    # the owner may
    assert run(capsys, "--db", str(db), "--as", "james-okafor", *accept_args)[0] == 0


def test_cli_a_rep_reassigning_is_refused(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = rows(db)
    argv = ["--db", str(db), "--as", "maria-santos", "reassign", "51234567801", "--to", "james-okafor"]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert err == (
        "leadqueue: error: maria-santos may not reassign: that needs role lead (maria-santos is a rep)\n"
    )
    assert rows(db) == before


def test_cli_a_team_lead_may_reassign(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", str(db), "reps", "add", "lee", "--name", "Lee Chan", "--role", "lead")[0] == 0
    code, out, _ = run(
        capsys, "--db", str(db), "--as", "lee", "reassign", "51234567801", "--to", "james-okafor"
    )
    assert code == 0 and "reassigned to james-okafor by lee -> new" in out
    assert rows(db)[-1][1:] == ("51234567801", "reassigned", "lee", "james-okafor", "new")


def test_cli_an_unknown_as_is_refused_naming_the_first_known_reps(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in ("ann", "bo", "cy", "di", "ed"):
        assert run(capsys, "--db", str(db), "reps", "add", key, "--name", key.title())[0] == 0
    before = rows(db)
    for argv in (["escalate", "51234567801"], ["queue"], ["reject", "51234567801", "--reason", "R3"]):
        code, out, err = run(capsys, "--db", str(db), "--as", "mallory", *argv)
        assert (code, out) == (1, "")
        assert err == (
            "leadqueue: error: unknown rep 'mallory': not on the roster"
            " (known reps: ann, bo, cy, di, ed and 2 more; see `leadqueue reps`)\n"
        )
    assert rows(db) == before


def test_cli_a_team_action_without_any_rep_is_refused(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = rows(db)
    code, _, err = run(capsys, "--db", str(db), "acknowledge", "51234567801")
    assert (
        code == 1 and err == "leadqueue: error: no rep given: pass --as REP or set rep in the config file\n"
    )
    assert rows(db) == before
