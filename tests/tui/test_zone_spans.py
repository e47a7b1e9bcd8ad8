"""A span of time names its zone as it was at each end (walkthrough finding: a
period from 1 November read as EST at midnight, when New York was still on EDT)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from leadqueue.tui.format import span_in_zone

NEW_YORK = ZoneInfo("America/New_York")


def test_a_span_across_the_clock_change_names_each_end() -> None:
    since = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # midnight, still EDT
    until = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)  # midnight, EST
    assert span_in_zone(since, until, NEW_YORK) == "Sun 01 Nov 00:00 EDT – Fri 20 Nov 00:00 EST"


def test_a_span_within_one_zone_name_names_it_once() -> None:
    since = datetime(2026, 11, 9, 5, 0, tzinfo=UTC)
    until = datetime(2026, 11, 16, 5, 0, tzinfo=UTC)
    assert span_in_zone(since, until, NEW_YORK) == "Mon 09 Nov 00:00 – Mon 16 Nov 00:00 EST"
