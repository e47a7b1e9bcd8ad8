"""The weekly report's parts: the hand-made SVG charts (a number beside every bar,
escaped text, the same bytes for the same numbers) and its periods (ISO weeks in
the team's zone, across a DST change, and the period before)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadqueue.export.svg_charts import BarRow, TrendRow, bar_chart, trend_chart
from leadqueue.services.weekly_report import (
    PeriodError,
    last_full_week,
    period_of,
    previous_period,
    week_period,
)

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # Friday 15:00 in New York
NS = "{http://www.w3.org/2000/svg}"

ROWS = [
    BarRow("ana", 76.9, "76.9% (10/13)", 70.0, "70.0% (7/10)"),
    BarRow("marcus", 43.8, "43.8% (7/16)", None, "too few (3)", "low"),
    BarRow("priya", None, "too few (4)", 100.0, "100.0% (5/5)"),
    BarRow(
        '<b>"Tom" & co</b> with a name far too long to fit the label column', 0.0, "0.0% (0/6)", 0.0, "0.0%"
    ),
]


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def test_every_bar_has_its_number_beside_it_and_too_few_draws_none() -> None:
    chart = bar_chart(
        "acceptance_by_rep", "Acceptance", ROWS, ("W47", "previous: W46"), 100.0, (60.0, 90.0), "%"
    )
    root = ET.fromstring(chart.svg(standalone=True))
    bars = [
        r
        for r in root.iter(f"{NS}rect")
        if r.get("class") in ("lq-cur", "lq-prev") and r.get("height") == "11"
    ]
    # ana 2, marcus 1 (no previous), priya 1 (too few now), Tom 2 zero-width bars
    assert len(bars) == 6
    shown = texts(root)
    for row in ROWS:
        assert row.value_text in shown and row.previous_text in shown
    assert "low" in shown  # the verdict in words, not by colour alone
    assert "60%" in shown and "90%" in shown  # the band's edges
    band = [r for r in root.iter(f"{NS}rect") if r.get("class") == "lq-band"]
    assert len(band) == 1 and float(band[0].get("width", 0)) > 0


def test_text_is_escaped_shortened_and_whole_in_its_tooltip() -> None:
    svg = bar_chart("x", 'Title with <tags> & "quotes"', ROWS).svg(standalone=True)
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    root = ET.fromstring(svg)  # well-formed
    assert root.find(f"{NS}title").text == 'Title with <tags> & "quotes"'  # type: ignore[union-attr]
    label = next(t for t in root.iter(f"{NS}text") if (t.text or "").startswith("<b>"))
    assert label.text.endswith("…") and len(label.text) <= 32  # type: ignore[union-attr]
    assert label.find(f"{NS}title").text == ROWS[3].label  # type: ignore[union-attr]
    assert "ana: 76.9% (10/13) (previous period 70.0% (7/10))" in root.find(f"{NS}desc").text  # type: ignore[union-attr]


def test_the_same_numbers_give_the_same_bytes() -> None:
    first = bar_chart("a", "A", ROWS, band=(60.0, 90.0)).svg()
    assert bar_chart("a", "A", list(ROWS), band=(60.0, 90.0)).svg() == first
    assert bar_chart("a", "A", ROWS[:2], band=(60.0, 90.0)).svg() != first
    assert "xmlns" not in first and "<style>" not in first  # inline: the page's CSS styles it


def test_trend_lines_carry_each_weeks_number_and_the_total() -> None:
    rows = [TrendRow("All reasons", (3, 0, 5)), TrendRow("R2 · No active project", (1, 0, 4))]
    root = ET.fromstring(trend_chart("t", "Trend", ["02 Nov", "09 Nov", "16 Nov"], rows).svg(standalone=True))
    assert len(list(root.iter(f"{NS}polyline"))) == 2
    assert len(list(root.iter(f"{NS}circle"))) == 6
    shown = texts(root)
    assert shown.count("5") == 2 and shown.count("4") == 1 and "8" in shown  # a point, and 1+0+4; 3+0+5
    assert {"02 Nov", "09 Nov", "16 Nov", "total"} <= set(shown)


def test_an_iso_week_is_monday_to_monday_in_the_team_zone_across_dst() -> None:
    w44 = week_period("2026-W44", NOW, NY)  # 26 Oct to 2 Nov; clocks go back on 1 Nov
    assert w44.since == datetime(2026, 10, 26, 4, 0, tzinfo=UTC)
    assert w44.until == datetime(2026, 11, 2, 5, 0, tzinfo=UTC)
    assert w44.label == "2026-W44" and w44.week == date(2026, 10, 26)
    assert previous_period(week_period("2026-w45", NOW, NY), NY) == w44


def test_the_week_under_way_stops_now_and_compares_with_as_much_of_the_last() -> None:
    w47 = week_period("2026W47", NOW, NY)
    assert (w47.since, w47.until) == (datetime(2026, 11, 16, 5, 0, tzinfo=UTC), NOW)
    assert w47.label == "2026-W47 to Fri 20 Nov 15:00 EST"
    before = previous_period(w47, NY)
    assert (before.since, before.until) == (datetime(2026, 11, 9, 5, 0, tzinfo=UTC), NOW - timedelta(days=7))
    assert last_full_week(NOW, NY).label == "2026-W46"


def test_any_other_period_compares_with_as_long_just_before() -> None:
    since = datetime(2026, 10, 20, 4, 0, tzinfo=UTC)
    period = period_of(since, NOW, NY)
    assert period.week is None and period.label == "2026-10-20 00:00 – 2026-11-20 15:00 EST"
    before = previous_period(period, NY)
    assert (before.since, before.until) == (since - (NOW - since), since)
    # a Monday-midnight start lasting a week at most is that week, named so
    assert period_of(
        datetime(2026, 11, 9, 5, 0, tzinfo=UTC), datetime(2026, 11, 16, 5, 0, tzinfo=UTC), NY
    ).label == ("2026-W46")


@pytest.mark.parametrize("text", ["2026-W00", "2026-W53", "W47", "2026-47"])
def test_a_week_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        week_period(text, NOW, NY)
