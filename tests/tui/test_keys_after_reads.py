"""Keys typed after a key that reads rows act on the rows it brings: the last
lead after G, the next leads after a decision's reload. And a toast offers undo
only for what u can undo. (Found walking through the app as a new user.)"""

from __future__ import annotations

from textual.widgets import Input, Static

from leadqueue.services.context import Services
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.forms import AcceptForm, RejectForm
from leadqueue.tui.widgets.queue_list import QueueList
from tests.tui.helpers import last_event, post_burst, press_and_settle, settle


async def test_a_decision_key_right_after_G_is_for_the_last_lead(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = app.screen.query_one(QueueList).rows[0]
        post_burst(app, "G", "a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AcceptForm)
        under = app.screen_stack[-2].query_one(QueueList)
        last = under.current
        assert last is not None and last.crm_id != first.crm_id
        assert under.cursor == len(under.rows) - 1
        assert form.lead_label.startswith(last.name)


async def test_a_decision_key_right_after_end_and_home_is_for_the_lead_landed_on(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = app.screen.query_one(QueueList).rows[0]
        post_burst(app, "end", "home", "a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AcceptForm)
        assert form.lead_label.startswith(first.name)


async def test_moves_typed_after_a_submit_move_in_the_rows_the_reload_brings(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """r 2 ctrl+s j j a in one burst: the first lead is rejected, and the Accept
    form opens two leads below the one that took its place, where the cursor
    stays once the list is read again."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = app.screen.query_one(QueueList).rows
        rejected, landed = rows[0], rows[3]
        post_burst(app, "r", "2", "ctrl+s", "j", "j", "a")
        await settle(pilot)
        assert last_event(demo_services, rejected.crm_id)[0] == "rejected"
        form = app.screen
        assert isinstance(form, AcceptForm)
        under = app.screen_stack[-2].query_one(QueueList)
        assert under.current is not None and under.current.crm_id == landed.crm_id
        assert form.lead_label.startswith(landed.name)


async def test_a_logged_touch_does_not_offer_an_undo_u_cannot_do(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "tab", "t")
        await press_and_settle(pilot, *"left a voicemail", "ctrl+s")
        saved = [n.message for n in app._notifications if n.title == "Saved"]
        assert saved and saved[-1].startswith("Logged a touch on")
        assert "u undoes" not in saved[-1]
        # a conversation is said as one, not as a touch
        await press_and_settle(pilot, "c")
        await press_and_settle(pilot, *"talked budget", "ctrl+s")
        saved = [n.message for n in app._notifications if n.title == "Saved"]
        assert saved[-1].startswith("Logged a conversation with")


async def test_a_decision_that_leaves_the_list_offers_undo(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "r")
        assert isinstance(app.screen, RejectForm)
        await press_and_settle(pilot, "2", "ctrl+s")
        saved = [n.message for n in app._notifications if n.title == "Saved"]
        assert saved and saved[-1].startswith("Rejected") and saved[-1].endswith("(u undoes)")


async def test_esc_in_the_list_clears_a_kept_search_then_the_marks(app: LeadqueueApp) -> None:
    """As the help says: esc clears the search (kept with enter), else the marks."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        everyone = len(app.screen.query_one(QueueList).rows)
        await press_and_settle(pilot, "slash", *"ana", "enter")
        screen = app.screen
        assert screen.filter.search == "ana"
        await press_and_settle(pilot, "space")
        assert screen.marked
        await press_and_settle(pilot, "escape")
        assert screen.filter.search == ""
        assert len(screen.query_one(QueueList).rows) == everyone
        await press_and_settle(pilot, "escape")
        assert not screen.marked


async def test_a_bad_due_time_is_explained_once(app: LeadqueueApp) -> None:
    """The reason shows under the field as it is typed; a submit points there
    rather than saying it again in other words."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "a", *"25:99", "ctrl+s")
        form = app.screen
        assert isinstance(form, AcceptForm)
        under_field = str(form.query_one("#due-resolved", Static).render())
        at_bottom = str(form.query_one("#form-error", Static).render())
        assert "hour must be 0-23" in under_field
        assert "hour" not in at_bottom and "see under it" in at_bottom


async def test_needs_info_without_a_fact_names_the_list_not_its_ids(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "i")
        form = app.screen
        await press_and_settle(pilot, "tab", *"no title given", "ctrl+s")
        shown = str(form.query_one("#form-error", Static).render())
        assert "tick at least one missing fact" in shown
        assert "title_role" not in shown


async def test_moves_typed_after_g_move_from_the_first_lead(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = app.screen.query_one(QueueList).rows
        post_burst(app, "G")
        await settle(pilot)
        post_burst(app, "g", "j", "j", "a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AcceptForm)
        assert form.lead_label.startswith(rows[2].name)


async def test_a_move_typed_after_G_moves_from_the_last_lead(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        post_burst(app, "G", "k")
        await settle(pilot)
        queue = app.screen.query_one(QueueList)
        assert queue.at_end and queue.cursor == len(queue.rows) - 2


async def test_g_typed_in_the_search_box_is_a_letter(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        post_burst(app, "slash", *"Gig", "end")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "Gig"
