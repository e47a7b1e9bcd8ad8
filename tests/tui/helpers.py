from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import select
from textual import events as textual_events
from textual.worker import WorkerCancelled

from leadqueue.services.context import Services
from leadqueue.store.schema import events, leads
from leadqueue.tui.widgets.queue_list import QueueList


async def settle(pilot: Any) -> None:
    """Let every worker finish and the screen catch up (no sleeps), through Textual's
    public API. A few rounds: what a finished worker posts may start another."""
    for _ in range(4):
        running = [w for w in pilot.app.workers if not w.is_cancelled]
        if running:  # wait_for_complete([]) would wait for every worker, cancelled ones too
            # An exclusive worker superseded meanwhile ends cancelled: the next round waits for the rest.
            with contextlib.suppress(WorkerCancelled):
                await pilot.app.workers.wait_for_complete(running)
        await pilot.pause()


async def press_and_settle(pilot: Any, *keys: str) -> None:
    """Press `keys` one after another, as a user types them, then wait once for what
    they started: a burst of keys costs one settle, not one per key."""
    await pilot.press(*keys)
    await settle(pilot)


def current(pilot: Any) -> str:
    row = pilot.app.screen.query_one(QueueList).current
    assert row is not None
    return row.crm_id


def lead_state(services: Services, crm_id: str) -> str:
    with services.store.read() as conn:
        return str(conn.execute(select(leads.c.state).where(leads.c.crm_id == crm_id)).scalar_one())


def last_event(services: Services, crm_id: str) -> tuple[str, dict[str, Any]]:
    with services.store.read() as conn:
        lead_id = conn.execute(select(leads.c.id).where(leads.c.crm_id == crm_id)).scalar_one()
        row = conn.execute(
            select(events.c.kind, events.c.payload)
            .where(events.c.lead_id == lead_id)
            .where(events.c.kind != "viewed")
            .order_by(events.c.seq.desc())
            .limit(1)
        ).one()
    return row.kind, dict(row.payload)


def decision_count(services: Services) -> int:
    with services.store.read() as conn:
        return len(
            conn.execute(select(events.c.seq).where(events.c.kind.not_in(["viewed", "assigned"]))).all()
        )


KEY_NAMES = {" ": "space", ":": "colon", "\t": "tab", "+": "plus", "/": "slash"}


def post_burst(app: Any, *keys: str) -> None:
    """Post keys all at once, as the driver posts what one read from the terminal
    held: each a character (named as Textual names it) or a key name ("ctrl+s")."""
    for key in keys:
        if len(key) == 1:
            app.post_message(textual_events.Key(KEY_NAMES.get(key, key), key))
        else:
            app.post_message(textual_events.Key(key, None))
