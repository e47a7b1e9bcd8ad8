"""Snapshots of the team lead's screens and forms at 80x24 and 120x40, frozen clock.

Regenerate with `pytest tests/tui/test_team_snapshots.py --snapshot-update` and
read every SVG (python3 /tmp/tools/svgtext.py FILE.svg) before committing it.
"""

from __future__ import annotations

from typing import Any

import pytest

from leadqueue.services.context import Services
from tests.tui.conftest import make_app
from tests.tui.test_snapshots import SIZES, run_then

SCREENS = {
    "breaches-by-rep": ("b",),
    "breaches-by-clock": ("b", "g", "j", "j"),
    "breaches-marked": ("b", "space", "space", "j"),
    "reassign-form": ("b", "space", "space", "R"),
    "reassign-filtered": ("b", "R", *"pr", "tab", *"cover"),
    "reassign-invalid": ("b", "R", *"ana"),
    "metrics": ("m",),
    "metrics-trend": ("m", "right_square_bracket", "right_square_bracket", "right_square_bracket"),
    "metrics-this-week": ("m", "1"),
    "custom-period-form": ("m", "c"),
    "custom-period-invalid": ("m", "c", "ctrl+a", "ctrl+k", *"2026-02-30"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_team_screens(snap_compare: Any, demo_services: Services, screen: str, size: tuple[int, int]) -> None:
    app = make_app(demo_services)
    assert snap_compare(app, terminal_size=size, run_before=run_then(*SCREENS[screen]))
