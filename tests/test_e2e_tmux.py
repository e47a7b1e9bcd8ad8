"""End to end: the real `leadqueue` command in tmux, driven by keystrokes.

Polls the screen with capture-pane (bounded, no fixed sleeps) and checks the
store after quitting.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from leadqueue.cli.demo_command import fresh_demo_copy
from leadqueue.domain.clock import FixedClock
from tests.tui.conftest import FROZEN

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)"
)
LEADQUEUE = str(Path(sys.executable).with_name("leadqueue"))


def wait_for(
    check: Callable[[], bool], what: str, timeout: float = 30.0, screen: Callable[[], str] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)  # polling an external process, not waiting on our own UI
    shown = f"; the screen showed:\n{screen()}" if screen else ""
    raise AssertionError(f"timed out waiting for {what}{shown}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[tuple[str, Callable[[], str]]]:
    socket = str(tmp_path / "tmux.sock")

    def capture() -> str:
        done = subprocess.run(
            ["tmux", "-S", socket, "capture-pane", "-p", "-t", "lq"], capture_output=True, text=True
        )
        # The session ends with the app: once it has quit there is no pane to capture.
        return done.stdout if done.returncode == 0 else ""

    yield socket, capture
    subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True)


def test_accept_a_lead_by_keystrokes(tmp_path: Path, tmux: tuple[str, Callable[[], str]]) -> None:
    socket, screen = tmux
    db = fresh_demo_copy(FixedClock(FROZEN), tmp_path / "e2e.db")
    env = {
        **os.environ,
        "LEADQUEUE_NOW": FROZEN.isoformat(),
        "LEADQUEUE_CONFIG_DIR": str(tmp_path / "cfg"),
        "LEADQUEUE_DATA_DIR": str(tmp_path / "data"),
        "LEADQUEUE_LOG_DIR": str(tmp_path / "log"),
        "TERM": "xterm-256color",
    }
    command = f"{LEADQUEUE} --db {db} --as ana"
    subprocess.run(
        ["tmux", "-S", socket, "new-session", "-d", "-s", "lq", "-x", "120", "-y", "40", command],
        check=True,
        env=env,
    )

    def keys(*k: str) -> None:
        subprocess.run(["tmux", "-S", socket, "send-keys", "-t", "lq", *k], check=True)

    wait_for(lambda: "Decide (" in screen() and "BREACHED" in screen(), "the queue to paint", screen=screen)
    first = next(line for line in screen().splitlines() if line.startswith("▶"))
    keys("a")
    wait_for(lambda: "Accept —" in screen(), "the accept form", screen=screen)
    keys("-l", "tomorrow 10:00")
    wait_for(lambda: "Sat 21 Nov 10:00" in screen(), "the resolved time", screen=screen)
    keys("Tab")
    keys("-l", "Call about pricing")
    wait_for(lambda: "Call about pricing" in screen(), "the note to be typed", screen=screen)
    keys("C-s")

    def accepted() -> bool:
        with sqlite3.connect(db) as raw:  # WAL: reads beside the app's writes
            query = "SELECT 1 FROM events WHERE kind = 'accepted' AND actor = 'ana' AND at >= ?"
            return bool(raw.execute(query, (FROZEN.strftime("%Y-%m-%d %H:%M"),)).fetchone())

    # The toast may come and go between two looks at a loaded machine; the store is the proof.
    wait_for(lambda: "Accepted" in screen() or accepted(), "the decision to be saved", screen=screen)
    keys("q")
    wait_for(lambda: "Decide (" not in screen(), "the app to quit", timeout=15)

    name = first[6:23].strip()
    with sqlite3.connect(db) as raw:
        rows = raw.execute(
            "SELECT l.first_name || ' ' || l.last_name, e.payload "
            "FROM events e JOIN leads l ON l.id = e.lead_id "
            "WHERE e.kind = 'accepted' AND e.actor = 'ana' AND e.at >= ?",
            (FROZEN.strftime("%Y-%m-%d %H:%M"),),
        ).fetchall()
    assert len(rows) == 1
    assert rows[0][0].startswith(name.rstrip("…").strip())
    assert '"note": "Call about pricing"' in rows[0][1]
    assert '"due": "2026-11-21T15:00:00+00:00"' in rows[0][1]
