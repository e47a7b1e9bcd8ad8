"""The outbox's text statements write what Core would (failing as it would is
tested with the other locked-store cases in test_store)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from leadqueue.store import outbox
from leadqueue.store.engine import Store
from leadqueue.store.schema import sync_files

AT = datetime(2026, 11, 24, 15, 0, 1, 5, tzinfo=UTC)


def test_a_datetime_is_stored_as_core_stores_it(store: Store) -> None:
    with store.write() as conn:
        outbox.record_file(conn, "w/text", "w", 3, "sent", AT)
        conn.execute(insert(sync_files).values(name="w/core", writer="w", events=3, direction="sent", at=AT))
    with store.read() as conn:
        raw = dict(conn.exec_driver_sql("SELECT name, CAST(at AS TEXT) FROM sync_files").all())
        typed = dict(conn.execute(select(sync_files.c.name, sync_files.c.at)).all())
    assert raw["w/text"] == raw["w/core"]
    assert typed == {"w/text": AT, "w/core": AT}


def test_meta_upserts_keep_the_last_value(store: Store) -> None:
    with store.write() as conn:
        outbox.write_meta(conn, "zz_a", "1")
        outbox.write_meta(conn, "zz_a", "2")
        assert outbox.read_meta(conn, "zz_a") == "2"
        assert outbox.read_meta(conn, "zz_missing") is None
