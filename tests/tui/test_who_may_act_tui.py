"""Who may act, in the terminal UI (issue 19, point 4): the app does not start
as someone off the roster, marked leads the rep may not act on are reported
while the others are done, and a rep's team-lead action is refused in a toast."""

from __future__ import annotations

from sqlalchemy import select

from leadqueue.domain.decisions import Reject
from leadqueue.services.context import Services
from leadqueue.store.schema import leads
from leadqueue.tui.screens.breaches import BreachesScreen
from leadqueue.tui.screens.queue import QueueScreen
from tests.tui.conftest import make_app
from tests.tui.helpers import lead_state, settle


def new_lead_of(services: Services, rep: str, other_than: bool = False) -> tuple[str, str]:
    """(crm id, owner) of an undecided lead of `rep`, or of anyone but `rep`."""
    with services.store.read() as conn:
        mine = leads.c.owner != rep if other_than else leads.c.owner == rep
        q = select(leads.c.crm_id, leads.c.owner).where(leads.c.state == "new", mine).order_by(leads.c.crm_id)
        row = conn.execute(q.limit(1)).one()
    return str(row.crm_id), str(row.owner)


async def test_the_app_does_not_start_as_someone_off_the_roster(demo_services: Services) -> None:
    app = make_app(demo_services, actor="mallory", owner=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        # read before the test harness closes the app and prints the message
        code, (message,) = app.return_code, list(app._exit_renderables)
    assert code == 1
    assert str(message).startswith(
        "leadqueue: cannot start as 'mallory': unknown rep 'mallory': not on the roster"
    )
    assert "known reps: ana, " in str(message) and "\n" not in str(message)


async def test_a_rep_on_the_roster_starts(demo_services: Services) -> None:
    app = make_app(demo_services, actor="ana", owner="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen) and app.return_code is None


async def test_marked_leads_of_another_rep_are_reported_and_the_others_done(demo_services: Services) -> None:
    own, _ = new_lead_of(demo_services, "ana")
    other, owner = new_lead_of(demo_services, "ana", other_than=True)
    app = make_app(demo_services, actor="ana", owner=None)  # every rep's queue, deciding as ana
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        screen.decide([other, own], Reject("R3"))
        await settle(pilot)
        refused = [n.message for n in app._notifications if n.title == "Not saved"]
        saved = [n.message for n in app._notifications if n.title == "Saved"]
    assert (lead_state(demo_services, own), lead_state(demo_services, other)) == ("rejected", "new")
    assert len(refused) == 1 and f"ana may not reject {owner}'s lead: only its owner may" in refused[0]
    assert other in refused[0] or owner in refused[0]
    assert len(saved) == 1


async def test_a_reps_team_lead_action_is_refused_in_a_toast(demo_services: Services) -> None:
    app = make_app(demo_services, actor="marcus", owner="marcus")  # a rep (the demo's ana leads the team)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BreachesScreen)
        await pilot.press("e")
        await settle(pilot)
        refused = [n.message for n in app._notifications if n.title == "Not saved"]
    assert len(refused) == 1 and refused[0].endswith(
        "marcus may not escalate: that needs role lead (marcus is a rep)"
    )
