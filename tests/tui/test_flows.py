"""Pilot tests: every flow, each checked in the store afterwards."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual import events
from textual.widgets import Input, Static

from leadqueue.services.context import Services
from leadqueue.settings.config import UserConfig
from leadqueue.store import queue_query as qq
from leadqueue.store.engine import StoreError
from leadqueue.tui import typeahead
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.filters import FilterScreen
from leadqueue.tui.screens.forms import AcceptForm, ConfirmScreen, NeedsInfoForm, RejectForm
from leadqueue.tui.screens.queue import QueueScreen
from leadqueue.tui.typeahead import in_turn
from leadqueue.tui.widgets.queue_list import QueueList
from tests.tui.conftest import make_app
from tests.tui.helpers import (
    current,
    decision_count,
    last_event,
    lead_state,
    post_burst,
    press_and_settle,
    settle,
)


async def test_queue_shows_the_reps_open_leads_most_urgent_first(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = app.screen.query_one(QueueList).rows
        assert rows and {r.owner for r in rows} == {"ana"}
        now = app.services.clock.now()
        segments = [0 if (r.at_risk_at and r.at_risk_at <= now) else 1 for r in rows]
        assert segments == sorted(segments)  # at risk and breached first
        firsts = [r.due_at for r in rows if r.at_risk_at and r.at_risk_at <= now]
        assert firsts == sorted(firsts)


async def test_accept_with_natural_time(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        await press_and_settle(pilot, "a")
        assert isinstance(app.screen, AcceptForm)
        await press_and_settle(pilot, *"tomorrow 10:00", "tab", *"Call about pricing", "ctrl+s")
        assert lead_state(demo_services, lead) == "accepted"
        kind, payload = last_event(demo_services, lead)
        assert kind == "accepted"
        # Saturday 10:00 in New York, the rep's zone
        assert payload == {
            "next_step": "call",
            "due": "2026-11-21T15:00:00+00:00",
            "note": "Call about pricing",
        }
        assert current(pilot) != lead  # the cursor moved on to the next most urgent lead


async def test_accept_refuses_a_past_time_and_writes_nothing(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = decision_count(demo_services)
        await press_and_settle(pilot, "a", *"yesterday 10:00", "tab", *"x", "ctrl+s")
        assert isinstance(app.screen, AcceptForm)
        assert "in the future" in str(app.screen.query_one("#form-error").render())
        await press_and_settle(pilot, "escape")
        assert decision_count(demo_services) == before


async def test_cancel_writes_nothing(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = decision_count(demo_services)
        await press_and_settle(pilot, "a", "escape", "r", "escape", "i", "escape")
        assert not isinstance(app.screen, AcceptForm | RejectForm | NeedsInfoForm)
        assert decision_count(demo_services) == before


async def test_reject_with_a_number_key(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        await press_and_settle(pilot, "r", "3", "enter")
        assert last_event(demo_services, lead) == (
            "rejected",
            {"reason": "R3", "routing": "disqualify, keep the record", "action": "disqualify"},
        )


async def test_reject_other_needs_a_written_reason(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        # 9 is OTHER: the note field appears and takes focus, and ctrl+s submits it empty.
        await press_and_settle(pilot, "r", "9", "enter", "ctrl+s")
        assert isinstance(app.screen, RejectForm)
        assert "written out" in str(app.screen.query_one("#form-error").render())
        assert lead_state(demo_services, lead) == "new"
        await press_and_settle(pilot, *"Only buys through a reseller", "ctrl+s")
        kind, payload = last_event(demo_services, lead)
        assert (kind, payload["reason"], payload["note"]) == (
            "rejected",
            "OTHER",
            "Only buys through a reseller",
        )


async def test_reject_duplicate_needs_the_record_id(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        await press_and_settle(pilot, "r", "5", "enter")
        form = app.screen
        assert isinstance(form, RejectForm)
        form.query_one("#duplicate-of").value = ""  # type: ignore[attr-defined]
        await press_and_settle(pilot, "ctrl+s")
        assert "needs the id" in str(form.query_one("#form-error").render())
        await press_and_settle(pilot, *"51000588", "ctrl+s")
        # 51000588 is another person than the lead: asked about (issue 23, point 1).
        assert isinstance(app.screen, ConfirmScreen)
        await press_and_settle(pilot, "y")
        kind, payload = last_event(demo_services, lead)
        assert (kind, payload["reason"], payload["duplicate_of"]) == ("rejected", "R5", "51000588")


async def test_needs_info_with_checkboxes(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        await press_and_settle(pilot, "i", "ctrl+s")
        assert "at least one" in str(app.screen.query_one("#form-error").render())
        await press_and_settle(
            pilot, "space", "down", "down", "space", "tab", *"No size or industry", "ctrl+s"
        )
        assert last_event(demo_services, lead) == (
            "needs_info",
            {"missing": ["contact_data", "company_size"], "note": "No size or industry"},
        )
        assert lead_state(demo_services, lead) == "needs_info"


async def test_undo_takes_back_the_last_decision(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        await press_and_settle(pilot, "r", "3", "enter")
        assert lead_state(demo_services, lead) == "rejected"
        await press_and_settle(pilot, "u")
        assert lead_state(demo_services, lead) == "new"
        assert last_event(demo_services, lead)[0] == "undone"


async def test_bulk_reject_with_confirmation(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = app.screen.query_one(QueueList).rows
        first, second = rows[0].crm_id, rows[1].crm_id
        # space marks and stays: j moves; y answers the confirmation the form's result opens.
        await press_and_settle(pilot, "space", "j", "space", "r", "2", "enter", "y")
        assert lead_state(demo_services, first) == lead_state(demo_services, second) == "rejected"
        assert last_event(demo_services, second)[1]["reason"] == "R2"


async def test_filters_and_search(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "f", "right", "enter", "ctrl+s")  # tier: hot
        rows = app.screen.query_one(QueueList).rows
        assert rows and {r.tier for r in rows} == {"hot"}
        target = rows[-1]
        await press_and_settle(pilot, "slash", *target.company[:8])
        rows = app.screen.query_one(QueueList).rows
        assert target.crm_id in {r.crm_id for r in rows}
        assert all(target.company[:8].lower() in (r.name + r.company + r.email).lower() for r in rows)


async def test_section_switch_shows_accepted_leads(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "tab")
        rows = app.screen.query_one(QueueList).rows
        assert rows and all(lead_state(demo_services, r.crm_id) == "accepted" for r in rows)


async def test_keymap_from_the_config_remaps_a_binding(demo_services: Services) -> None:
    app = make_app(demo_services, config=UserConfig(keymap={"lead.accept": "ctrl+a"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "a")
        assert not isinstance(app.screen, AcceptForm)
        await press_and_settle(pilot, "ctrl+a")
        assert isinstance(app.screen, AcceptForm)


async def test_opening_a_lead_records_viewed(app: LeadqueueApp, demo_services: Services) -> None:
    from sqlalchemy import select

    from leadqueue.store.schema import events, leads

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        app.screen.record_viewed(lead)  # what the highlight timer calls
        await settle(pilot)
    with demo_services.store.read() as conn:
        lead_id = conn.execute(select(leads.c.id).where(leads.c.crm_id == lead)).scalar_one()
        actors = (
            conn.execute(select(events.c.actor).where(events.c.lead_id == lead_id, events.c.kind == "viewed"))
            .scalars()
            .all()
        )
    assert "ana" in actors


async def test_all_reps_view_without_a_rep(demo_services: Services) -> None:
    app = make_app(demo_services, actor=None, owner=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = app.screen.query_one(QueueList)
        assert queue.show_rep and len({r.owner for r in queue.rows}) > 1


async def test_a_theme_chosen_is_remembered(demo_services: Services, tmp_path: object) -> None:
    from pathlib import Path

    from leadqueue.settings.config import load_config

    path = Path(str(tmp_path)) / "config.toml"
    app = LeadqueueApp(
        demo_services, actor="ana", owner="ana", config=UserConfig(), config_path=path, cursor_blink=False
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
    assert load_config(path).theme == "nord"


async def test_a_toast_when_a_visible_lead_turns_at_risk(app: LeadqueueApp, demo_services: Services) -> None:
    from datetime import timedelta

    from leadqueue.domain.clock import FixedClock

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.tick()  # learn the states as they are now
        clock = demo_services.clock
        assert isinstance(clock, FixedClock)
        now = clock.now()
        running = [r for r in screen.query_one(QueueList).rows[:30] if r.at_risk_at and r.at_risk_at > now]
        soonest = min(running, key=lambda r: r.at_risk_at)  # type: ignore[arg-type, return-value]
        clock.set(soonest.at_risk_at + timedelta(seconds=1))  # type: ignore[operator]
        screen.tick()
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any(soonest.name in m and "at risk" in m for m in messages)


def hold_accept_writes(queue: QueueScreen) -> threading.Event:
    """The queue's accepts wait, in their worker, until the returned event is set."""
    written = threading.Event()
    accept = queue.decisions.accept

    def slow_accept(*args: Any) -> Any:
        written.wait(10)
        return accept(*args)

    queue.decisions.accept = slow_accept  # type: ignore[method-assign]
    return written


async def test_keys_typed_in_one_burst_land_in_the_field_tab_moved_to(app: LeadqueueApp) -> None:
    """A fast typist (or a loaded machine) delivers tab and the next letters together:
    the letters after tab belong to the next field, not to the one tab left."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AcceptForm)
        await pilot.press(*"tomorrow 10:00")
        await settle(pilot)
        # Posted at once, as the driver posts keys read in one chunk from the terminal.
        # (settle, not one pause: on a loaded machine the focus change takes more rounds)
        for key, char in [("tab", "\t"), ("x", "x"), ("y", "y")]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert form.query_one("#due", Input).value == "tomorrow 10:00"
        assert form.query_one("#note", Input).value == "xy"
        for key, char in [("shift+tab", None), ("z", "z")]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert form.focused is form.query_one("#due", Input)
        assert form.query_one("#note", Input).value == "xy"  # the z went back with the focus


async def test_a_search_typed_in_one_burst_is_all_search(app: LeadqueueApp, demo_services: Services) -> None:
    """'/ana' typed fast: every letter after the slash is the search, none is a
    queue key (a would open the Accept form, j and k would move the cursor)."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        decisions = decision_count(demo_services)
        for key, char in [("slash", "/"), ("a", "a"), ("n", "n"), ("a", "a")]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert not isinstance(app.screen, AcceptForm)
        assert app.screen.query_one("#search", Input).value == "ana"
        rows = app.screen.query_one(QueueList).rows
        assert rows and all("ana" in (r.name + r.company + r.email).lower() for r in rows)
        assert decision_count(demo_services) == decisions


async def test_keys_typed_right_after_a_land_in_the_form_it_opens(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """'a' then 'tomorrow 10:00' in one burst: the keys after 'a' are all the
    form's, none the queue's, where 't' would open the touch form and 'u' undo a
    decision, though the form had not mounted when they arrived."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        decisions = decision_count(demo_services)
        post_burst(app, *"atomorrow 10:00")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AcceptForm)
        assert form.query_one("#due", Input).value == "tomorrow 10:00"
        assert len(app.screen_stack) == 2  # the accept form over the queue, nothing else
        assert decision_count(demo_services) == decisions


async def test_a_burst_through_a_form_and_back_decides_once(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """A whole decision typed ahead: the reason's number key, the submit, and the
    next lead's keys all reach the screen that is on top when each is due."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        for key, char in [("r", "r"), ("2", "2"), ("ctrl+s", None)]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert not isinstance(app.screen, RejectForm)
        assert lead_state(demo_services, lead) == "rejected"
        kind, payload = last_event(demo_services, lead)
        assert kind == "rejected"
        assert payload["reason"] == list(demo_services.policy.active_reasons())[1]


async def test_a_key_after_a_move_acts_on_the_lead_moved_to(app: LeadqueueApp) -> None:
    """'j' then 'a' in one burst: the form is for the lead 'j' moved to, though
    'a' (a priority key) is taken as it arrives, before the list has seen 'j'."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        second = app.screen.query_one(QueueList).rows[1]
        for key in ["j", "a"]:
            app.post_message(events.Key(key, key))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AcceptForm)
        assert form.lead_label.startswith(second.name)


async def test_submit_typed_right_after_the_note_saves_the_whole_note(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """ctrl+s (a priority key) typed in the same burst as the note's last letters:
    the form is read once those letters are in it, not before."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"tomorrow 10:00", "tab")
        await pilot.pause()
        for key, char in [("c", "c"), ("a", "a"), ("l", "l"), ("l", "l"), ("ctrl+s", None)]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert lead_state(demo_services, lead) == "accepted"
        assert last_event(demo_services, lead)[1]["note"] == "call"


async def test_filter_keys_typed_right_after_f_reach_the_filters(app: LeadqueueApp) -> None:
    """f, right, enter, ctrl+s in one burst: the filter screen opens as f arrives
    (its sources load behind it), so the arrows pick a tier instead of moving the queue."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = current(pilot)
        for key in ["f", "right", "enter", "ctrl+s"]:
            app.post_message(events.Key(key, None))
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        rows = app.screen.query_one(QueueList).rows
        assert rows and {r.tier for r in rows} == {"hot"}
        assert app.screen.filter.tiers == frozenset({"hot"})
        assert first != "" and app.screen.query_one(QueueList).cursor == 0


async def test_filters_say_when_the_sources_cannot_be_read(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)

        def locked() -> list[str]:
            raise StoreError("store /data/leads.db stayed locked by another program for 15s")

        queue._sources = locked  # type: ignore[method-assign]
        await pilot.press("f")
        await settle(pilot)
        filters = app.screen
        assert isinstance(filters, FilterScreen)
        assert "stayed locked" in str(filters.query_one("#source-error", Static).render())
        await pilot.press("right", "enter", "ctrl+s")  # tiers still filter
        await settle(pilot)
        assert queue.filter.tiers == frozenset({"hot"})


async def test_an_action_whose_screen_closed_before_its_turn_is_dropped(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        ran: list[int] = []
        in_turn(form, lambda: ran.append(1))
        form.dismiss(None)  # closed by a click, say, before the action's turn came
        await settle(pilot)
        assert ran == []
        assert isinstance(app.screen, QueueScreen)


async def test_a_hold_that_is_never_released_does_not_keep_the_keys(
    app: LeadqueueApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(typeahead, "STALE_HOLD_SECONDS", 0.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = app.screen.query_one(QueueList)
        app._hold(object())  # an action whose turn never comes
        await pilot.press("j")
        await settle(pilot)
        assert queue.cursor == 1


async def test_a_key_typed_right_after_a_submit_acts_on_the_next_lead(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """Accept, then r, in one burst: the accepted lead has left the list when r
    acts, so the reject form is for the lead after it. r waits for the accept's
    write (held back here a while), not for the reload that follows it."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        rows = queue.query_one(QueueList).rows
        accepted, following = rows[0], rows[1]
        written = hold_accept_writes(queue)
        keys = [("a", "a"), ("plus", "+"), ("2", "2"), ("h", "h"), ("tab", None)]
        keys += [("x", "x"), ("ctrl+s", None), ("r", "r")]
        for key, char in keys:
            app.post_message(events.Key(key, char))
        for _ in range(5):
            await pilot.pause()
        assert not isinstance(app.screen, RejectForm)  # r waits for the write
        written.set()
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RejectForm)
        assert form.lead_label.startswith(following.name)
        assert lead_state(demo_services, accepted.crm_id) == "accepted"


async def test_a_needs_info_typed_in_one_burst_keeps_the_ticked_fact(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """i, space, tab, a note, ctrl+s in one burst: the space ticks the first fact
    before tab moves on (a list's space is an ordinary binding, resolved from the
    focus when the key comes back up: tab must not have moved it by then)."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        post_burst(app, *"i \tNo size", "ctrl+s")
        await settle(pilot)
        assert lead_state(demo_services, lead) == "needs_info"
        kind, payload = last_event(demo_services, lead)
        assert kind == "needs_info"
        assert payload["missing"] == ["contact_data"]
        assert payload["note"] == "No size"


async def test_a_reject_with_other_typed_in_one_burst_keeps_its_reason(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """r, 9 (OTHER), enter, the reason, ctrl+s in one burst: enter moves to the
    written reason before the letters after it arrive there."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lead = current(pilot)
        keys = [("r", "r"), ("9", "9"), ("enter", "\r")]
        keys += [("space" if c == " " else c, c) for c in "Student project"]
        for key, char in [*keys, ("ctrl+s", None)]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert lead_state(demo_services, lead) == "rejected"
        kind, payload = last_event(demo_services, lead)
        assert (kind, payload["reason"], payload["note"]) == ("rejected", "OTHER", "Student project")


async def test_a_bulk_reject_typed_in_one_burst_is_confirmed_by_the_key_after_it(
    app: LeadqueueApp, demo_services: Services
) -> None:
    """space, j, space, r, 3, enter, y in one burst: the y reaches the confirmation
    that the reject form's result opens, though it was pushed after the y arrived."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first, second = app.screen.query_one(QueueList).rows[:2]
        keys = [("space", " "), ("j", "j"), ("space", " "), ("r", "r"), ("3", "3"), ("enter", "\r")]
        keys.append(("y", "y"))
        for key, char in keys:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert lead_state(demo_services, first.crm_id) == "rejected"
        assert lead_state(demo_services, second.crm_id) == "rejected"
        assert last_event(demo_services, second.crm_id)[1]["reason"] == "R3"


async def test_a_key_typed_right_after_a_search_acts_on_its_first_result(
    app: LeadqueueApp, demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'/ana', enter, a in one burst: a is the queue's key, not a letter for the
    search, and acts on the first lead the search found, once it is on screen
    (the search's read is held back here until the keys have all arrived)."""
    from leadqueue.tui.screens import queue as queue_screen

    with demo_services.store.read() as conn:
        ana = qq.QueueFilter(owner="ana", search="ana")
        found = qq.page_after(conn, ana, demo_services.clock.now(), None, 5)
    gate = threading.Event()
    read = queue_screen.top_of_queue

    def slow_read(services: Services, f: qq.QueueFilter, limit: int = queue_screen.PAGE) -> list[qq.QueueRow]:
        if f.search:
            gate.wait(10)
        return read(services, f, limit)

    monkeypatch.setattr(queue_screen, "top_of_queue", slow_read)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert found and found[0].crm_id != current(pilot)
        keys = [("slash", "/"), ("a", "a"), ("n", "n"), ("a", "a"), ("enter", "\r"), ("a", "a")]
        for key, char in keys:
            app.post_message(events.Key(key, char))
        for _ in range(5):
            await pilot.pause()
        gate.set()
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AcceptForm)
        assert form.lead_label.startswith(found[0].name)
        form.dismiss(None)
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "ana"


async def test_esc_in_the_search_gives_the_next_keys_to_the_whole_queue(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        top = current(pilot)
        await pilot.press("slash", *"zqx")  # matches nothing
        await settle(pilot)
        assert not app.screen.query_one(QueueList).rows
        for key, char in [("escape", None), ("j", "j")]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        queue = app.screen.query_one(QueueList)
        assert queue.rows[0].crm_id == top
        assert queue.cursor == 1  # the j moved the cursor of the whole queue, once it was back


async def test_undo_typed_right_after_a_submit_undoes_it(app: LeadqueueApp, demo_services: Services) -> None:
    """ctrl+s then u in one burst: u waits for the accept's write (held back here
    until both keys are in), so it finds the accept on the undo stack."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        lead = current(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"+2h", "tab", "x")
        await settle(pilot)
        written = hold_accept_writes(queue)
        for key, char in [("ctrl+s", None), ("u", "u")]:
            app.post_message(events.Key(key, char))
        for _ in range(5):
            await pilot.pause()
        written.set()
        await settle(pilot)
        assert lead_state(demo_services, lead) == "new"
        sql = "SELECT e.kind FROM events e JOIN leads l ON l.id = e.lead_id WHERE l.crm_id = ? ORDER BY e.seq"
        with demo_services.store.read() as conn:
            kinds = [kind for (kind,) in conn.exec_driver_sql(sql, (lead,))]
        assert kinds[-2:] == ["accepted", "undone"]
