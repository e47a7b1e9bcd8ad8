"""What only a server store can do to a rep: drop the connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, func, select

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Reject, Touch
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.policy import Policy
from leadqueue.domain.records import encode, to_record
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.store import outbox
from leadqueue.store import repository as repo
from leadqueue.store.engine import StoreError, open_store
from leadqueue.store.schema import ORIGIN_LOCAL, events
from leadqueue.sync.segments import SharedFolder
from leadqueue.sync.service import SyncService, SyncSummary
from tests.conftest import NOW
from tests.factories import add_lead
from tests.pg import _conninfo, pg_schema


@pytest.fixture
def pg_services() -> Iterator[Services]:
    with pg_schema() as url:
        services = Services(store=open_store(url), policy=Policy(), clock=FixedClock(NOW))
        add_lead(services, "P1", rep="ana", assigned_at=NOW - timedelta(hours=1))
        yield services
        services.store.dispose()


def event_count(services: Services) -> int:
    with services.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def test_a_dropped_connection_is_replaced_before_the_next_decision(pg_services: Services) -> None:
    before = event_count(pg_services)
    name = pg_services.store.engine.url.query["application_name"]
    with psycopg.connect(_conninfo(), autocommit=True) as admin:  # the server drops our connections
        dropped = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [name]
        ).fetchall()
    assert dropped  # the pool held one
    DecisionService(pg_services).reject("P1", "ana", Reject("R3"))
    assert event_count(pg_services) == before + 1


def test_an_unreachable_server_refuses_the_decision_whole(pg_services: Services) -> None:
    before = event_count(pg_services)
    store = pg_services.store
    reachable = store.engine
    store.engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/test", pool_pre_ping=True)
    try:
        with pytest.raises(StoreError) as refused:
            DecisionService(pg_services).reject("P1", "ana", Reject("R3"))
    finally:
        store.engine.dispose()
        store.engine = reachable
    message = str(refused.value)
    assert message.startswith(f"no connection to store {store.label} (")
    assert "port 1 failed: Connection refused" in message
    assert message.endswith("nothing was written, try again once it is back") and "\n" not in message
    assert event_count(pg_services) == before
    DecisionService(pg_services).reject("P1", "ana", Reject("R3"))  # back: the same decision goes through
    assert event_count(pg_services) == before + 1


def test_partial_indexes_keep_their_condition_on_postgresql(pg_services: Services) -> None:
    with pg_services.store.read() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
        defs = dict(
            conn.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %(s)s", {"s": schema}
            ).all()
        )
    assert defs["ix_clock_runs_open"].endswith("WHERE (stopped_at IS NULL)")
    assert defs["ix_clock_runs_stopped"].endswith("WHERE (stopped_at IS NOT NULL)")


def test_a_decision_still_in_flight_when_a_sync_starts_is_published_not_skipped(
    pg_services: Services, tmp_path: Path
) -> None:
    """PostgreSQL hands out seqs before commit: a decision holding seq n may commit
    after one holding n+1. Publishing waits for it instead of moving the watermark past it."""
    add_lead(pg_services, "P2", rep="ana", assigned_at=NOW - timedelta(hours=1))
    share = tmp_path / "share"
    share.mkdir()
    store = pg_services.store
    slow = Event(kind=EventKind.TOUCHED, actor="ana", at=NOW, payload={"channel": "call"})
    with store.engine.connect() as in_flight:
        tx = in_flight.begin()
        lead_id = repo.ids_for(in_flight, ["P1"])["P1"]
        # seq n, taken and not committed
        seq = repo.insert_event(in_flight, repo.event_values(lead_id, slow, ORIGIN_LOCAL))
        DecisionService(pg_services).reject("P2", "ana", Reject("R3"))  # seq n+1, committed
        done: list[SyncSummary] = []
        sync = threading.Thread(target=lambda: done.append(SyncService(pg_services, share, "ana").run()))
        sync.start()
        name = store.engine.url.query["application_name"]
        with psycopg.connect(_conninfo(), autocommit=True) as admin:
            deadline = time.monotonic() + 30
            while not admin.execute(  # the sync's connection waits on the lock (another process's state)
                "SELECT 1 FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
                [name],
            ).fetchall():
                assert time.monotonic() < deadline, "the sync never waited for the decision in flight"
                assert sync.is_alive(), "the sync finished without waiting for the decision in flight"
                time.sleep(0.01)
        outbox.add_line(in_flight, seq, encode(to_record("P1", slow)))
        tx.commit()
    sync.join(timeout=60)
    assert done and done[0].sent == 2 and done[0].unsent == 0
    folder = SharedFolder(share)
    published = {r["event_id"] for ref in folder.segments() for r in folder.read_segment(ref)}
    assert slow.event_id in published


def test_a_backlog_on_postgresql_is_published_in_seq_order_across_segments(
    pg_services: Services, tmp_path: Path
) -> None:
    """A server store keeps each line single (seqs can commit out of order there)."""
    for i in range(2, 5):
        add_lead(pg_services, f"P{i}", rep="ana", assigned_at=NOW - timedelta(hours=1))
    decide = DecisionService(pg_services)
    for i in range(1, 5):
        decide.accept(f"P{i}", "ana", Accept(next_step="call", due=NOW + timedelta(hours=3), note="Call"))
    for round_ in range(29):
        for i in range(1, 5):
            decide.touch(f"P{i}", "ana", Touch(channel="call", note=f"try {round_}"))
    made = 4 * 30
    with pg_services.store.read() as conn:
        assert outbox.unsent_count(conn) == made
    share = tmp_path / "share"
    share.mkdir()
    summary = SyncService(pg_services, share, "ana", segment_events=50).run()
    assert (summary.sent, summary.unsent) == (made, 0)
    folder = SharedFolder(share)
    assert [len(folder.read_segment(ref)) for ref in folder.segments()] == [50, 50, 20]
    with pg_services.store.read() as conn:
        seq_of = dict(conn.execute(select(events.c.event_id, events.c.seq)).all())
    published = [seq_of[r["event_id"]] for ref in folder.segments() for r in folder.read_segment(ref)]
    assert len(published) == made and published == sorted(set(published))
