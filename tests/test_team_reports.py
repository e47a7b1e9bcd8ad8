"""The team lead's numbers in SQL: reassignment, escalation levels,
acknowledgement, and a store upgraded from before clock runs were kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, NeedsInfo, Reject
from leadqueue.domain.policy import Policy
from leadqueue.services import reports
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.services.maintenance import refresh_stale_projections
from leadqueue.services.reports import breaches, metrics
from leadqueue.store import team_queries as tq
from leadqueue.store.engine import open_store
from leadqueue.store.repository import ensure_reps
from leadqueue.store.schema import clock_runs, events, leads
from tests.factories import add_lead, add_team_lead

T0 = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York; standard window 24h


def runs_of(services: Services, crm_id: str) -> list[tuple[str, str, str | None]]:
    with services.store.read() as conn:
        q = (
            select(clock_runs.c.clock, clock_runs.c.rep, clock_runs.c.outcome)
            .join(leads, leads.c.id == clock_runs.c.lead_id)
            .where(leads.c.crm_id == crm_id)
            .order_by(clock_runs.c.n)
        )
        return [tuple(r) for r in conn.execute(q)]  # type: ignore[misc]


def test_reassigning_a_breached_lead_keeps_the_breach_on_the_first_rep(
    services: Services, clock: FixedClock
) -> None:
    clock.set(T0)
    add_lead(services, "L1", rep="ben", assigned_at=T0, score=50)
    add_lead(services, "L2", rep="ana", assigned_at=T0, score=50)
    add_team_lead(services.store)  # reassigns
    clock.set(T0 + timedelta(hours=30))  # 6h past ben's 24h decision window
    assert [(c.lead_id, c.rep, c.state) for c in breaches(services)] == [
        ("L1", "ben", "breached"),
        ("L2", "ana", "breached"),
    ]

    DecisionService(services).reassign("L1", "lead", "ana")

    # ben's run is closed as missed; ana's starts fresh with a whole window
    assert runs_of(services, "L1") == [("decision", "ben", "missed"), ("decision", "ana", None)]
    fresh = [c for c in breaches(services, include_all=True) if c.lead_id == "L1"]
    assert [(c.rep, c.state, c.remaining_seconds) for c in fresh] == [("ana", "running", 24 * 3600)]
    assert [c.lead_id for c in breaches(services)] == ["L2"]
    m = metrics(services, T0, clock.now() + timedelta(minutes=1))  # the period ends before `until`
    decision = {r["rep"]: r for r in m["sla_compliance"] if r["clock"] == "decision"}
    assert (decision["ben"]["missed"], decision["ben"]["breached_open"]) == (1, 0)
    assert (decision["ana"]["missed"], decision["ana"]["breached_open"]) == (0, 1)  # L2, not L1
    with services.store.read() as conn:
        kinds = [r.kind for r in conn.execute(select(events.c.kind).order_by(events.c.seq))]
    assert kinds.count("reassigned") == 1


def test_escalation_levels_and_acknowledgement(services: Services, clock: FixedClock) -> None:
    clock.set(T0)
    add_lead(services, "L1", rep="ben", assigned_at=T0, score=50)
    add_team_lead(services.store)  # escalates, acknowledges, reassigns
    with services.store.write() as conn:
        ensure_reps(conn, {"ana": "Ana"})
    levels = {}
    for hours in (19, 25, 47, 48, 60):  # at risk from 18h, breached at 24h, twice the window at 48h
        clock.set(T0 + timedelta(hours=hours))
        (only,) = breaches(services)
        levels[hours] = (only.state, only.escalation)
    assert levels == {
        19: ("at_risk", "at_risk"),
        25: ("breached", "breached"),
        47: ("breached", "breached"),
        48: ("breached", "reroute"),
        60: ("breached", "reroute"),
    }
    assert not breaches(services)[0].acknowledged
    DecisionService(services).acknowledge("L1", "lead", "calling ben")
    assert breaches(services)[0].acknowledged
    # a new owner's clock is a new breach to acknowledge
    clock.set(T0 + timedelta(hours=61))
    DecisionService(services).reassign("L1", "lead", "ana")
    clock.set(T0 + timedelta(hours=61 + 25))
    (after,) = breaches(services)
    assert (after.rep, after.acknowledged) == ("ana", False)


def test_an_acknowledged_lead_still_takes_decisions(services: Services, clock: FixedClock) -> None:
    clock.set(T0)
    add_lead(services, "L1", rep="ben", assigned_at=T0, score=50)
    add_team_lead(services.store)  # acknowledges
    svc = DecisionService(services)
    svc.acknowledge("L1", "lead")
    svc.reject("L1", "ben", Reject("R3"))
    assert runs_of(services, "L1") == [("decision", "ben", "met")]
    assert breaches(services, include_all=True) == []


def test_a_version_2_store_is_upgraded_and_its_clock_runs_filled(
    services: Services, clock: FixedClock
) -> None:
    clock.set(T0)
    add_lead(services, "L1", rep="ben", assigned_at=T0, score=50)
    add_lead(services, "L2", rep="ana", assigned_at=T0, score=90)
    clock.set(T0 + timedelta(hours=2))
    DecisionService(services).reject("L2", "ana", Reject("R1"))
    clock.set(T0 + timedelta(hours=30))
    expected = ([c.row() for c in breaches(services)], metrics(services, T0, clock.now()))
    with services.store.write() as conn:  # back to what version 2 had
        conn.execute(text("ALTER TABLE events ADD COLUMN record TEXT"))
        conn.execute(text("CREATE INDEX ix_events_outbox ON events (seq) WHERE origin = 'local'"))
        conn.execute(text("DROP TABLE outbox_chunks"))
        conn.execute(text("DROP TABLE clock_runs"))
        for index in ("ix_leads_decided", "ix_leads_first_decision", "ix_leads_accepted", "ix_leads_waiting"):
            conn.execute(text(f"DROP INDEX {index}"))
        conn.execute(text("ALTER TABLE leads DROP COLUMN decided_week"))
        conn.execute(text("ALTER TABLE leads DROP COLUMN acknowledged_at"))
        conn.execute(text("UPDATE meta SET value = '2' WHERE key = 'schema_version'"))
    services.store.dispose()

    upgraded = Services(store=open_store(services.store.url), clock=clock)
    try:
        assert refresh_stale_projections(upgraded) is True
        assert refresh_stale_projections(upgraded) is False  # once
        assert ([c.row() for c in breaches(upgraded)], metrics(upgraded, T0, clock.now())) == expected
        assert expected[0] and expected[1]["rejection_trend"] == [{"week": "2026-11-16", "R1": 1}]
    finally:
        upgraded.store.dispose()


def test_a_version_5_store_is_upgraded_and_its_overdue_pauses_kept(
    services: Services, clock: FixedClock
) -> None:
    """Version 6 keeps each run's budget and pause; a breached lead paused under the old
    rule (time left clamped to zero) is rebuilt as overdue as it was."""
    clock.set(T0)
    add_lead(services, "L1", rep="ben", assigned_at=T0, score=50)
    clock.set(T0 + timedelta(hours=30))
    DecisionService(services).needs_info("L1", "ben", NeedsInfo(["intent"], "who is buying?"))
    expected = [c.row() for c in breaches(services, include_all=True)]
    assert [(r["state"], r["time_left_seconds"]) for r in expected] == [("paused", -6 * 3600)]
    with services.store.write() as conn:  # back to what version 5 had
        conn.execute(text("DROP INDEX ix_clock_runs_open"))
        for table, column in [
            ("clock_runs", "paused_at"),
            ("clock_runs", "budget_seconds"),
            ("reps", "role"),
            ("reps", "crm_ids"),
            ("reps", "aliases"),
        ]:
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        conn.execute(text("UPDATE clock_runs SET paused_left_seconds = 0"))  # the old clamp
        conn.execute(text("UPDATE meta SET value = '5' WHERE key = 'schema_version'"))
    services.store.dispose()

    upgraded = Services(store=open_store(services.store.url), clock=clock)
    try:
        assert refresh_stale_projections(upgraded) is True
        assert [c.row() for c in breaches(upgraded, include_all=True)] == expected
        with upgraded.store.read() as conn:
            assert conn.execute(text("SELECT role FROM reps WHERE key = 'ben'")).scalar_one() == "rep"
    finally:
        upgraded.store.dispose()


@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_median_and_p90_in_sql_match_the_nearest_rank_definition(
    services: Services, clock: FixedClock, n: int
) -> None:
    import statistics

    clock.set(T0)
    waits = [3 * i + 1 for i in range(n)]  # hours each lead waited for its decision
    for i in range(n):
        add_lead(services, f"L{i}", rep="ana", assigned_at=T0, score=50)
    svc = DecisionService(services)
    for i, hours in sorted(enumerate(waits), key=lambda iw: iw[1]):
        clock.set(T0 + timedelta(hours=hours))
        svc.reject(f"L{i}", "ana", Reject("R3"))
    (row,) = metrics(services, T0, clock.now() + timedelta(hours=1))["time_to_decision_hours"]
    rank = -(-90 * n // 100)
    assert row == {
        "rep": "ana",
        "decisions": n,
        "median": round(statistics.median(waits), 1),
        "p90": float(sorted(waits)[rank - 1]),
    }


def test_the_breaches_screens_first_page_is_a_prefix_of_the_whole_by_rep(
    services: Services, clock: FixedClock
) -> None:
    clock.set(T0)
    for i, rep in enumerate(["cy", "ana", "ben", "ana", "cy", "cy"]):
        add_lead(services, f"L{i}", rep=rep, assigned_at=T0 + timedelta(minutes=7 * (6 - i)), score=50)
    clock.set(T0 + timedelta(hours=30))
    whole = breaches(services)
    by_rep = sorted(whole, key=lambda c: c.rep)  # stable: each rep keeps the report's order
    assert len(whole) == 6
    for limit in (1, 2, 3, 4, 6, 10):
        assert reports.first_breaches(services, limit) == by_rep[:limit]


def test_acceptance_by_rep_on_sqlite_counts_as_the_plain_grouping_does(
    services: Services, clock: FixedClock
) -> None:
    if not services.store.is_sqlite:
        pytest.skip("the loose index scan is SQLite's; PostgreSQL groups with the plain query")
    clock.set(T0)
    decide = DecisionService(services)
    for i, rep in enumerate(["cy", "ana", "ben", "ana", "cy", "ana"]):
        add_lead(services, f"L{i}", rep=rep, assigned_at=T0, score=50)
    clock.set(T0 + timedelta(hours=2))
    for i, rep in enumerate(["cy", "ana", "ben", "ana", "cy"]):
        if i % 2:
            decide.reject(f"L{i}", rep, Reject("R3"))
        else:
            decide.accept(f"L{i}", rep, Accept(next_step="call", due=T0 + timedelta(days=1), note="call"))
    with services.store.write() as conn:  # a decided lead whose owner was cleared
        conn.execute(leads.update().where(leads.c.crm_id == "L0").values(owner=None))
    end = clock.now() + timedelta(hours=1)
    with services.store.read() as conn:
        fast = [tuple(r) for r in tq.decisions_by_rep_sqlite(conn, T0, end)]
        plain = [tuple(r) for r in tq.decisions_grouped(conn, "rep", T0, end)]
        outside = tq.decisions_by_rep_sqlite(conn, end, end + timedelta(days=1))
    assert fast == plain == [("?", 1, 0), ("ana", 0, 2), ("ben", 1, 0), ("cy", 1, 0)]
    assert outside == []


def test_a_policy_whose_clocks_changed_recomputes_every_stored_deadline(
    services: Services, clock: FixedClock
) -> None:
    clock.set(T0)
    add_lead(services, "L1", rep="ana", assigned_at=T0, score=50)
    assert refresh_stale_projections(services) is False  # first open: taken as made with this policy
    assert refresh_stale_projections(services) is False
    (before,) = breaches(services, include_all=True)
    assert before.deadline == T0 + timedelta(hours=24)

    shorter = Policy.model_validate({"windows": {"decision_standard": {"window": "8h"}}})
    changed = Services(store=services.store, policy=shorter, clock=clock)
    assert refresh_stale_projections(changed) is True
    (after,) = breaches(changed, include_all=True)
    assert after.deadline == T0 + timedelta(hours=8)
    (replayed,) = reports.replayed_clocks(changed, clock.now(), include_all=True)
    assert after.row() == replayed.row()
    # a change elsewhere in the policy leaves the clocks alone
    relabelled = shorter.model_copy(update={"undo_grace_minutes": 30})
    assert refresh_stale_projections(Services(store=services.store, policy=relabelled, clock=clock)) is False
