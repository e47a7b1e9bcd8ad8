"""Commitments in sight (issue 23, point 2): the next step a rep commits to on
accepting shows in Follow up's rows, the detail pane and the history, an overdue
one is flagged in the queue, and `n` lists the rep's day: the steps due today
or overdue, most overdue first."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Input, OptionList, Static

from leadqueue.services.context import Services
from leadqueue.services.next_steps import steps_due_today
from leadqueue.settings import keymap as km
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.queue import QueueScreen
from leadqueue.tui.screens.today import TodayScreen
from leadqueue.tui.widgets.lead_detail import LeadDetail
from leadqueue.tui.widgets.queue_list import QueueList
from tests.tui.conftest import FROZEN, make_app
from tests.tui.helpers import current, press_and_settle, settle

SIZES = [(80, 24), (120, 40)]


def pane_text(app: LeadqueueApp) -> str:
    """The detail pane as it reads, one wide line per line of content."""
    body = app.screen.query_one(LeadDetail).query_one("#detail-body", Static)
    console = Console(width=400, file=io.StringIO(), record=True, color_system=None)
    console.print(body.content)
    return console.export_text()


def row_lines(app: LeadqueueApp) -> dict[str, str]:
    """Each loaded row's line as the list draws it (header: key ''), by CRM id."""
    queue = app.screen.query_one(QueueList)
    lines = {"": queue.render_line(0).text}
    for y in range(1, min(len(queue.rows), queue.page) + 1):
        lines[queue.rows[queue.top + y - 1].crm_id] = queue.render_line(y).text
    return lines


def prompts(app: LeadqueueApp) -> list[tuple[str, str]]:
    listing = app.screen.query_one(OptionList)
    return [(str(o.id), str(o.prompt)) for o in listing.options]


async def go_to_row(pilot: Any, crm_id: str) -> None:
    queue = pilot.app.screen.query_one(QueueList)
    index = [r.crm_id for r in queue.rows].index(crm_id)
    await press_and_settle(pilot, *["j"] * (index - queue.cursor))
    assert current(pilot) == crm_id


async def test_the_step_accepted_shows_in_follow_up_the_detail_pane_and_the_history(
    app: LeadqueueApp,
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        await press_and_settle(pilot, "a", *"tomorrow 10:00", "tab", *"Call about pricing", "ctrl+s")
        await press_and_settle(pilot, "tab")  # to Follow up
        row = next(r for r in app.screen.query_one(QueueList).rows if r.crm_id == lead)
        due = datetime(2026, 11, 21, 15, tzinfo=UTC)  # Saturday 10:00 in New York, ana's zone
        assert (row.next_step_kind, row.next_step_due, row.next_step_done_at) == ("call", due, None)
        await go_to_row(pilot, lead)
        lines = row_lines(app)
        assert "NEXT STEP EST" in lines[""]  # the column names its zone
        assert " call  Sat 10:00" in lines[lead]
        text = pane_text(app)
        assert "Next step" in text
        assert "call  due Sat 21 Nov 10:00 EST  in 19h" in text
        assert "Call about pricing" in text
        # the history says what the acceptance committed to, its time in the rep's zone
        assert "→ call due Sat 21 Nov 10:00 EST: Call about pricing" in text
        assert "Fri 20 Nov 15:00 EST  accepted     ana" in text


async def test_an_overdue_step_is_flagged_in_the_queue_without_colour(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "tab")
        rows = app.screen.query_one(QueueList).rows
        overdue = [r.crm_id for r in rows if r.step_overdue(FROZEN)]
        assert overdue == ["00Q5g0000000481"]  # Abena Weiß's meeting, due at 03:27 this morning
        lines = row_lines(app)
        assert "!meet  -11h32m" in lines["00Q5g0000000481"]
        assert all("!" not in line for crm_id, line in lines.items() if crm_id not in overdue)
        assert "✓call" in lines["00Q5g0000000285"]  # done: a call was logged
        await go_to_row(pilot, "00Q5g0000000481")
        assert "! OVERDUE 11h32m" in pane_text(app)


async def test_n_lists_todays_steps_most_overdue_first_and_enter_goes_to_the_lead(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = current(pilot)
        await press_and_settle(pilot, "n")
        assert isinstance(app.screen, TodayScreen)
        shown = prompts(app)
        expected = steps_due_today(demo_services, "ana")
        assert [i for i, _ in shown] == [s.crm_id for s in expected.steps] == ["00Q5g0000000481", "51001141"]
        first, second = (p for _, p in shown)
        assert first.startswith("! 11h32m overdue  meeting Fri 20 Nov 03:27 EST  Abena Weiß · Brightwater")
        assert "Attended the forecasting webinar" in first
        assert second.startswith(
            "  in 2h41m        call    Fri 20 Nov 17:41 EST  Søren Asante · Ferncastle Software"
        )
        summary = str(app.screen.query_one("#today-summary", Static).render())
        assert "overdue 1" in summary and "due later today 1" in summary and "times in EST" in summary
        await press_and_settle(pilot, "escape")  # back, where the rep was
        assert isinstance(app.screen, QueueScreen) and current(pilot) == before
        await press_and_settle(pilot, "n")
        await press_and_settle(pilot, "j", "enter")
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.filter.section == "follow_up"
        assert current(pilot) == "51001141"


async def test_enter_finds_the_lead_whatever_search_hid_it(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "slash", *"zzzz", "enter")  # a search that matches nothing, kept
        assert not app.screen.query_one(QueueList).rows
        await press_and_settle(pilot, "n")
        await press_and_settle(pilot, "enter")
        assert current(pilot) == "00Q5g0000000481"
        box = app.screen.query_one("#search", Input)
        assert (box.value, box.display, app.screen.filter.search) == ("", False, "")


async def test_n_typed_in_the_search_is_a_letter(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "slash", "n")
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.query_one("#search", Input).value == "n"


async def test_every_reps_day_names_the_rep(demo_services: Services) -> None:
    app = make_app(demo_services, actor=None, owner=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "n")
        shown = prompts(app)
        steps = steps_due_today(demo_services, None).steps
        assert [i for i, _ in shown] == [s.crm_id for s in steps] and len(steps) > 2
        assert [s.due for s in steps] == sorted(s.due for s in steps)
        assert all(f"rep {s.owner} · " in p for s, (_, p) in zip(steps, shown, strict=True))


async def test_a_rep_elsewhere_sees_times_in_her_own_zone(demo_services: Services) -> None:
    app = make_app(demo_services, actor="freya", owner="freya")  # Europe/London
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "tab")
        assert "NEXT STEP GMT" in row_lines(app)[""]
        assert " GMT" in pane_text(app) and " EST" not in pane_text(app)
        await press_and_settle(pilot, "n")
        summary = str(app.screen.query_one("#today-summary", Static).render())
        assert "times in GMT" in summary and "Fri 20 Nov · freya" in summary


def test_the_today_screens_bindings_are_listed_for_the_keymap() -> None:
    real: dict[str, set[str]] = {}
    for key, bindings in TodayScreen._merged_bindings.key_to_bindings.items():
        for b in bindings:
            if b.id:
                real.setdefault(b.id, set()).add(key)
    assert real == {i: set(km.split_keys(keys)) for i, keys in km.SCREEN_BINDINGS["today"].items()}
    assert km.SCREEN_BINDINGS["queue"]["queue.today"] == "n"


def run_then(*keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await press_and_settle(pilot, *keys)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_today_view_snapshot(snap_compare: Any, demo_services: Services, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_services), terminal_size=size, run_before=run_then("n"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_reps_today_snapshot(snap_compare: Any, demo_services: Services, size: tuple[int, int]) -> None:
    app = make_app(demo_services, actor=None, owner=None)
    assert snap_compare(app, terminal_size=size, run_before=run_then("n"))
