from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.store.engine import Store, open_store
from tests.pg import pg_schema

# The sync tests' `share` and `pair` fixtures (a test file's own fixture of that name wins).
pytest_plugins = ["tests.sync_helpers"]

# A Friday afternoon in New York (20:00 UTC = 15:00 EST).
NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the developer's real config, data or logs."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LEADQUEUE_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("LEADQUEUE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("LEADQUEUE_LOG_DIR", str(home / "log"))
    monkeypatch.delenv("LEADQUEUE_NOW", raising=False)


@pytest.fixture(autouse=True)
def _no_inherited_terminal_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest-xdist's workers run with COLUMNS=80 and LINES=24 set; an app a test
    starts in a real terminal (tmux) would take them for its size."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every test on a store runs on SQLite and on PostgreSQL (a schema of its own)."""
    if request.param == "sqlite":
        s = open_store(tmp_path / "store.db")
        yield s
        s.dispose()
        return
    with pg_schema() as url:
        s = open_store(url)
        yield s
        s.dispose()


@pytest.fixture
def services(store: Store, clock: FixedClock) -> Services:
    return Services(store=store, policy=Policy(), clock=clock)
