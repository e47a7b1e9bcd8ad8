"""The column types of a leadqueue store's tables: instants kept in UTC on SQLite
and PostgreSQL alike, and the values a column refuses to hold (OutOfRange)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, TypeDecorator
from sqlalchemy.engine import Dialect

from leadqueue.domain.years import MAX_YEAR, MIN_YEAR

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL's integer; SQLite holds the same


class OutOfRange(ValueError):
    """A value the store refuses to hold; the message names it. Raised while a
    statement binds its values, whatever wrote it (an import, a sync, a decision),
    and translated by the engine into a StoreError: nothing is written."""


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored: give it a zone")
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
            raise OutOfRange(f"instant {value.isoformat()}: it has no UTC equivalent") from None
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC: one C parse straight to an
        # aware datetime, instead of a parse to a naive one and then a replace() (a
        # team's breaches report reads some 200,000 of them).
        def to_utc(value: Any) -> datetime | None:
            if value is None:
                return None
            try:
                return datetime.fromisoformat(value + "+00:00")
            except (TypeError, ValueError):  # written some other way: an offset, a datetime
                parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
                return self.process_result_value(parsed, dialect)

        return to_utc


class StoredInstant(UTCDateTime):
    """An instant column: what is written must fall in MIN_YEAR..MAX_YEAR.

    A value compared with the column (a report's `--since 1800-01-01`) is bound
    as a plain UTCDateTime: only what is stored is checked."""

    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise OutOfRange(f"instant {value.isoformat()}: years {MIN_YEAR} to {MAX_YEAR} only")
        return super().process_bind_param(value, dialect)

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        return UTCDateTime()


class Count(TypeDecorator[int]):
    """A whole number from a CRM file (employees, score) that must fit an integer column."""

    impl = Integer
    cache_ok = True

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        if value is not None and not INT_MIN <= value <= INT_MAX:
            raise OutOfRange(f"{self.name} {value}: out of range ({INT_MIN} to {INT_MAX})")
        return value

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        return Integer()
