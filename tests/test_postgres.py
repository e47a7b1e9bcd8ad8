"""What only a server store can do to a rep: drop the connection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import create_engine, func, select

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Reject
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.store.engine import StoreError, open_store
from leadqueue.store.schema import events
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
