from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadqueue.cli.demo_command import fresh_demo_copy
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.settings.config import UserConfig
from leadqueue.store.engine import open_store
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens import queue as queue_screen

# A Friday afternoon in New York; the demo copy is shifted to it.
FROZEN = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_wall_clock_viewing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lead highlighted for 1.5 s of real time counts as viewed and records an
    event: on a loaded machine that lands in the middle of a test and changes what
    it counts. Tests that mean to view a lead call `record_viewed` themselves."""
    monkeypatch.setattr(queue_screen, "VIEWED_AFTER", 24 * 3600)


@pytest.fixture
def demo_services(tmp_path: Path) -> Iterator[Services]:
    clock = FixedClock(FROZEN)
    path = fresh_demo_copy(clock, tmp_path / "demo.db")
    store = open_store(path)
    yield Services(store=store, policy=Policy(), clock=clock)
    store.dispose()


def make_app(
    services: Services, actor: str | None = "ana", owner: str | None = "ana", config: UserConfig | None = None
) -> LeadqueueApp:
    return LeadqueueApp(
        services, actor=actor, owner=owner, config=config or UserConfig(), persist=False, cursor_blink=False
    )


@pytest.fixture
def app(demo_services: Services) -> LeadqueueApp:
    return make_app(demo_services)
