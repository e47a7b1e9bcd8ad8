"""Not missing a hot lead (issue 23, point 7), in the app: with the terminal in
the background, a hot lead arriving or a lead turning at risk rings the bell and
sends a desktop notification once; nothing while the terminal is in front, and
nothing that `[alerts]` in config.toml turns off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual import events

from leadqueue.services.context import Services
from leadqueue.settings.config import UserConfig
from leadqueue.tui import alerts
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.queue import QueueScreen
from tests.factories import add_lead
from tests.tui.conftest import FROZEN, make_app
from tests.tui.helpers import settle


class Terminal:
    """What the app sends the terminal for alerts: bells, and escape sequences."""

    def __init__(self, app: LeadqueueApp, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bells = 0
        self.written: list[str] = []
        app.bell = self._bell  # type: ignore[method-assign]
        monkeypatch.setattr(alerts, "write_to_terminal", lambda _app, text: self.written.append(text))

    def _bell(self) -> None:
        self.bells += 1


# -- in the app --------------------------------------------------------------------------------


async def hot_lead_arrives(pilot: object, services: Services, crm_id: str) -> None:
    """A hot lead imported by another process, seen at the queue's next poll."""
    app = pilot.app  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    add_lead(services, crm_id, rep="ana", assigned_at=FROZEN, first_name="Hot", score=99)
    screen.poll_changes()
    await settle(pilot)


async def blur(pilot: object) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    app.post_message(events.AppBlur())
    await settle(pilot)
    assert app.app_focus is False


async def test_a_hot_lead_arriving_in_the_background_rings_and_notifies_once(
    demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(demo_services)
    terminal = Terminal(app, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.poll_changes()  # the poll that later ones compare with
        await settle(pilot)
        await blur(pilot)
        await hot_lead_arrives(pilot, demo_services, "HOT1")
        assert terminal.bells == 1
        assert len(terminal.written) == 1
        assert terminal.written[0].startswith("\x1b]9;leadqueue: hot lead: Hot HOT1")
        # Seen again by the next reads (counts, a poll): announced once.
        app.screen.refresh_counts()
        app.screen.poll_changes()
        await settle(pilot)
        assert (terminal.bells, len(terminal.written)) == (1, 1)


async def test_nothing_rings_while_the_terminal_is_in_front(
    demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(demo_services)
    terminal = Terminal(app, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.poll_changes()
        await settle(pilot)
        await blur(pilot)
        app.post_message(events.AppFocus())  # the rep came back
        await settle(pilot)
        await hot_lead_arrives(pilot, demo_services, "HOT1")
        assert any(n.title == "Hot lead" for n in app._notifications)  # the toast says it
    assert (terminal.bells, terminal.written) == (0, [])


async def test_alerts_off_in_the_config_send_nothing(
    demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = UserConfig.model_validate({"alerts": {"bell": False, "desktop": "off"}})
    app = make_app(demo_services, config=config)
    terminal = Terminal(app, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.poll_changes()
        await settle(pilot)
        await blur(pilot)
        await hot_lead_arrives(pilot, demo_services, "HOT1")
    assert (terminal.bells, terminal.written) == (0, [])


async def test_osc777_and_no_bell_as_configured(
    demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = UserConfig.model_validate({"alerts": {"bell": False, "desktop": "osc777"}})
    app = make_app(demo_services, config=config)
    terminal = Terminal(app, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.poll_changes()
        await settle(pilot)
        await blur(pilot)
        await hot_lead_arrives(pilot, demo_services, "HOT1")
    assert terminal.bells == 0
    assert len(terminal.written) == 1
    assert terminal.written[0].startswith("\x1b]777;notify;leadqueue: hot lead;Hot HOT1")


async def test_a_lead_turning_at_risk_in_the_background_rings(
    demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Standard tier: a 24-hour decision window, at risk in its last 6 hours.
    add_lead(demo_services, "RISK1", rep="ana", assigned_at=FROZEN, first_name="Riskie", score=60)
    app = make_app(demo_services)
    terminal = Terminal(app, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Riskie", "enter")
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        queue.tick()  # running
        await blur(pilot)
        demo_services.clock.advance(timedelta(hours=19))  # type: ignore[attr-defined]
        queue.tick()  # at risk: 5 of its 24 hours left
        await settle(pilot)
        queue.tick()  # still at risk: said once
        await settle(pilot)
    assert terminal.bells == 1
    assert terminal.written == ["\x1b]9;leadqueue: SLA: Riskie RISK1: decision clock is at risk\x07"]
