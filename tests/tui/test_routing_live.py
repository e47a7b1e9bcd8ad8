"""Routing seen from the terminal: a lead routed to a rep whose queue is open shows
with a toast at the next poll; the team lead's live router (`L` on the breaches
screen, off by default) escalates, and the escalation says who was notified."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from leadqueue.services.context import Services
from leadqueue.services.roster import RosterService
from leadqueue.tui.screens.breaches import BreachesScreen
from leadqueue.tui.widgets.breach_list import BreachList, describe_row
from leadqueue.tui.widgets.queue_list import QueueList
from tests.routing_helpers import import_leads, routing_policy, write_leads
from tests.tui.conftest import make_app
from tests.tui.helpers import settle


async def test_a_lead_routed_to_the_open_queue_shows_with_a_toast(
    demo_services: Services, tmp_path: Path
) -> None:
    app = make_app(demo_services)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.screen.poll_changes()  # the poll that later ones compare with
        await settle(pilot)
        # elsewhere (an import, a router): a new lead no rule matches goes to the fallback, ana
        router = replace(demo_services, policy=routing_policy({"fallback": ["ana"]}))
        rows = [{"first_name": "Zora", "last_name": "Quill", "company": "Quillworks", "score": "90"}]
        summary = import_leads(router, write_leads(tmp_path / "new.csv", rows))
        assert summary.routing is not None and dict(summary.routing.by_rep) == {"ana": 1}
        app.screen.poll_changes()
        await settle(pilot)
        toasts = [n.message for n in app._notifications if n.title == "New lead"]
        assert toasts == ["Routed to you: Zora Quill (Quillworks)"]
        assert "L0000" in [r.crm_id for r in app.screen.query_one(QueueList).rows]


async def test_no_toast_for_a_lead_routed_to_someone_else(demo_services: Services, tmp_path: Path) -> None:
    app = make_app(demo_services)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.screen.poll_changes()
        await settle(pilot)
        router = replace(demo_services, policy=routing_policy({"fallback": ["marcus"]}))
        import_leads(router, write_leads(tmp_path / "new.csv", [{"company": "Elsewhere"}]))
        app.screen.poll_changes()
        await settle(pilot)
        assert [n for n in app._notifications if n.title == "New lead"] == []


async def test_live_routing_on_the_breaches_screen_escalates_and_names_who_was_told(
    demo_services: Services,
) -> None:
    RosterService(demo_services).set("marcus", {"reports_to": "ana"})
    app = make_app(demo_services)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BreachesScreen) and not screen.routing_live  # off by default
        assert not any(r.notified for r in screen.all_rows)  # the demo's escalations are a team lead's
        await pilot.press("L")
        await settle(pilot)
        assert screen.routing_live
        assert "routing live (L)" in str(screen.query_one("#breach-summary").render())
        routed = [n.message for n in app._notifications if n.title == "Routing"]
        assert any(m.startswith("escalated ") and "to ana" in m for m in routed)
        zone = screen.services.policy.zone
        lines = {
            r.rep: describe_row(r, screen.now(), zone).plain for r in screen.all_rows if r.state == "breached"
        }
        assert " to ana" in lines["marcus"] and "escalated" in lines["marcus"]
        assert " to the team" in lines["priya"]
        # a second pass has nothing left to do: no new toast
        before = len(app._notifications)
        screen.route_now()
        await settle(pilot)
        assert len([n for n in list(app._notifications)[before:] if n.title == "Routing"]) == 0
        await pilot.press("L")
        await settle(pilot)
        assert not screen.routing_live
        assert screen.query_one(BreachList).loaded
