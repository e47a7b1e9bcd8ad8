"""`leadqueue route`, routing at import, automatic escalation and re-route, on
SQLite and PostgreSQL; two routers at once route and escalate each lead once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import tomli_w
from sqlalchemy import select

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.routing import ROUTING_ACTOR, explain
from leadqueue.services import breach_groups
from leadqueue.services.context import Services
from leadqueue.services.importing import ImportRejected
from leadqueue.services.reports import breaches, metrics
from leadqueue.services.routing import RoutingService
from leadqueue.store.engine import Store, open_store
from leadqueue.store.schema import events, leads
from tests.cli_run import run
from tests.conftest import NOW
from tests.factories import add_lead
from tests.pg import pg_schema
from tests.routing_helpers import add_reps, history, import_leads, owners, routing_policy, write_leads

EMEA = {
    "fallback": [],
    "rules": [{"name": "emea", "match": {"region": ["EMEA"]}, "reps": ["lena", "omar"]}],
    "escalation": {"decision": {"auto_reroute": True}},
}


def policy_file(tmp_path: Path, routing: dict[str, object]) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(tomli_w.dumps({"routing": routing}), encoding="utf-8")
    return path


def test_the_cli_routes_lists_the_unrouted_and_show_says_why(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADQUEUE_NOW", NOW.isoformat())
    db, policy = ["--db", store.url], ["--policy", str(policy_file(tmp_path, EMEA))]
    for key in ("lena", "omar", "boss"):
        assert run(capsys, *db, "reps", "add", key, "--name", key.title())[0] == 0
    code, out, _ = run(capsys, *db, "reps", "set", "lena", "--reports-to", "boss", "--team", "emea")
    assert code == 0 and "reports_to - -> boss" in out and "team - -> emea" in out
    code, _, err = run(capsys, *db, "reps", "set", "omar", "--reports-to", "nobody")
    assert code == 1 and "reports_to: 'nobody' is not a rep's key on the roster" in err
    code, _, err = run(capsys, *db, "reps", "set", "omar", "--max-undecided", "many")
    assert code == 1 and "max_undecided" in err
    code, out, _ = run(capsys, *db, "reps", "--format", "json")
    assert {r["key"]: r.get("reports_to") for r in json.loads(out)} == {
        "boss": None,
        "lena": "boss",
        "omar": None,
    }

    leads_csv = write_leads(tmp_path / "leads.csv", [{"region": "EMEA"}] * 3 + [{"region": "APAC"}])
    code, out, err = run(capsys, *db, *policy, "import", str(leads_csv))
    assert code == 0, err
    assert "3 routed (lena 2, omar 1; by rule: emea 3)" in out and "1 unrouted" in out
    code, out, _ = run(capsys, *db, *policy, "route", "--list-unrouted")
    assert "1 unrouted lead(s)" in out and "L0003" in out and "APAC" in out
    assert "unrouted: no routing rule gave it a rep yet" in run(capsys, *db, "show", "L0003")[1]
    code, out, _ = run(capsys, *db, *policy, "route", "--once")
    assert code == 0 and "1 lead(s) unrouted" in out and "routed" not in out.split("unrouted")[0]

    code, out, _ = run(capsys, *db, "show", "L0001")
    assert "routed to omar by rule emea (round robin): region EMEA" in out
    code, out, _ = run(capsys, *db, "show", "L0001", "--format", "json")
    assert "routed to omar by rule emea" in json.loads(out)["routing"][0]

    # the APAC lead gets a rep once the policy has a fallback: the round robin goes on
    fallback = policy_file(tmp_path, EMEA | {"fallback": ["lena"]})
    code, out, _ = run(capsys, *db, "--policy", str(fallback), "route", "--once", "--format", "json")
    assert json.loads(out)["routed"] == {"lena": 1} and json.loads(out)["by_rule"] == {"fallback": 1}
    code, out, _ = run(capsys, *db, "route", "--list-unrouted")
    assert "no unrouted leads" in out


def test_without_routing_an_ownerless_row_is_still_a_row_error(services: Services, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as err:
        import_leads(services, write_leads(tmp_path / "l.csv", [{"region": "EMEA"}]))
    assert "no owner for this row" in err.value.summary.errors[0].reason


def test_route_routes_every_row_whatever_owner_it_names(services: Services, tmp_path: Path) -> None:
    services.policy = routing_policy(EMEA)
    add_reps(services, "lena", "omar")
    path = tmp_path / "owned.csv"
    path.write_text("crm_id,last_name,region,rep\nA1,Ray,EMEA,Quinn\nA2,Ray,EMEA,Quinn\n", encoding="utf-8")
    summary = import_leads(services, path, route=True)
    assert summary.new_reps == [] and owners(services) == {"A1": "lena", "A2": "omar"}
    assert "2 routed (lena 1, omar 1; by rule: emea 2)" in summary.line()


def emea_team_with_two_leads(services: Services, tmp_path: Path) -> FixedClock:
    """lena (reporting to boss) and omar (team emea) routed a standard lead each; chief leads."""
    services.policy = routing_policy(EMEA)
    add_reps(services, "boss", lead="chief")
    add_reps(services, "lena", reports_to="boss")
    add_reps(services, "omar", team="emea")
    import_leads(services, write_leads(tmp_path / "l.csv", [{"region": "EMEA", "score": "50"}] * 2))
    clock: FixedClock = services.clock  # type: ignore[assignment]
    return clock


def test_escalation_at_breach_then_reroute_keeps_the_first_reps_breach(
    services: Services, tmp_path: Path
) -> None:
    clock = emea_team_with_two_leads(services, tmp_path)
    assert owners(services) == {"L0000": "lena", "L0001": "omar"}
    router = RoutingService(services)

    clock.advance(timedelta(hours=24, minutes=1))  # standard tier: 24 h to decide
    summary = router.route_once()
    assert summary.escalated == Counter({"boss": 1, "the team emea": 1})
    notified = breach_groups.escalations(services)
    assert (notified["L0000"].notified, notified["L0001"].notified) == ("boss", "the team emea")
    assert not router.route_once().changed  # once per breach

    clock.advance(timedelta(hours=24))  # overdue by the whole window again
    assert router.route_once().rerouted == 2
    assert owners(services) == {"L0000": "omar", "L0001": "lena"}
    moved = [e for e in history(services, "L0000") if e.kind.value == "reassigned"]
    assert moved[0].actor == ROUTING_ACTOR and moved[0].payload["from"] == "lena"
    # fresh clocks for the new rep: nothing is breached now, and nothing to do twice
    assert [c for c in breaches(services) if c.state == "breached"] == []
    assert not router.route_once().changed

    numbers = metrics(services, NOW, clock.now() + timedelta(minutes=1))
    decision = {r["rep"]: r for r in numbers["sla_compliance"] if r["clock"] == "decision"}
    assert (decision["lena"]["missed"], decision["omar"]["missed"]) == (1, 1)  # the breach stays with them
    assert {"rule": "emea", "routed": 2, "waiting": 2}.items() <= numbers["by_rule"][0].items()


def test_without_auto_reroute_the_threshold_is_a_flag_for_the_team_lead(
    services: Services, tmp_path: Path
) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    services.policy = routing_policy(EMEA | {"escalation": {}})
    add_reps(services, "lena", "omar")
    import_leads(services, write_leads(tmp_path / "l.csv", [{"region": "EMEA", "score": "50"}]))
    clock.advance(timedelta(hours=49))
    summary = RoutingService(services).route_once()
    assert (summary.rerouted, sum(summary.escalated.values())) == (0, 1)
    assert owners(services) == {"L0000": "lena"}
    assert [c.escalation for c in breaches(services)] == ["reroute"]


def test_an_away_rep_gets_nothing_and_a_lead_routed_before_keeps_its_group(
    services: Services, tmp_path: Path
) -> None:
    services.policy = routing_policy(EMEA)
    add_reps(services, "lena", away_until=(NOW + timedelta(days=1)).isoformat())
    add_reps(services, "omar", max_undecided=1)
    import_leads(services, write_leads(tmp_path / "l.csv", [{"region": "EMEA"}] * 3))
    assert owners(services) == {"L0000": "omar", "L0001": None, "L0002": None}  # omar is full after one
    services.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    summary = RoutingService(services).route_once()
    assert dict(summary.by_rep) == {"lena": 2} and summary.unrouted == 0


# -- two routers at once ----------------------------------------------------------------------

ROUTER = """
import json, sys
from datetime import datetime
from leadqueue.domain.clock import FixedClock
from leadqueue.services.context import Services
from leadqueue.services.routing import RoutingService
from leadqueue.settings.policy_file import load_policy
from leadqueue.store.engine import open_store
from pathlib import Path

store = open_store(sys.argv[1], create=False)
clock = FixedClock(datetime.fromisoformat(sys.argv[3]))
services = Services(store=store, policy=load_policy(Path(sys.argv[2])), clock=clock)
summary = RoutingService(services).route_once()
print(json.dumps({"routed": summary.routed, "escalated": sum(summary.escalated.values())}))
"""
ROUTERS = 3
UNROUTED = 60
BREACHED = 30


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    if request.param == "sqlite":
        yield str(tmp_path / "store.db")
        return
    with pg_schema() as pg_url:
        yield pg_url


def test_two_routers_at_once_route_and_escalate_each_lead_once(url: str, tmp_path: Path) -> None:
    store = open_store(url)
    try:
        services = Services(store=store, policy=routing_policy({"fallback": []}), clock=FixedClock(NOW))
        add_reps(services, "lena", "omar", "tess", reports_to="boss", lead="boss")
        rows = [{"region": "EMEA"}] * UNROUTED
        import_leads(services, write_leads(tmp_path / "l.csv", rows))  # no rule, no fallback: unrouted
        for i in range(BREACHED):  # assigned three days ago: every decision clock breached
            add_lead(services, f"B{i:03d}", rep="tess", assigned_at=NOW - timedelta(days=3))
    finally:
        store.dispose()
    policy = policy_file(tmp_path, {"fallback": ["lena", "omar"]})
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ROUTER, url, str(policy), NOW.isoformat()],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(ROUTERS)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert sum(r["routed"] for r in results) == UNROUTED
    assert sum(r["escalated"] for r in results) == BREACHED
    store = open_store(url)
    try:
        with store.read() as conn:
            q = select(leads.c.crm_id, events.c.kind).join(leads, leads.c.id == events.c.lead_id)
            per_lead = Counter(conn.execute(q.where(events.c.actor == ROUTING_ACTOR)))
            unowned = conn.execute(select(leads.c.crm_id).where(leads.c.owner.is_(None))).all()
    finally:
        store.dispose()
    assert set(per_lead.values()) == {1}  # never twice
    assert sum(1 for (_, kind) in per_lead if kind == "assigned") == UNROUTED
    assert sum(1 for (_, kind) in per_lead if kind == "escalated") == BREACHED
    assert unowned == []


def test_an_unrouted_lead_a_later_import_gives_an_owner_goes_to_that_owner(
    services: Services, tmp_path: Path
) -> None:
    services.policy = routing_policy(EMEA)
    add_reps(services, "lena", "omar")
    path = tmp_path / "l.csv"
    path.write_text("crm_id,last_name,region\nM1,Ray,MARS\n", encoding="utf-8")
    assert import_leads(services, path).routing.unrouted == 1  # type: ignore[union-attr]
    path.write_text("crm_id,last_name,region,rep\nM1,Ray,MARS,omar\n", encoding="utf-8")
    import_leads(services, path)
    summary = RoutingService(services).route_once()
    assert dict(summary.by_rep) == {"omar": 1} and summary.unrouted == 0
    assert owners(services) == {"M1": "omar"}
    assert "an import named them as the lead's owner" in explain(history(services, "M1"))[0]


def test_a_breach_a_team_lead_escalated_is_not_escalated_again_by_routing(
    services: Services, tmp_path: Path
) -> None:
    from leadqueue.services.decisions import DecisionService

    clock = emea_team_with_two_leads(services, tmp_path)
    clock.advance(timedelta(hours=24, minutes=1))  # both decision clocks breached
    DecisionService(services).escalate("L0000", "chief")  # by hand, before the router's pass
    summary = RoutingService(services).route_once()
    assert summary.escalated == Counter({"the team emea": 1})  # L0001's only: once per breach
    assert [e.actor for e in history(services, "L0000") if e.kind.value == "escalated"] == ["chief"]
