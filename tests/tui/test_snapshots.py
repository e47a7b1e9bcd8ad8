"""Snapshots of every screen and form at 80x24 and 120x40, with a frozen clock.

Regenerate with `pytest tests/tui/test_snapshots.py --snapshot-update` and
look at every SVG (snapshot_report.html) before committing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from leadqueue.services.context import Services
from leadqueue.store.engine import StoreError
from tests.tui.conftest import make_app
from tests.tui.helpers import press_and_settle, settle

SIZES = [(80, 24), (120, 40)]


def run_then(*keys: str, after: Callable[[Any], None] | None = None) -> Callable[[Any], Any]:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        if keys:  # typed as a user types them: the app keeps them in order, one settle after
            await press_and_settle(pilot, *keys)
        if after is not None:
            after(pilot)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_queue_with_detail(snap_compare: Any, demo_services: Services, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_services), terminal_size=size, run_before=run_then())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_follow_up_section(snap_compare: Any, demo_services: Services, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_services), terminal_size=size, run_before=run_then("tab", "j"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_all_reps_queue(snap_compare: Any, demo_services: Services, size: tuple[int, int]) -> None:
    app = make_app(demo_services, actor=None, owner=None)
    assert snap_compare(app, terminal_size=size, run_before=run_then())


FORMS = {
    "accept-empty": ("a",),
    "accept-invalid": ("a", *"yesterday 9am"),
    "accept-valid": ("a", *"tomorrow 10:00", "tab", *"Call re pricing"),
    "reject-empty": ("r",),
    "reject-other-invalid": ("r", "9", "enter", "ctrl+s"),
    "reject-duplicate": ("r", "5"),
    "reject-valid": ("r", "3"),
    "needs-info-empty": ("i",),
    "needs-info-invalid": ("i", "ctrl+s"),
    "needs-info-valid": ("i", "space", "tab", *"No size"),
    "touch": ("tab", "t"),
    "dispose": ("tab", "d"),
    "help": ("question_mark",),
    "filters": ("f",),
    "bulk-confirm": ("space", "j", "space", "r", "3", "enter"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("form", list(FORMS))
def test_forms(snap_compare: Any, demo_services: Services, form: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_services), terminal_size=size, run_before=run_then(*FORMS[form]))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_store_error_state(snap_compare: Any, demo_services: Services, size: tuple[int, int]) -> None:
    def break_store(pilot: Any) -> None:
        pilot.app.screen.show_error(
            str(StoreError("store /data/leads.db stayed locked by another program for 15s; try again"))
        )

    assert snap_compare(make_app(demo_services), terminal_size=size, run_before=run_then(after=break_store))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_startup_error(snap_compare: Any, size: tuple[int, int]) -> None:
    from pathlib import Path

    from leadqueue.tui.error_app import StartupErrorApp

    app = StartupErrorApp(
        "policy /home/ana/.config/leadqueue/policy.toml: windows.first_touch.window: 'soon' is not a window: "
        "use e.g. 4h, 30m, 1h30m, 2d or 5bd",
        Path("/home/ana/.local/state/leadqueue/log/leadqueue.log"),
    )
    assert snap_compare(app, terminal_size=size)
