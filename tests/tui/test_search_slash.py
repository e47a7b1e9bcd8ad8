"""Search takes any character (issue 18, point 7): "/" opens the search from the
list, and once the box has the focus a "/" is part of the search, so that
"A/B Testing Inc" can be found."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input

from leadqueue.services.context import Services
from leadqueue.tui.screens.queue import QueueScreen
from leadqueue.tui.widgets.queue_list import QueueList
from tests.factories import add_lead
from tests.tui.conftest import FROZEN, make_app
from tests.tui.helpers import post_burst, settle


def add_ab_testing(services: Services) -> None:
    add_lead(
        services,
        "AB1",
        assigned_at=FROZEN - timedelta(hours=1),
        first_name="Priya",
        last_name="Nair",
        company="A/B Testing Inc",
        score=60,
    )


def listed(app: object) -> list[str]:
    return [r.crm_id for r in app.screen.query_one(QueueList).rows]  # type: ignore[attr-defined]


async def test_a_slash_typed_in_the_search_is_searched_for(demo_services: Services) -> None:
    add_ab_testing(demo_services)
    app = make_app(demo_services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"A/B Testing")
        await settle(pilot)
        box = app.screen.query_one("#search", Input)
        assert box.value == "A/B Testing"
        assert app.screen.focused is box  # the second slash did not act as the search key again
        assert listed(app) == ["AB1"]
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert screen.filter.search == "A/B Testing"
        assert screen.focused is screen.query_one(QueueList)
        assert listed(app) == ["AB1"]


async def test_slashes_typed_in_one_burst_are_all_search(demo_services: Services) -> None:
    """'//a/b' typed fast: the first slash opens the box, every key after it is text."""
    add_ab_testing(demo_services)
    app = make_app(demo_services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        post_burst(app, "/", "/", "a", "/", "b")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "/a/b"
        await pilot.press("ctrl+a", "ctrl+k", *"a/b t")
        await settle(pilot)
        assert listed(app) == ["AB1"]


async def test_the_slash_still_opens_the_search_from_the_list(demo_services: Services) -> None:
    app = make_app(demo_services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zqx", "escape")  # matches nothing; esc clears and hides the box
        await settle(pilot)
        box = app.screen.query_one("#search", Input)
        assert not box.display and box.value == ""
        await pilot.press("slash", "/")
        await settle(pilot)
        assert box.display and app.screen.focused is box
        assert box.value == "/"
