"""`s` in the queue: publish the outbox, pull the team's events, show what is unsent."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from sqlalchemy import select
from textual.widgets import Static

from leadqueue.services.context import Services
from leadqueue.settings.config import UserConfig
from leadqueue.store import outbox
from leadqueue.store.schema import events, leads
from leadqueue.sync.segments import SharedFolder
from tests.sync_helpers import Writer, record
from tests.tui.conftest import make_app
from tests.tui.helpers import current, lead_state, settle


def header(app: object) -> str:
    rendered = app.screen.query_one("#summary", Static).render()  # type: ignore[attr-defined]
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


def unsent(services: Services) -> int:
    with services.store.read() as conn:
        return outbox.unsent_count(conn)


async def reject_current(pilot: object) -> str:
    lead = current(pilot)
    await pilot.press("r", "3", "ctrl+s")  # type: ignore[attr-defined]
    await settle(pilot)
    return lead


async def test_s_publishes_the_outbox_and_the_header_counts_it(
    demo_services: Services, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    app = make_app(demo_services, config=UserConfig(export_dir=str(share)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "unsent 0" in header(app)
        lead = await reject_current(pilot)
        assert lead_state(demo_services, lead) == "rejected"
        assert "unsent 1" in header(app)

        await pilot.press("s")
        await settle(pilot)
        assert unsent(demo_services) == 0
        assert "unsent 0" in header(app)
        folder = SharedFolder(share)
        published = [r for ref in folder.segments() for r in folder.read_segment(ref)]
        assert [(r["lead_id"], r["kind"], r["reason"]) for r in published] == [(lead, "rejected", "R3")]
        assert any("Sent 1, received 0" in n.message for n in app._notifications)


async def test_an_unreachable_share_keeps_decisions_waiting(demo_services: Services, tmp_path: Path) -> None:
    app = make_app(demo_services, config=UserConfig(export_dir=str(tmp_path / "not-mounted")))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await reject_current(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert unsent(demo_services) == 1
        assert "unsent 1" in header(app)
        assert any("not reachable" in n.message for n in app._notifications)


async def test_without_a_share_s_says_how_to_set_one(app: object) -> None:
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert any("export_dir" in n.message for n in app._notifications)  # type: ignore[attr-defined]


async def test_s_shows_refused_files_and_skipped_records_and_takes_in_the_rest(
    demo_services: Services, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    unsigned = share / "leadqueue-events" / "zz-0000000000" / "000000000001-000000000001.jsonl"
    unsigned.parent.mkdir(parents=True)
    unsigned.write_text('{"leadqueue_segment":1,"writer":"zz-0000000000","count":0}\n', encoding="utf-8")
    with demo_services.store.read() as conn:
        lead = conn.execute(select(leads.c.crm_id).where(leads.c.owner == "ana")).scalars().first()
    good = record("viewed", lead, "ana")
    poison = record("undone", lead, "ana")  # no target: folding it would crash every later read
    Writer(share, "ana-9999999999", "ana").publish([good, poison])
    app = make_app(demo_services, config=UserConfig(export_dir=str(share)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        (note,) = [n for n in app._notifications if n.title == "Synced"]
        assert "refused 1 file(s)" in note.message and f"{unsigned}: unsigned" in note.message
        assert "line 3: undone needs field 'target'" in note.message
        assert note.severity == "warning"
        await pilot.press("s")  # and again: the app is still there, and says it again
        await settle(pilot)
        assert sum("refused 1 file(s)" in n.message for n in app._notifications) == 2
    with demo_services.store.read() as conn:
        ids = set(conn.execute(select(events.c.event_id)).scalars())
    assert good["event_id"] in ids and poison["event_id"] not in ids
