"""The store: pragmas, schema version, clear errors, concurrent writers."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.store import engine as engine_module
from leadqueue.store import outbox
from leadqueue.store.engine import Store, StoreError, open_store
from leadqueue.store.schema import SCHEMA_VERSION, events, leads
from tests.factories import add_lead

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


def test_sqlite_store_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    store.dispose()


def test_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).dispose()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreError, match="newer than this leadqueue"):
        open_store(path)


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(StoreError, match="not a leadqueue store"):
        open_store(path)


def test_a_corrupt_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not sqlite at all" * 200)
    with pytest.raises(StoreError, match="not a leadqueue store"):
        open_store(path)


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store(tmp_path / "nope" / "s.db")


def _queue_plans(store: Store, read: Callable[[Connection], object]) -> list[str]:
    """SQLite's plan for each SELECT `read` runs, as the driver saw it (values in place)."""
    seen: list[str] = []
    with store.read() as conn:
        driver = conn.connection.driver_connection
        driver.set_trace_callback(seen.append)
        try:
            read(conn)
        finally:
            driver.set_trace_callback(None)
        return [
            " ".join(str(r[-1]) for r in driver.execute("EXPLAIN QUERY PLAN " + sql))
            for sql in seen
            if sql.lstrip().upper().startswith("SELECT")
        ]


def test_queue_pages_walk_the_queue_index_without_sorting(tmp_path: Path) -> None:
    from leadqueue.store import queue_query as qq

    store = open_store(tmp_path / "s.db")
    edge, f = (1, NOW, 5), qq.QueueFilter(owner="ana")
    plans = _queue_plans(store, lambda conn: qq.page_after(conn, f, NOW, edge, 50))
    plans += _queue_plans(store, lambda conn: qq.page_before(conn, f, NOW, edge, 50))
    store.dispose()
    assert len(plans) >= 2
    # A range walk on one rep's section in deadline order (ix_leads_search starts
    # with the section's columns).
    assert all("(owner=? AND state=? AND due_at" in plan for plan in plans), plans
    # No sort step: the index gives the order.
    assert not any("TEMP B-TREE" in plan for plan in plans), plans


def test_a_search_walks_the_index_that_holds_the_text(tmp_path: Path) -> None:
    """Not the rep's queue index with a row lookup per lead: a rare term would read every row."""
    from leadqueue.store import queue_query as qq

    store = open_store(tmp_path / "s.db")
    plans = _queue_plans(
        store, lambda conn: qq.page_after(conn, qq.QueueFilter(owner="ana", search="xylo"), NOW, None, 50)
    )
    store.dispose()
    assert plans and all("COVERING INDEX ix_leads_search" in plan for plan in plans), plans


def _decide_many(path: str, rep: str, ids: list[str], start: mp.synchronize.Event) -> None:
    store = open_store(path)
    services = Services(store=store, policy=Policy(), clock=FixedClock(NOW))
    svc = DecisionService(services)
    start.wait()
    for crm_id in ids:
        svc.accept(crm_id, rep, Accept(next_step="call", due=NOW + timedelta(days=1), note="go"))
    store.dispose()


def test_two_processes_deciding_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    store = open_store(path)
    services = Services(store=store, policy=Policy(), clock=FixedClock(NOW))
    ids = {rep: [f"{rep}-{i}" for i in range(60)] for rep in ("ana", "ben")}
    for rep, crm_ids in ids.items():
        for crm_id in crm_ids:
            add_lead(services, crm_id, rep=rep)
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [
        ctx.Process(target=_decide_many, args=(str(path), rep, crm_ids, start))
        for rep, crm_ids in ids.items()
    ]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    with store.read() as conn:
        accepted = conn.execute(select(func.count()).select_from(events).where(events.c.kind == "accepted"))
        assert accepted.scalar_one() == 120
        states = conn.execute(select(leads.c.state, func.count()).group_by(leads.c.state)).all()
        assert dict(states) == {"accepted": 120}
    store.dispose()


def test_bulk_insert_stores_exactly_what_core_stores(tmp_path: Path) -> None:
    from sqlalchemy import insert

    from leadqueue.store.bulk import bulk_insert

    store = open_store(tmp_path / "s.db")
    row = {
        "crm_id": "X",
        "first_name": "Zoë",
        "tech_stack": ["Salesforce", "dbt"],
        "extra": {"a": "ü"},
        "email_verified": True,
        "employees": None,
        "created_at": datetime(2026, 3, 8, 7, 30, 15, 123, tzinfo=UTC),
        "due_at": None,
        "is_open": False,
        "score_breakdown": [],
        "touchpoints": [{"at": "2026-01-01T00:00:00+00:00"}],
    }
    with store.write() as conn:
        conn.execute(insert(leads), [row])
        bulk_insert(conn, leads, [{**row, "crm_id": "Y"}])
    with store.read() as conn:
        raw = [tuple(r)[2:] for r in conn.exec_driver_sql("SELECT * FROM leads ORDER BY crm_id")]
        typed = [r._mapping for r in conn.execute(select(leads).order_by(leads.c.crm_id))]
    store.dispose()
    assert raw[0] == raw[1]  # byte-for-byte the same columns after id and crm_id
    assert typed[1]["created_at"] == row["created_at"]
    assert typed[1]["tech_stack"] == ["Salesforce", "dbt"]
    assert typed[1]["email_verified"] is True


def test_a_sqlite_user_never_loads_the_postgresql_dialect() -> None:
    code = (
        "import sys, tempfile, pathlib\n"
        "import leadqueue.tui.app\n"
        "from leadqueue.store.engine import open_store\n"
        "open_store(pathlib.Path(tempfile.mkdtemp()) / 'x.db').dispose()\n"
        "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy.dialects.postgresql')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "stored, expected",
    [
        ("2026-01-14 16:00:00.250000", datetime(2026, 1, 14, 16, 0, 0, 250000, tzinfo=UTC)),
        ("2026-01-14 16:00:00", datetime(2026, 1, 14, 16, 0, tzinfo=UTC)),
        ("2026-01-14T18:00:00+02:00", datetime(2026, 1, 14, 16, 0, tzinfo=UTC)),
        (None, None),
    ],
)
def test_sqlite_datetimes_read_back_aware_in_utc(stored: str | None, expected: datetime | None) -> None:
    from sqlalchemy.dialects import sqlite

    from leadqueue.store.column_types import UTCDateTime

    read = UTCDateTime().result_processor(sqlite.dialect(), None)
    value = read(stored)
    assert value == expected
    assert value is None or value.utcoffset() == timedelta(0)


def _write_at_begin(store: Store) -> None:
    with store.write():
        pass


def _write_inside_a_read(store: Store) -> None:
    # A read transaction begins; its first write, a driver statement, waits for the lock.
    with store.read() as conn:
        outbox.write_meta(conn, "zz", "1")


@pytest.mark.parametrize("meet_the_lock", [_write_at_begin, _write_inside_a_read])
def test_a_store_locked_by_another_program_is_named_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meet_the_lock: Callable[[Store], None]
) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 50)
    store = open_store(tmp_path / "s.db")
    holder = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program writing
    try:
        with pytest.raises(StoreError, match=r"s\.db stayed locked by another program"):
            meet_the_lock(store)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with store.write() as conn:  # and once it lets go, the store is there
        assert conn.exec_driver_sql("SELECT count(*) FROM meta").scalar() >= 1
    store.dispose()


def test_the_bulk_path_refuses_instants_out_of_range_like_the_core_path(store: Store) -> None:
    from datetime import UTC, datetime

    from leadqueue.store.bulk import bulk_insert
    from leadqueue.store.schema import sync_files

    row = {
        "name": "w/a",
        "writer": "w",
        "events": 1,
        "direction": "sent",
        "at": datetime(2999, 1, 1, tzinfo=UTC),
    }
    with (
        pytest.raises(StoreError, match="years 1900 to 2200 only; nothing was written"),
        store.write() as conn,
    ):
        bulk_insert(conn, sync_files, [row])


def test_an_event_payload_that_is_no_json_object_reads_as_an_empty_one(tmp_path: Path) -> None:
    from leadqueue.store import repository as repo

    services = Services(
        store=open_store(tmp_path / "s.db"),
        policy=Policy(),
        clock=FixedClock(datetime(2026, 3, 2, tzinfo=UTC)),
    )
    add_lead(services, "L1")
    with services.store.write() as conn:
        lead_id = conn.execute(select(leads.c.id)).scalar_one()
        conn.execute(
            events.insert().values(
                event_id="raw-1", lead_id=lead_id, kind="viewed", actor="ana", at=services.clock.now(),
                payload=[1, 2], origin="local",
            )
        )  # fmt: skip
    with services.store.read() as conn:
        history = repo.events_by_lead(conn, [lead_id])[lead_id]
    assert [(e.kind.value, e.payload) for e in history] == [("assigned", {"rep": "ana"}), ("viewed", {})]
    services.store.dispose()
