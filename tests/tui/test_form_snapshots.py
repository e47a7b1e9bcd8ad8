"""Snapshots of the decision forms as issue 23 (point 1) left them, at 80x24
and 120x40, with a frozen clock: the cursor in the field a rep types first,
refused submits with their error on the field, and R5's records to pick from.

Regenerate with `pytest tests/tui/test_form_snapshots.py --snapshot-update` and
look at every SVG before committing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from leadqueue.services.context import Services
from leadqueue.tui.widgets.queue_list import QueueList
from tests.tui.conftest import make_app
from tests.tui.helpers import press_and_settle, settle

SIZES = [(80, 24), (120, 40)]

# Michael Thompson's lead has a detected duplicate and colleagues at his account.
THOMPSON = "51002443"


def run_then(*keys: str, on_lead: str = "") -> Callable[[Any], Any]:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        rows = pilot.app.screen.query_one(QueueList).rows
        moves = [r.crm_id for r in rows].index(on_lead) if on_lead else 0
        # Typed as a user types them, the moves to the lead included: the app keeps
        # them in order (a form's key acts on the lead the j's moved to), one settle after.
        await press_and_settle(pilot, *["j"] * moves, *keys)

    return run_before


FORMS: dict[str, tuple[tuple[str, ...], str]] = {
    # 9 took the cursor to the written reason: the 8 is part of it.
    "reject-other-typed": (("r", "9", *"Podcast network, 8 staff"), ""),
    "reject-duplicate-offered": (("r", "5"), THOMPSON),
    "reject-duplicate-searched": (("r", "5", *"rohan"), THOMPSON),
    "reject-duplicate-unknown": (("r", "5", *"99999999", "ctrl+s"), ""),
    "reject-duplicate-other-person": (("r", "5", *"51000588", "ctrl+s"), ""),
    "touch-note-typed": (("tab", "t", *"Left a voicemail"), ""),
    "touch-channel": (("tab", "t", *"No reply", "tab", "e"), ""),
    "accept-past-refused": (("a", *"yesterday 9am", "tab", "x", "ctrl+s"), ""),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("form", list(FORMS))
def test_decision_forms(snap_compare: Any, demo_services: Services, form: str, size: tuple[int, int]) -> None:
    keys, lead = FORMS[form]
    app = make_app(demo_services)
    assert snap_compare(app, terminal_size=size, run_before=run_then(*keys, on_lead=lead))
