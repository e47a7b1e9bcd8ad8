"""Reach the person (issue 23, point 6): `y` copies the lead's email, then its
phone, with nothing from the data able to reach the terminal or the clipboard
as a control character; `o` opens the lead in the CRM from policy.toml's
`crm_url`, or says how to set it; the detail pane shows the lead's local time
where its zone is known, and none where its country has several."""

from __future__ import annotations

import io
import re
import sys
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Static

from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.help import HelpScreen
from leadqueue.tui.widgets.lead_detail import LeadDetail
from tests.factories import add_lead
from tests.tui.conftest import FROZEN, make_app
from tests.tui.helpers import current, settle

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CRM_URL = "https://example.my.salesforce.com/{id}"


def top_lead(services: Services, crm_id: str, days_ago: float = 400, **fields: Any) -> None:
    """A lead of ana's assigned long ago: the most overdue, so the first of her queue."""
    add_lead(services, crm_id, rep="ana", assigned_at=FROZEN - timedelta(days=days_ago), **fields)


def pane_text(app: LeadqueueApp) -> str:
    body = app.screen.query_one(LeadDetail).query_one("#detail-body", Static)
    console = Console(width=400, file=io.StringIO(), record=True, color_system=None)
    console.print(body.content)
    return console.export_text()


def toasts(app: LeadqueueApp, title: str) -> list[str]:
    return [str(n.message) for n in app._notifications if n.title == title]


async def test_y_copies_the_email_then_the_phone(demo_services: Services) -> None:
    top_lead(demo_services, "R1", first_name="Dana", email="dana@northwind.example", phone="+1 617 555 0142")
    app = make_app(demo_services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert current(pilot) == "R1"
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "dana@northwind.example"
        assert toasts(app, "Copy")[-1] == "Copied email: dana@northwind.example · y again copies the phone"
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "+1 617 555 0142"
        await pilot.press("y")  # and round again
        await settle(pilot)
        assert app.clipboard == "dana@northwind.example"


async def test_y_copies_the_phone_when_there_is_no_email(demo_services: Services) -> None:
    top_lead(demo_services, "R1", email="", phone="+49 30 1234567")
    app = make_app(demo_services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "+49 30 1234567"
        assert toasts(app, "Copy")[-1] == "Copied phone: +49 30 1234567"


async def test_a_hostile_email_copies_no_control_character(demo_services: Services) -> None:
    # An OSC 52 of its own, a bell and an 8-bit CSI: pasted into a shell, they would run.
    hostile = "dana@x.example\x1b]52;c;cm0gLXJmIH4=\x07\x9b31m"
    top_lead(demo_services, "R1", email=hostile)
    app = make_app(demo_services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard.startswith("dana@x.example␛]52;c;")
        assert RAW.search(app.clipboard) is None, repr(app.clipboard)
        assert RAW.search(toasts(app, "Copy")[-1]) is None


async def test_o_opens_the_lead_in_the_crm(demo_services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    services = replace(demo_services, policy=Policy(crm_url=CRM_URL))
    top_lead(services, "00Q/1 2")  # a character a URL must quote
    app = make_app(services)
    opened: list[str] = []
    app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
    assert opened == ["https://example.my.salesforce.com/00Q%2F1%202"]
    assert toasts(app, "Open in CRM") == ["Opening https://example.my.salesforce.com/00Q%2F1%202"]


async def test_o_without_a_display_puts_the_link_on_the_clipboard(
    demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over SSH, webbrowser would run a text browser in this terminal, under the app."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    services = replace(demo_services, policy=Policy(crm_url=CRM_URL))
    top_lead(services, "00Q1")
    app = make_app(services)
    opened: list[str] = []
    app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
    assert opened == []
    assert app.clipboard == "https://example.my.salesforce.com/00Q1"
    assert "the link is on the clipboard" in toasts(app, "Open in CRM")[-1]


async def test_o_without_a_crm_url_says_how_to_set_one(demo_services: Services) -> None:
    app = make_app(demo_services)
    opened: list[str] = []
    app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
    assert opened == []
    (said,) = toasts(app, "Open in CRM")
    assert 'crm_url = "https://yourcompany.my.salesforce.com/{id}"' in said and "policy.toml" in said


async def test_local_time_shows_for_a_one_zone_country_not_for_a_several_zone_one(
    demo_services: Services,
) -> None:
    top_lead(demo_services, "DE1", 400, first_name="Berta", extra={"country": "Germany"})
    top_lead(demo_services, "US1", 399, first_name="Uma", extra={"country": "United States"})
    top_lead(demo_services, "JP1", 398, first_name="Jun", extra={"Time Zone": "asia_slash_tokyo"})
    app = make_app(demo_services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert current(pilot) == "DE1"
        # 20:00 UTC is 21:00 in Berlin, and still Friday for a rep in New York.
        assert "◷ local time 21:00 CET (Berlin)" in pane_text(app)
        await pilot.press("j")
        await settle(pilot)
        assert current(pilot) == "US1"
        assert "local time" not in pane_text(app)
        await pilot.press("j")
        await settle(pilot)
        assert current(pilot) == "JP1"
        # From HubSpot's Time Zone column; past midnight there, so the day is said.
        assert "◷ local time Sat 05:00 JST (Tokyo)" in pane_text(app)


async def test_help_says_what_y_and_o_do(demo_services: Services) -> None:
    app = make_app(demo_services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        ids = [i for _, _, i in app.screen.rows]
        assert "lead.copy_contact" in ids and "lead.open_in_crm" in ids
        notes = str(app.screen.query_one(".help-notes", Static).content)
        assert "y copies the lead's email" in notes and "y again its phone" in notes
        assert "crm_url" in notes and "[alerts]" in notes
