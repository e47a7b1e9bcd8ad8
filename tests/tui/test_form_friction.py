"""Issue 23, point 1: nothing typed in a decision form is lost or reinterpreted.

Each test is a friction a new rep met, and fails on the forms before the fix:
the digits of a written reason picked another reason, the touch note went
nowhere, an unknown duplicate id closed the form with everything typed, and
another person's record was taken as the duplicate without a word.
"""

from __future__ import annotations

from textual.widgets import Input, OptionList, Static

from leadqueue.services.context import Services
from leadqueue.services.duplicate_lookup import DuplicateLookup
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.forms import AcceptForm, ConfirmScreen, RejectForm, TouchForm
from leadqueue.tui.screens.queue import QueueScreen
from leadqueue.tui.widgets.queue_list import QueueList
from tests.tui.helpers import (
    current,
    decision_count,
    last_event,
    lead_state,
    post_burst,
    press_and_settle,
    settle,
)

# In the demo store: Michael Thompson's lead, and another lead of the same
# person (same name and email); Rohan Silva is someone else.
THOMPSON = "51002443"
THOMPSON_AGAIN = "51001596"
SOMEONE_ELSE = "51000588"


async def open_reject_on(pilot: object, app: LeadqueueApp, crm_id: str) -> RejectForm:
    rows = app.screen.query_one(QueueList).rows
    index = [r.crm_id for r in rows].index(crm_id)
    await press_and_settle(pilot, *["j"] * index, "r")
    form = app.screen
    assert isinstance(form, RejectForm)
    return form


# -- reasons that need text ---------------------------------------------------------------
async def test_digits_typed_after_other_land_in_the_written_reason(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """9 picks OTHER and takes the cursor to its text: the 8 in "8 staff" is a
    character of the reason, not R8 (which hid the text and changed the routing)."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        await press_and_settle(pilot, "r", "9", *"Podcast network, 8 staff")
        form = app.screen
        assert isinstance(form, RejectForm)
        assert form.query_one("#note", Input).value == "Podcast network, 8 staff"
        assert form.query_one("#reason", OptionList).highlighted == form.codes.index("OTHER")
        await press_and_settle(pilot, "ctrl+s")
        kind, payload = last_event(demo_services, lead)
        assert (kind, payload["reason"], payload["note"]) == ("rejected", "OTHER", "Podcast network, 8 staff")


async def test_a_written_reason_typed_in_one_burst_keeps_its_digits(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """The same, typed faster than the screen refreshes: the keys after 9 wait
    for the cursor to reach the text field, none is read by the reason list."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        post_burst(app, "r", "9", *"Podcast network, 8 staff", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        kind, payload = last_event(demo_services, lead)
        assert (kind, payload["reason"], payload["note"]) == ("rejected", "OTHER", "Podcast network, 8 staff")


async def test_the_enter_typed_after_a_number_only_confirms_the_reason(app: LeadqueueApp) -> None:
    """'9 enter' was how a rep reached OTHER's field: the enter, now that 9 goes
    there itself, is not an empty submit with an error."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "r", "9", "enter")
        form = app.screen
        assert isinstance(form, RejectForm)
        assert form.focused is form.query_one("#note", Input)
        assert str(form.query_one("#form-error", Static).render()) == ""


# -- log a touch ---------------------------------------------------------------------------
async def open_touch(pilot: object, app: LeadqueueApp) -> TouchForm:
    await press_and_settle(pilot, "tab", "t")
    form = app.screen
    assert isinstance(form, TouchForm)
    return form


async def test_the_touch_note_typed_right_after_opening_is_saved(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        form = await open_touch(pilot, app)
        queue = app.screen_stack[-2]  # the follow-up section, under the form
        row = queue.query_one(QueueList).current
        assert row is not None
        lead = row.crm_id
        await press_and_settle(pilot, *"called back, sent the deck", "ctrl+s")
        assert not form.is_active
        kind, payload = last_event(demo_services, lead)
        # "c" and "s" in the note are letters, not channel keys: the channel stays call.
        assert (kind, payload) == ("touched", {"channel": "call", "note": "called back, sent the deck"})


async def test_channel_keys_pick_the_channel_from_the_channel_control(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_touch(pilot, app)
        queue = app.screen_stack[-2]
        row = queue.query_one(QueueList).current
        assert row is not None
        post_burst(app, *"No reply", "tab", "e", "ctrl+s")
        await settle(pilot)
        assert last_event(demo_services, row.crm_id) == ("touched", {"channel": "email", "note": "No reply"})


# -- R5: the record it duplicates ----------------------------------------------------------
async def test_an_unknown_duplicate_id_keeps_the_form_and_its_text(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        before = decision_count(demo_services)
        await press_and_settle(pilot, "r", "5", *"99999999", "ctrl+s")
        form = app.screen
        assert isinstance(form, RejectForm)  # still open
        field = form.query_one("#duplicate-of", Input)
        assert field.value == "99999999"
        assert form.focused is field
        assert field.has_class("-invalid")
        error = form.query_one("#form-error", Static)
        assert "no lead has the id '99999999'" in str(error.render())
        # The error is shown on the field: right under it and its lookup line.
        children = list(error.parent.children)  # type: ignore[union-attr]
        assert children.index(error) == children.index(form.query_one("#duplicate-resolved")) + 1
        assert decision_count(demo_services) == before
        assert lead_state(demo_services, lead) == "new"
        # Corrected, the form goes through.
        await press_and_settle(pilot, *["backspace"] * 8, *THOMPSON_AGAIN, "ctrl+s")
        assert isinstance(app.screen, ConfirmScreen)  # another person than this lead


async def test_keys_typed_after_a_refused_duplicate_land_in_its_field(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """The id, ctrl+s and more keys in one burst: the keys after ctrl+s wait for the
    check, and once it refuses the id they are the field's, not the queue's."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = decision_count(demo_services)
        post_burst(app, "r", "5", *"9999", "ctrl+s", *"12")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RejectForm)
        assert form.query_one("#duplicate-of", Input).value == "999912"
        assert len(app.screen_stack) == 2
        assert decision_count(demo_services) == before


async def test_a_key_typed_after_an_accepted_duplicate_reaches_the_queue(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """The check runs in a worker: a key typed right after ctrl+s waits for it,
    then acts in the queue the form closed back to (a opens Accept on the next
    lead), not in the field, where it would be a letter of the id."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_reject_on(pilot, app, THOMPSON)
        queue = app.screen_stack[-2]
        rows = queue.query_one(QueueList).rows
        following = rows[[r.crm_id for r in rows].index(THOMPSON) + 1]
        post_burst(app, "5", *THOMPSON_AGAIN, "ctrl+s", "a")
        await settle(pilot)
        assert last_event(demo_services, THOMPSON)[1]["duplicate_of"] == THOMPSON_AGAIN
        form = app.screen  # a's form, for the lead after the rejected one
        assert isinstance(form, AcceptForm)
        assert form.lead_label.startswith(following.name)


async def test_the_lead_itself_is_not_its_own_duplicate(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        await press_and_settle(pilot, "r", "5", *lead, "enter")
        form = app.screen
        assert isinstance(form, RejectForm)
        assert "cannot duplicate itself" in str(form.query_one("#form-error", Static).render())
        assert lead_state(demo_services, lead) == "new"


async def test_another_persons_record_is_asked_about(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        before = decision_count(demo_services)
        await press_and_settle(pilot, "r", "5", *SOMEONE_ELSE, "ctrl+s")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert confirm.question.startswith(f"{SOMEONE_ELSE} is Rohan Silva <rohan.silva@swiftdock.io>, not ")
        await press_and_settle(pilot, "enter")  # No: a question that warns does not default to yes
        form = app.screen
        assert isinstance(form, RejectForm)
        assert form.query_one("#duplicate-of", Input).value == SOMEONE_ELSE
        assert "another person" in str(form.query_one("#form-error", Static).render())
        assert decision_count(demo_services) == before
        await press_and_settle(pilot, "ctrl+s", "y")
        assert isinstance(app.screen, QueueScreen)
        kind, payload = last_event(demo_services, lead)
        assert (kind, payload["reason"], payload["duplicate_of"]) == ("rejected", "R5", SOMEONE_ELSE)


async def test_the_detected_duplicate_and_the_accounts_contacts_are_offered(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """The same person's other lead is offered first and taken with enter, with
    no question; the colleagues at the account are listed to pick from."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        form = await open_reject_on(pilot, app, THOMPSON)
        await press_and_settle(pilot, "5")
        offered = form._candidates
        assert offered[0].person.crm_id == THOMPSON_AGAIN and offered[0].why == "same email"
        assert {c.why for c in offered[1:]} == {"same account"}
        assert len(offered) == 4  # the account's other contacts, the duplicate among them
        assert form.query_one("#duplicate-candidates", OptionList).highlighted == 0
        resolved = str(form.query_one("#duplicate-resolved", Static).render())
        assert f"duplicate of {THOMPSON_AGAIN}: Michael Thompson" in resolved
        await press_and_settle(pilot, "enter", "enter")  # the first confirms R5, the second submits
        assert isinstance(app.screen, QueueScreen)
        kind, payload = last_event(demo_services, THOMPSON)
        assert (kind, payload["reason"], payload["duplicate_of"]) == ("rejected", "R5", THOMPSON_AGAIN)


async def test_a_colleague_picked_from_the_list_is_asked_about(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        form = await open_reject_on(pilot, app, THOMPSON)
        await press_and_settle(pilot, "5")
        await press_and_settle(pilot, "down", "ctrl+s")  # the first colleague below the duplicate
        assert isinstance(app.screen, ConfirmScreen)
        colleague = form._candidates[1].person
        assert app.screen.question.startswith(f"{colleague.crm_id} is {colleague.name}")


async def test_a_search_by_name_finds_the_record(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        form = await open_reject_on(pilot, app, THOMPSON)
        await press_and_settle(pilot, "5", *"michael thom")
        ids = [c.person.crm_id for c in form._candidates]
        assert ids and ids[0] == THOMPSON_AGAIN and THOMPSON not in ids
        await press_and_settle(pilot, "ctrl+s")
        assert last_event(demo_services, THOMPSON)[1]["duplicate_of"] == THOMPSON_AGAIN


def test_the_lookup_reads_names_emails_and_ids(demo_services: Services) -> None:
    lookup = DuplicateLookup(demo_services)
    by_email = lookup.search("rohan.silva@swiftdock", [THOMPSON])
    assert [c.person.crm_id for c in by_email] == [SOMEONE_ELSE]
    assert by_email[0].why == "other person" and by_email[0].matches is False
    assert lookup.search("100%_", [THOMPSON]) == []  # typed wildcards are literal
    check = lookup.check([THOMPSON], THOMPSON_AGAIN)
    assert check.record is not None and check.others == () and check.problem == ""
    assert lookup.check([THOMPSON], "Rohan Silva").record == by_email[0].person
    assert lookup.check([THOMPSON], "nobody-by-this-name").problem.startswith("no lead has the id")
