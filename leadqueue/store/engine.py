"""Opening a store: engine from a URL or path, SQLite pragmas, schema version.

Nothing connects at import time; `open_store` is the only door.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, exists, inspect, or_, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DataError,
    OperationalError,
    StatementError,
)

from leadqueue.store.column_types import OutOfRange
from leadqueue.store.migrations import MIGRATIONS, upgrade
from leadqueue.store.schema import (
    SCHEMA_VERSION,
    add_postgresql_options,
    clock_runs,
    events,
    leads,
    meta,
    metadata,
    reps,
)

BUSY_TIMEOUT_MS = 15_000
# SQLite keeps a page cache per connection, and the pool keeps a connection for
# each worker thread that ever overlapped another: at SQLite's default of 2 MiB
# these caches were the TUI's largest memory cost after its imports (3.5 MB
# of its peak in benchmarks/tui_bench.py). Reads get a small one: the file's
# pages stay in the OS page cache and come back in microseconds (a 120-row queue
# page takes ~0.2 ms more). A bulk write re-reads every page it had to spill
# (a 20,000-lead generate took 5% longer), so writes keep SQLite's default.
READ_CACHE_KIB = 256
WRITE_CACHE_KIB = 2_000


class StoreError(Exception):
    """A store cannot be opened or used; the message says which and why."""


# How a SQLite file is opened (SQLite's URI `mode`): "rwc" may create it, "rw"
# needs it to exist, "ro" only reads. "immutable" reads a file whose folder
# this process cannot write and beside which no write-ahead log exists: SQLite
# cannot create the shared-memory file a WAL reader needs there, and with no
# log the database file is all there is to read.
Access = Literal["rwc", "rw", "ro", "immutable"]
READ_ONLY: tuple[Access, ...] = ("ro", "immutable")


def to_url(db: str | Path) -> str:
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser()}"


def describe(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"{url!r} is neither a file path nor a database URL") from exc


def make_engine(url: str, access: Access = "rwc") -> Engine:
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite":
        add_postgresql_options()
        try:
            return create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            # The driver is an extra: SQLite users never install it.
            if parsed.get_backend_name() != "postgresql":
                raise
            hint = "" if parsed.get_driver_name() == "psycopg" else " and use a postgresql+psycopg:// URL"
            raise StoreError(
                f"cannot open store {describe(url)}: PostgreSQL support is not installed "
                f"(no module {exc.name!r}): pip install 'leadqueue[postgres]'{hint}"
            ) from exc
    database = parsed.database or ""
    if database and database != ":memory:":
        folder = Path(database).expanduser().resolve().parent
        if not folder.is_dir():
            raise StoreError(f"cannot open store {database}: folder {folder} does not exist")
        if access != "rwc":
            parsed = _sqlite_uri(Path(database).expanduser(), access)
    engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    _install_sqlite_hooks(engine, make_wal=access == "rwc")
    return engine


def _sqlite_uri(path: Path, access: Access) -> URL:
    """A SQLite URI filename for `path`: SQLite reads the mode from it, not from a flag."""
    option = {"immutable": "1"} if access == "immutable" else {"mode": access}
    return URL.create(
        "sqlite", database=f"file:{quote(str(path.resolve()))}", query={**option, "uri": "true"}
    )


def _install_sqlite_hooks(engine: Engine, make_wal: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, record: Any) -> None:
        # Let SQLAlchemy's begin hook (below) issue BEGIN, not pysqlite.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        # Only an open that may create a store sets the journal: every store it
        # made is WAL for good, and an open that must find a store changes
        # nothing in a file that turns out not to be one.
        if make_wal:
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
        cur.close()
        record.info["cache_kib"] = READ_CACHE_KIB

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write that starts DEFERRED and upgrades later can fail at once with
        # "database is locked"; IMMEDIATE takes the write lock up front and waits
        # on busy_timeout instead.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        info = conn.connection.info
        cache = WRITE_CACHE_KIB if mode == "IMMEDIATE" else READ_CACHE_KIB
        if info.get("cache_kib") != cache:  # only when a connection goes from reads to a write, or back
            conn.exec_driver_sql(f"PRAGMA cache_size = -{cache}")
            info["cache_kib"] = cache
        conn.exec_driver_sql(f"BEGIN {mode}")


class Store:
    def __init__(self, engine: Engine, url: str, read_only: bool = False) -> None:
        self.engine = engine
        self.url = url
        self.is_sqlite = engine.dialect.name == "sqlite"
        # Opened read-only: this process cannot write the file or its folder.
        self.read_only = read_only
        # open_store made a new store (an empty database became one).
        self.created = False
        # The SQLite file open_store made for it (none was there before).
        self.new_file: Path | None = None

    @property
    def label(self) -> str:
        return describe(self.url)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with _translate_errors(self.label), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction that commits whole or not at all."""
        with _translate_errors(self.label), self.engine.connect() as conn:
            if self.is_sqlite:
                conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()

    def remove_new_file(self) -> None:
        """Remove the SQLite file open_store made, with its logs: for a command that
        made it and then wrote nothing (a dry run, a refused import), so that no
        empty store is left where the next command would read an empty queue.
        A store that holds anything (this command's commit before a later failure,
        or another process's write meanwhile) is kept."""
        if self.new_file is None:
            return
        with self.read() as conn:
            holds = conn.execute(
                select(or_(*(exists().select_from(t) for t in (leads, reps, events, clock_runs))))
            ).scalar_one()
        if holds:
            return
        self.engine.dispose()
        for path in (self.new_file, *(Path(f"{self.new_file}{end}") for end in ("-wal", "-shm", "-journal"))):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self.new_file = None


@contextmanager
def _translate_errors(label: str) -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig) if exc.orig else str(exc)
        if "locked" in text or "busy" in text:
            raise StoreError(
                f"store {label} stayed locked by another program for {BUSY_TIMEOUT_MS // 1000}s; try again"
            ) from exc
        if "unable to open" in text:
            raise StoreError(f"cannot open store {label}: {text}") from exc
        if "readonly" in text:
            raise StoreError(
                f"store {label} is read-only (this user cannot write the file or its folder); "
                "nothing was written"
            ) from exc
        if exc.connection_invalidated or _is_connection_error(text):
            first = text.strip().splitlines()[0] if text.strip() else "no answer"
            raise StoreError(
                f"no connection to store {label} ({first}); nothing was written, try again once it is back"
            ) from exc
        raise StoreError(f"store {label}: {text}") from exc
    except DataError as exc:  # PostgreSQL: a number or instant its column cannot hold
        text = str(exc.orig) if exc.orig else str(exc)
        first = text.strip().splitlines()[0] if text.strip() else "value out of range"
        raise StoreError(f"store {label} cannot hold a value ({first}); nothing was written") from exc
    except DatabaseError as exc:
        text = str(exc.orig) if exc.orig else str(exc)
        if "not a database" in text or "malformed" in text:
            raise StoreError(f"{label} is not a leadqueue store (not a SQLite database, or corrupt)") from exc
        raise StoreError(f"store {label}: {text}") from exc
    except StatementError as exc:  # a value refused while binding (schema.OutOfRange)
        if isinstance(exc.orig, OutOfRange):
            raise StoreError(f"store {label} refuses {exc.orig}; nothing was written") from exc
        raise
    except OutOfRange as exc:  # refused by the bulk path, which binds its values itself
        raise StoreError(f"store {label} refuses {exc}; nothing was written") from exc
    except OverflowError as exc:
        # An instant past what Python holds (a clock computed from year 9999), or
        # an integer past SQLite's 64 bits: whatever wrote it, the transaction is
        # rolled back.
        raise StoreError(
            f"store {label} cannot hold a value out of range ({exc}); nothing was written"
        ) from exc


def _is_connection_error(text: str) -> bool:
    lowered = text.casefold()
    return any(
        words in lowered
        for words in (
            "connection refused",
            "connection failed",
            "server closed the connection",
            "terminating connection",
            "connection timeout",
            "could not connect",
            "no route to host",
            "connection is closed",
            "consuming input failed",
        )
    )


def open_store(db: str | Path, create: bool = True) -> Store:
    """Open a store; refuse a foreign or newer schema.

    With `create`, an empty database (or a file that is not there yet) becomes a
    new store. Without it, anything but an existing leadqueue store is "no
    leadqueue store at ...", and nothing is created: not a file, not a table. A
    SQLite file this process cannot write (or whose folder it cannot) is then
    opened read-only. The schema is checked in a read transaction, so opening
    waits for no writer; the write lock is taken only to create or upgrade."""
    url = to_url(db)
    parsed = _parse(url)
    label = describe(url)
    access: Access = "rwc"
    database = parsed.database or ""
    on_disk = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    file_was_there = on_disk and Path(database).expanduser().exists()
    if on_disk and not create:
        path = Path(database).expanduser()
        # SQLite takes a 0-byte file for an empty database; nobody means it as a store.
        if not path.is_file() or path.stat().st_size == 0:
            raise StoreError(f"no leadqueue store at {label}")
        access = "rw" if _writable(path) else _read_access(path)
    engine = make_engine(url, access)
    store = Store(engine, url, read_only=access in READ_ONLY)
    try:
        with store.read() as conn:
            found = _schema_version(conn, label)
        if found is None and not create:
            raise StoreError(f"no leadqueue store at {label}")
        if found is None or found < SCHEMA_VERSION:
            if store.read_only:
                raise StoreError(
                    f"{label} has schema version {found}, older than this leadqueue's ({SCHEMA_VERSION}), "
                    "and is read-only: open it once with write access to upgrade it"
                )
            with store.write() as conn:
                found = _schema_version(conn, label)  # another process may have been first
                if found is None:
                    metadata.create_all(conn)
                    conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
                    store.created = True
                    if on_disk and not file_was_there:
                        store.new_file = Path(database).expanduser()
                elif found < SCHEMA_VERSION:
                    upgrade(conn, found, SCHEMA_VERSION)
    except StoreError:
        engine.dispose()
        raise
    return store


def _writable(path: Path) -> bool:
    """Whether SQLite can open `path` for writing: the file, and the folder where
    it keeps its write-ahead log (unless the log files are there and writable)."""
    if not os.access(path, os.W_OK):
        return False
    if os.access(path.parent, os.W_OK | os.X_OK):
        return True
    logs = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    return all(p.exists() and os.access(p, os.W_OK) for p in logs)


def _read_access(path: Path) -> Access:
    """ "ro", unless a reader cannot make the shared-memory file it needs beside
    a WAL database (a read-only folder) and no log exists to be missed."""
    try:
        probe = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            probe.close()
    except sqlite3.OperationalError:
        if not Path(f"{path}-wal").exists():
            return "immutable"
    except sqlite3.DatabaseError:
        pass  # not a database: the open that follows says so
    return "ro"


def _schema_version(conn: Connection, label: str) -> int | None:
    """The store's schema version, or None for an empty database."""
    tables = _table_names(conn)
    if not tables:
        return None
    if "meta" not in tables or "events" not in tables:
        raise StoreError(f"{label} is a database but not a leadqueue store")
    row = conn.execute(_SCHEMA_VERSION).first()
    return check_version(row[0] if row else None, label)


# Plain text: opening a store is the start of every command and of the app,
# and compiling the Core statement or reflecting the tables cost more than
# running them (2.5 of the 3.6 ms an open took).
_SCHEMA_VERSION = text("SELECT value FROM meta WHERE key = 'schema_version'")


def _table_names(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        return set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
    return set(inspect(conn).get_table_names())


def check_version(found: str | None, label: str) -> int:
    if found is None or not found.isdigit():
        raise StoreError(f"{label} has no readable schema version ({found!r}); it is not a leadqueue store")
    version = int(found)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{label} has schema version {version}, newer than this leadqueue understands "
            f"({SCHEMA_VERSION}): upgrade leadqueue"
        )
    if version < min(MIGRATIONS, default=SCHEMA_VERSION):
        raise StoreError(f"{label} has schema version {version}, which has no migration to {SCHEMA_VERSION}")
    return version
