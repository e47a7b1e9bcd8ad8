"""The team lead can act (issue 23, point 8): the breaches screen shows the worst
rep first with a summary of each rep's load, the reassign picker shows every
rep's load and never starts on a rep worse off than the owner, and an escalated
lead carries a mark that reads without colour."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from textual.widgets import OptionList, Static

from leadqueue.services import reports
from leadqueue.services.breach_groups import Escalation, RepLoad, rep_loads
from leadqueue.services.context import Services
from leadqueue.store import repository as repo
from leadqueue.store.schema import leads
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.breach_rows import BreachRow, breach_row, group_rows
from leadqueue.tui.format import countdown
from leadqueue.tui.screens.breaches import BreachesScreen
from leadqueue.tui.screens.reassign import ReassignForm
from leadqueue.tui.widgets.breach_list import ESCALATED, BreachList
from tests.factories import add_team_lead
from tests.tui.conftest import FROZEN
from tests.tui.helpers import settle


@pytest.fixture(autouse=True)
def _exports_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


async def open_breaches(pilot: Any) -> BreachList:
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    assert isinstance(pilot.app.screen, BreachesScreen)
    return pilot.app.screen.query_one(BreachList)


def worst_first(services: Services) -> list[str]:
    """The reps by the report: most breached clocks, then the most overdue deadline."""
    clocks = reports.breaches(services)
    breached = Counter(c.rep for c in clocks if c.state == "breached")
    earliest: dict[str, datetime] = {}
    for c in clocks:
        if c.deadline is not None:
            earliest[c.rep] = min(earliest.get(c.rep, c.deadline), c.deadline)
    return sorted({c.rep for c in clocks}, key=lambda rep: (-breached[rep], earliest[rep]))


def owner(services: Services, crm_id: str) -> str:
    with services.store.read() as conn:
        return str(conn.execute(select(leads.c.owner).where(leads.c.crm_id == crm_id)).scalar_one())


def row(rep: str, lead_id: str, deadline: datetime, **kw: Any) -> BreachRow:
    return BreachRow(lead_id, "n", "c", rep, "decision", "hot", deadline, None, "4h", "breached", **kw)


# -- worst first ------------------------------------------------------------------------


async def test_the_worst_rep_comes_first_with_a_summary_of_the_load(
    app: LeadqueueApp, demo_services: Services
) -> None:
    expected = worst_first(demo_services)
    assert expected != sorted(expected), "the demo's worst-first order must differ from the roster's"
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        assert [g.key for g in listing.groups] == expected
        assert listing.current is not None and listing.current.rep == expected[0]  # the cursor starts there
        with demo_services.store.read() as conn:
            open_leads = {rep: repo.count_open(conn, rep) for rep in expected}
        for width in (120, 80):  # a narrow terminal keeps every number
            for group in listing.groups:
                line = listing._group_line(group, FROZEN, width).plain
                breached, at_risk, _ = group.totals(FROZEN)
                worst = countdown(min(r.deadline for r in group.rows if r.deadline), FROZEN)
                summary = (
                    f"open {open_leads[group.key]} · breached {breached} · at risk {at_risk} · worst {worst}"
                )
                assert summary in line, line
        # Grouped by clock, the worst clock comes first too.
        await pilot.press("g")
        await settle(pilot)
        by_clock = [(g.totals(FROZEN)[0], g.earliest_deadline) for g in listing.groups]
        assert by_clock == sorted(by_clock, key=lambda t: (-t[0], t[1]))


async def test_the_first_screens_are_the_worst_reps_whole(
    app: LeadqueueApp, demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    painted: list[tuple[bool, list[str], list[str]]] = []
    apply = BreachesScreen._apply

    def noted(self: BreachesScreen, rows: list[BreachRow], *args: Any) -> None:
        apply(self, rows, *args)
        listing = self.query_one(BreachList)
        heads = [listing._group_line(g, FROZEN, 120).plain for g in listing.groups]
        painted.append((self.partial, [g.key for g in listing.groups], heads))

    monkeypatch.setattr(BreachesScreen, "_apply", noted)
    expected = worst_first(demo_services)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_breaches(pilot)
    (partial, first, heads), (done, everyone, _) = painted[:2]
    assert partial and not done
    assert first == expected[: len(first)] and len(first) < len(expected)
    assert everyone == expected
    assert all("breached" in h for h in heads)  # whole reps: their totals are known at once


def test_equally_breached_groups_put_the_most_overdue_first() -> None:
    rows = [
        row("ana", "A1", FROZEN - timedelta(hours=1)),
        row("zed", "Z1", FROZEN - timedelta(hours=9)),
        row("bob", "B1", FROZEN - timedelta(hours=2)),
        row("bob", "B2", FROZEN - timedelta(hours=3)),
    ]
    groups = group_rows(rows, "rep", {}, now=FROZEN)
    assert [g.key for g in groups] == ["bob", "zed", "ana"]


# -- the reassign picker --------------------------------------------------------------------


async def open_picker_on(pilot: Any, listing: BreachList, rep: str) -> ReassignForm:
    index = next(i for i, r in enumerate(listing.rows) if r.rep == rep)
    listing.move(index - listing.cursor)
    await pilot.press("R")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, ReassignForm)
    return form


def prompts(form: ReassignForm) -> dict[str, str]:
    options = form.query_one("#reps", OptionList)
    return {
        str(options.get_option_at_index(i).id): str(options.get_option_at_index(i).prompt)
        for i in range(options.option_count)
    }


async def test_the_picker_shows_loads_and_starts_on_the_least_loaded_rep(
    app: LeadqueueApp, demo_services: Services
) -> None:
    loads = rep_loads(demo_services)
    # devon: 15 breached; ana, first on the roster, has 16 and must not be pre-filled
    assert loads["ana"].worse_off_than(loads["devon"])
    least = min(loads.values(), key=lambda load: load.weight).rep
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        form = await open_picker_on(pilot, listing, "devon")
        shown = prompts(form)
        for key, load in loads.items():
            assert f"{load.open_leads:>4} open {load.breached:>4} breached" in shown[key], shown[key]
        assert "(current owner)" in shown["devon"]
        assert form._chosen() == least != "ana"
        assert "(least loaded)" in str(form.query_one("#reassign-feedback", Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BreachesScreen)


async def test_the_picker_starts_on_nobody_when_every_rep_is_worse_off(
    app: LeadqueueApp, demo_services: Services
) -> None:
    add_team_lead(demo_services.store, "ana")  # reassign, escalate, acknowledge: role lead
    loads = rep_loads(demo_services)
    least = min(loads.values(), key=lambda load: load.weight).rep
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        lead = next(r for r in listing.rows if r.rep == least)
        form = await open_picker_on(pilot, listing, least)
        assert form._chosen() is None
        assert "nobody pre-filled" in str(form.query_one("#reassign-feedback", Static).render())
        await pilot.press("ctrl+s")  # nothing picked: the form stays and says so
        await settle(pilot)
        assert app.screen is form
        assert "pick a rep" in str(form.query_one("#form-error", Static).render())
        await pilot.press("down")  # the arrows still pick, and the form warns
        await pilot.pause()
        chosen = form._chosen()
        assert chosen is not None and chosen != least
        assert f"{chosen} is worse off than {least}" in str(
            form.query_one("#reassign-feedback", Static).render()
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert owner(demo_services, lead.lead_id) == chosen


def test_a_team_lead_is_never_pre_filled() -> None:
    loads = {
        "ana": RepLoad("ana", open_leads=40, breached=9),
        "boss": RepLoad("boss", role="lead"),
        "cy": RepLoad("cy", open_leads=30, breached=2),
    }
    form = ReassignForm("x", [("ana", "Ana"), ("boss", "Boss"), ("cy", "Cy")], ["ana"], loads)
    assert form.suggested == "cy"


# -- escalated ------------------------------------------------------------------------------


def line_of(listing: BreachList, lead_id: str) -> str:
    return next(line for line in listing.render().plain.splitlines() if lead_id in line)  # type: ignore[union-attr]


async def test_an_escalated_lead_is_marked_without_colour(app: LeadqueueApp, demo_services: Services) -> None:
    add_team_lead(demo_services.store, "ana")  # reassign, escalate, acknowledge: role lead
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_breaches(pilot)
        lead = listing.current
        assert lead is not None and not lead.escalated
        assert ESCALATED not in line_of(listing, lead.lead_id)
        await pilot.press("e")
        await settle(pilot)
        current = listing.current
        assert current is not None and current.key == lead.key and current.escalated
        # A symbol in the row (plain text: no colour needed) and words in the detail line.
        assert line_of(listing, lead.lead_id)[:3] == f"▶ {ESCALATED}"
        detail = str(app.screen.query_one("#breach-detail", Static).render())
        assert f"{ESCALATED} escalated Fri 20 Nov 15:00 EST" in detail
        # Acknowledged since: the mark says so.
        await pilot.press("A")
        await settle(pilot)
        assert line_of(listing, lead.lead_id)[:3] == "▶ ✓"
        # A lead escalated before this session shows it too.
        earlier = [r for r in listing.rows if r.flag == "escalated" and r.lead_id != lead.lead_id]
        assert earlier
        listing.top = listing.row_lines[listing.rows.index(earlier[0])] - 1
        listing.refresh()
        assert line_of(listing, earlier[0].lead_id)[:3] == f"  {ESCALATED}"


def test_an_escalation_marks_the_clock_it_came_during_until_acknowledged(demo_services: Services) -> None:
    clock = reports.breaches(demo_services)[0]
    start, policy = clock.started_at, demo_services.policy
    second = timedelta(seconds=1)
    before = breach_row(clock, policy, Escalation(start - second, None))
    during = breach_row(clock, policy, Escalation(start + second, None))
    seen = breach_row(clock, policy, Escalation(start + second, start + 2 * second))
    assert (before.flag, during.flag) == ("", "escalated")
    assert seen.escalated and seen.escalation_seen
    # a team lead acknowledged after the escalation (the report's acknowledged follows from it)
    assert replace(seen, acknowledged=True).flag == "acknowledged"
