"""A lead whose every field is hostile, walked through every screen of the TUI
(issue 18, points 1 and 2).

Each text field of the lead (and the name of a rep, and a reason label of the
policy) holds markup that would crash the app (`[/]`), open a browser
(`[link=...]`) or run an action on a click (`[@click=app.quit]`,
`[@click=app.screenshot(...)]`), and escape sequences that would set the
window title (OSC 2), write the clipboard (OSC 52), wipe the screen (`ESC[2J`),
start an 8-bit CSI (0x9b) or reverse the text (U+202E). At every step the test
checks that the app still runs, that no action ran, that the text is on screen
as written, and that none of those characters reaches the terminal raw.

Snapshots (queue with the detail pane, the Accept form) at 80x24 and 120x40:
regenerate with `pytest tests/tui/test_hostile_lead.py --snapshot-update`, and
read every SVG's text before committing it.
"""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console
from textual.content import Content
from textual.widgets import Input, Label, OptionList, RadioButton, Static
from textual.widgets._toast import Toast

from leadqueue.domain.lead import ContentItem, ScoreItem, Touchpoint
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.store import repository as repo
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.breaches import BreachesScreen
from leadqueue.tui.screens.filters import FilterScreen
from leadqueue.tui.screens.forms import DecisionForm
from leadqueue.tui.screens.help import HelpScreen
from leadqueue.tui.screens.metrics import MetricsScreen, rendered_text
from leadqueue.tui.screens.queue import QueueScreen
from leadqueue.tui.screens.reassign import ReassignForm
from leadqueue.tui.widgets.breach_list import BreachList
from leadqueue.tui.widgets.lead_detail import LeadDetail
from leadqueue.tui.widgets.queue_list import QueueList
from tests.factories import add_lead, add_team_lead
from tests.tui.conftest import FROZEN, make_app
from tests.tui.helpers import current, lead_state, press_and_settle, settle
from tests.tui.test_snapshots import SIZES, run_then

# Markup that crashes, links, click actions; then OSC 2 (title), OSC 52 (clipboard,
# "rm -rf ~"), erase display, an 8-bit CSI and a right-to-left override.
MARKUP = "[/] [link=https://x.example]x[/link] [@click=app.quit]q[/]"
ESCAPES = "\x1b]2;PWNED\x1b\\ \x1b]52;c;cm0gLXJmIH4=\x1b\\ \x1b[2J \x9b31m \u202eevil"
HOSTILE = f"{MARKUP} {ESCAPES}"
# How they must show: literally, each control character as a visible symbol.
SHOWN_ESCAPES = "␛]2;PWNED␛\\ ␛]52;c;cm0gLXJmIH4=␛\\ ␛[2J \\x9b31m \\u202eevil"
# One click on the name would save a screenshot over any file the user can write.
CLICK_TO_WRITE = "[@click=app.screenshot('victim.svg','.')]Ada[/]"

H1 = "H1[/][@click=app.quit]q\x1b[2J"  # the hostile lead's CRM id
H1_SHOWN = "H1[/][@click=app.quit]q␛[2J"
NEWCOMER = "H3[/]\x1b]52;c;cm0gLXJmIH4=\x1b\\"  # arrives from another process while the queue is open
REASON_LABEL = f"Hostile {MARKUP}"  # the policy refuses control characters in labels, not brackets

# Nothing from data may reach the terminal as one of these.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What Textual itself writes: colours and styles (SGR) and cursor moves. An ESC left
# once these are taken out came from data.
OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;:?]*[mHABCDGhl]")


def hostile_policy() -> Policy:
    return Policy(reasons={"R9": {"label": REASON_LABEL, "routing": f"Then {MARKUP}", "action": "review"}})


def add_hostile_lead(services: Services, crm_id: str, rep: str, days_ago: float, first_name: str) -> None:
    """Every text field of the lead hostile; assigned `days_ago` (so it tops the queue)."""
    at = FROZEN - timedelta(days=days_ago)
    add_lead(
        services,
        crm_id,
        rep=rep,
        assigned_at=at,
        first_name=first_name,
        last_name=f"Whitfield {HOSTILE}",
        title=HOSTILE,
        seniority=HOSTILE,
        email=f"{HOSTILE}@x.example",
        phone=HOSTILE,
        profile_url=HOSTILE,
        company=f"A/B Testing Inc {HOSTILE}",
        domain=HOSTILE,
        industry=HOSTILE,
        region=HOSTILE,
        source=HOSTILE,
        campaign=HOSTILE,
        channel=HOSTILE,
        talk_track=f"{HOSTILE}\nsecond line {HOSTILE}",
        tech_stack=(HOSTILE,),
        growth_signals=(HOSTILE,),
        third_party_intent=(HOSTILE,),
        content=(ContentItem(title=HOSTILE, stage=HOSTILE),),
        touchpoints=(Touchpoint(at=at, kind="page_visit", label=HOSTILE),),
        score_breakdown=(ScoreItem(label=HOSTILE, points=5),),
        score=99,  # hot: its arrival is announced by a toast
    )


@pytest.fixture
def hostile_services(demo_services: Services) -> Services:
    """The demo store with a hostile rep (`evil`), two hostile leads (one ana's,
    the most overdue of her queue; one evil's) and a hostile reason label."""
    services = replace(demo_services, policy=hostile_policy())
    with services.store.write() as conn:
        repo.ensure_reps(conn, {"evil": f"Eve {HOSTILE}"})
    add_hostile_lead(services, H1, "ana", 400, CLICK_TO_WRITE)
    add_hostile_lead(services, "H2[/]\x9b", "evil", 300, f"Eve {MARKUP}")
    return services


# -- what reaches the terminal ------------------------------------------------------------------


def terminal(app: LeadqueueApp) -> tuple[str, str]:
    """(what the app writes to the terminal for the whole screen, the screen's plain text)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    written = update.render_segments(console)
    console.print(update)
    return written, console.export_text(styles=False)


def assert_safe_on_screen(app: LeadqueueApp, *literals: str) -> str:
    """Nothing raw reaches the terminal, every literal is on screen as written; the screen text."""
    assert app.is_running and app.return_code is None
    written, text = terminal(app)
    assert "\x1b]" not in written  # no OSC: window title, clipboard, hyperlink
    assert "\x1b[2J" not in written and "\x9b" not in written and "\x07" not in written
    assert RAW.search(OWN_SEQUENCES.sub("", written).replace("\n", "").replace("\r", "")) is None
    assert RAW.search(text.replace("\n", "")) is None
    for literal in literals:
        assert literal in text, f"{literal!r} not on screen:\n{text}"
    return text


def assert_plain(value: str, *literals: str) -> None:
    assert RAW.search(value) is None, repr(value)
    for literal in literals:
        assert literal in value, f"{literal!r} not in {value!r}"


def label_text(widget: Label | Static) -> str:
    """The text a Label or Static holds, as it shows it (one wide line per line of content)."""
    visual = widget.visual
    if isinstance(visual, Content):
        return visual.plain
    console = Console(width=400, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


class ActionsRun:
    """Records the actions a click on markup would run instead of letting them run."""

    FORBIDDEN = ("quit", "screenshot", "notify", "bell", "open_url", "deliver_screenshot")

    def __init__(self, app: LeadqueueApp) -> None:
        self.ran: list[str] = []
        for name in self.FORBIDDEN:
            attr = f"action_{name}" if hasattr(app, f"action_{name}") else name
            setattr(app, attr, self._recorder(name))

    def _recorder(self, name: str) -> Callable[..., None]:
        def record(*args: Any, **kwargs: Any) -> None:
            self.ran.append(name)

        return record


async def click_across(pilot: Any, widget: Any) -> None:
    """Click the start of a widget's first line, where the name's click action would sit had
    its markup been read ("Needs info (back to marketing) — Ada": within 48 cells; every
    third cell, as "Ada" spans three)."""
    widget.scroll_visible(animate=False, immediate=True)
    await settle(pilot)
    region = widget.region.intersection(pilot.app.screen.region)
    for x in range(region.x, min(region.right, region.x + 48), 3):
        await pilot.click(offset=(x, region.y))
    await settle(pilot)


# -- the walk ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_hostile_lead_is_shown_literally_on_every_screen(
    hostile_services: Services, size: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where a screenshot action, had it run, would have written
    services = hostile_services
    add_team_lead(services.store, "ana")  # she escalates on the breaches screen: role lead
    app = make_app(services)
    actions = ActionsRun(app)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        assert current(pilot) == H1
        assert_safe_on_screen(app, "[@click=app.")

        # The detail pane: every field as written, control characters visible.
        detail = label_text(app.screen.query_one(LeadDetail).query_one("#detail-body", Static))
        assert_plain(detail, CLICK_TO_WRITE, MARKUP, SHOWN_ESCAPES, H1_SHOWN, "second line")
        if size == (120, 40):
            assert_safe_on_screen(
                app, "[@click=app.quit]q[/]", "[link=https://x.example]x[/link]", "␛]2;PWNED"
            )
        await click_across(pilot, app.screen.query_one(LeadDetail))

        # Every form the queue opens: its title names the lead as written; a click on it runs nothing.
        for key, title in [
            ("a", "Accept"),
            ("r", "Reject"),
            ("i", "Needs info (back to marketing)"),
            ("t", "Log a touch"),
            ("c", "Log a conversation"),
            ("d", "Dispose"),
        ]:
            if key in "tcd":  # Follow up's keys, and the lead is new: its forms opened as they would be there
                {"t": lambda: queue.action_touch(False), "c": lambda: queue.action_touch(True)}.get(
                    key, queue.action_dispose
                )()
            else:
                await pilot.press(key)
            await settle(pilot)
            form = app.screen
            assert isinstance(form, DecisionForm), key
            heading = form.query_one(".form-title", Label)
            assert_plain(
                label_text(heading), f"{title} — {CLICK_TO_WRITE} Whitfield {MARKUP} {SHOWN_ESCAPES}"
            )
            assert_safe_on_screen(app, f"{title} — [@click=app.screenshot(")
            if key == "r":  # the policy's reason label and routing, as written
                reasons = form.query_one("#reason", OptionList)
                prompts = [str(reasons.get_option_at_index(i).prompt) for i in range(reasons.option_count)]
                assert any(REASON_LABEL in p for p in prompts)
                await press_and_settle(pilot, "end")
                assert_plain(label_text(form.query_one("#routing", Static)), f"Then: Then {MARKUP}")
                assert_safe_on_screen(app, "[@click=app.quit]q[/]")
            await click_across(pilot, heading)
            await press_and_settle(pilot, "escape")
            assert app.screen is queue

        # Help, filters (the sources are the leads' own), and a search with a slash in it.
        await press_and_settle(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert_safe_on_screen(app, "binding id (for [keymap])")
        await press_and_settle(pilot, "escape", "f")
        assert isinstance(app.screen, FilterScreen)
        sources = [str(b.label) for b in app.screen.query(RadioButton)]
        assert any(s.startswith(f"{MARKUP} ␛]2;PWNED") for s in sources), sources
        assert_safe_on_screen(app)
        await press_and_settle(pilot, "escape", "slash", *"A/B Testing")
        assert app.screen.query_one("#search", Input).value == "A/B Testing"
        assert [r.crm_id for r in app.screen.query_one(QueueList).rows] == [H1]
        assert_safe_on_screen(app, "A/B Testing")
        await press_and_settle(pilot, "escape")

        # The team screens: breaches (rows, detail line, a rep's name, the reassign form, a toast).
        await press_and_settle(pilot, "b")
        breaches = app.screen
        assert isinstance(breaches, BreachesScreen)
        listing = breaches.query_one(BreachList)
        assert listing.current is not None and listing.current.lead_id == H1
        assert_plain(label_text(breaches.query_one("#breach-detail", Static)), CLICK_TO_WRITE, H1_SHOWN)
        assert_safe_on_screen(app, "[@click=app.")
        groups = [str(line) for line in (listing._group_line(g, FROZEN, 200) for g in listing.groups)]
        assert any(f"evil · Eve {MARKUP} {SHOWN_ESCAPES}" in g for g in groups)
        await click_across(pilot, breaches.query_one("#breach-detail", Static))
        await press_and_settle(pilot, "home", "R")
        form = app.screen
        assert isinstance(form, ReassignForm)
        reps = form.query_one("#reps", OptionList)
        prompts = [str(reps.get_option_at_index(i).prompt) for i in range(reps.option_count)]
        assert any(f"Eve {MARKUP} {SHOWN_ESCAPES}" in p for p in prompts), prompts
        assert_safe_on_screen(app, "Reassign — [@click=app.screenshot(", "Eve [/]")
        await click_across(pilot, form.query_one(".form-title", Label))
        await press_and_settle(pilot, "escape")
        await press_and_settle(pilot, "e")  # escalate: the toast names the lead
        escalated = [n.message for n in app._notifications if n.title == "Saved"]
        assert escalated and escalated[-1].startswith(f"Escalated {CLICK_TO_WRITE} Whitfield {MARKUP}")
        assert_plain(escalated[-1], f"({H1_SHOWN})")
        assert_safe_on_screen(app)
        await press_and_settle(pilot, "escape")
        assert app.screen is queue

        # A decision saved: its toast names the lead by its name and company, which hold markup.
        await press_and_settle(pilot, "a", *"+2h", "tab", *"Call [/] [@click=app.quit]x", "ctrl+s")
        assert lead_state(services, H1) == "accepted"
        saved = [n.message for n in app._notifications if n.title == "Saved"]
        named = (
            f"{CLICK_TO_WRITE} Whitfield {MARKUP} {SHOWN_ESCAPES} · A/B Testing Inc {MARKUP} {SHOWN_ESCAPES}"
        )
        assert saved[-1] == f"Accepted {named}  (u undoes)"
        assert_safe_on_screen(app)
        toasts = [str(t.render()) for t in app.screen.query(Toast)]
        assert any(f"Accepted {CLICK_TO_WRITE} Whitfield [/]" in t for t in toasts), toasts

        # A hot lead imported by another process: announced at the next poll, no key pressed.
        add_hostile_lead(services, NEWCOMER, "ana", 0, "Broken [/] name")
        queue.poll_changes()
        await settle(pilot)
        hot = [n.message for n in app._notifications if n.title == "Hot lead"]
        assert hot and hot[-1].startswith(f"New hot lead: Broken [/] name Whitfield {MARKUP} {SHOWN_ESCAPES}")
        assert_safe_on_screen(app, "New hot lead: Broken [/] name")

        # Its decision clock breaching: the SLA toast names it too.
        await press_and_settle(pilot, "slash", *"Broken", "enter")
        assert [r.crm_id for r in queue.query_one(QueueList).rows] == [NEWCOMER]
        queue.tick()
        services.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
        queue.tick()
        await settle(pilot)
        sla = [n.message for n in app._notifications if n.title == "SLA"]
        assert sla and sla[-1].startswith("Broken [/] name Whitfield [/]")
        assert_plain(sla[-1], SHOWN_ESCAPES)
        assert_safe_on_screen(app)

        # Metrics: sources, reps, reason labels and lead ids in its tables.
        await press_and_settle(pilot, "escape", "m")
        metrics = app.screen
        assert isinstance(metrics, MetricsScreen)
        assert metrics.result is not None
        by_source = rendered_text(metrics.query_one("#section-acceptance_by_source", Static).content, 120)
        assert_plain(by_source, "[/] [link")
        assert_safe_on_screen(app)
        for _ in range(8):
            await press_and_settle(pilot, "right_square_bracket")
            assert_safe_on_screen(app)
        await press_and_settle(pilot, "question_mark")
        assert_safe_on_screen(app)
        await press_and_settle(pilot, "escape", "escape")
        assert app.screen is queue

        # Every toast of the session: plain, and nothing of the lead ran.
        for note in app._notifications:
            assert_plain(note.message)
            assert_plain(note.title)
        assert_safe_on_screen(app)
        assert app.is_running and app.return_code is None
    assert actions.ran == []
    assert not (tmp_path / "victim.svg").exists()
    assert not list(tmp_path.glob("*.svg"))


async def test_a_name_that_rejects_with_a_hostile_reason_shows_it_in_the_confirm_and_metrics(
    hostile_services: Services,
) -> None:
    """Two marked leads rejected with the policy's hostile reason: the bulk confirmation
    quotes the code, the metrics table its label, both as written."""
    app = make_app(hostile_services)
    actions = ActionsRun(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_and_settle(pilot, "space", "j", "space", "r", "end", "enter")
        assert_safe_on_screen(app, "Reject 2 leads with R9?")
        await press_and_settle(pilot, "y")
        assert lead_state(hostile_services, H1) == "rejected"
        hostile_services.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]  # a period ends before now
        await press_and_settle(pilot, "m")
        metrics = app.screen
        assert isinstance(metrics, MetricsScreen) and metrics.result is not None
        reasons = rendered_text(metrics.query_one("#section-rejection_reasons", Static).content, 160)
        assert_plain(reasons, "R9", "Hostile [/] [link")
        assert app.is_running
    assert actions.ran == []


# -- wide characters keep the columns -------------------------------------------------------------


def _offsets(lines: list[str], marker: str) -> set[int]:
    """The terminal column at which `marker` starts, on every line holding it."""
    return {cell_len(line[: line.index(marker)]) for line in lines if marker in line}


@pytest.mark.parametrize("width", [80, 120])
async def test_wide_characters_keep_the_columns_aligned(demo_services: Services, width: int) -> None:
    for i, (name, company) in enumerate(
        [
            ("山田 太郎", "株式会社テスト"),
            ("👩\u200d💻 Dev Ops", "🇩🇪 GmbH 日本"),
            ("Ada Whitfield", "Whitfield Ltd"),
        ]
    ):
        first, last = name.split(" ", 1)
        add_lead(
            demo_services,
            f"W{i}",
            assigned_at=FROZEN - timedelta(days=5 - i / 10),  # the top of the queue, a countdown that fits
            first_name=first,
            last_name=last,
            company=company,
            title="課長 " * 3,
            source="ウェブ 📈",
            score=60,
        )
    app = make_app(demo_services)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        queue = app.screen.query_one(QueueList)
        assert [r.crm_id for r in queue.rows[:3]] == ["W0", "W1", "W2"]
        lines = ["".join(s.text for s in queue.render_line(y)) for y in range(1, 5)]
        assert {cell_len(line) for line in lines} == {queue.size.width}
        assert len(_offsets(lines[:3], "decision")) == 1, lines
        await press_and_settle(pilot, "b")
        listing = app.screen.query_one(BreachList)
        rows = [r for r in listing.rows if r.lead_id in {"W0", "W1", "W2"}]
        w = listing.columns(listing.size.width)
        texts = [listing._row_line(r, w, FROZEN, listing.size.width, False).plain for r in rows]
        assert len(texts) == 3
        assert {cell_len(t) for t in texts} == {listing.size.width}
        id_columns = set().union(*(_offsets([t], r.lead_id) for t, r in zip(texts, rows, strict=True)))
        assert len(id_columns) == 1, texts


# -- snapshots ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_hostile_queue_with_detail(
    snap_compare: Any, hostile_services: Services, size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(hostile_services), terminal_size=size, run_before=run_then())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_hostile_accept_form(snap_compare: Any, hostile_services: Services, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(hostile_services), terminal_size=size, run_before=run_then("a"))


# -- guards on the code ---------------------------------------------------------------------------------

TUI = Path(__file__).resolve().parents[2] / "leadqueue" / "tui"


def _calls(name: str) -> Iterator[tuple[Path, ast.Call]]:
    for path in sorted(TUI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    yield path, node


def _says_plain(call: ast.Call) -> bool:
    return any(
        k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in call.keywords
    )


def test_every_toast_of_the_tui_is_plain_text() -> None:
    """A toast quoting data (a name, an id, an error naming a file) is never read as markup:
    every notify call of leadqueue/tui, direct or through call_from_thread, says markup=False."""
    missing = []
    for path, call in _calls("notify"):
        if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Call):
            continue  # super().notify: the app's own override passes the caller's choice on
        if not _says_plain(call):
            missing.append(f"{path.relative_to(TUI)}:{call.lineno}")
    for path, call in _calls("call_from_thread"):
        target = call.args[0] if call.args else None
        if isinstance(target, ast.Attribute) and target.attr == "notify" and not _says_plain(call):
            missing.append(f"{path.relative_to(TUI)}:{call.lineno}")
    assert missing == []


def test_no_widget_reads_an_interpolated_string_as_markup() -> None:
    """An f-string given to a Label or a Static is plain text (markup=False), and no
    markup is parsed from a string the TUI builds."""
    interpolated = [
        f"{path.relative_to(TUI)}:{call.lineno}"
        for name in ("Label", "Static")
        for path, call in _calls(name)
        if call.args and isinstance(call.args[0], ast.JoinedStr) and not _says_plain(call)
    ]
    assert interpolated == []
    for name in ("from_markup", "render_markup"):
        assert [f"{p.relative_to(TUI)}:{c.lineno}" for p, c in _calls(name)] == []
