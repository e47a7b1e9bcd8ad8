"""Bulk inserts for imports and the generator.

SQLAlchemy's Core executemany spends most of its time running per-value bind
processors (JSON, timezone-aware datetimes) for every row. On SQLite we run
the same conversions with plain functions chosen once per column and hand
the tuples to the driver's executemany; the stored text is identical to what
the Core path writes (a test checks this). Other databases use Core.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Table, insert

from leadqueue.domain.years import MAX_YEAR, MIN_YEAR
from leadqueue.store.column_types import OutOfRange, UTCDateTime

Converter = Callable[[Any], Any]


def _json(value: Any) -> Any:
    # Most list columns are empty: skip the encoder for them.
    if value == []:
        return "[]"
    if value == {}:
        return "{}"
    return json.dumps(value)


def _utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} cannot be stored: give it a zone")
    if value.utcoffset():
        try:
            value = value.astimezone(UTC)
        except OverflowError:
            raise OutOfRange(f"instant {value.isoformat()}: it has no UTC equivalent") from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:  # the same check UTCDateTime makes on the Core path
        raise OutOfRange(f"instant {value.isoformat()}: years {MIN_YEAR} to {MAX_YEAR} only")
    # SQLAlchemy's SQLite DATETIME storage format, so both paths read back alike.
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _bool(value: Any) -> Any:
    return None if value is None else int(bool(value))


def _converter(column_type: Any) -> Converter | None:
    if isinstance(column_type, JSON):
        return _json
    if isinstance(column_type, UTCDateTime):
        return _utc_text
    if isinstance(column_type, Boolean):
        return _bool
    return None


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows (all with the same keys) in the caller's transaction."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), list(rows))
        return
    given = list(rows[0])
    # Columns the rows leave out get their Python-side defaults, as Core would give them.
    defaults = {c.name: c.default for c in table.columns if c.name not in given and c.default is not None}
    columns = given + list(defaults)
    converters = [_converter(table.c[name].type) for name in columns]
    pairs = list(zip(columns, converters, strict=True))

    def column_values(name: str, convert: Converter | None) -> list[Any]:
        default: Any = defaults.get(name)
        if default is None:
            raw = [row[name] for row in rows]
        elif default.is_callable:
            raw = [default.arg(None) for _ in rows]
        else:
            raw = [default.arg] * len(rows)
        if convert is None:
            return raw
        if convert is _utc_text:
            # An import's rows share a few instants (its own time, the deadline it
            # gives): format each distinct one once.
            text_of = {value: _utc_text(value) for value in set(raw)}
            return [text_of[value] for value in raw]
        return list(map(convert, raw))

    # Column by column: one map() per column beats a generator per value.
    params = list(zip(*(column_values(name, convert) for name, convert in pairs), strict=True))
    quoted = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', params)
