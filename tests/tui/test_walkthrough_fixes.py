"""Found walking through the app as a new user in tmux: keys typed in one burst
in the Needs-info checklist, the footer under a dialog, and the header's unsent
count after a decision."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.widgets import SelectionList
from textual.widgets._footer import FooterKey  # the footer's own key widget, to read what it shows

from leadqueue.services.context import Services
from leadqueue.tui import polling
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.forms import NeedsInfoForm
from leadqueue.tui.screens.queue import QueueScreen
from leadqueue.tui.widgets.queue_summary import QueueSummary
from tests.tui.helpers import current, last_event, post_burst, press_and_settle, settle

# -- 1. a burst in the Needs-info checklist -----------------------------------------------------
# Posted all at once (post_burst), as the driver posts what one read from the terminal
# held: pilot.press waits for the app to be idle after each key, so it types slowly.
BURSTS = {
    "space down space": ((" ", "down", " "), {"contact_data", "title_role"}),
    "down space": (("down", " "), {"title_role"}),
    "space down down space up space": (
        (" ", "down", "down", " ", "up", " "),
        {"contact_data", "title_role", "company_size"},
    ),
    "space down space up space": ((" ", "down", " ", "up", " "), {"title_role"}),
}


@pytest.mark.parametrize("burst", list(BURSTS))
async def test_a_burst_in_the_needs_info_checklist_ticks_the_facts_it_was_typed_on(
    app: LeadqueueApp, burst: str
) -> None:
    """Each space ticks the fact highlighted when it was typed, as if typed slowly:
    the down typed right after a space used to move the highlight before the space
    was acted on, so "space down space" ticked the second fact twice (none ticked)."""
    keys, ticked = BURSTS[burst]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        post_burst(app, "i", *keys)
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NeedsInfoForm)
        assert set(form.query_one("#missing", SelectionList).selected) == ticked


async def test_a_needs_info_typed_in_one_burst_returns_the_facts_ticked(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        post_burst(app, "i", " ", "down", " ", "\t", *"No title", "ctrl+s")
        await settle(pilot)
        kind, payload = last_event(demo_services, lead)
        assert kind == "needs_info"
        assert set(payload["missing"]) == {"contact_data", "title_role"}
        assert payload["note"] == "No title"


# -- 2. the footer under a dialog -------------------------------------------------------------
def footer_shown(app: Any) -> list[str]:
    """The keys on the bottom line, as the user sees them: the widgets on top there."""
    width, height = app.size
    shown: list[str] = []
    for x in range(width):
        widget, _ = app.get_widget_at(x, height - 1)
        if isinstance(widget, FooterKey) and (not shown or shown[-1] != widget.description):
            shown.append(widget.description)
    return shown


DIALOGS = {
    "accept": (("a",), ["Cancel", "Submit"]),
    "reject": (("r",), ["Cancel", "Submit"]),
    "needs-info": (("i",), ["Cancel", "Submit"]),
    "touch": (("tab", "t"), ["Cancel", "Submit"]),
    "conversation": (("tab", "c"), ["Cancel", "Submit"]),
    "dispose": (("tab", "d"), ["Cancel", "Submit"]),
    "help": (("question_mark",), ["Close"]),
    "filters": (("f",), ["Cancel", "Apply"]),
    "bulk-confirm": (("space", "j", "space", "r", "3", "enter"), ["No", "Yes"]),
    "metrics-custom-period": (("m", "c"), ["Cancel", "Submit"]),
    "breaches-reassign": (("b", "R"), ["Cancel", "Submit"]),
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("dialog", list(DIALOGS))
async def test_the_footer_under_a_dialog_shows_the_dialogs_keys(
    app: LeadqueueApp, dialog: str, size: tuple[int, int]
) -> None:
    keys, expected = DIALOGS[dialog]
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert "Quit" in footer_shown(app)  # the queue's own footer
        await press_and_settle(pilot, *keys)
        assert len(app.screen_stack) > 1 and app.screen.is_modal
        assert footer_shown(app) == expected
        await press_and_settle(pilot, "escape")
        while len(app.screen_stack) > 1:  # a dialog over a team screen: back to the queue
            await press_and_settle(pilot, "escape")
        assert "Quit" in footer_shown(app)


# -- 3. the header's unsent count after a decision ----------------------------------------------
def summary_line(queue: QueueScreen) -> str:
    return str(queue.query_one(QueueSummary).render())


async def test_the_unsent_count_comes_with_the_decision(
    app: LeadqueueApp, demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header counts a decision as the decision's own toast shows, from the
    write's outcome: not once the queue's rows have been read again (held back
    here), nor at the next poll. And the reload reads no counts of its own."""
    # No poll meanwhile: it would read the rows and the counts again on its own account.
    monkeypatch.setattr(polling, "POLL_SECONDS", 3600.0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        assert queue.unsent == 0 and "unsent 0" in summary_line(queue)
        before = queue.counts
        assert before is not None
        rows_read = threading.Event()
        first_page = demo_services.queue.first_page

        def held_first_page(*args: Any) -> Any:
            rows_read.wait(10)
            return first_page(*args)

        header_reads: list[object] = []
        header = demo_services.queue.header

        def counted_header(*args: Any) -> Any:
            header_reads.append(args)
            return header(*args)

        monkeypatch.setattr(demo_services.queue, "first_page", held_first_page)
        monkeypatch.setattr(demo_services.queue, "header", counted_header)
        try:
            await pilot.press("r", "3", "enter")
            for _ in range(50):  # until the write's outcome is in (its toast): no sleep
                if any(n.title == "Saved" for n in app._notifications):
                    break
                writes = [w for w in app.workers if w.name == "write" and not w.is_finished]
                if writes:  # done once its outcome has been applied on the UI thread
                    await app.workers.wait_for_complete(writes)
                await pilot.pause()
            assert any(n.title == "Saved" for n in app._notifications)
            assert queue.unsent == 1 and "unsent 1" in summary_line(queue)
            assert queue.counts is not None and queue.counts.decide == before.decide - 1
        finally:
            rows_read.set()
        await settle(pilot)
        assert queue.unsent == 1 and "unsent 1" in summary_line(queue)
        assert len(header_reads) == 1  # the write's: the reload after it reads none
