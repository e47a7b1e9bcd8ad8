"""Sync when the shared folder itself is tampered with: this store's writer folder
replaced by a file or a symbolic link, an empty or wrong --export-dir, an --as
no one checked, and this store's own segments deleted (issue 19, point 3: in no
case is a decision left unsent while sync reports success)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from unittest import mock

import pytest
from sqlalchemy import text

from leadqueue.cli.main import main
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.store import outbox
from leadqueue.store.engine import open_store
from leadqueue.sync import publish, segments
from leadqueue.sync.segments import FolderUnreachable, NotOwnFolder, SharedFolder
from leadqueue.sync.service import SyncService
from tests.conftest import NOW
from tests.sync_helpers import (
    ANA_LEADS,
    BEN_LEADS,
    Writer,
    accept,
    accepted,
    copy,
    own_folder,
    reopen,
    state,
    sync,
)


def unsent(services: Services) -> int:
    with services.store.read() as conn:
        return outbox.unsent_count(conn)


def cli_sync(services: Services, share: str, rep: str = "ana") -> int:
    return main(["--db", services.store.label, "--as", rep, "sync", "--export-dir", share])


@pytest.fixture
def published(pair: tuple[Services, Services], share: Path) -> tuple[Services, Path]:
    """ana's store after one decision went out, with a second waiting; ben has published one."""
    ana, _ = pair
    accept(ana, ANA_LEADS[0])
    assert sync(ana, share, "ana").sent == 1
    accept(ana, ANA_LEADS[1])
    Writer(share, "ben-0000000001", "ben").publish([accepted(BEN_LEADS[0], "ben")])
    return ana, own_folder(ana, share)


# -- 1. the own writer folder replaced by a file ----------------------------------------------------
def test_an_own_writer_folder_replaced_by_a_file_sends_nothing_and_the_pull_still_runs(
    published: tuple[Services, Path], share: Path
) -> None:
    ana, folder = published
    shutil.rmtree(folder)
    folder.write_text("x")

    summary = sync(ana, share, "ana")
    assert summary.publish_refused == (
        f"{folder} is a file, not this store's writer folder:"
        " nothing was sent (1 event(s) wait in the outbox)"
    )
    assert (summary.sent, summary.unsent, summary.received) == (0, 1, 1)
    assert summary.needs_attention and summary.problems()[0] == summary.publish_refused
    assert "1 not sent" in summary.line()
    assert unsent(ana) == 1
    assert folder.read_text() == "x"
    assert state(ana, BEN_LEADS[0]) == "accepted"  # ben's decision came in all the same


def test_the_cli_says_the_writer_folder_is_a_file_in_one_line_and_fails(
    published: tuple[Services, Path], share: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ana, folder = published
    shutil.rmtree(folder)
    folder.write_text("x")
    ana.store.dispose()
    for _ in range(2):  # every later sync, not only the first
        assert cli_sync(ana, str(share)) == 1
        out, err = capsys.readouterr()
        assert err.splitlines() == [
            f"leadqueue: error: {folder} is a file, not this store's writer folder:"
            " nothing was sent (1 event(s) wait in the outbox)"
        ]
        assert out.startswith("sent 0, received")
    assert unsent(reopen(ana)) == 1


def test_a_writer_folder_replaced_while_publishing_keeps_the_rest_unsent(
    pair: tuple[Services, Services], share: Path
) -> None:
    ana, _ = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")
    folder = own_folder(ana, share)
    accept(ana, ANA_LEADS[1])
    accept(ana, ANA_LEADS[2])
    finish = segments.PendingSegment.finish

    def finish_then_replace(pending: segments.PendingSegment) -> Path:
        done = finish(pending)
        shutil.rmtree(folder)
        folder.write_text("x")
        return done

    with mock.patch.object(segments.PendingSegment, "finish", finish_then_replace):
        summary = SyncService(ana, share, "ana", segment_events=1).run()
    assert summary.sent == 1 and summary.unsent == 1
    assert summary.publish_refused is not None
    assert "1 event(s) were sent, then no more" in summary.publish_refused
    assert unsent(ana) == 1


def test_writing_a_segment_into_a_writer_folder_that_is_a_file_is_refused_not_a_crash(share: Path) -> None:
    folder = SharedFolder(share)
    folder.check()
    folder.writer_dir("ana-1").write_text("x")
    with pytest.raises(NotOwnFolder, match="is a file, not this store's writer folder"):
        folder.write_segment("ana-1", "000000000001-000000000001.jsonl", b"{}\n", [b"{}\n"])


# -- 2. the own writer folder replaced by a symbolic link ---------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_an_own_writer_folder_replaced_by_a_symbolic_link_is_never_written_through(
    published: tuple[Services, Path], share: Path, tmp_path: Path
) -> None:
    ana, folder = published
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(folder)
    folder.symlink_to(elsewhere, target_is_directory=True)

    summary = sync(ana, share, "ana")
    assert summary.publish_refused is not None
    assert summary.publish_refused.startswith(f"{folder} is a symbolic link, not this store's writer folder")
    assert (summary.sent, summary.unsent) == (0, 1)
    assert list(elsewhere.iterdir()) == []
    assert unsent(ana) == 1

    folder.unlink()  # put right: the decision and the deleted segment go out
    again = sync(ana, share, "ana")
    assert (again.sent, again.unsent, again.rewritten_segments, again.publish_refused) == (1, 0, 1, None)


# -- 3. the export folder given --------------------------------------------------------------------
def test_an_empty_export_dir_is_refused_and_nothing_lands_in_the_current_directory(
    pair: tuple[Services, Services],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ana, _ = pair
    accept(ana, ANA_LEADS[0])
    ana.store.dispose()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    assert cli_sync(ana, "") == 1
    err = capsys.readouterr().err
    assert (
        err == "leadqueue: error: --export-dir is empty (an unset variable?): give the shared folder's path\n"
    )
    assert list(cwd.iterdir()) == []
    assert unsent(reopen(ana)) == 1


def test_a_share_that_is_a_file_is_called_a_file(
    pair: tuple[Services, Services], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ana, _ = pair
    ana.store.dispose()
    not_a_folder = tmp_path / "share.txt"
    not_a_folder.write_text("x")
    assert cli_sync(ana, str(not_a_folder)) == 1
    assert (
        capsys.readouterr().err == f"leadqueue: error: export folder {not_a_folder} is a file, not a folder\n"
    )


def test_a_segments_folder_that_is_a_file_is_called_a_file(
    pair: tuple[Services, Services], share: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ana, _ = pair
    ana.store.dispose()
    (share / "leadqueue-events").write_text("x")
    assert cli_sync(ana, str(share)) == 1
    err = capsys.readouterr().err
    assert err == (
        f"leadqueue: error: {share / 'leadqueue-events'} is a file, not the folder the team's segments"
        " are in: nothing was sent or received\n"
    )


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_segments_folder_linked_to_nothing_says_so(share: Path) -> None:
    (share / "leadqueue-events").symlink_to(share / "gone", target_is_directory=True)
    with pytest.raises(FolderUnreachable, match="is a symbolic link to nothing"):
        SharedFolder(share).check()


# -- 4. --as on sync ---------------------------------------------------------------------------------
def test_sync_as_a_rep_not_on_the_roster_is_refused(
    pair: tuple[Services, Services], share: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ana, _ = pair
    accept(ana, ANA_LEADS[0])
    ana.store.dispose()
    assert cli_sync(ana, str(share), rep="nobody") == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("leadqueue: error: unknown rep 'nobody'")
    assert not (share / "leadqueue-events").exists() or not any((share / "leadqueue-events").iterdir())
    assert unsent(reopen(ana)) == 1


def test_sync_as_another_rep_than_the_store_publishes_as_says_so(
    pair: tuple[Services, Services], share: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ana, _ = pair
    accept(ana, ANA_LEADS[0])
    ana.store.dispose()
    assert cli_sync(ana, str(share)) == 0
    assert capsys.readouterr().err == ""
    assert cli_sync(ana, str(share), rep="ben") == 0
    assert "this store publishes as ana: its segments are fixed to one rep" in capsys.readouterr().err


def test_a_store_with_no_roster_yet_still_syncs_to_bring_the_team_in(
    pair: tuple[Services, Services], share: Path, tmp_path: Path
) -> None:
    ana, _ = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")
    fresh = Services(store=open_store(tmp_path / "fresh.db"), policy=Policy(), clock=FixedClock(NOW))
    fresh.store.dispose()
    assert cli_sync(fresh, str(share), rep="ana") == 0


# -- 5. this store's own segments deleted from the share ------------------------------------------------
def test_a_deleted_segment_of_this_store_is_written_again_and_reaches_the_others(
    pair: tuple[Services, Services], share: Path
) -> None:
    ana, lead = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")
    accept(ana, ANA_LEADS[1])
    sync(ana, share, "ana")
    folder = own_folder(ana, share)
    first, _ = sorted(folder.iterdir())
    original = first.read_bytes()
    first.unlink()

    summary = sync(ana, share, "ana")
    assert (summary.sent, summary.rewritten_segments) == (0, 1)
    assert "rewrote 1 missing segment(s)" in summary.line()
    assert summary.needs_attention
    assert first.read_bytes() == original  # the same lines, under the same name, signed alike
    assert sync(lead, share).received == 2
    assert [state(lead, crm) for crm in ANA_LEADS[:2]] == ["accepted"] * 2
    assert sync(ana, share, "ana").rewritten_segments == 0


def test_a_sync_with_nothing_missing_reads_no_segment_of_its_own(
    pair: tuple[Services, Services], share: Path
) -> None:
    ana, _ = pair
    for crm in ANA_LEADS:
        accept(ana, crm)
        sync(ana, share, "ana")
    with mock.patch.object(publish, "read_file", side_effect=AssertionError("read")) as read:
        assert sync(ana, share, "ana").rewritten_segments == 0
    assert read.call_count == 0


def test_a_deleted_writer_folder_is_written_again_whole(pair: tuple[Services, Services], share: Path) -> None:
    ana, lead = pair
    for crm in ANA_LEADS:
        accept(ana, crm)
        sync(ana, share, "ana")
    folder = own_folder(ana, share)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    shutil.rmtree(folder)
    assert sync(ana, share, "ana").rewritten_segments == 3
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sync(lead, share).received == 3


def test_a_deleted_segment_whose_lines_are_gone_from_the_outbox_is_reported(
    pair: tuple[Services, Services], share: Path
) -> None:
    ana, _ = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")
    (segment,) = own_folder(ana, share).iterdir()
    segment.unlink()
    with ana.store.write() as conn:
        conn.execute(text("DELETE FROM outbox_chunks"))
    summary = sync(ana, share, "ana")
    assert summary.rewritten_segments == 0
    (notice,) = summary.notices
    assert "1 segment(s) this store sent are gone from" in notice and segment.name in notice
    assert "cannot be written again" in notice
    assert not segment.exists()


def test_deleted_segments_of_a_store_restored_from_a_backup_are_written_again_under_their_names(
    pair: tuple[Services, Services], share: Path, tmp_path: Path
) -> None:
    """Names made before and after the store raised its name offset each find their own lines."""
    ana, lead = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")  # A
    backup = copy(ana, tmp_path / "backup.db")
    backup.store.dispose()
    ana = reopen(ana)
    accept(ana, ANA_LEADS[1])
    sync(ana, share, "ana")  # B, then lost with the disk
    ana.store.dispose()
    shutil.copy(tmp_path / "backup.db", ana.store.label)
    ana = reopen(ana)
    accept(ana, ANA_LEADS[2])
    assert sync(ana, share, "ana").sent == 1  # C, named after B
    folder = own_folder(ana, share)
    a, _, c = sorted(folder.iterdir())
    originals = {a: a.read_bytes(), c: c.read_bytes()}
    a.unlink()
    c.unlink()

    summary = sync(ana, share, "ana")
    assert (summary.rewritten_segments, summary.notices) == (2, [])
    assert {p: p.read_bytes() for p in (a, c)} == originals
    assert sync(lead, share).received == 3
    assert [state(lead, crm) for crm in ANA_LEADS] == ["accepted"] * 3
