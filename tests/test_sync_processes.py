"""Four real `leadqueue sync` processes into one folder, SIGKILLed at random
moments and run again, then every event is checked to be present exactly once."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.policy import Policy
from leadqueue.domain.records import encode, to_record
from leadqueue.services.context import Services
from leadqueue.services.maintenance import rebuild_projections
from leadqueue.store import outbox
from leadqueue.store import repository as repo
from leadqueue.store.engine import open_store
from leadqueue.store.schema import ORIGIN_LOCAL, events, reps, sync_pins
from leadqueue.sync.segments import TEMP_SUFFIX, SharedFolder
from tests.conftest import NOW
from tests.factories import add_lead

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL needs a POSIX system")

WRITERS = 4
LEADS = 250
EVENTS_PER_LEAD = 4  # 1,000 events per writer
KILLS_PER_WRITER = 5
SEGMENT_EVENTS = 20  # small segments: many places for a kill to land


def build_writer_store(template: Path, path: Path, w: int) -> set[str]:
    """A rep's store with 1,000 local, unpublished events; returns their ids."""
    shutil.copy(template, path)
    services = Services(store=open_store(path), policy=Policy(), clock=FixedClock(NOW))
    rep = f"rep{w}"
    ids: set[str] = set()
    with services.store.write() as conn:
        repo.ensure_reps(conn, {rep: rep})
        lead_ids = repo.ids_for(conn, [f"L{i:05d}" for i in range(LEADS)])
        for i in range(LEADS):
            at = NOW + timedelta(seconds=i)
            if i % WRITERS == w:  # this rep's own leads: real decisions
                kinds = [EventKind.VIEWED, EventKind.ACCEPTED, EventKind.TOUCHED, EventKind.CONVERSATION]
            else:  # the others' leads: what a team lead may do on any lead (every rep here is one)
                kinds = [
                    EventKind.ESCALATED,
                    EventKind.ACKNOWLEDGED,
                    EventKind.ESCALATED,
                    EventKind.ACKNOWLEDGED,
                ]
            for n, kind in enumerate(kinds):
                payload: dict[str, object] = {}
                if kind is EventKind.ACCEPTED:
                    payload = {
                        "next_step": "call",
                        "due": (at + timedelta(hours=2)).isoformat(),
                        "note": 'é, "q"\n=',
                    }
                elif kind in (EventKind.TOUCHED, EventKind.CONVERSATION):
                    payload = {"channel": "call"}
                event = Event(kind=kind, actor=rep, at=at + timedelta(milliseconds=n), payload=payload)
                # as DecisionService records a local event: the row, then its line in the outbox
                seq = repo.insert_event(conn, repo.event_values(lead_ids[f"L{i:05d}"], event, ORIGIN_LOCAL))
                outbox.add_line(conn, seq, encode(to_record(f"L{i:05d}", event)))
                ids.add(event.event_id)
        rebuild_projections(services, conn)
    services.store.dispose()
    return ids


def sync_command(db: Path, share: Path, rep: str) -> list[str]:
    return [
        sys.executable, "-m", "leadqueue", "sync",
        "--db", str(db), "--export-dir", str(share), "--as", rep, "--segment-events", str(SEGMENT_EVENTS),
    ]  # fmt: skip


def own_segments(share: Path, rep: str) -> int:
    """Segments this writer has renamed into place so far (its folder is named after the rep)."""
    folders = (share / "leadqueue-events").glob(f"{rep}-*")
    return sum(1 for folder in folders for p in folder.iterdir() if p.suffix == ".jsonl")


def chaos(db: Path, share: Path, rep: str, seed: int, log: list[str], kills: list[int]) -> None:
    """Start the sync, SIGKILL it mid-way, again and again; then let one finish.

    While this writer still has events to publish, the kill comes after a random
    number of its segments has appeared (so it lands between two segments, or
    inside one); once all are out, at a random moment of the pull.
    """
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    total = LEADS * EVENTS_PER_LEAD // SEGMENT_EVENTS  # this writer's segments in all
    for _ in range(KILLS_PER_WRITER):
        before = own_segments(share, rep)
        proc = subprocess.Popen(
            sync_command(db, share, rep), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        started = time.monotonic()
        after = before + rng.randint(1, 6)
        pull_for = rng.uniform(0.2, 1.5)
        while proc.poll() is None:
            # polling another process's progress, not waiting on our own code
            publishing = before < total
            if (publishing and own_segments(share, rep) >= after) or (
                not publishing and time.monotonic() - started > 0.5 + pull_for
            ):
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills.append(1)
                break
            time.sleep(0.002)
        proc.communicate()
    done = subprocess.run(sync_command(db, share, rep), capture_output=True, text=True, env=env, timeout=300)
    log.append(f"{rep}: rc={done.returncode} {done.stdout.strip()} {done.stderr.strip()}")


def test_four_writers_killed_at_random_still_publish_every_event_exactly_once(tmp_path: Path) -> None:
    template = tmp_path / "template.db"
    base = Services(store=open_store(template), policy=Policy(), clock=FixedClock(NOW))
    for i in range(LEADS):
        add_lead(base, f"L{i:05d}", rep=f"rep{i % WRITERS}", assigned_at=NOW - timedelta(hours=1))
    # Every store takes in only what the roster says its writer's rep may do: each rep
    # acts on others' leads as a team lead, and the team store syncs as one too.
    with base.store.write() as conn:
        repo.ensure_reps(conn, {"lead": "Lead"})
        conn.execute(update(reps).values(role="lead"))
    base.store.dispose()
    share = tmp_path / "share"
    share.mkdir()
    dbs = [tmp_path / f"rep{w}.db" for w in range(WRITERS)]
    expected: set[str] = set()
    for w, db in enumerate(dbs):
        mine = build_writer_store(template, db, w)
        assert len(mine) == LEADS * EVENTS_PER_LEAD
        expected |= mine

    log: list[str] = []
    kills: list[int] = []
    threads = [
        threading.Thread(target=chaos, args=(db, share, f"rep{w}", 1000 + w, log, kills))
        for w, db in enumerate(dbs)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all("rc=0" in line for line in log), log
    # Nothing a killed run left behind is refused or skipped by the others: every segment is signed whole.
    assert not any("refused" in line or "skipped" in line for line in log), log
    assert kills, "no run was killed mid-way: the test proved nothing"
    # One more round each, so every store pulls what the others finished last.
    for w, db in enumerate(dbs):
        subprocess.run(sync_command(db, share, f"rep{w}"), check=True, capture_output=True, timeout=300)
    assert time.monotonic() - started < 600

    # The folder: every event exactly once, no temporary file left, nothing torn.
    folder = SharedFolder(share)
    published = [r["event_id"] for ref in folder.segments() for r in folder.read_segment(ref)]
    assert len(published) == len(set(published)) == len(expected)
    assert set(published) == expected
    assert not list(share.rglob(f"*{TEMP_SUFFIX}"))
    # Each writer signed all its segments with one key, its store's, and wrote as its own rep.
    headers = [json.loads(ref.path.read_bytes().split(b"\n", 1)[0]) for ref in folder.segments()]
    by_writer: dict[str, set[tuple[str, str]]] = {}
    for header in headers:
        by_writer.setdefault(header["writer"], set()).add((header["key"], header["rep"]))
    assert sorted(rep for pairs in by_writer.values() for _, rep in pairs) == [
        f"rep{w}" for w in range(WRITERS)
    ]

    # Every store: its outbox empty, and all 4,000 events held exactly once.
    for db in dbs:
        store = open_store(db)
        with store.read() as conn:
            assert outbox.unsent_count(conn) == 0
            ids = [r[0] for r in conn.execute(select(events.c.event_id).where(events.c.origin != "import"))]
            assert len(ids) == len(set(ids)) == len(expected)
            assert set(ids) == expected
            accepted = conn.execute(
                select(func.count()).select_from(events).where(events.c.kind == "accepted")
            ).scalar_one()
            assert accepted == LEADS
            pinned = conn.execute(select(sync_pins.c.writer, sync_pins.c.public_key)).all()
            assert {(w, k) for w, k in pinned} <= {(w, k) for w, pairs in by_writer.items() for k, _ in pairs}
            assert len(pinned) == WRITERS - 1  # every other writer, on first sight
        store.dispose()

    # A team lead's fresh store pulls the whole team, and a second pull adds nothing.
    team = tmp_path / "team.db"
    shutil.copy(template, team)
    first = subprocess.run(sync_command(team, share, "lead"), capture_output=True, text=True, check=True)
    assert f"received {len(expected)}," in first.stdout
    again = subprocess.run(sync_command(team, share, "lead"), capture_output=True, text=True, check=True)
    assert "sent 0, received 0, already present 0" in again.stdout
