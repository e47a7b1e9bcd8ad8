"""Start-up: the first page read before the UI starts is what the first frame shows."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from leadqueue.demo.generator import REFERENCE, generate
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.domain.queue_view import QueueFilter
from leadqueue.services.context import Services
from leadqueue.store.engine import open_store
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens import queue as queue_screen
from leadqueue.tui.screens.queue import FIRST_PAGE, PAGE, read_first_page, top_of_queue
from leadqueue.tui.widgets.queue_list import WINDOW_LIMIT, QueueList
from tests.tui.helpers import settle


async def test_the_first_page_read_before_start_is_on_screen_at_mount(demo_services: Services) -> None:
    page = read_first_page(demo_services, "ana")
    assert page, "the demo store has open leads for ana"
    assert len(page) <= FIRST_PAGE
    app = LeadqueueApp(
        demo_services, actor="ana", owner="ana", persist=False, cursor_blink=False, first_page=page
    )
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.screen.query_one(QueueList)
        # Mounted with the page: no worker had to read the queue for the first frame.
        assert [r.crm_id for r in queue.rows] == [r.crm_id for r in page]
        assert not [w for w in app.workers if w.group == "queue"]
        await settle(pilot)
        # The same rows the screen's own query gives, in the same order.
        ordered = top_of_queue(demo_services, QueueFilter(owner="ana"), PAGE)
        assert [r.crm_id for r in queue.rows] == [r.crm_id for r in ordered[: len(queue.rows)]]


async def test_a_store_that_does_not_answer_leaves_the_first_page_to_the_screen(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    store = open_store(path)
    store.dispose()
    path.unlink()  # the next connection finds an empty file with no leads table
    services = Services(store=store, policy=Policy())
    assert read_first_page(services, "ana") is None
    app = LeadqueueApp(services, actor="ana", owner="ana", persist=False, cursor_blink=False, first_page=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "no such table" in app.screen.error


async def test_the_list_grows_past_the_first_page_as_the_cursor_moves(tmp_path: Path) -> None:
    generate(tmp_path / "many.db", n_leads=200, n_reps=1, open_share=1.0)
    clock = FixedClock(REFERENCE + timedelta(hours=1))
    services = Services(store=open_store(tmp_path / "many.db"), policy=Policy(), clock=clock)
    rep = top_of_queue(services, QueueFilter(), 1)[0].owner
    page = read_first_page(services, rep)
    assert page is not None and len(page) == FIRST_PAGE
    app = LeadqueueApp(services, actor=rep, owner=rep, persist=False, cursor_blink=False, first_page=page)
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.screen.query_one(QueueList)
        for _ in range(FIRST_PAGE):
            await pilot.press("j")
        await settle(pilot)
        assert len(queue.rows) > FIRST_PAGE
        assert queue.cursor == FIRST_PAGE
        ids = [r.id for r in queue.rows]
        assert len(ids) == len(set(ids))
    services.store.dispose()


def test_a_store_that_hangs_does_not_keep_the_app_from_opening(
    demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def hanging(*args: object, **kwargs: object) -> list[object]:
        release.wait(30)  # a server that stopped answering
        return []

    monkeypatch.setattr(queue_screen, "top_of_queue", hanging)
    started = time.monotonic()
    try:
        assert read_first_page(demo_services, "ana", wait=0.05) is None
        assert time.monotonic() - started < 5
    finally:
        release.set()


async def test_paging_through_a_queue_longer_than_the_window_keeps_it_whole(tmp_path: Path) -> None:
    """Down to the end and back up, past the window's limit: the rows held are
    always one unbroken stretch of the queue, and End shows its last rows."""
    generate(tmp_path / "long.db", n_leads=1_000, n_reps=1, open_share=1.0)
    clock = FixedClock(REFERENCE + timedelta(hours=1))
    services = Services(store=open_store(tmp_path / "long.db"), policy=Policy(), clock=clock)
    rep = top_of_queue(services, QueueFilter(), 1)[0].owner
    order = [r.id for r in top_of_queue(services, QueueFilter(owner=rep), 10_000)]
    assert len(order) > WINDOW_LIMIT + PAGE
    app = LeadqueueApp(services, actor=rep, owner=rep, persist=False, cursor_blink=False)

    def position(queue: QueueList) -> int:
        ids = [r.id for r in queue.rows]
        start = order.index(ids[0])
        assert ids == order[start : start + len(ids)]  # one unbroken stretch
        return start + queue.cursor

    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        queue = app.screen.query_one(QueueList)
        at = position(queue)
        while at < len(order) - 1:
            await pilot.press("pagedown")
            await settle(pilot)
            assert position(queue) > at
            at = position(queue)
        assert len(queue.rows) <= WINDOW_LIMIT + PAGE
        await pilot.press("g")
        await settle(pilot)
        assert position(queue) == 0
        await pilot.press("G")
        await settle(pilot)
        assert queue.current is not None and queue.current.id == order[-1]
        at = position(queue)
        while at > 0:
            await pilot.press("pageup")
            await settle(pilot)
            assert position(queue) < at
            at = position(queue)
    services.store.dispose()
