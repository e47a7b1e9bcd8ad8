"""The queue on a store other people write to (a team's PostgreSQL, or one
SQLite file): their changes show within a poll, and a lost connection shows
in the header until it is back. Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import create_engine
from textual.widgets import Static

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Reject
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.tui.screens.queue import QueueScreen
from leadqueue.tui.widgets.queue_list import QueueList
from tests.conftest import NOW
from tests.factories import add_lead, add_team_lead
from tests.tui.conftest import make_app
from tests.tui.helpers import lead_state, press_and_settle, settle


def team(services: Services) -> None:
    for i in range(4):
        add_lead(services, f"T{i}", rep="ana", assigned_at=NOW - timedelta(hours=3 - i))
    add_lead(services, "B0", rep="ben", assigned_at=NOW - timedelta(hours=1))
    add_team_lead(services.store)  # "lead" reassigns and opens the team screens


def listed(app: object) -> list[str]:
    return [r.crm_id for r in app.screen.query_one(QueueList).rows]  # type: ignore[attr-defined]


def header(app: object) -> str:
    return str(app.screen.query_one("#summary", Static).render())  # type: ignore[attr-defined]


async def poll(pilot: object) -> None:
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, QueueScreen)
    screen.poll_changes()  # what the interval timer calls every few seconds
    await settle(pilot)


async def test_a_lead_reassigned_elsewhere_leaves_the_queue_at_the_next_poll(
    services: Services, clock: FixedClock
) -> None:
    team(services)
    app = make_app(services, actor="ana", owner="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await poll(pilot)
        assert listed(app) == ["T0", "T1", "T2", "T3"]
        # the team lead, on another machine, and ana on her other one
        DecisionService(services).reassign("T1", "lead", "ben")
        DecisionService(services).reject("T2", "ana", Reject("R3"))
        await poll(pilot)
        assert listed(app) == ["T0", "T3"]


async def test_the_loser_of_a_race_is_told_and_sees_the_new_state(
    services: Services, clock: FixedClock
) -> None:
    team(services)
    app = make_app(services, actor="ana", owner="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert listed(app)[0] == "T0"
        DecisionService(services).reject("T0", "ana", Reject("R3"))  # ana's other machine was first
        await press_and_settle(pilot, "a", *"+2h", "tab", *"Call about routing", "ctrl+s")
        assert lead_state(services, "T0") == "rejected"
        assert "T0" not in listed(app)
        notes = [n.message for n in app._notifications]
        assert any("cannot accept a lead that is rejected" in m for m in notes)


async def test_a_lost_connection_shows_in_the_header_until_it_is_back(
    services: Services, clock: FixedClock
) -> None:
    team(services)
    app = make_app(services, actor="ana", owner="ana")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        store = services.store
        reachable = store.engine
        store.engine = create_engine(
            "postgresql+psycopg://postgres@127.0.0.1:1/test"
            if not store.is_sqlite
            else "sqlite:////nonexistent/x.db"
        )
        try:
            await poll(pilot)
            assert ("⚠" in header(app) and "nothing was written" in header(app)) or "cannot open" in header(
                app
            )
            await press_and_settle(pilot, "a", *"+2h", "tab", *"Call", "ctrl+s")
        finally:
            store.engine.dispose()
            store.engine = reachable
        assert lead_state(services, "T0") == "new"  # refused whole
        assert any(n.title == "Not saved" for n in app._notifications)
        await poll(pilot)
        assert "⚠" not in header(app)
        DecisionService(services).accept("T0", "ana", Accept("call", NOW + timedelta(hours=2), "Call"))
        await poll(pilot)
        assert "T0" not in listed(app)


async def test_the_team_screens_open_on_the_store(services: Services, clock: FixedClock) -> None:
    from leadqueue.services import reports
    from leadqueue.tui.screens.breaches import BreachesScreen
    from leadqueue.tui.screens.metrics import MetricsScreen

    team(services)
    DecisionService(services).reject("T3", "ana", Reject("R3"))
    clock.set(NOW + timedelta(hours=60))  # every 48h decision window (low tier) has run out
    app = make_app(services, actor="lead", owner=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "b")
        screen = app.screen
        assert isinstance(screen, BreachesScreen)
        expected = reports.breaches(services)
        assert {(r.lead_id, r.clock) for r in screen.all_rows} == {(c.lead_id, c.clock) for c in expected}
        assert {c.lead_id for c in expected} == {"T0", "T1", "T2", "B0"}
        # a rep decides meanwhile, on another machine: the screen shows it at the next poll
        screen.poll_changes()
        await settle(pilot)
        DecisionService(services).reject("T0", "ana", Reject("R3"))
        screen.poll_changes()
        await settle(pilot)
        assert "T0" not in {r.lead_id for r in screen.all_rows}
        clock.set(NOW + timedelta(hours=60, minutes=1))  # the period ends before its `until`
        await press_and_settle(pilot, "escape", "m")
        metrics_screen = app.screen
        assert isinstance(metrics_screen, MetricsScreen)
        assert metrics_screen.result == reports.metrics(services, metrics_screen.since, metrics_screen.until)
        (reasons,) = metrics_screen.result["rejection_reasons"]
        assert (reasons["code"], reasons["count"], reasons["share_pct"]) == ("R3", 2, 100.0)
