"""Statements on the driver write and read what SQLAlchemy would (failing as it
would is tested with the other locked-store cases in test_store)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from leadqueue.store import outbox
from leadqueue.store.driver_sql import DriverStatement
from leadqueue.store.engine import Store
from leadqueue.store.schema import UTCDateTime, sync_files

AT = datetime(2026, 11, 24, 15, 0, 1, 5, tzinfo=UTC)


def test_a_datetime_is_stored_as_core_stores_it(store: Store) -> None:
    with store.write() as conn:
        outbox.record_file(conn, "w/driver", "w", 3, "sent", AT)
        conn.execute(insert(sync_files).values(name="w/core", writer="w", events=3, direction="sent", at=AT))
    with store.read() as conn:
        raw = dict(conn.exec_driver_sql("SELECT name, CAST(at AS TEXT) FROM sync_files").all())
        typed = dict(conn.execute(select(sync_files.c.name, sync_files.c.at)).all())
    assert raw["w/driver"] == raw["w/core"]
    assert typed == {"w/driver": AT, "w/core": AT}


def test_rows_first_scalar_and_fetching_agree_with_core(store: Store) -> None:
    statement = DriverStatement("SELECT key, value FROM meta WHERE key >= :low ORDER BY key")
    with store.write() as conn:
        outbox.write_meta(conn, "zz_a", "1")
        outbox.write_meta(conn, "zz_a", "2")  # an upsert: one row, the last value
        outbox.write_meta(conn, "zz_b", "3")
        core = [tuple(r) for r in conn.execute(statement.clause, {"low": "zz"})]
        assert statement.rows(conn, {"low": "zz"}) == core == [("zz_a", "2"), ("zz_b", "3")]
        assert statement.first(conn, {"low": "zz_b"}) == ("zz_b", "3")
        assert statement.first(conn, {"low": "zzz"}) is None
        assert statement.scalar(conn, {"low": "zz"}) == "zz_a"
        fetching = statement.fetching(conn, {"low": "zz"})
        assert [tuple(r) for r in fetching.fetchmany(1)] == [("zz_a", "2")]
        fetching.close()


def test_a_typed_parameter_that_is_none_stays_none(store: Store) -> None:
    statement = DriverStatement("SELECT :at IS NULL", at=UTCDateTime())
    with store.read() as conn:
        assert statement.scalar(conn, {"at": None}) in (1, True)


def test_typed_result_columns_come_back_as_core_reads_them(store: Store) -> None:
    statement = DriverStatement(
        "SELECT name, at FROM sync_files WHERE at >= :since ORDER BY name",
        results={"at": UTCDateTime()},
        since=UTCDateTime(),
    )
    with store.write() as conn:
        outbox.record_file(conn, "w/a", "w", 1, "sent", AT)
        outbox.record_file(conn, "w/b", "w", 1, "sent", AT.replace(year=2025))
        found = statement.rows(conn, {"since": AT})
        core = conn.execute(select(sync_files.c.name, sync_files.c.at).where(sync_files.c.at >= AT)).all()
    assert found == [tuple(r) for r in core] == [("w/a", AT)]
    assert found[0][1].tzinfo is not None
