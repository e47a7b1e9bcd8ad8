"""Sync through a shared folder: exactly once, whatever happens to a run."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Reject, Touch
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.store import outbox
from leadqueue.store.engine import open_store
from leadqueue.store.schema import events, outbox_lines
from leadqueue.sync.segments import FolderUnreachable, SharedFolder
from leadqueue.sync.service import SyncService
from tests.conftest import NOW
from tests.factories import add_lead


def make_store(path: Path, leads: int = 6) -> Services:
    services = Services(store=open_store(path), policy=Policy(), clock=FixedClock(NOW))
    for i in range(leads):
        add_lead(services, f"00Q00000000000{i}", rep="ana", assigned_at=NOW - timedelta(minutes=30))
    return services


def copy_store(src: Services, path: Path) -> Services:
    src.store.engine.dispose()
    shutil.copy(src.store.label, path)
    return Services(store=open_store(path), policy=Policy(), clock=FixedClock(NOW))


def accept(services: Services, crm_id: str, actor: str = "ana") -> None:
    decision = Accept(next_step="call", due=NOW + timedelta(hours=3), note="Call about routing")
    DecisionService(services).accept(crm_id, actor, decision)


def folder_event_ids(root: Path) -> list[str]:
    ids = []
    folder = SharedFolder(root)
    for ref in folder.segments():
        ids += [r["event_id"] for r in folder.read_segment(ref)]
    return ids


def event_ids(services: Services) -> list[str]:
    with services.store.read() as conn:
        return [r[0] for r in conn.execute(select(events.c.event_id))]


def unsent(services: Services) -> int:
    with services.store.read() as conn:
        return outbox.unsent_count(conn)


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Services, Services]:
    a = make_store(tmp_path / "a.db")
    b = copy_store(a, tmp_path / "b.db")
    a = Services(store=open_store(tmp_path / "a.db"), policy=Policy(), clock=FixedClock(NOW))
    return a, b


def test_decisions_wait_in_the_outbox_and_reach_the_other_store(
    pair: tuple[Services, Services], share: Path
) -> None:
    a, b = pair
    accept(a, "00Q000000000000")
    DecisionService(a).reject("00Q000000000001", "ana", Reject(reason="R3"))
    assert unsent(a) == 2

    sent = SyncService(a, share, "ana").run()
    assert (sent.sent, sent.received, sent.unsent) == (2, 0, 0)
    got = SyncService(b, share, "lead").run()
    assert (got.sent, got.received, got.already_present) == (0, 2, 0)

    with b.store.read() as conn:
        rows = conn.execute(select(events.c.kind, events.c.origin).where(events.c.origin != "import"))
        origins = {r.kind: r.origin for r in rows}
    assert set(origins) == {"accepted", "rejected"}
    assert origins["accepted"].startswith("ana-")  # the publishing writer
    assert unsent(b) == 0  # pulled events are never published again
    from leadqueue.store.repository import find_lead

    with b.store.read() as conn:
        assert find_lead(conn, "00Q000000000000").state == "accepted"
        assert find_lead(conn, "00Q000000000001").state == "rejected"


def test_running_the_same_sync_twice_changes_nothing(pair: tuple[Services, Services], share: Path) -> None:
    a, b = pair
    accept(a, "00Q000000000000")
    SyncService(a, share, "ana").run()
    SyncService(b, share, "lead").run()
    files = sorted(p.name for p in share.rglob("*"))
    again_a = SyncService(a, share, "ana").run()
    again_b = SyncService(b, share, "lead").run()
    assert (again_a.sent, again_a.received, again_b.sent, again_b.received) == (0, 0, 0, 0)
    assert sorted(p.name for p in share.rglob("*")) == files
    assert len(event_ids(b)) == len(set(event_ids(b)))


def test_an_unreachable_folder_keeps_events_in_the_outbox_until_it_returns(
    pair: tuple[Services, Services], tmp_path: Path
) -> None:
    a, _ = pair
    accept(a, "00Q000000000000")
    offline = tmp_path / "mnt" / "share"  # the share is not mounted
    with pytest.raises(FolderUnreachable, match="not reachable"):
        SyncService(a, offline, "ana").run()
    assert unsent(a) == 1
    assert not offline.exists()  # never created on the local disk
    offline.mkdir(parents=True)
    assert SyncService(a, offline, "ana").run().sent == 1
    assert unsent(a) == 0


def test_a_run_killed_after_the_rename_is_recovered_without_writing_twice(
    pair: tuple[Services, Services], share: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = pair
    for i in range(3):
        accept(a, f"00Q00000000000{i}")

    def die(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # stands in for SIGKILL between rename and commit

    monkeypatch.setattr(outbox, "record_file", die)
    with pytest.raises(KeyboardInterrupt):
        SyncService(a, share, "ana").run()
    monkeypatch.undo()
    assert unsent(a) == 3  # the commit never happened
    assert len(folder_event_ids(share)) == 3  # but the segment is in place

    rerun = SyncService(a, share, "ana").run()
    assert (rerun.sent, rerun.recovered_segments, rerun.unsent) == (0, 1, 0)
    assert len(folder_event_ids(share)) == 3
    assert SyncService(b, share, "lead").run().received == 3


def test_stale_temporary_files_of_a_crashed_writer_are_removed(
    pair: tuple[Services, Services], share: Path
) -> None:
    a, _ = pair
    accept(a, "00Q000000000000")
    SyncService(a, share, "ana").run()
    with a.store.read() as conn:
        writer = outbox.writer_id(conn)
    own = share / "leadqueue-events" / writer / ".000000000009-000000000010.jsonl.123.abcd.tmp"
    own.write_text('{"leadqueue_segment":1,"writer":"x","count":5}\n{"event_id": "half', encoding="utf-8")
    assert SyncService(a, share, "ana").run().stale_temps_removed == 1
    assert not own.exists()


def test_a_torn_or_foreign_file_is_reported_and_read_again_later(
    pair: tuple[Services, Services], share: Path
) -> None:
    a, b = pair
    accept(a, "00Q000000000000")
    SyncService(a, share, "ana").run()
    (segment,) = SharedFolder(share).segments()
    whole = segment.path.read_bytes()
    segment.path.write_bytes(whole[: len(whole) // 2])  # a share that broke rename atomicity
    torn = SyncService(b, share, "lead").run()
    assert torn.received == 0
    assert len(torn.bad_segments) == 1 and segment.name in torn.bad_segments[0]
    segment.path.write_bytes(whole)
    assert SyncService(b, share, "lead").run().received == 1


def test_events_for_a_lead_this_store_lacks_wait_for_its_import(tmp_path: Path, share: Path) -> None:
    a = make_store(tmp_path / "a.db", leads=2)
    add_lead(a, "00Q0000000000NEW", rep="ana")
    accept(a, "00Q0000000000NEW")
    b = make_store(tmp_path / "b.db", leads=2)
    SyncService(a, share, "ana").run()
    first = SyncService(b, share, "lead").run()
    assert (first.received, first.waiting_for_lead) == (0, 1)
    assert "waiting for a lead" in first.line()
    add_lead(b, "00Q0000000000NEW", rep="ana")
    later = SyncService(b, share, "lead").run()
    assert (later.received, later.waiting_for_lead) == (1, 0)
    from leadqueue.store.repository import find_lead

    with b.store.read() as conn:
        assert find_lead(conn, "00Q0000000000NEW").state == "accepted"


def test_conflicting_decisions_keep_the_first_to_arrive(pair: tuple[Services, Services], share: Path) -> None:
    a, b = pair
    accept(a, "00Q000000000000")  # the rep accepts ...
    DecisionService(b).reject("00Q000000000000", "ben", Reject(reason="R4"))  # ... while someone rejects
    SyncService(a, share, "ana").run()
    result = SyncService(b, share, "lead").run()
    assert (result.received, result.conflicts) == (1, 1)
    from leadqueue.store.repository import find_lead

    with b.store.read() as conn:
        assert find_lead(conn, "00Q000000000000").state == "rejected"  # b had its own decision first
        kinds = [r[0] for r in conn.execute(select(events.c.kind).order_by(events.c.seq))]
    assert kinds.count("accepted") == 1  # the history keeps both


def test_reassignment_to_an_unknown_rep_creates_the_rep(pair: tuple[Services, Services], share: Path) -> None:
    a, b = pair
    from leadqueue.store.repository import ensure_reps

    with a.store.write() as conn:
        ensure_reps(conn, {"zoe": "Zoe"})
    DecisionService(a).reassign("00Q000000000002", "lead", "zoe")
    SyncService(a, share, "lead").run()
    SyncService(b, share, "ana").run()
    from leadqueue.store.repository import find_lead

    with b.store.read() as conn:
        assert find_lead(conn, "00Q000000000002").owner == "zoe"


def test_a_touch_after_sync_goes_out_in_a_new_segment(pair: tuple[Services, Services], share: Path) -> None:
    a, b = pair
    accept(a, "00Q000000000000")
    SyncService(a, share, "ana").run()
    DecisionService(a).touch("00Q000000000000", "ana", Touch(channel="call"))
    assert SyncService(a, share, "ana").run().sent == 1
    assert len(SharedFolder(share).segments()) == 2
    SyncService(b, share, "lead").run()
    with b.store.read() as conn:
        n = conn.execute(
            select(func.count()).select_from(events).where(events.c.kind == "touched")
        ).scalar_one()
    assert n == 1
    lines = [
        json.loads(x) for ref in SharedFolder(share).segments() for x in ref.path.read_text().splitlines()
    ]
    assert all(set(x) >= {"event_id", "lead_id", "kind", "actor", "at"} for x in lines if "count" not in x)


def back_to_version_3(services: Services, keep_line_of: set[str]) -> None:
    """Give a store the shape version 3 had: lines in `events.record`, where
    only the events in keep_line_of have one (the others were recorded before
    version 2 kept lines)."""
    with services.store.write() as conn:
        conn.execute(text("ALTER TABLE events ADD COLUMN record TEXT"))
        for event_id in keep_line_of:
            conn.execute(
                text(
                    "UPDATE events SET record = (SELECT line FROM outbox_lines o WHERE o.seq = events.seq)"
                    " WHERE event_id = :id"
                ),
                {"id": event_id},
            )
        conn.execute(text("CREATE INDEX ix_events_outbox ON events (seq) WHERE origin = 'local'"))
        conn.execute(text("DROP TABLE outbox_lines"))
        conn.execute(text("UPDATE meta SET value = '3' WHERE key = 'schema_version'"))
    services.store.dispose()


def test_an_upgraded_store_publishes_its_unsent_lines_as_they_were_encoded(
    pair: tuple[Services, Services], share: Path
) -> None:
    a, b = pair
    for i in range(3):
        accept(a, f"00Q00000000000{i}")
    with a.store.read() as conn:
        joined = select(events.c.event_id, outbox_lines.c.line).join(
            outbox_lines, outbox_lines.c.seq == events.c.seq
        )
        kept = {r.event_id: r.line for r in conn.execute(joined)}
    assert len(kept) == 3
    back_to_version_3(a, keep_line_of=set(sorted(kept)[:1]))

    upgraded = Services(store=open_store(a.store.url), policy=Policy(), clock=FixedClock(NOW))
    with upgraded.store.read() as conn:
        assert "record" not in {c["name"] for c in inspect(conn).get_columns("events")}
        assert outbox.backfill_owed(conn)  # two events have no line yet
        assert outbox.unsent_count(conn) == 1
    assert SyncService(upgraded, share, "ana").run().sent == 3
    (segment,) = SharedFolder(share).segments()
    published = segment.path.read_text(encoding="utf-8").splitlines()[1:]
    assert sorted(published) == sorted(kept.values())  # encoded at upgrade exactly as when recorded
    with upgraded.store.read() as conn:
        assert not outbox.backfill_owed(conn)
    assert SyncService(b, share, "lead").run().received == 3
    upgraded.store.dispose()


def test_segments_hold_their_lines_in_the_order_the_events_were_recorded(
    pair: tuple[Services, Services], share: Path
) -> None:
    a, _ = pair
    decide = DecisionService(a)
    for round_ in range(4):  # interleaved across leads, so seq order is not lead order
        for i in range(6):
            if round_ == 0:
                accept(a, f"00Q00000000000{i}")
            else:
                decide.touch(f"00Q00000000000{i}", "ana", Touch(channel="call", note=f"try {round_}"))
    assert SyncService(a, share, "ana", segment_events=7).run().sent == 24
    with a.store.read() as conn:
        seq_of = dict(conn.execute(select(events.c.event_id, events.c.seq)).all())
    folder = SharedFolder(share)
    published = [seq_of[r["event_id"]] for ref in folder.segments() for r in folder.read_segment(ref)]
    assert len(published) == 24 and published == sorted(published)
