"""Not missing a hot lead (issue 23, point 7): the escape sequences of a desktop
notification (OSC 9, OSC 777) carry the text, short and with nothing raw from the
data; `[alerts]` in config.toml is checked. The app's part: tests/tui/test_alerts_pilot.py."""

from __future__ import annotations

import re

import pytest

from leadqueue.settings.config import Alerts, UserConfig
from leadqueue.tui import alerts

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# -- the sequences ---------------------------------------------------------------------------


def test_osc9_and_osc777_carry_the_text_and_nothing_raw() -> None:
    name = "Dana\x07\x1b]52;c;cm0gLXJmIH4=\x07 Whitfield\x9c"
    osc9 = alerts.notification("osc9", "leadqueue: hot lead", f"{name} (Northwind)")
    assert osc9.startswith("\x1b]9;leadqueue: hot lead: Dana␇␛]52;c;") and osc9.endswith("\x07")
    # One sequence: no BEL, ESC or ST inside it that would end it and start another.
    assert RAW.search(osc9[len("\x1b]") : -1]) is None
    osc777 = alerts.notification("osc777", "leadqueue; SLA", "Dana: decision clock is at risk")
    assert osc777 == "\x1b]777;notify;leadqueue, SLA;Dana: decision clock is at risk\x07"
    assert alerts.notification("off", "leadqueue", "x") == ""


def test_a_notification_is_short() -> None:
    text = alerts.notification("osc9", "leadqueue", "x" * 500)
    assert len(text) < 200 and "…" in text


def test_alerts_config_is_checked() -> None:
    assert UserConfig().alerts == Alerts(bell=True, desktop="osc9")
    assert UserConfig.model_validate({"alerts": {"desktop": "off", "bell": False}}).alerts.desktop == "off"
    with pytest.raises(ValueError, match="desktop"):
        UserConfig.model_validate({"alerts": {"desktop": "growl"}})
