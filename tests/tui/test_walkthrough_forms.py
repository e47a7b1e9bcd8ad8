"""Found walking through the app as a new user in tmux: the arrows in a one-of-N
choice moved only a highlight (ctrl+s saved the old choice), the undo refused
after a touch said there was nothing to undo, the reassign form showed its error
twice, and one u after a batch undid only one of its leads."""

from __future__ import annotations

from typing import TypeVar

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import RadioSet, Static

from leadqueue.services.context import Services
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.breaches import BreachesScreen
from leadqueue.tui.screens.forms import ConfirmScreen, DisposeForm, RejectForm, TouchForm
from leadqueue.tui.screens.queue import QueueScreen
from leadqueue.tui.screens.reassign import ReassignForm
from leadqueue.tui.widgets.queue_list import QueueList
from tests.tui.helpers import current, last_event, lead_state, post_burst, press_and_settle, settle

F = TypeVar("F", bound=Screen[object])


def messages(app: LeadqueueApp, title: str) -> list[str]:
    return [str(n.message) for n in app._notifications if n.title == title]


def queue_of(app: LeadqueueApp) -> QueueScreen:
    screen = next(s for s in reversed(app.screen_stack) if isinstance(s, QueueScreen))
    return screen


async def to_follow_up(pilot: Pilot[None], app: LeadqueueApp, lead: str) -> None:
    """To Follow up, where a lead just accepted now is, and down to it."""
    await press_and_settle(pilot, "tab")
    rows = [r.crm_id for r in queue_of(app).query_one(QueueList).rows]
    await press_and_settle(pilot, *(["j"] * (rows.index(lead) - rows.index(current(pilot)))))
    assert current(pilot) == lead


async def follow_up_form(pilot: Pilot[None], key: str, form_type: type[F]) -> tuple[str, F]:
    """In Follow up, the form `key` opens on the first lead: that lead's id, and the form."""
    await settle(pilot)
    await press_and_settle(pilot, "tab")
    lead = current(pilot)
    await press_and_settle(pilot, key)
    form = pilot.app.screen
    assert isinstance(form, form_type)
    return lead, form


# -- 1. the arrows in a one-of-N choice choose -----------------------------------------------------
async def test_right_right_in_the_dispose_outcome_chooses_unresponsive(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """The walkthrough's keys: the highlight lands on unresponsive, and that is what
    ctrl+s submits (refused here for too few attempts), not the default advanced."""
    async with app.run_test(size=(120, 40)) as pilot:
        lead, form = await follow_up_form(pilot, "d", DisposeForm)
        await press_and_settle(pilot, "right", "right")
        outcome = form.query_one("#outcome", RadioSet)
        assert outcome.pressed_index == 2  # the one highlighted is the one chosen
        await press_and_settle(pilot, "ctrl+s")
        if form.attempts < demo_services.policy.min_unresponsive_attempts:
            assert form.is_active
            assert "unresponsive needs at least" in str(form.query_one("#form-error", Static).render())
            assert lead_state(demo_services, lead) == "accepted"
        else:
            assert last_event(demo_services, lead)[1]["outcome"] == "unresponsive"


async def test_an_arrow_then_a_reason_disposes_as_returned(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        lead, _ = await follow_up_form(pilot, "d", DisposeForm)
        code = next(iter(demo_services.policy.active_reasons()))
        # In one burst, as the terminal hands keys over: the arrow's choice is in before ctrl+s.
        post_burst(app, "right", "tab", *code, "tab", *"went with a partner", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, DisposeForm)
        kind, payload = last_event(demo_services, lead)
        assert kind == "disposed" and payload["outcome"] == "returned"


async def test_arrows_wrap_and_left_goes_back(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "tab", "d")
        form = app.screen
        assert isinstance(form, DisposeForm)
        outcome = form.query_one("#outcome", RadioSet)
        await press_and_settle(pilot, "left")
        assert outcome.pressed_index == 2  # wraps round, as the highlight does
        await press_and_settle(pilot, "up", "down", "down")
        assert outcome.pressed_index == 0
        # Still one option on at a time.
        assert [b.value for b in outcome.query("RadioButton")] == [True, False, False]


async def test_an_arrow_in_the_touch_channel_logs_that_channel(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        lead, form = await follow_up_form(pilot, "t", TouchForm)
        await press_and_settle(pilot, "tab", "right")
        assert form.query_one("#channel", RadioSet).pressed_index == 1
        await press_and_settle(pilot, "ctrl+s")
        assert last_event(demo_services, lead) == ("touched", {"channel": "email"})


async def test_a_channel_letter_then_an_arrow_goes_on_from_the_letter(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        lead, _ = await follow_up_form(pilot, "t", TouchForm)
        post_burst(app, "tab", "s", "left", "ctrl+s")  # social, then back one: email
        await settle(pilot)
        assert last_event(demo_services, lead) == ("touched", {"channel": "email"})


# -- 2. an undo refused after a touch says why --------------------------------------------------
async def test_undo_after_a_touch_says_the_touch_pins_the_acceptance(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        lead = current(pilot)
        await press_and_settle(pilot, "a", *"tomorrow 10:00", "tab", *"Call about pricing", "ctrl+s")
        assert lead_state(demo_services, lead) == "accepted"
        await to_follow_up(pilot, app, lead)
        await press_and_settle(pilot, "t", *"left a voicemail", "ctrl+s")
        assert last_event(demo_services, lead)[0] == "touched"
        await press_and_settle(pilot, "u")
        refused = messages(app, "Not saved")
        assert refused, "the undo was not refused"
        assert "no decision to take back" not in refused[-1]
        assert "a touch was logged after the acceptance" in refused[-1]
        assert "can no longer be undone" in refused[-1]
        assert lead_state(demo_services, lead) == "accepted"


# -- 3. the reassign form's error, once ------------------------------------------------------------
async def test_a_filter_matching_no_rep_says_so_once(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "b")
        assert isinstance(app.screen, BreachesScreen)
        await press_and_settle(pilot, "R")
        form = app.screen
        assert isinstance(form, ReassignForm)

        def shown() -> list[str]:
            said = [(w.id, str(w.render())) for w in form.query(Static)]
            return [f"{id_}: {text}" for id_, text in said if "no rep matches" in text]

        await press_and_settle(pilot, *"test")
        assert shown() == ["reassign-feedback: ✘ no rep matches 'test'"]
        # Submitted anyway (enter, as the label offers, or ctrl+s), the form stays and
        # still says it once, under the filter, not again under the note.
        for submit in ("enter", "ctrl+s"):
            await press_and_settle(pilot, submit)
            assert form.is_active
            assert shown() == ["form-error: ✘ no rep matches 'test'"]
            assert form.focused is form.query_one("#rep-filter")
            below_the_filter = [w.id for w in form.query_one(".form").children if w.display]
            start = below_the_filter.index("rep-filter")
            assert below_the_filter[start : start + 3] == ["rep-filter", "reps", "form-error"]
        # Typed on, the line under the filter explains the new pick, and the refusal goes.
        await press_and_settle(pilot, "backspace")
        assert shown() == ["reassign-feedback: ✘ no rep matches 'tes'"]


# -- 4. one u undoes the whole batch ----------------------------------------------------------------
async def test_one_u_undoes_a_batch_and_the_next_the_decision_before_it(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        accepted = current(pilot)
        await press_and_settle(pilot, "a", *"tomorrow 10:00", "tab", *"Call about pricing", "ctrl+s")
        assert lead_state(demo_services, accepted) == "accepted"
        rows = queue_of(app).query_one(QueueList).rows
        batch = [r.crm_id for r in rows[:3]]
        await press_and_settle(pilot, "space", "j", "space", "j", "space", "r")
        assert isinstance(app.screen, RejectForm)
        await press_and_settle(pilot, "4", "ctrl+s")
        assert isinstance(app.screen, ConfirmScreen)
        await press_and_settle(pilot, "y")
        assert [lead_state(demo_services, c) for c in batch] == ["rejected"] * 3
        assert messages(app, "Saved")[-1].startswith("Rejected 3 leads")

        await press_and_settle(pilot, "u")
        assert [lead_state(demo_services, c) for c in batch] == ["new"] * 3
        assert [last_event(demo_services, c)[0] for c in batch] == ["undone"] * 3
        assert messages(app, "Saved")[-1].startswith("Undone 3 leads: ")
        assert lead_state(demo_services, accepted) == "accepted"  # not yet

        await press_and_settle(pilot, "u")
        assert lead_state(demo_services, accepted) == "new"
        assert messages(app, "Saved")[-1].startswith("Undone ")
        assert not messages(app, "Not saved")

        await press_and_settle(pilot, "u")
        assert str(list(app._notifications)[-1].message) == "Nothing to undo in this session"


async def test_an_arrow_in_the_filters_chooses_the_tier_it_moves_to(app: LeadqueueApp) -> None:
    """The filters' one-of-N choices choose as the forms' do: f, right, ctrl+s filters
    on the tier the arrow moved to (before, it saved 'any')."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "f", "right", "ctrl+s")
        queue = queue_of(app)
        assert queue.filter.tiers == frozenset({"hot"})
        assert {r.tier for r in queue.query_one(QueueList).rows} == {"hot"}


async def test_an_undo_refused_for_good_leaves_the_stack_for_the_decision_before(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """Reject one lead, accept another and log a touch on it: u is refused for the
    acceptance (the touch locks it), and the next u undoes the rejection before it,
    instead of saying the same refusal again."""
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        rejected = current(pilot)
        await press_and_settle(pilot, "r", "4", "ctrl+s")
        assert lead_state(demo_services, rejected) == "rejected"
        accepted = current(pilot)
        await press_and_settle(pilot, "a", *"tomorrow 10:00", "tab", *"Call about pricing", "ctrl+s")
        assert lead_state(demo_services, accepted) == "accepted"
        await to_follow_up(pilot, app, accepted)
        await press_and_settle(pilot, "t", *"left a voicemail", "ctrl+s")
        await press_and_settle(pilot, "u")
        assert "can no longer be undone" in messages(app, "Not saved")[-1]
        refusals = len(messages(app, "Not saved"))
        await press_and_settle(pilot, "u")
        assert len(messages(app, "Not saved")) == refusals  # not refused again
        assert lead_state(demo_services, rejected) == "new"
        assert lead_state(demo_services, accepted) == "accepted"
