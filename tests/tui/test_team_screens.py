"""Pilot tests of the team lead's screens: breaches (grouping, reassign, escalate,
acknowledge, export) and metrics (numbers equal reports.metrics, periods, export).
Every write is checked in the store afterwards."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from leadqueue.domain.safe_text import csv_cell
from leadqueue.services import reports
from leadqueue.services.context import Services
from leadqueue.store.schema import events, leads
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.breach_rows import BreachRow
from leadqueue.tui.export_file import write_export
from leadqueue.tui.format import hours_or_days
from leadqueue.tui.screens.breaches import BreachesScreen
from leadqueue.tui.screens.forms import ConfirmScreen
from leadqueue.tui.screens.metrics import TITLES, CustomPeriodForm, MetricsScreen, SectionView, rendered_text
from leadqueue.tui.screens.reassign import ReassignForm
from leadqueue.tui.widgets.breach_list import BreachList
from leadqueue.tui.widgets.queue_list import QueueList
from tests.factories import add_team_lead
from tests.tui.conftest import FROZEN
from tests.tui.helpers import press_and_settle, settle


@pytest.fixture(autouse=True)
def _exports_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exports go to the current directory: keep them out of the repository."""
    monkeypatch.chdir(tmp_path)


def owner(services: Services, crm_id: str) -> str:
    with services.store.read() as conn:
        return str(conn.execute(select(leads.c.owner).where(leads.c.crm_id == crm_id)).scalar_one())


def events_of(services: Services, crm_id: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
    with services.store.read() as conn:
        rows = conn.execute(
            select(events.c.actor, events.c.payload)
            .join(leads, leads.c.id == events.c.lead_id)
            .where(leads.c.crm_id == crm_id, events.c.kind == kind)
            .order_by(events.c.seq)
        ).all()
    return [(r.actor, dict(r.payload)) for r in rows]


def breach_list(app: LeadqueueApp) -> BreachList:
    assert isinstance(app.screen, BreachesScreen)
    return app.screen.query_one(BreachList)


async def open_breaches(pilot: Any) -> BreachList:
    await settle(pilot)
    await press_and_settle(pilot, "b")
    return breach_list(pilot.app)


async def test_b_opens_every_reps_breaches_grouped_by_rep(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        expected = reports.breaches(demo_services)
        assert {(r.lead_id, r.clock) for r in listing.rows} == {(c.lead_id, c.clock) for c in expected}
        assert len({r.rep for r in listing.rows}) > 1  # all reps, not only the signed-in one
        # the level shown is the report's escalation, re-route included
        assert {r.key: r.level(FROZEN) for r in listing.rows} == {
            (c.lead_id, c.clock): c.escalation for c in expected
        }
        assert any(r.level(FROZEN) == "reroute" for r in listing.rows)
        # every rep with a flagged clock (worst first: tests/tui/test_team_lead_acts.py)
        assert sorted(g.key for g in listing.groups) == sorted({c.rep for c in expected})
        for group in listing.groups:
            assert {r.rep for r in group.rows} == {group.key}
            breached, at_risk, _ = group.totals(FROZEN)
            assert breached == sum(1 for r in group.rows if r.state == "breached")
            assert at_risk == sum(1 for r in group.rows if r.state == "at_risk")
        await press_and_settle(pilot, "escape")
        assert not isinstance(app.screen, BreachesScreen)


async def test_the_first_screens_of_clocks_come_first_then_everyones(
    app: LeadqueueApp, demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied: list[tuple[int, bool, list[str]]] = []
    apply = BreachesScreen._apply

    def noted(self: BreachesScreen, rows: list[BreachRow], *args: Any) -> None:
        apply(self, rows, *args)
        listing = self.query_one(BreachList)
        heads = [listing._group_line(g, FROZEN, 120).plain for g in listing.groups]
        applied.append((len(rows), self.partial, heads))

    monkeypatch.setattr(BreachesScreen, "_apply", noted)
    everyone = reports.breaches(demo_services)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_breaches(pilot)
        first_page = 2 * 40  # two screens of a 40-line terminal
        assert len(everyone) > first_page, "the demo team must outnumber the first page"
        (first, partial, heads), (whole, done, final_heads) = applied[:2]
        # the worst reps' clocks, whole (so their totals are known): at least the first page
        assert partial and first_page <= first < len(everyone)
        assert all("counting" not in h and "breached" in h for h in heads)
        assert (whole, done) == (len(everyone), False)
        assert all("counting" not in h and "breached" in h for h in final_heads)


async def test_g_toggles_grouping_by_clock_and_back(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        by_rep = sorted(r.key for r in listing.rows)
        current = listing.current
        await press_and_settle(pilot, "g")
        assert listing.by == "clock"
        assert all({r.clock for r in g.rows} == {g.key} for g in listing.groups)
        assert sorted(r.key for r in listing.rows) == by_rep
        assert listing.current == current  # the cursor stays on the same clock
        assert "by clock" in str(app.screen.query_one("#breach-summary").render())
        await press_and_settle(pilot, "g")
        assert listing.by == "rep"


def test_levels_follow_the_deadline_and_the_window_again() -> None:
    deadline = FROZEN
    row = BreachRow(
        lead_id="L1",
        name="n",
        company="c",
        rep="ana",
        clock="decision",
        tier="hot",
        deadline=deadline,
        reroute_at=deadline + timedelta(hours=4),
        window="4h",
        state="at_risk",
    )
    assert row.level(deadline - timedelta(seconds=1)) == "at_risk"
    assert row.level(deadline) == "breached"
    assert row.level(deadline + timedelta(hours=4) - timedelta(seconds=1)) == "breached"
    assert row.level(deadline + timedelta(hours=4)) == "reroute"


async def test_the_countdown_is_live(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        row = listing.current
        assert row is not None and row.deadline is not None
        before = str(listing.render())
        demo_services.clock.advance(timedelta(seconds=7))  # type: ignore[attr-defined]
        app.screen.tick()  # type: ignore[attr-defined]
        await pilot.pause()
        after = str(listing.render())
        assert before != after


async def test_reassign_one_lead(app: LeadqueueApp, demo_services: Services) -> None:
    add_team_lead(demo_services.store, "ana")  # reassign, escalate, acknowledge: role lead
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        lead = listing.current
        assert lead is not None and lead.rep == "ana"
        await press_and_settle(pilot, "R")
        assert isinstance(app.screen, ReassignForm)
        await press_and_settle(pilot, *"priya", "ctrl+s")
        assert isinstance(app.screen, BreachesScreen)
        assert owner(demo_services, lead.lead_id) == "priya"
        assert events_of(demo_services, lead.lead_id, "reassigned") == [
            ("ana", {"from": "ana", "to": "priya"})
        ]
        # reloaded: the clocks restarted for priya, so the lead is no longer breached
        assert lead.key not in {r.key for r in breach_list(app).rows}
        await press_and_settle(pilot, "escape")
        # back on ana's queue, which reloaded: the lead has left it
        assert lead.lead_id not in {r.crm_id for r in app.screen.query_one(QueueList).rows}


async def test_reassign_two_marked_leads_with_a_note(app: LeadqueueApp, demo_services: Services) -> None:
    add_team_lead(demo_services.store, "ana")  # reassign, escalate, acknowledge: role lead
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        first, second = listing.rows[0], listing.rows[1]
        await pilot.press("space", "space")
        assert listing.marked == {first.lead_id, second.lead_id}
        await press_and_settle(pilot, "R")
        await press_and_settle(pilot, *"tomas", "tab", *"covering while ana is out", "ctrl+s")
        for row in (first, second):
            assert owner(demo_services, row.lead_id) == "tomas"
            assert events_of(demo_services, row.lead_id, "reassigned") == [
                ("ana", {"from": row.rep, "to": "tomas", "note": "covering while ana is out"})
            ]
        assert not listing.marked


async def test_reassign_form_explains_an_impossible_pick(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        lead = listing.current
        assert lead is not None
        await press_and_settle(pilot, "R")
        await press_and_settle(pilot, *lead.rep, "ctrl+s")  # its own owner
        assert isinstance(app.screen, ReassignForm)
        assert f"already assigned to {lead.rep}" in str(app.screen.query_one("#form-error").render())
        await pilot.press(*"zz")
        await pilot.pause()
        assert "no rep matches" in str(app.screen.query_one("#reassign-feedback").render())
        await press_and_settle(pilot, "escape")
        assert owner(demo_services, lead.lead_id) == lead.rep
        assert events_of(demo_services, lead.lead_id, "reassigned") == []


async def test_escalate_writes_an_event(app: LeadqueueApp, demo_services: Services) -> None:
    add_team_lead(demo_services.store, "ana")  # reassign, escalate, acknowledge: role lead
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        lead = listing.current
        assert lead is not None
        await press_and_settle(pilot, "e")
        assert events_of(demo_services, lead.lead_id, "escalated") == [("ana", {})]


async def test_escalating_marked_leads_asks_first(app: LeadqueueApp, demo_services: Services) -> None:
    add_team_lead(demo_services.store, "ana")  # reassign, escalate, acknowledge: role lead
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        first, second = listing.rows[0], listing.rows[1]
        await press_and_settle(pilot, "space", "space", "e")
        assert isinstance(app.screen, ConfirmScreen)
        await press_and_settle(pilot, "y")
        assert len(events_of(demo_services, first.lead_id, "escalated")) == 1
        assert len(events_of(demo_services, second.lead_id, "escalated")) == 1


async def test_acknowledge_writes_an_event(app: LeadqueueApp, demo_services: Services) -> None:
    add_team_lead(demo_services.store, "ana")  # reassign, escalate, acknowledge: role lead
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        lead = listing.current
        assert lead is not None
        await press_and_settle(pilot, "A")
        assert events_of(demo_services, lead.lead_id, "acknowledged") == [("ana", {})]
        # reloaded: the report now says the breach is acknowledged, and the row shows it
        row = next(r for r in breach_list(app).rows if r.key == lead.key)
        assert row.acknowledged


async def test_export_writes_the_rows_shown(app: LeadqueueApp, tmp_path: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        await press_and_settle(pilot, "g")  # the export follows the grouping on screen
        await press_and_settle(pilot, "x", "X")
        shown = listing.shown()
        (csv_file,) = tmp_path.glob("breaches-20261120T200000Z*.csv")
        (json_file,) = tmp_path.glob("breaches-20261120T200000Z*.json")
        with csv_file.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert [(r["group"], r["lead_id"], r["clock"], r["rep"]) for r in rows] == [
            (g, r.lead_id, r.clock, r.rep) for g, r in shown
        ]
        assert [r["escalation"] for r in rows] == [r.level(FROZEN) for _, r in shown]
        # the same rows as JSON, with numbers and booleans typed; the CSV's text cells
        # went through the formula neutraliser (an overdue "-3h12m" is "'-3h12m" there)
        assert [
            {k: csv_cell(v) for k, v in r.items()} for r in json.loads(json_file.read_text(encoding="utf-8"))
        ] == [
            {
                **r,
                "remaining_seconds": int(r["remaining_seconds"]),
                "acknowledged": r["acknowledged"] == "True",
            }
            for r in rows
        ]
        assert all(r["left"].startswith("'-") for r in rows if r["left"].startswith(("'", "-")))
        assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed into place


def test_exports_never_overwrite_and_leave_no_temporary_file(tmp_path: Path) -> None:
    first = write_export("breaches", "csv", FROZEN, "a\n")
    second = write_export("breaches", "csv", FROZEN, "b\n")
    assert (first.name, second.name) == ("breaches-20261120T200000Z.csv", "breaches-20261120T200000Z-2.csv")
    assert first.read_text(encoding="utf-8-sig") == "a\n"
    assert {p.name for p in tmp_path.iterdir()} == {first.name, second.name}


# -- metrics ----------------------------------------------------------------------------------


async def open_metrics(pilot: Any) -> MetricsScreen:
    await settle(pilot)
    await press_and_settle(pilot, "m")
    assert isinstance(pilot.app.screen, MetricsScreen)
    return pilot.app.screen


def screen_text(screen: MetricsScreen, key: str) -> str:
    assert screen.result is not None
    return rendered_text(SectionView(key, screen.result[key]), 120)


def line_of(text: str, first_word: str) -> str:
    return next(line for line in text.splitlines() if line.split()[:1] == [first_word])


async def test_metrics_equal_the_report_for_the_last_four_weeks(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_metrics(pilot)
        # the CLI's default period
        assert (screen.since, screen.until) == (FROZEN - timedelta(days=28), FROZEN)
        expected = reports.metrics(demo_services, screen.since, screen.until)
        assert screen.result == expected
        head = str(screen.query_one("#metrics-head").render())
        assert f"metrics from {expected['since']} to {expected['until']}" in head
        rates = screen_text(screen, "acceptance_by_rep")
        for row in expected["acceptance_by_rep"]:
            line = line_of(rates, row["rep"])
            assert f"{row['rate_pct']}%" in line and str(row["accepted"]) in line
            assert ("✓" if row["healthy"] else "✗") in line
        timing = screen_text(screen, "time_to_decision_hours")
        for row in expected["time_to_decision_hours"]:
            assert line_of(timing, row["rep"]).split()[1:4] == [
                str(row["decisions"]),
                hours_or_days(row["median"]),
                hours_or_days(row["p90"]),
            ]
        waiting = screen_text(screen, "leads_waiting")
        for row in expected["leads_waiting"]:
            assert line_of(waiting, row["rep"]).split()[1:4] == [
                str(row["count"]),
                hours_or_days(row["median_age_hours"]),
                hours_or_days(row["oldest_hours"]),
            ]
        reasons = screen_text(screen, "rejection_reasons")
        for row in expected["rejection_reasons"]:
            assert f"{row['share_pct']}%" in line_of(reasons, row["code"])
        for key in TITLES:  # every section is on screen
            assert TITLES[key] in screen_text(screen, key)


async def test_this_week_starts_monday_in_the_team_zone(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_metrics(pilot)
        await press_and_settle(pilot, "1")
        # Friday 20 Nov 2026 15:00 in New York: the week began Monday 16 Nov 00:00 EST = 05:00 UTC
        assert (screen.since, screen.until) == (datetime(2026, 11, 16, 5, 0, tzinfo=UTC), FROZEN)
        assert screen.result == reports.metrics(demo_services, screen.since, screen.until)


async def test_custom_period_rejects_an_impossible_date(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_metrics(pilot)
        before = (screen.since, screen.until)
        await press_and_settle(pilot, "c")
        form = app.screen
        assert isinstance(form, CustomPeriodForm)
        await pilot.press("ctrl+a", "ctrl+k", *"2026-02-30")
        await pilot.pause()
        # said as you type, and again on submit
        assert "February 2026 has 28 days" in str(form.query_one("#since-feedback").render())
        await press_and_settle(pilot, "ctrl+s")
        assert app.screen is form
        assert "2026-02-30 is not a real date" in str(form.query_one("#form-error").render())
        await press_and_settle(pilot, "escape")
        assert (screen.since, screen.until) == before


async def test_custom_period_shows_whole_local_days(app: LeadqueueApp, demo_services: Services) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_metrics(pilot)
        await press_and_settle(pilot, "3")
        await pilot.press(
            "ctrl+a", "ctrl+k", *"2026-11-02", "tab", "ctrl+a", "ctrl+k", *"2026-11-15", "ctrl+s"
        )
        await settle(pilot)
        assert app.screen is screen
        # 2 Nov 00:00 EST to the end of 15 Nov EST
        assert screen.since == datetime(2026, 11, 2, 5, 0, tzinfo=UTC)
        assert screen.until == datetime(2026, 11, 16, 5, 0, tzinfo=UTC)
        expected = reports.metrics(demo_services, screen.since, screen.until)
        assert screen.result == expected
        sla = screen_text(screen, "sla_compliance")
        for row in expected["sla_compliance"][:3]:
            line = next(ln for ln in sla.splitlines() if ln.split()[:2] == [row["clock"], row["rep"]])
            assert f"{row['compliance_pct']}%" in line


async def test_metrics_export_json_is_the_report_and_csv_has_every_section(
    app: LeadqueueApp, tmp_path: Path
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_metrics(pilot)
        await press_and_settle(pilot, "X", "x")
        (json_file,) = tmp_path.glob("metrics-*.json")
        assert json.loads(json_file.read_text(encoding="utf-8")) == screen.result
        (csv_file,) = tmp_path.glob("metrics-*.csv")
        with csv_file.open(encoding="utf-8-sig", newline="") as fh:
            lines = list(csv.reader(fh))
        names = [line[0] for line in lines if len(line) == 1]
        assert screen.result is not None
        sections = [key for key, rows in screen.result.items() if isinstance(rows, list)]
        assert names == sections and set(TITLES) <= set(names)  # the CLI's layout: every section
        start = lines.index(["acceptance_by_rep"])
        header, first = lines[start + 1], lines[start + 2]
        assert header == ["rep", "accepted", "rejected", "rate_pct", "healthy"]
        assert screen.result is not None
        row = screen.result["acceptance_by_rep"][0]
        assert first == [row["rep"], str(row["accepted"]), str(row["rejected"]), str(row["rate_pct"]), "True"]


async def test_team_keys_are_in_the_command_palette(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue_commands = {c.help for c in app.get_system_commands(app.screen)}
        assert {"team.breaches (b)", "team.metrics (m)"} <= queue_commands
        await press_and_settle(pilot, "b")
        commands = {c.help for c in app.get_system_commands(app.screen)}
        assert {"breaches.reassign (R)", "breaches.escalate (e)", "breaches.acknowledge (A)"} <= commands
