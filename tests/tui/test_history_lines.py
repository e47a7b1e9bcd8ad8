"""The lead detail's history says what each decision was: who a reassignment gave the
lead to and the reason code of a rejection (it showed only the kind and the actor, so
'reassigned  ana' read as 'reassigned to ana')."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from leadqueue.domain.events import Event, EventKind
from leadqueue.tui.widgets.lead_detail import _history_line

AT = datetime(2026, 12, 6, 22, 1, tzinfo=UTC)
NY = ZoneInfo("America/New_York")


def line(kind: EventKind, **payload: object) -> str:
    return _history_line(Event(kind=kind, actor="ana", at=AT, payload=payload), NY).plain


def test_a_reassignment_says_from_whom_to_whom() -> None:
    shown = line(EventKind.REASSIGNED, **{"from": "devon", "to": "priya", "note": "out sick"})
    assert shown.endswith("reassigned   ana devon → priya")


def test_a_rejection_says_its_reason_code() -> None:
    assert line(EventKind.REJECTED, reason="R3").endswith("rejected     ana R3")


def test_data_in_a_history_line_stays_text() -> None:
    shown = line(EventKind.REASSIGNED, **{"from": "a\x1b[2J", "to": "[b]x[/b]"})
    assert "\x1b" not in shown and "[b]x[/b]" in shown
