"""The first row of each id an import has met, kept in a temporary table of the
import's own transaction rather than in memory: an import of a million rows
needs the memory of one batch. Gone with the transaction, commit or not."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, select

from leadqueue.store.bulk import bulk_insert

_CHUNK = 900  # stays under SQLite's bound-parameter limit for IN (...)

_first_rows = Table(
    "import_first_rows",
    MetaData(),
    Column("crm_id", String(64), primary_key=True),
    Column("row", Integer, nullable=False),
    Column("fingerprint", String(32)),
    prefixes=["TEMPORARY"],
)


class FirstRowsTable:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def find(self, crm_ids: Collection[str]) -> Mapping[str, tuple[int, str | None]]:
        ids = list(crm_ids)
        out: dict[str, tuple[int, str | None]] = {}
        for i in range(0, len(ids), _CHUNK):
            q = select(_first_rows).where(_first_rows.c.crm_id.in_(ids[i : i + _CHUNK]))
            out.update({r.crm_id: (r.row, r.fingerprint) for r in self.conn.execute(q)})
        return out

    def add(self, firsts: Mapping[str, tuple[int, str | None]]) -> None:
        rows = [{"crm_id": i, "row": row, "fingerprint": said} for i, (row, said) in firsts.items()]
        bulk_insert(self.conn, _first_rows, rows)


@contextmanager
def first_rows_table(conn: Connection) -> Iterator[FirstRowsTable]:
    """Inside the caller's transaction. On an error the caller rolls back, which
    takes the table away too (and a failed PostgreSQL transaction takes no DROP)."""
    _first_rows.create(conn)
    yield FirstRowsTable(conn)
    _first_rows.drop(conn)
