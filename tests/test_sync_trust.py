"""Sync trusts signatures, not the shared folder: keys, refused files, and what a
store takes back from its own folder (issue 19, points 1 and 3)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leadqueue.cli.main import main
from leadqueue.services.context import Services
from leadqueue.services.roster import RosterService
from leadqueue.store import outbox
from leadqueue.store.schema import events, sync_pins
from leadqueue.sync import keys, segments
from leadqueue.sync.segments import SharedFolder
from leadqueue.sync.summary import SyncSummary
from tests.sync_helpers import (
    ANA_LEADS,
    BEN_LEADS,
    Writer,
    accept,
    accepted,
    copy,
    event_ids,
    new_key,
    own_folder,
    reader,
    reopen,
    state,
    sync,
)


def refused(summary: SyncSummary, path: Path, reason: str) -> bool:
    return any(r.startswith(f"{path}: ") and reason in r for r in summary.refused)


# -- the key ----------------------------------------------------------------------------------
def test_the_first_sync_makes_a_key_only_its_user_reads_kept_in_neither_the_store_nor_the_share(
    pair: tuple[Services, Services], share: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ana, _ = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")
    (key_file,) = keys.key_dir().iterdir()
    assert key_file.is_relative_to(Path(os.environ["LEADQUEUE_DATA_DIR"]))
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    secret = key_file.read_bytes()
    body = b"".join(secret.splitlines()[1:-1])  # the PEM's base64, as it would be copied anywhere
    ana.store.dispose()
    assert body not in Path(ana.store.label).read_bytes()
    assert all(body not in p.read_bytes() for p in share.rglob("*") if p.is_file())
    # `sync --show-key` prints the public half, the one every segment carries
    assert main(["--db", ana.store.label, "sync", "--show-key"]) == 0
    public = capsys.readouterr().out.strip()
    (segment,) = SharedFolder(share).segments()
    assert f'"key":"{public}"' in segment.path.read_text(encoding="utf-8").splitlines()[0]


# -- files that are refused -------------------------------------------------------------------
def test_an_unsigned_segment_forging_a_rep_is_refused_and_reported_every_sync(
    pair: tuple[Services, Services], share: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, lead = pair
    forged = share / "leadqueue-events" / "aaa-0000000000" / "000000000001-000000000001.jsonl"
    forged.parent.mkdir(parents=True)
    line = accepted(BEN_LEADS[0], "ben")
    forged.write_text(
        '{"leadqueue_segment":1,"writer":"aaa-0000000000","count":1}\n' + json.dumps(line) + "\n",
        encoding="utf-8",
    )
    for _ in range(2):
        summary = sync(lead, share, "lee")
        assert refused(summary, forged, "unsigned")
        assert state(lead, BEN_LEADS[0]) == "new" and line["event_id"] not in event_ids(lead)
    assert main(["--db", lead.store.label, "--as", "lee", "sync", "--export-dir", str(share)]) == 0
    err = capsys.readouterr().err
    assert f"refused 1 file(s): {forged}: unsigned" in err


def test_a_segment_signed_by_another_key_than_the_writers_pinned_one_is_refused(
    pair: tuple[Services, Services], share: Path
) -> None:
    _, lead = pair
    ana = Writer(share, "ana-1111111111", "ana")
    ana.publish([accepted(ANA_LEADS[0], "ana")])
    assert sync(lead, share).received == 1  # first sight: ana's key is pinned for the writer
    ana.key = new_key()  # someone else writing in ana's folder
    path = ana.publish([accepted(ANA_LEADS[1], "ana")])
    summary = sync(lead, share)
    assert summary.received == 0
    assert refused(summary, path, "not by the key pinned for writer ana-1111111111")
    assert state(lead, ANA_LEADS[1]) == "new"


def test_a_new_writer_claiming_a_rep_already_seen_with_another_key_is_refused(
    pair: tuple[Services, Services], share: Path
) -> None:
    _, lead = pair
    Writer(share, "ben-2222222222", "ben").publish([accepted(BEN_LEADS[0], "ben")])
    assert sync(lead, share).received == 1
    mallory = Writer(share, "ben-3333333333", "ben")  # a folder of her own, writing as ben
    path = mallory.publish([accepted(BEN_LEADS[1], "ben")])
    summary = sync(lead, share)
    assert refused(summary, path, "but rep ben signs with")
    assert "leadqueue reps set ben --sync-key KEY" in summary.refused[0]
    assert state(lead, BEN_LEADS[1]) == "new"


def test_the_rosters_key_decides_even_on_first_sight(pair: tuple[Services, Services], share: Path) -> None:
    _, lead = pair
    real = new_key()
    RosterService(lead).set("ben", {"sync_key": real.public})
    impostor = Writer(share, "ben-4444444444", "ben").publish([accepted(BEN_LEADS[0], "ben")])
    summary = sync(lead, share)
    assert refused(summary, impostor, "not by rep ben's (the roster's")
    Writer(share, "ben-5555555555", "ben", key=real).publish([accepted(BEN_LEADS[1], "ben")])
    assert sync(lead, share).received == 1
    assert state(lead, BEN_LEADS[1]) == "accepted" and state(lead, BEN_LEADS[0]) == "new"
    # a roster key writes for its own rep alone
    as_ana = Writer(share, "ana-6666666666", "ana", key=real).publish([accepted(ANA_LEADS[0], "ana")])
    assert refused(sync(lead, share), as_ana, "signed with rep ben's key")
    with lead.store.read() as conn:
        pins = dict(conn.execute(select(sync_pins.c.writer, sync_pins.c.source)).all())
    assert pins == {"ben-5555555555": "roster"}


def test_a_changed_or_cut_record_breaks_the_signature(pair: tuple[Services, Services], share: Path) -> None:
    _, lead = pair
    path = Writer(share, "ana-1111111111", "ana").publish([accepted(ANA_LEADS[0], "ana")])
    whole = path.read_bytes()
    path.write_bytes(whole.replace(b"Call them", b"Call then"))
    assert refused(sync(lead, share), path, "its records do not match its signature")
    path.write_bytes(whole[: len(whole) - 20])  # a share that broke rename atomicity
    assert refused(sync(lead, share), path, "its records do not match its signature")
    path.write_bytes(whole)
    assert sync(lead, share).received == 1


def test_a_signed_segment_copied_to_another_folder_or_name_is_refused(
    pair: tuple[Services, Services], share: Path
) -> None:
    _, lead = pair
    path = Writer(share, "ana-1111111111", "ana").publish([accepted(ANA_LEADS[0], "ana")])
    renamed = path.with_name("000000000002-000000000002.jsonl")
    elsewhere = share / "leadqueue-events" / "ben-2222222222" / path.name
    elsewhere.parent.mkdir()
    shutil.copy(path, renamed)
    shutil.copy(path, elsewhere)
    summary = sync(lead, share)
    assert summary.received == 1  # the segment itself
    assert refused(summary, renamed, "signed as ana-1111111111/000000000001-000000000001.jsonl")
    assert refused(summary, elsewhere, "found as ben-2222222222/")


def test_a_fifo_named_like_a_segment_is_refused_without_waiting(
    pair: tuple[Services, Services], share: Path
) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    _, lead = pair
    fifo = share / "leadqueue-events" / "ana-1111111111" / "000000000001-000000000001.jsonl"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    done: list[SyncSummary] = []
    worker = threading.Thread(target=lambda: done.append(sync(lead, share)), daemon=True)
    worker.start()
    worker.join(timeout=30)  # a sync that opens the FIFO for reading waits for a writer forever
    assert done, "the sync hung on the FIFO"
    assert refused(done[0], fifo, "not a regular file (a FIFO)")


def test_a_segment_symlinked_to_dev_zero_is_refused_unread(
    pair: tuple[Services, Services], share: Path
) -> None:
    if os.name != "posix":
        pytest.skip("no /dev/zero here")
    _, lead = pair
    link = share / "leadqueue-events" / "ana-1111111111" / "000000000001-000000000001.jsonl"
    link.parent.mkdir(parents=True)
    link.symlink_to("/dev/zero")
    folder_link = share / "leadqueue-events" / "ben-2222222222"
    folder_link.symlink_to(link.parent)
    summary = sync(lead, share)
    assert refused(summary, link, "a symbolic link")
    assert f"{folder_link}: a symbolic link, not a writer folder" in summary.refused


def test_a_file_over_the_size_cap_is_refused(
    pair: tuple[Services, Services], share: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, lead = pair
    path = Writer(share, "ana-1111111111", "ana").publish([accepted(ANA_LEADS[0], "ana")])
    monkeypatch.setattr(segments, "SEGMENT_MAX_BYTES", 100)
    assert refused(sync(lead, share), path, "over the 100 a segment may have")
    monkeypatch.setattr(segments, "SEGMENT_MAX_BYTES", 64 * 1024 * 1024)
    assert sync(lead, share).received == 1


# -- a store trusts only what it wrote --------------------------------------------------------
def test_a_bogus_file_in_the_own_folder_moves_no_watermark(
    pair: tuple[Services, Services], share: Path
) -> None:
    ana, lead = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")
    bogus = own_folder(ana, share) / "000000000001-999999999999.jsonl"
    bogus.write_bytes(b"")
    accept(ana, ANA_LEADS[1])
    summary = sync(ana, share, "ana")
    assert summary.sent == 1 and summary.unsent == 0
    assert refused(summary, bogus, "empty")
    with ana.store.read() as conn:
        assert outbox.published_through(conn) < 999_999_999_999
    assert sync(lead, share).received == 2
    assert state(lead, ANA_LEADS[1]) == "accepted"


def test_a_store_restored_from_a_backup_sends_its_new_decisions_and_takes_back_the_lost_ones(
    pair: tuple[Services, Services], share: Path, tmp_path: Path
) -> None:
    ana, lead = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")
    backup = copy(ana, tmp_path / "backup.db")
    backup.store.dispose()
    ana = reopen(ana)
    accept(ana, ANA_LEADS[1])  # published, then lost with the disk
    assert sync(ana, share, "ana").sent == 1
    ana.store.dispose()
    shutil.copy(tmp_path / "backup.db", ana.store.label)
    ana = reopen(ana)
    accept(ana, ANA_LEADS[2])  # its seq is the lost decision's: so would its segment's name be

    summary = sync(ana, share, "ana")
    assert (summary.sent, summary.unsent, summary.received) == (1, 0, 1)
    assert any("restored from a backup" in n for n in summary.notices)
    assert state(ana, ANA_LEADS[1]) == "accepted"  # the lost decision, taken back from the share
    names = sorted(p.name for p in own_folder(ana, share).iterdir())
    assert len(names) == 3  # no segment was written over another
    assert sync(lead, share).received == 3
    assert [state(lead, crm) for crm in ANA_LEADS] == ["accepted"] * 3
    again = sync(ana, share, "ana")
    assert (again.sent, again.received, again.notices) == (0, 0, [])


def test_a_store_whose_key_is_gone_publishes_as_a_new_writer_and_says_so(
    pair: tuple[Services, Services], share: Path
) -> None:
    ana, lead = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")
    assert sync(lead, share).received == 1
    old_folder = own_folder(ana, share)
    for key_file in keys.key_dir().iterdir():
        key_file.unlink()
    accept(ana, ANA_LEADS[1])
    summary = sync(ana, share, "ana")
    assert summary.sent == 1
    (notice,) = summary.notices
    assert "a new key was made" in notice and f"it was {old_folder.name}" in notice
    assert own_folder(ana, share) != old_folder
    # the others refuse the new key for ana until the roster says it is hers
    refusal = sync(lead, share)
    assert refusal.received == 0 and "but rep ana signs with" in refusal.refused[0]
    new_key = notice.rsplit("--sync-key ", 1)[1]
    RosterService(lead).set("ana", {"sync_key": new_key})
    assert sync(lead, share).received == 1
    assert state(lead, ANA_LEADS[1]) == "accepted"


def test_no_decision_is_left_unsent_while_sync_reports_success(
    pair: tuple[Services, Services], share: Path
) -> None:
    """Whatever the own folder holds, every local event ends up in a segment this store signed."""
    ana, _ = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")
    folder = own_folder(ana, share)
    with ana.store.read() as conn:
        next_seq = conn.execute(select(func.max(events.c.seq))).scalar_one() + 1
    # another key's segment, under the very name this store's next one will have
    squatter = Writer(share, folder.name, "ana", seq=next_seq - 1)
    squatter.publish([accepted(ANA_LEADS[2], "ana")])
    accept(ana, ANA_LEADS[1])
    summary = sync(ana, share, "ana")
    assert summary.unsent == 0
    with ana.store.read() as conn:
        local = {r[0] for r in conn.execute(select(events.c.event_id).where(events.c.origin == "local"))}
    published = {
        r["event_id"] for ref in SharedFolder(share).segments(folder.name) for r in _signed_by(ana, ref)
    }
    assert local <= published


def _signed_by(services: Services, ref: segments.SegmentRef) -> list[dict[str, object]]:
    with services.store.read() as conn:
        mine = keys.current_key(conn)
    assert mine is not None
    try:
        records = SharedFolder.read_segment(ref)
    except segments.Refused:
        return []
    header = ref.path.read_text(encoding="utf-8").splitlines()[0]
    return records if f'"key":"{mine.public}"' in header else []


def test_reps_set_sync_key_puts_a_stores_key_on_the_roster(
    pair: tuple[Services, Services], capsys: pytest.CaptureFixture[str]
) -> None:
    ana, lead = pair
    ana.store.dispose()
    lead.store.dispose()
    assert main(["--db", ana.store.label, "sync", "--show-key"]) == 0
    key = capsys.readouterr().out.strip()
    assert main(["--db", lead.store.label, "reps", "set", "ana", "--sync-key", key]) == 0
    assert capsys.readouterr().out == f"updated rep ana: sync key - -> {key}\n"
    assert main(["--db", lead.store.label, "reps", "set", "ben", "--sync-key", key]) == 1
    assert "that key is already the sync key of rep 'ana'" in capsys.readouterr().err
    assert main(["--db", lead.store.label, "reps", "set", "ben", "--sync-key", "not-a-key"]) == 1
    assert "'not-a-key' is not a sync key" in capsys.readouterr().err


def test_show_key_after_the_key_file_is_gone_starts_a_new_writer(
    pair: tuple[Services, Services], share: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ana, _ = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")
    old = own_folder(ana, share)
    for key_file in keys.key_dir().iterdir():
        key_file.unlink()
    ana.store.dispose()
    assert main(["--db", ana.store.label, "sync", "--show-key"]) == 0
    out, err = capsys.readouterr()
    assert "a new key was made" in err and f"it was {old.name}" in err
    ana = reopen(ana)
    assert own_folder(ana, share) != old
    with ana.store.read() as conn:
        assert keys.current_key(conn) is not None and keys.current_key(conn).public == out.strip()  # type: ignore[union-attr]


def test_a_postgresql_store_signs_what_it_publishes(tmp_path: Path, share: Path) -> None:
    from tests.pg import pg_schema

    with pg_schema() as url:
        team = reader(url)
        accept(team, ANA_LEADS[0])
        first = sync(team, share, "ana")
        assert (first.sent, first.unsent, first.publishes_as) == (1, 0, "ana")
        with team.store.read() as conn:
            assert keys.current_key(conn) is not None
        team.store.dispose()
    other = reader(tmp_path / "other.db")
    got = sync(other, share)
    assert (got.received, got.refused) == (1, [])
    assert state(other, ANA_LEADS[0]) == "accepted"


def test_a_segments_digest_is_of_its_lines_digests_as_the_outbox_keeps_them(share: Path) -> None:
    from leadqueue.store.outbox import chunks_of
    from leadqueue.sync.signing import header_line, open_segment

    key = new_key()
    lines = [
        json.dumps(accepted(ANA_LEADS[0], "ana") | {"note": f"{i} é"}).encode() + b"\n" for i in range(200)
    ]
    runs = chunks_of(list(enumerate(lines, start=1)))  # as the outbox seals them, 64 lines a run
    name = segments.segment_name(1, len(lines))
    header = header_line(key, "ana-1111111111", "ana", name, len(lines), [r.line_digests() for r in runs])
    path = SharedFolder(share).write_segment("ana-1111111111", name, header, [r.lines for r in runs])
    segment = open_segment(path.read_bytes(), "ana-1111111111", name)
    assert [line + b"\n" for line in segment.lines] == lines
    # a run cut anywhere keeps each line's digest with its line
    cut = runs[1].after(70).first(10)
    assert cut.line_digests() == outbox_digests(cut.lines) and len(cut.line_digests()) == 32 * 10


def outbox_digests(lines: bytes) -> bytes:
    import hashlib

    return b"".join(hashlib.sha256(line).digest() for line in lines.split(b"\n")[:-1])


def test_outbox_rows_kept_without_digests_are_published_signed(
    pair: tuple[Services, Services], share: Path
) -> None:
    """Rows written before version 7 kept no digests: they are hashed when published."""
    from sqlalchemy import text

    ana, lead = pair
    for crm in ANA_LEADS:
        accept(ana, crm)
    with ana.store.write() as conn:
        conn.execute(text("UPDATE outbox_chunks SET digests = NULL"))
    assert sync(ana, share, "ana").sent == 3
    got = sync(lead, share)
    assert (got.received, got.refused) == (3, [])
