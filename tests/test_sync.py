"""Sync through a shared folder: exactly once, whatever happens to a run."""

from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select, text

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Reject, Touch
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.services.roster import RosterService
from leadqueue.store import outbox
from leadqueue.store.engine import open_store
from leadqueue.store.schema import events
from leadqueue.sync import keys, segments
from leadqueue.sync.segments import FolderUnreachable, SharedFolder
from leadqueue.sync.service import SyncService
from tests.conftest import NOW
from tests.factories import add_lead, add_team_lead


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


def die_after_the_rename(folder: Path) -> None:
    """Stands in for SIGKILL between the segment's rename and the store's commit."""
    raise KeyboardInterrupt


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

    # Not monkeypatch.undo(): that would also undo the test's own data dir, where the key is.
    with monkeypatch.context() as m, pytest.raises(KeyboardInterrupt):
        m.setattr(segments, "fsync_dir", die_after_the_rename)
        SyncService(a, share, "ana").run()
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
    DecisionService(b).reject("00Q000000000000", "ana", Reject(reason="R4"))  # ... and rejects elsewhere
    SyncService(a, share, "ana").run()
    # Two stores publishing as ana: a rep has one key, so b takes in a's only once
    # its roster says a's key is ana's (sync.trust).
    with a.store.read() as conn:
        a_key = keys.current_key(conn)
    assert a_key is not None
    RosterService(b).set("ana", {"sync_key": a_key.public})
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
    add_team_lead(a.store)  # only a team lead reassigns
    add_team_lead(b.store)
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


def recorded_lines(services: Services) -> dict[str, str]:
    """Each unpublished local event's line in the outbox, by event id."""
    with services.store.read() as conn:
        line_of = dict(outbox.unsent_lines(conn))
        return {
            event_id: line_of[seq].decode("utf-8").removesuffix("\n")
            for event_id, seq in conn.execute(select(events.c.event_id, events.c.seq).order_by(events.c.seq))
            if seq in line_of
        }


def back_to_version_3(services: Services, keep_line_of: set[str]) -> None:
    """Give a store the shape version 3 had: lines in `events.record`, where
    only the events in keep_line_of have one (the others were recorded before
    version 2 kept lines)."""
    lines = recorded_lines(services)
    with services.store.write() as conn:
        conn.execute(text("ALTER TABLE events ADD COLUMN record TEXT"))
        for event_id in keep_line_of:
            conn.execute(
                text("UPDATE events SET record = :line WHERE event_id = :id"),
                {"line": lines[event_id], "id": event_id},
            )
        conn.execute(text("CREATE INDEX ix_events_outbox ON events (seq) WHERE origin = 'local'"))
        conn.execute(text("DROP TABLE outbox_chunks"))
        conn.execute(text("UPDATE meta SET value = '3' WHERE key = 'schema_version'"))
    services.store.dispose()


def back_to_version_4(services: Services) -> None:
    """Give a store the shape version 4 had: a row per unpublished line in `outbox_lines`."""
    with services.store.write() as conn:
        lines = outbox.unsent_lines(conn)
        conn.execute(text("CREATE TABLE outbox_lines (seq INTEGER PRIMARY KEY, line TEXT NOT NULL)"))
        for seq, line in lines:
            conn.execute(
                text("INSERT INTO outbox_lines VALUES (:seq, :line)"),
                {"seq": seq, "line": line.decode("utf-8").removesuffix("\n")},
            )
        conn.execute(text("DROP TABLE outbox_chunks"))
        conn.execute(text("UPDATE meta SET value = '4' WHERE key = 'schema_version'"))
    services.store.dispose()


def test_an_upgraded_store_publishes_its_unsent_lines_as_they_were_encoded(
    pair: tuple[Services, Services], share: Path
) -> None:
    a, b = pair
    for i in range(3):
        accept(a, f"00Q00000000000{i}")
    kept = recorded_lines(a)
    assert len(kept) == 3
    back_to_version_3(a, keep_line_of=set(sorted(kept)[:1]))

    upgraded = Services(store=open_store(a.store.url), policy=Policy(), clock=FixedClock(NOW))
    with upgraded.store.read() as conn:
        assert "record" not in {c["name"] for c in inspect(conn).get_columns("events")}
        assert outbox.read_meta(conn, outbox.OUTBOX_BACKFILL) == "1"  # two events have no line yet
        assert outbox.unsent_count(conn) == 1
    assert SyncService(upgraded, share, "ana").run().sent == 3
    (segment,) = SharedFolder(share).segments()
    published = segment.path.read_text(encoding="utf-8").splitlines()[1:]
    assert sorted(published) == sorted(kept.values())  # encoded at upgrade exactly as when recorded
    with upgraded.store.read() as conn:
        assert outbox.read_meta(conn, outbox.OUTBOX_BACKFILL) == "0"
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


def many_events(services: Services, rounds: int) -> int:
    """An accept for each of the six leads, then `rounds` touches of each, interleaved."""
    decide = DecisionService(services)
    for i in range(6):
        accept(services, f"00Q00000000000{i}")
    for round_ in range(rounds):
        for i in range(6):
            decide.touch(f"00Q00000000000{i}", "ana", Touch(channel="call", note=f"try {round_}"))
    return 6 * (rounds + 1)


def outbox_rows(services: Services) -> list[int]:
    """The number of lines in each outbox row, in order."""
    with services.store.read() as conn:
        return list(conn.execute(text("SELECT n_lines FROM outbox_chunks ORDER BY first_seq")).scalars())


def published_seqs(services: Services, share: Path) -> list[int]:
    with services.store.read() as conn:
        seq_of = dict(conn.execute(select(events.c.event_id, events.c.seq)).all())
    folder = SharedFolder(share)
    return [seq_of[r["event_id"]] for ref in folder.segments() for r in folder.read_segment(ref)]


def test_a_backlog_is_kept_in_sealed_runs_and_cut_into_segments_at_any_line(
    pair: tuple[Services, Services], share: Path
) -> None:
    a, b = pair
    made = many_events(a, 20)  # 126 lines: one sealed run of 64, then 62 single lines
    assert outbox_rows(a) == [outbox.SEAL_LINES] + [1] * (made - outbox.SEAL_LINES)
    assert unsent(a) == made
    summary = SyncService(a, share, "ana", segment_events=50).run()
    assert (summary.sent, summary.unsent) == (made, 0)
    folder = SharedFolder(share)
    assert [len(folder.read_segment(ref)) for ref in folder.segments()] == [50, 50, 26]
    published = published_seqs(a, share)
    assert len(published) == made and published == sorted(published) == sorted(set(published))
    assert unsent(a) == 0 and sum(outbox_rows(a)) == made  # published lines are kept, as the events are
    assert SyncService(b, share, "lead").run().received == made


def test_a_killed_run_whose_segment_ends_inside_a_sealed_run_is_recovered_exactly_once(
    pair: tuple[Services, Services], share: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = pair
    made = many_events(a, 12)  # 78 lines: a sealed run of 64 and 14 single lines
    with monkeypatch.context() as m, pytest.raises(KeyboardInterrupt):
        m.setattr(segments, "fsync_dir", die_after_the_rename)
        SyncService(a, share, "ana", segment_events=40).run()  # its segment ends at line 40 of 64
    assert unsent(a) == made and len(folder_event_ids(share)) == 40
    rerun = SyncService(a, share, "ana").run()
    assert (rerun.recovered_segments, rerun.sent, rerun.unsent) == (1, made - 40, 0)
    published = published_seqs(a, share)
    assert len(published) == made and published == sorted(set(published))
    assert SyncService(b, share, "lead").run().received == made


def test_the_watermark_inside_a_run_leaves_only_its_later_lines_unsent(
    pair: tuple[Services, Services], share: Path
) -> None:
    a, _ = pair
    made = many_events(a, 12)
    with a.store.write() as conn:
        sealed_seqs = outbox.unpack_seqs(
            conn.execute(text("SELECT seqs FROM outbox_chunks")).scalars().first()
        )
        outbox.mark_published(conn, sealed_seqs[9])  # as a recovered segment of ten lines would
    assert unsent(a) == made - 10
    assert SyncService(a, share, "ana").run().sent == made - 10


def test_a_version_4_store_publishes_its_unsent_lines_as_they_were_encoded(
    pair: tuple[Services, Services], share: Path
) -> None:
    a, b = pair
    made = many_events(a, 12)
    kept = recorded_lines(a)
    back_to_version_4(a)
    upgraded = Services(store=open_store(a.store.url), policy=Policy(), clock=FixedClock(NOW))
    assert unsent(upgraded) == made
    assert outbox_rows(upgraded) == [outbox.SEAL_LINES, made - outbox.SEAL_LINES]
    assert SyncService(upgraded, share, "ana").run().sent == made
    (segment,) = SharedFolder(share).segments()
    assert segment.path.read_text(encoding="utf-8").splitlines()[1:] == list(kept.values())
    assert SyncService(b, share, "lead").run().received == made
    upgraded.store.dispose()


@given(
    parts=st.lists(st.binary(max_size=40), max_size=30),
    most=st.integers(min_value=1, max_value=64),
    iov_max=st.integers(min_value=1, max_value=4),
)
def test_write_all_writes_every_byte_in_order_through_short_writes(
    parts: list[bytes], most: int, iov_max: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """However few bytes each writev takes, and however few buffers it is given."""
    real_writev = os.writev

    def short_writev(fd: int, buffers: list[memoryview]) -> int:
        assert len(buffers) <= iov_max
        return real_writev(fd, [b"".join(bytes(b) for b in buffers)[:most]])

    path = tmp_path_factory.mktemp("writev") / "out"
    with (
        mock.patch.object(segments.os, "writev", short_writev),
        mock.patch.object(segments, "_IOV_MAX", iov_max),
        open(path, "wb", buffering=0) as fh,
    ):
        segments.write_all(fh.fileno(), parts)
    assert path.read_bytes() == b"".join(parts)


@given(
    seqs=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=80, unique=True).map(
        sorted
    ),
    through=st.integers(min_value=0, max_value=10_001),
    n=st.integers(min_value=1, max_value=90),
)
def test_a_run_cut_at_the_watermark_and_the_limit_keeps_whole_lines_in_order(
    seqs: list[int], through: int, n: int
) -> None:
    lines = [f'{{"n":{seq},"note":"é, \\"q\\""}}\n'.encode() for seq in seqs]
    run = outbox.Chunk(tuple(seqs), b"".join(lines))
    kept = [(seq, line) for seq, line in zip(seqs, lines, strict=True) if seq > through][:n]
    cut = run.after(through).first(n)
    assert list(cut.seqs) == [seq for seq, _ in kept]
    assert cut.lines == b"".join(line for _, line in kept)
    assert cut.split() == kept
    assert outbox.unpack_seqs(outbox.pack_seqs(run.seqs)) == run.seqs


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00+00:00"])
def test_a_record_outside_the_years_a_store_holds_is_a_bad_record(at: str) -> None:
    """Skipped and reported, never a crash nor a refusal that blocks every later sync."""
    from leadqueue.domain.records import RecordError, from_record

    record = {"event_id": "e1", "lead_id": "L1", "kind": "viewed", "actor": "ana", "at": at}
    with pytest.raises(RecordError, match="outside the years 1900-2200"):
        from_record(record)
