"""Open clocks as reports give them: the replay of a past instant from the events
and the stored projection of now agree, field for field, for every as-of; a
breach survives needs-info and reassignment in the team's numbers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Dispose, NeedsInfo, Reject, Touch
from leadqueue.domain.lifecycle import IllegalTransition
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.services.reports import metrics, projected_clocks, replayed_clocks
from leadqueue.store.engine import Store
from leadqueue.store.repository import ensure_reps
from leadqueue.store.schema import reps
from tests.factories import add_lead, add_team_lead, owner_of

T0 = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)  # the weeks around the 2026 DST changes
ZONES = {
    "ana": "America/New_York",
    "ben": "Europe/Berlin",
    "cho": "Australia/Lord_Howe",
    "dev": "America/Santiago",
}
MIXED = Policy.model_validate(
    {
        "working_hours": {
            "mon": ["08:00-12:00", "13:00-17:30"],
            "tue": ["09:00-17:00"],
            "wed": ["22:00-24:00"],
            "thu": ["00:00-06:00", "09:00-17:00"],
            "fri": ["09:00-15:00"],
            "sun": ["01:30-09:00"],
        },
        "windows": {
            "decision_hot": {"window": "4h", "measure": "working"},
            "decision_standard": {"window": "24h"},
            "decision_low": {"window": "2bd", "measure": "working"},
            "first_touch": {"window": "8h", "measure": "working"},
        },
    }
)


def rows(clocks: list[Any]) -> list[dict[str, Any]]:
    return sorted((c.row() for c in clocks), key=lambda r: (r["lead_id"], r["clock"], r["started_at"]))


def play(services: Services, clock: FixedClock, seed: int, steps: int) -> list[tuple[datetime, list[Any]]]:
    """A random team history; after each step, the projected report of some
    instant before the next step. Returns those (as-of, report) pairs."""
    rng = random.Random(seed)
    svc = DecisionService(services)
    leads: list[str] = []
    seen: list[tuple[datetime, list[Any]]] = []
    for step in range(steps):
        clock.advance(timedelta(minutes=rng.choice((7, 45, 200, 600, 1500, 3000))))
        lead = rng.choice(leads) if leads else ""
        rep = rng.choice(list(ZONES))
        owner = owner_of(services, lead) if lead else ""  # a rep decides only on the leads they own
        action = rng.choice(("add", "add", "accept", "reject", "needs_info", "resume", "reassign", "touch"))
        try:
            if action == "add" or not leads:
                crm_id = f"L{step:03d}"
                add_lead(services, crm_id, rep=rep, assigned_at=clock.now(), score=rng.choice((20, 50, 90)))
                leads.append(crm_id)
            elif action == "accept":
                svc.accept(lead, owner, Accept("call", clock.now() + timedelta(days=1), "call"))
            elif action == "reject":
                svc.reject(lead, owner, Reject("R3"))
            elif action == "needs_info":
                svc.needs_info(lead, owner, NeedsInfo(["intent"], "who is buying?"))
            elif action == "resume":
                svc.returned_from_marketing(lead, "lead", "")
            elif action == "reassign":
                svc.reassign(lead, "lead", rng.choice(list(ZONES)))
            elif rng.random() < 0.2:
                svc.dispose(lead, owner, Dispose("advanced"))
            else:
                svc.touch(lead, owner, Touch("call", conversation=rng.random() < 0.3))
        except IllegalTransition:
            pass
        if step % 3 == 0:
            as_of = clock.now() + timedelta(minutes=rng.choice((0, 1, 5)))
            seen.append((as_of, projected_clocks(services, as_of, include_all=True)))
    return seen


def with_zones(store: Store) -> None:
    with store.write() as conn:
        ensure_reps(conn, {k: k.title() for k in ZONES})
        for key, zone in ZONES.items():
            conn.execute(update(reps).where(reps.c.key == key).values(time_zone=zone))
    add_team_lead(store)  # reassigns; a rep decides only on the leads they own


def test_the_replayed_past_and_the_stored_present_agree_for_every_as_of(
    store: Store, clock: FixedClock
) -> None:
    services = Services(store=store, policy=MIXED, clock=clock)
    clock.set(T0)
    with_zones(store)
    seen = play(services, clock, seed=16, steps=90)
    assert len(seen) == 30
    states = {r["state"] for _, report in seen for r in rows(report)}
    assert states >= {"running", "at_risk", "breached", "paused"}  # the history covers every open state
    for as_of, report in seen:
        assert rows(replayed_clocks(services, as_of, include_all=True)) == rows(report), as_of


def test_a_breached_decision_stays_missed_through_needs_info_and_reassignment(
    services: Services, clock: FixedClock
) -> None:
    """Breach, then needs-info, then reassigned while paused: today's 'met 1, missed 0' was wrong."""
    clock.set(T0)
    add_lead(services, "L1", rep="ana", assigned_at=T0, score=50)  # standard: 24 elapsed hours
    with services.store.write() as conn:
        ensure_reps(conn, {"ben": "Ben"})
    add_team_lead(services.store)
    svc = DecisionService(services)
    clock.set(T0 + timedelta(hours=30))
    svc.needs_info("L1", "ana", NeedsInfo(["intent"], "who is buying?"))
    clock.set(T0 + timedelta(hours=40))
    svc.reassign("L1", "lead", "ben")
    clock.set(T0 + timedelta(hours=41))

    m = metrics(services, T0, clock.now())
    decision = {r["rep"]: r for r in m["sla_compliance"] if r["clock"] == "decision"}
    assert (decision["ana"]["met"], decision["ana"]["missed"]) == (0, 1)
    (paused,) = projected_clocks(services, clock.now(), include_all=True)
    assert (paused.rep, paused.state, paused.time_left_seconds) == ("ben", "paused", 24 * 3600)


def test_moving_a_rep_to_another_zone_never_forgives_a_breach(store: Store, clock: FixedClock) -> None:
    """Time already spent stays where it was spent: a breached clock stays breached,
    a missed decision stays missed, whatever zone the rep moves to afterwards."""
    from leadqueue.domain.decisions import Accept
    from leadqueue.services.roster import RosterService

    policy = Policy.model_validate({"windows": {"decision_low": {"window": "4h", "measure": "working"}}})
    services = Services(store=store, policy=policy, clock=clock)
    monday = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # 10:00 in New York
    clock.set(monday)
    add_lead(services, "W1", rep="ana", assigned_at=monday, score=10)  # low: 4 working hours
    add_lead(services, "W2", rep="ana", assigned_at=monday, score=10)
    clock.set(monday + timedelta(hours=7))  # 17:00 EST: 3 h overdue
    DecisionService(services).accept("W2", "ana", Accept("call", clock.now() + timedelta(days=1), "call"))
    before = {c.lead_id: c.state for c in projected_clocks(services, clock.now(), include_all=True)}
    assert before["W1"] == "breached"

    RosterService(services).set("ana", {"zone": "Asia/Tokyo"})  # Tuesday 07:00 there: no work done yet
    after = {(c.lead_id, c.clock): c for c in projected_clocks(services, clock.now(), include_all=True)}
    w1 = after[("W1", "decision")]
    # the 4 working hours ran out in New York at 14:00 EST, before the move
    assert (w1.state, w1.deadline) == ("breached", datetime(2026, 11, 16, 19, 0, tzinfo=UTC))
    m = metrics(services, monday, clock.now() + timedelta(minutes=1))
    decision = {r["rep"]: r for r in m["sla_compliance"] if r["clock"] == "decision"}
    assert (decision["ana"]["met"], decision["ana"]["missed"]) == (0, 1)  # W2 stays missed
