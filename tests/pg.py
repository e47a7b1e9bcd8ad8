"""A PostgreSQL schema of its own for each test, on the server CI provides.

The server is LEADQUEUE_TEST_PG (a SQLAlchemy URL), by default the one this
machine runs: 127.0.0.1:5432, trust auth, database `test`. Where none
answers, PostgreSQL tests are skipped and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import quote

import pytest

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    return os.environ.get("LEADQUEUE_TEST_PG", DEFAULT_PG)


@cache
def unavailable() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when they can."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    try:
        with psycopg.connect(_conninfo(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"no PostgreSQL server at {server_url()}: {str(exc).strip().splitlines()[0]}"


def _conninfo() -> str:
    from sqlalchemy.engine import make_url

    u = make_url(server_url())
    host, port, user = u.host or "127.0.0.1", u.port or 5432, u.username or "postgres"
    return f"host={host} port={port} user={user} dbname={u.database}"


def with_schema(schema: str) -> str:
    """The server URL with every connection's search_path set to `schema`."""
    joiner = "&" if "?" in server_url() else "?"
    # application_name lets a test find (and drop) exactly this schema's connections
    return f"{server_url()}{joiner}options={quote(f'-csearch_path={schema}')}&application_name={schema}"


@contextmanager
def pg_schema() -> Iterator[str]:
    """A new empty schema; yields a store URL on it; drops it afterwards."""
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"lq_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_schema(schema)
    finally:
        with psycopg.connect(_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
