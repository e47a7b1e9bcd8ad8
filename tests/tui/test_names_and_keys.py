"""Leads by name everywhere, and keys that fit the place (issue 23, points 4 and 5).

Each test is a friction a new rep met: a toast naming a lead by CRM id, times
without their zone, a tier without its reason, a detail pane the keyboard
could not scroll, a footer offering Accept in Follow up and losing `?` and
`q` at 80 columns, `space` moving the cursor, marks that `esc` did not clear,
and checkboxes telling their state by colour alone.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from rich.console import Console
from textual.containers import VerticalScroll
from textual.widgets import Footer, RadioSet, Static
from textual.widgets._footer import FooterKey

from leadqueue.domain.decisions import Reject
from leadqueue.services.context import Services
from leadqueue.services.lead_view import load_lead_view
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.filters import FilterScreen
from leadqueue.tui.screens.forms import ConfirmScreen, RejectForm
from leadqueue.tui.screens.help import HelpScreen
from leadqueue.tui.screens.queue import QueueScreen
from leadqueue.tui.step_text import zone_label
from leadqueue.tui.widgets.lead_detail import LeadDetail, render_view
from leadqueue.tui.widgets.queue_list import QueueList
from tests.tui.conftest import FROZEN, make_app
from tests.tui.helpers import settle

SIZES = [(80, 24), (120, 40)]
DATE_OR_TIME = re.compile(r"\b\d\d [A-Z][a-z]{2}\b|\b\d\d:\d\d\b")


def queue_of(app: LeadqueueApp) -> QueueScreen:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    return screen


def pane_text(app: LeadqueueApp) -> str:
    body = app.screen.query_one(LeadDetail).query_one("#detail-body", Static)
    console = Console(width=400, file=io.StringIO(), record=True, color_system=None)
    console.print(body.content)
    return console.export_text()


def header_text(app: LeadqueueApp) -> str:
    return str(app.screen.query_one("#summary", Static).content)


def footer_keys(app: LeadqueueApp) -> list[FooterKey]:
    return list(app.screen.query_one(Footer).query(FooterKey))


def saved(app: LeadqueueApp) -> list[str]:
    return [str(n.message) for n in app._notifications if n.title == "Saved"]


# -- 4. leads by name -----------------------------------------------------------------------
async def test_the_undo_toast_names_the_lead_not_its_crm_id(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = queue_of(app)
        row = queue.query_one(QueueList).current
        assert row is not None
        # Decided as the reject form's result would: the form is not what this is about.
        queue._decide_now([row.crm_id], Reject(reason="R3"))
        await settle(pilot)
        assert saved(app)[-1] == f"Rejected {row.name} · {row.company}  (u undoes)"
        await pilot.press("u")
        await settle(pilot)
        assert saved(app)[-1] == f"Undone {row.name} · {row.company}"
        assert all(row.crm_id not in message for message in saved(app))


async def test_a_bulk_confirmation_names_the_marked_leads(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first, second = queue_of(app).query_one(QueueList).rows[:2]
        await pilot.press("space", "j", "space", "r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RejectForm)
        form.dismiss(Reject(reason="R3"))
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert confirm.question == (
            f"Reject 2 leads with R3? {first.name} · {first.company}, {second.name} · {second.company}"
        )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_time_in_the_detail_pane_and_follow_up_names_its_zone(
    app: LeadqueueApp, size: tuple[int, int]
) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        queue = queue_of(app)
        zone = zone_label(queue.zone, FROZEN)
        assert zone != "UTC"  # ana's own zone, read from the roster
        # Its names in winter and in summer (EST, EDT): an engagement may be from October.
        names = {zone_label(queue.zone, FROZEN.replace(month=m)) for m in (1, 7)}
        await pilot.press("tab")
        await settle(pilot)
        listing = queue.query_one(QueueList)
        # The NEXT STEP column's times are in the rep's zone, named once in its header.
        header = "".join(s.text for s in listing.render_line(0))
        assert f"NEXT STEP {zone}" in header
        for _ in range(3):  # a few leads: engagement, clocks, the next step, history
            lines = [line for line in pane_text(app).splitlines() if DATE_OR_TIME.search(line)]
            assert lines
            for line in lines:
                assert any(n in line for n in names) or "local time" in line, line
            await pilot.press("j")
            await settle(pilot)


async def test_the_tier_says_which_rule_gave_it(demo_services: Services) -> None:
    app = make_app(demo_services)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        queue = queue_of(app)
        listing = queue.query_one(QueueList)
        hot = next(i for i, r in enumerate(listing.rows) if r.tier == "hot")
        listing.move(hot - listing.cursor)
        await settle(pilot)
        assert queue.view is not None and queue.view.tier_reason
        reason = queue.view.tier_reason
        assert f"HOT: {reason}" in pane_text(app)
        # A wide list has room for the reason in the row too.
        assert listing.shows_reasons()
        header = "".join(s.text for s in listing.render_line(0))
        assert "WHY" in header
        row_text = "".join(s.text for s in listing.render_line(1 + listing.cursor - listing.top))
        assert reason[:12] in row_text


async def test_help_explains_the_queue_order(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        order = str(help_screen.query_one(".help-order", Static).content)
        assert "at risk or breached come first" in order and "soonest deadline" in order
        assert "hot 4h" in order  # the policy's own window
        ids = [i for _, _, i in help_screen.rows]
        assert {"detail.down", "detail.up"} <= set(ids)
        # the order is below the keys: j and k scroll to it, as they move everywhere else
        scroller = help_screen.query_one(VerticalScroll)
        assert scroller.max_scroll_y > 0 and scroller.scroll_y == 0
        for _ in range(5):
            await pilot.press("j")
        await settle(pilot)
        assert scroller.scroll_y == 5
        await pilot.press("k")
        await settle(pilot)
        assert scroller.scroll_y == 4


# -- 5. keys that fit the place ---------------------------------------------------------------
async def test_the_detail_pane_scrolls_with_shift_j_and_shift_k(app: LeadqueueApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = queue_of(app)
        pane = queue.query_one(LeadDetail)
        listing = queue.query_one(QueueList)
        cursor = listing.cursor
        assert pane.max_scroll_y > 0 and pane.scroll_y == 0
        await pilot.press("J")
        await settle(pilot)
        assert pane.scroll_y > 0
        await pilot.press("shift+down")
        await settle(pilot)
        lower = pane.scroll_y
        await pilot.press("K")
        await settle(pilot)
        assert 0 < pane.scroll_y < lower
        await pilot.press("shift+up", "K")
        await settle(pilot)
        assert pane.scroll_y == 0
        assert listing.cursor == cursor  # the list kept its place
        assert app.screen.focused is listing


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_each_sections_footer_offers_its_own_actions_and_always_help_and_quit(
    app: LeadqueueApp, size: tuple[int, int]
) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for section, own, others in [
            ("decide", {"accept", "reject", "needs_info"}, {"touch(False)", "touch(True)", "dispose"}),
            ("follow_up", {"touch(False)", "touch(True)", "dispose"}, {"accept", "reject", "needs_info"}),
        ]:
            assert queue_of(app).filter.section == section
            keys = footer_keys(app)
            actions = {k.action for k in keys}
            assert own <= actions and not (others & actions), actions
            for action in ("help", "quit"):
                (key,) = [k for k in keys if k.action == action]
                assert key.region.right <= size[0], (action, key.region)  # on screen, not cut off
            await pilot.press("tab")
            await settle(pilot)


async def test_follow_up_ignores_accept(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)
        await pilot.press("a", "r")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_space_marks_without_moving_and_esc_clears_the_marks(app: LeadqueueApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        listing = queue_of(app).query_one(QueueList)
        first = listing.current
        assert first is not None
        await pilot.press("space")
        await settle(pilot)
        assert listing.current == first and listing.marked == {first.crm_id}
        await pilot.press("space")
        await settle(pilot)
        assert listing.current == first and listing.marked == set()
        await pilot.press("space", "j", "space")
        await settle(pilot)
        assert len(listing.marked) == 2
        assert "2 marked · esc clears" in header_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert listing.marked == set()
        assert "marked" not in header_text(app)
        assert isinstance(app.screen, QueueScreen)


async def test_the_palette_lists_the_screens_actions_with_their_keys(app: LeadqueueApp) -> None:
    def commands() -> dict[str, str]:
        return {str(c.title): str(c.help) for c in app.get_system_commands(app.screen)}

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        decide = commands()
        assert decide["Breaches"] == "team.breaches (b)" and decide["Metrics"] == "team.metrics (m)"
        assert decide["Accept"] == "lead.accept (a)" and decide["Help"] == "app.help (?)"
        assert decide["Scroll the detail down"] == "detail.down (J,shift+down)"
        assert "Touch" not in decide and "Clear the search, else the marks" not in decide
        await pilot.press("space")
        await settle(pilot)
        assert commands()["Clear the search, else the marks"] == "queue.clear_search (escape)"
        await pilot.press("tab")
        await settle(pilot)
        follow_up = commands()
        assert follow_up["Touch"] == "lead.touch (t)" and follow_up["Dispose"] == "lead.dispose (d)"
        assert "Accept" not in follow_up and "Reject" not in follow_up
        assert "Breaches" in follow_up and "Metrics" in follow_up


async def test_marks_and_checkboxes_read_without_colour(
    demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(demo_services)
    assert app.no_color
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listing = queue_of(app).query_one(QueueList)
        await pilot.press("space")
        await settle(pilot)
        row_text = "".join(s.text for s in listing.render_line(1 + listing.cursor - listing.top))
        assert row_text.startswith("▶●")
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FilterScreen)
        tiers: Any = app.screen.query_one("#tier", RadioSet)
        buttons = list(tiers.query("RadioButton"))
        chosen = [b.render().plain for b in buttons if b.value]
        others = [b.render().plain for b in buttons if not b.value]
        assert len(chosen) == 1 and others
        assert "●" in chosen[0] and not any("●" in text for text in others)


async def test_the_forms_choices_read_without_colour(app: LeadqueueApp) -> None:
    """Accept's next step and Needs info's facts: the chosen ones have a glyph, the others none."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        kinds = [b.render().plain for b in app.screen.query("RadioButton")]
        assert ["●" in text for text in kinds] == [True, False, False, False], kinds
        await pilot.press("escape", "i")
        await settle(pilot)
        facts: Any = app.screen.query_one("#missing")
        await pilot.press("space")  # ticks the first fact
        await settle(pilot)
        boxes = ["".join(s.text for s in facts.render_line(y))[:3] for y in range(facts.option_count)]
        assert boxes[0] == "▐X▌" and all(box == "▐ ▌" for box in boxes[1:]), boxes


def test_a_verified_flag_on_a_text_that_is_no_email_is_not_shown_as_verified(demo_services: Services) -> None:
    """The walkthrough saw '✉ hannahmokoena-at-whitfieldames.com ✔ verified' beside a checklist
    saying it is not an email."""
    view = load_lead_view(demo_services, "00Q5g0000000350")
    assert view.profile.email == "hannahmokoena-at-whitfieldames.com" and view.profile.email_verified
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(render_view(view, FROZEN))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "✘ not an email" in text and "✔ verified" not in text
