"""The metrics screen tells the truth and names the leads behind it (issue 23, point 3):
a rate over too few decisions gets no verdict, compliance counts open breaches,
the written OTHER reasons can be read, and enter on a row lists its leads by name."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from textual.widgets import OptionList

from leadqueue.domain.decisions import Reject
from leadqueue.domain.metrics import COMPLIANCE_NOTE, MIN_DECISIONS
from leadqueue.services import reports
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.store.schema import leads
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.metrics import MetricsScreen, SectionView, rendered_text
from leadqueue.tui.screens.metrics_drilldown import LeadListScreen
from tests.tui.conftest import make_app
from tests.tui.helpers import settle


async def open_metrics(pilot: Any) -> MetricsScreen:
    await settle(pilot)
    await pilot.press("m")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MetricsScreen) and screen.result is not None
    return screen


async def move_to(pilot: Any, screen: MetricsScreen, section: str, index: int) -> None:
    """Walk the cursor there with j/k, as a user would."""
    rows = screen.rows_in_order()
    here = rows.index(screen.cursor) if screen.cursor in rows else 0
    target = rows.index((section, index))
    key = "j" if target >= here else "k"
    for _ in range(abs(target - here)):
        await pilot.press(key)
    await pilot.pause()
    assert screen.cursor == (section, index)


def section_text(screen: MetricsScreen, key: str, width: int = 120) -> str:
    assert screen.result is not None
    return rendered_text(SectionView(key, screen.result[key]), width)


def prompts(app: LeadqueueApp) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_open_breached_first_touches_open_as_a_list_of_names(
    app: LeadqueueApp, demo_services: Services
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_metrics(pilot)
        assert screen.result is not None
        rows = screen.result["sla_compliance"]
        index, row = next(
            (i, r) for i, r in enumerate(rows) if r["clock"] == "first_touch" and r["breached_open"]
        )
        # the number on screen counts the open breaches as missed, and says so
        sla = section_text(screen, "sla_compliance")
        assert COMPLIANCE_NOTE[:40] in sla.replace("\n", " ")
        expected_pct = round(100 * row["met"] / (row["met"] + row["missed"] + row["breached_open"]), 1)
        assert row["compliance_pct"] == expected_pct

        await move_to(pilot, screen, "sla_compliance", index)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadListScreen)
        listed = app.screen.result
        assert listed is not None
        assert listed.total == row["met"] + row["missed"] + row["breached_open"]
        # the open ones come first and are the breaches report's own (another code path)
        breached = [
            c
            for c in reports.breaches(demo_services)
            if (c.rep, c.clock, c.state) == (row["rep"], "first_touch", "breached")
        ]
        open_items = [i for i in listed.items if i.detail.startswith("open")]
        assert {i.lead_id for i in open_items} == {c.lead_id for c in breached}
        shown = prompts(app)
        for clock in breached:  # by name · company, not by CRM id alone
            assert any(p.startswith(f"{clock.name} · {clock.company}") for p in shown)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_a_source_judged_on_too_few_decisions_gets_no_verdict(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_metrics(pilot)
        assert screen.result is not None
        text = section_text(screen, "acceptance_by_source")
        few = [
            r for r in screen.result["acceptance_by_source"] if r["accepted"] + r["rejected"] < MIN_DECISIONS
        ]
        enough = [
            r for r in screen.result["acceptance_by_source"] if r["accepted"] + r["rejected"] >= MIN_DECISIONS
        ]
        assert few and enough
        for r in few:
            line = next(ln for ln in text.splitlines() if ln.strip().startswith(r["source"][:12]))
            assert "too few" in line and "✗" not in line and "✓" not in line and "%" not in line
        for r in enough:
            line = next(ln for ln in text.splitlines() if ln.strip().startswith(r["source"][:12]))
            assert f"{r['rate_pct']}%" in line and ("✓" in line or "✗" in line)
        assert f"fewer than {MIN_DECISIONS} decisions" in text


async def test_a_written_other_reason_can_be_read_with_the_leads_name(demo_services: Services) -> None:
    note = "Podcast network, 8 staff; call back when they hire a head of sales"
    with demo_services.store.read() as conn:
        q = select(leads).where(leads.c.owner == "ana", leads.c.state == "new").order_by(leads.c.crm_id)
        lead = conn.execute(q.limit(1)).one()
    DecisionService(demo_services).reject(lead.crm_id, "ana", Reject("OTHER", note))
    demo_services.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    app = make_app(demo_services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_metrics(pilot)
        assert screen.result is not None
        rows = screen.result["written_reasons"]
        index = next(i for i, r in enumerate(rows) if r["lead_id"] == lead.crm_id)
        label = f"{lead.first_name} {lead.last_name} · {lead.company}"
        assert rows[index]["note"] == note
        text = section_text(screen, "written_reasons", 200)
        line = next(ln for ln in text.splitlines() if lead.first_name in ln)
        assert label[:30] in line and note[:20] in line

        await move_to(pilot, screen, "written_reasons", min(index, 7))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadListScreen)
        mine = next(p for p in prompts(app) if p.startswith(label))
        assert note in mine  # in full, not cut to the table's width
        assert len(prompts(app)) == len(rows)


async def test_untouched_leads_are_named_and_a_click_opens_a_rows_leads(app: LeadqueueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_metrics(pilot)
        assert screen.result is not None
        untouched = screen.result["accepted_without_first_touch"][0]
        text = section_text(screen, "accepted_without_first_touch")
        line = next(ln for ln in text.splitlines() if ln.split()[:1] == [untouched["rep"]])
        assert untouched["names"][0] in line and untouched["leads"][0] not in line

        # a click puts the cursor on a row; a second click on it lists the row's leads
        row = screen.result["acceptance_by_rep"][2]
        section = screen.query_one("#section-acceptance_by_rep")
        view = section.content
        assert isinstance(view, SectionView)
        y = view.row_line(2, section.size.width)
        assert await pilot.click("#section-acceptance_by_rep", offset=(5, y))
        await pilot.pause()
        assert screen.cursor == ("acceptance_by_rep", 2)
        assert await pilot.click("#section-acceptance_by_rep", offset=(5, y))
        await settle(pilot)
        assert isinstance(app.screen, LeadListScreen)
        listed = app.screen.result
        assert listed is not None and listed.total == row["accepted"] + row["rejected"]
        assert {i.rep for i in listed.items} == {row["rep"]}
