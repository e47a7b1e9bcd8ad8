"""What a new user's walkthrough of the breaches, metrics and today screens found:
team-lead actions offered to a rep, keys missing from the footers, ragged columns
on Today, and one clock called by several names."""

from __future__ import annotations

from typing import Any

from textual.widgets._footer import FooterKey

from leadqueue.services.context import Services
from leadqueue.tui.screens.breaches import BreachesScreen
from tests.tui.conftest import make_app
from tests.tui.helpers import press_and_settle, settle

TEAM_LEAD_ACTIONS = {"reassign", "escalate", "acknowledge", "toggle_routing"}


def footer_actions(screen: Any) -> list[str]:
    return [key.action for key in screen.query(FooterKey)]


async def open_breaches(pilot: Any) -> BreachesScreen:
    await settle(pilot)
    await press_and_settle(pilot, "b")
    screen = pilot.app.screen
    assert isinstance(screen, BreachesScreen)
    return screen


# -- 1. a rep is not offered the team lead's actions ------------------------------------------


async def test_a_rep_is_not_offered_team_lead_actions_and_told_why_at_once(demo_services: Services) -> None:
    app = make_app(demo_services, actor="devon", owner="devon")  # a rep; ana leads the demo team
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_breaches(pilot)
        assert not TEAM_LEAD_ACTIONS & set(footer_actions(screen))
        for key, verb in (("R", "reassign"), ("e", "escalate"), ("A", "acknowledge")):
            app.clear_notifications()
            await press_and_settle(pilot, key)
            assert app.screen is screen  # no form to fill first
            said = [n.message for n in app._notifications]
            assert said == [f"devon may not {verb}: that needs role lead (devon is a rep)"]
        # live routing writes routing's escalations and reassignments: a team lead's too
        app.clear_notifications()
        await press_and_settle(pilot, "L")
        assert not screen.routing_live and screen.routing_timer is None
        assert [n.message for n in app._notifications] == [
            "live routing escalates and reassigns:"
            " devon may not escalate: that needs role lead (devon is a rep)"
        ]


async def test_a_team_lead_is_offered_them(demo_services: Services) -> None:
    app = make_app(demo_services, actor="ana", owner="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_breaches(pilot)
        assert set(footer_actions(screen)) >= TEAM_LEAD_ACTIONS
        await press_and_settle(pilot, "R")
        assert app.screen is not screen  # the reassign form


# -- 2. every key a screen acts on is in its footer, or in its help when there is no room -----

MOVES = {"move", "page", "edge"}  # j/k, the arrows and the paging keys: in the help


def acted_on(screen: type) -> set[str]:
    """The actions of a screen's bindings that are not plain movement."""
    return {b.action for b in screen.BINDINGS if b.description and b.action.split("(")[0] not in MOVES}


async def open_metrics(pilot: Any) -> Any:
    from leadqueue.tui.screens.metrics import MetricsScreen

    await settle(pilot)
    await press_and_settle(pilot, "m")
    assert isinstance(pilot.app.screen, MetricsScreen)
    return pilot.app.screen


async def test_every_key_of_metrics_and_breaches_is_in_the_footer_when_there_is_room(app: Any) -> None:
    async with app.run_test(size=(200, 40)) as pilot:
        metrics = await open_metrics(pilot)
        shown = set(footer_actions(metrics))
        assert acted_on(type(metrics)) - shown == set()
        assert {"weekly_report", "export('json')", "section(1)", "section(-1)"} <= shown
        await press_and_settle(pilot, "escape")
        breaches = await open_breaches(pilot)
        shown = set(footer_actions(breaches))
        assert acted_on(BreachesScreen) - shown == set()
        assert {"export('json')", "toggle_routing", "mark"} <= shown


async def test_at_80_columns_the_footer_keeps_back_and_help_and_drops_whole_keys(app: Any) -> None:
    from leadqueue.tui.screens.help import HelpScreen

    async with app.run_test(size=(80, 24)) as pilot:
        for screen in (await open_metrics(pilot), None):
            if screen is None:
                await press_and_settle(pilot, "escape")
                screen = await open_breaches(pilot)
            keys = list(screen.query(FooterKey))
            actions = [k.action for k in keys]
            assert {"back", "help"} <= set(actions)
            # most used first: what falls off is the end of the list, never back or help
            assert actions.index("help") < actions.index("back")
            assert max(k.region.right for k in keys) <= 80  # no key cut at the edge
            # a key that found no room is in the help
            await press_and_settle(pilot, "question_mark")
            help_screen = pilot.app.screen
            assert isinstance(help_screen, HelpScreen)
            described = {d for _, d, _ in help_screen.rows}
            for binding in type(screen).BINDINGS:
                if binding.description and binding.action not in actions:
                    assert (binding.tooltip or binding.description) in described
            await press_and_settle(pilot, "escape")


# -- 3. Today's columns line up, however long the overdue text ----------------------------------


async def test_todays_step_and_date_columns_line_up(demo_services: Services) -> None:
    import re
    from dataclasses import replace
    from datetime import timedelta

    from textual.widgets import OptionList

    from leadqueue.services.next_steps import DueStep
    from leadqueue.tui.screens.today import TodayScreen

    app = make_app(demo_services, actor=None, owner=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "n")
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.found is not None
        now = screen.found.now
        # Overdue by minutes, hours, days and most of a year, and one due later today.
        ago = [timedelta(minutes=5), timedelta(hours=3, minutes=2), timedelta(days=2, hours=4)]
        ago += [timedelta(days=326, hours=14), -timedelta(hours=2)]
        kinds = ["call", "meeting", "email", "demo", "call"]
        steps = [
            DueStep(f"X{i}", "ana", "Abena Weiß", "Acme", kind, now - back, "")
            for i, (back, kind) in enumerate(zip(ago, kinds, strict=True))
        ]
        screen._loaded(replace(screen.found, steps=steps))
        await pilot.pause()
        listing = screen.query_one(OptionList)
        lines = [str(listing.get_option_at_index(i).prompt).split("\n")[0] for i in range(len(steps))]
        kind_at = {line.index(kind) for line, kind in zip(lines, kinds, strict=True)}
        date_at = {re.search(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d ", line).start() for line in lines}
        lead_at = {line.index("Abena") for line in lines}
        assert (len(kind_at), len(date_at), len(lead_at)) == (1, 1, 1), "\n".join(lines)


# -- 4. one name per clock, in lifecycle order; long times in days and hours ------------------


async def test_breaches_by_clock_come_in_lifecycle_order_under_the_tuis_clock_names(app: Any) -> None:
    from leadqueue.tui.format import CLOCK_LABEL, CLOCK_ORDER
    from leadqueue.tui.widgets.breach_list import BreachList

    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_breaches(pilot)
        await press_and_settle(pilot, "g")
        groups = screen.query_one(BreachList).groups
        keys = [g.key for g in groups]
        assert len(keys) > 2 and keys == [c for c in CLOCK_ORDER if c in keys]
        assert [g.label for g in groups] == [f"{CLOCK_LABEL[k]} clock" for k in keys]


async def test_metrics_name_the_clocks_as_the_queue_and_breaches_do(app: Any) -> None:
    from leadqueue.tui.format import CLOCK_LABEL
    from leadqueue.tui.screens.metrics import SectionView, rendered_text

    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_metrics(pilot)
        rows = screen.result["sla_compliance"]
        text = rendered_text(SectionView("sla_compliance", rows), 120)
        assert {r["clock"] for r in rows} >= {"first_touch", "decision"}
        assert "first_touch" not in text and "disposition" not in text
        firsts = [line.split()[:2] for line in text.splitlines()]
        assert CLOCK_LABEL["first_touch"].split() in firsts  # a row's first column


def test_metrics_say_a_day_or_more_in_days_and_hours() -> None:
    from leadqueue.tui.screens.metrics import SectionView, rendered_text

    waiting = [{"rep": "ana", "count": 3, "median_age_hours": 7835.9, "oldest_hours": 7886.6}]
    line = _line_of(rendered_text(SectionView("leads_waiting", waiting), 120), "ana")
    assert line.split()[:4] == ["ana", "3", "326d11h", "328d14h"]
    timing = [{"rep": "ana", "decisions": 4, "median": 7861.5, "p90": 12.5}]
    line = _line_of(rendered_text(SectionView("time_to_decision_hours", timing), 120), "ana")
    assert line.split()[:4] == ["ana", "4", "327d13h", "12.5"]  # under a day: the CLI's hours


def _line_of(text: str, first_word: str) -> str:
    return next(line for line in text.splitlines() if line.split()[:1] == [first_word])
