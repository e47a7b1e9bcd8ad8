"""Small statements run straight on SQLite's driver.

Publishing runs about a dozen one-row statements around one large read, and
SQLAlchemy's own work per statement (30 to 50 µs cached, 100 to 170 µs on an
engine's first use, which is every `leadqueue sync`) came to more than the
statements themselves (1 to 2 µs each on the driver). A `DriverStatement`
runs its SQL on the sqlite3 connection underneath the SQLAlchemy one, inside
the same transaction, and goes through SQLAlchemy on any other database. The
SQL is written once, with `:name` parameters, which both sqlite3 and
SQLAlchemy's `text()` understand. Columns named in `results` come back as
their column type reads them (aware datetimes, say) on either path.

Driver errors are wrapped as SQLAlchemy wraps them, so the store's error
translation (a locked store, a corrupt file) sees them like any other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

Params = Mapping[str, Any]


class Fetching(Protocol):
    """Rows read as they are needed: a driver cursor, or SQLAlchemy's result."""

    def fetchmany(self, size: int) -> Sequence[Any]: ...

    def close(self) -> None: ...


class DriverStatement:
    def __init__(
        self, sql: str, results: Mapping[str, TypeEngine[Any]] | None = None, **types: TypeEngine[Any]
    ) -> None:
        """`types` names the parameters that need converting on the way in (datetimes);
        `results` the columns that need converting on the way out. Only `rows`
        converts results."""
        self.sql = sql
        clause = text(sql).bindparams(*(bindparam(name, type_=t) for name, t in types.items()))
        self.clause = clause.columns(**results) if results else clause
        self._types = types
        self._results = dict(results or {})
        self._binds: dict[str, dict[str, Callable[[Any], Any]]] = {}
        self._readers: dict[str, dict[str, Callable[[Any], Any]]] = {}

    def rows(self, conn: Connection, params: Params | None = None) -> list[tuple[Any, ...]]:
        if conn.dialect.name != "sqlite":
            return [tuple(r) for r in conn.execute(self.clause, dict(params or {}))]
        cursor = self._on_driver(conn, params)
        found = cursor.fetchall()
        if not self._results or not found:
            return found  # type: ignore[no-any-return]
        readers = self._reader_for(conn)
        names = [d[0] for d in cursor.description]
        convert = [(i, readers[name]) for i, name in enumerate(names) if name in readers]
        out = []
        for row in found:
            values = list(row)
            for i, read in convert:
                values[i] = read(values[i])
            out.append(tuple(values))
        return out

    def fetching(self, conn: Connection, params: Params | None = None) -> Fetching:
        if conn.dialect.name != "sqlite":
            return conn.execute(self.clause, dict(params or {}))
        return self._on_driver(conn, params)

    def first(self, conn: Connection, params: Params | None = None) -> tuple[Any, ...] | None:
        if conn.dialect.name != "sqlite":
            row = conn.execute(self.clause, dict(params or {})).first()
            return None if row is None else tuple(row)
        return self._on_driver(conn, params).fetchone()  # type: ignore[no-any-return]

    def scalar(self, conn: Connection, params: Params | None = None) -> Any:
        row = self.first(conn, params)
        return None if row is None else row[0]

    def run(self, conn: Connection, params: Params | None = None) -> None:
        if conn.dialect.name != "sqlite":
            conn.execute(self.clause, dict(params or {}))
            return
        self._on_driver(conn, params)

    def _on_driver(self, conn: Connection, params: Params | None) -> sqlite3.Cursor:
        values: Params = params or {}
        if self._types:
            values = self._converted(conn, values)
        driver: Any = conn.connection.driver_connection
        try:
            return driver.execute(self.sql, values)  # type: ignore[no-any-return]
        except sqlite3.Error as exc:
            raise DBAPIError.instance(self.sql, values, exc, sqlite3.Error) from exc

    def _reader_for(self, conn: Connection) -> dict[str, Callable[[Any], Any]]:
        return _processors(self._readers, self._results, conn, lambda impl, d: impl.result_processor(d, None))

    def _converted(self, conn: Connection, params: Params) -> dict[str, Any]:
        binds = _processors(self._binds, self._types, conn, lambda impl, d: impl.bind_processor(d))
        return {k: (binds[k](v) if k in binds and v is not None else v) for k, v in params.items()}


def _processors(
    cache: dict[str, dict[str, Callable[[Any], Any]]],
    types: Mapping[str, TypeEngine[Any]],
    conn: Connection,
    make: Callable[[Any, Any], Callable[[Any], Any] | None],
) -> dict[str, Callable[[Any], Any]]:
    """Each named type's converter for this connection's dialect (bind or result,
    as `make` asks), worked out once per dialect; types that need none are left out."""
    dialect = conn.dialect
    found = cache.get(dialect.name)
    if found is None:
        found = {}
        for name, type_ in types.items():
            process = make(type_.dialect_impl(dialect), dialect)
            if process is not None:
                found[name] = process
        cache[dialect.name] = found
    return found
