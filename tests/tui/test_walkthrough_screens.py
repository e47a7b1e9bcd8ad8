"""What a new user's walkthrough of the breaches, metrics and today screens found:
team-lead actions offered to a rep, keys missing from the footers, ragged columns
on Today, and one clock called by several names."""

from __future__ import annotations

from typing import Any

from textual.widgets._footer import FooterKey

from leadqueue.services.context import Services
from leadqueue.tui.screens.breaches import BreachesScreen
from tests.tui.conftest import make_app
from tests.tui.helpers import press_and_settle, settle

TEAM_LEAD_ACTIONS = {"reassign", "escalate", "acknowledge"}


def footer_actions(screen: Any) -> list[str]:
    return [key.action for key in screen.query(FooterKey)]


async def open_breaches(pilot: Any) -> BreachesScreen:
    await settle(pilot)
    await press_and_settle(pilot, "b")
    screen = pilot.app.screen
    assert isinstance(screen, BreachesScreen)
    return screen


# -- 1. a rep is not offered the team lead's actions ------------------------------------------


async def test_a_rep_is_not_offered_team_lead_actions_and_is_told_why_at_once(demo_services: Services) -> None:
    app = make_app(demo_services, actor="devon", owner="devon")  # a rep; ana leads the demo team
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_breaches(pilot)
        assert not TEAM_LEAD_ACTIONS & set(footer_actions(screen))
        for key, verb in (("R", "reassign"), ("e", "escalate"), ("A", "acknowledge")):
            app.clear_notifications()
            await press_and_settle(pilot, key)
            assert app.screen is screen  # no form to fill first
            said = [n.message for n in app._notifications]
            assert said == [f"devon may not {verb}: that needs role lead (devon is a rep)"]


async def test_a_team_lead_is_offered_them(demo_services: Services) -> None:
    app = make_app(demo_services, actor="ana", owner="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_breaches(pilot)
        assert TEAM_LEAD_ACTIONS <= set(footer_actions(screen))
        await press_and_settle(pilot, "R")
        assert app.screen is not screen  # the reassign form
