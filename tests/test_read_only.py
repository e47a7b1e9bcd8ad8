"""Issue 18, point 6: reading never creates a store, and works on one it cannot write.

Only commands that bring something in (import, reps add/import, sync, demo,
init) create a store. Every other command on a path with no store, a 0-byte
file or a PostgreSQL database without leadqueue's tables says `no leadqueue
store at ...` and creates nothing. A store file or folder this user cannot
write is opened read-only: queue, show and the reports work, a decision is
refused, and nothing changes on disk. Opening waits for no write lock.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from leadqueue.settings import paths
from tests.cli_run import run
from tests.pg import pg_schema

NOW = "2026-11-20T20:00:00Z"
DATA = Path(__file__).parent / "data" / "import"
ROOT = Path(__file__).parent.parent
DROP_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]

READS = [
    ["queue"],
    ["queue", "--all-reps"],
    ["show", "51234567801"],
    ["report", "breaches"],
    ["report", "metrics"],
    ["export", "--format", "jsonl", "--out", "-", "--since", "2026-01-01"],
    ["reps"],
]
# Writes that need an existing store: there is no lead or rep to act on in a new one.
WRITES = [
    ["--as", "maria-santos", "reject", "51234567801", "--reason", "R3"],
    ["undo", "51234567801"],
    ["escalate", "51234567801"],
    ["reps", "set", "maria-santos", "--zone", "Europe/Berlin"],
]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store with the HubSpot sample's 8 leads, in a folder of its own."""
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    folder = tmp_path / "stores"
    folder.mkdir()
    path = folder / "team.db"
    source = tmp_path / "hubspot.csv"
    shutil.copyfile(DATA / "hubspot_contacts.csv", source)
    # In a process of its own, which closes the store on exit: the file alone is
    # the store, as after any command.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "leadqueue",
            "--db",
            str(path),
            "import",
            str(source),
            "--rep",
            "Maria Santos",
        ],
        capture_output=True,
        env=dict(os.environ),
        check=True,
    )
    assert sorted(p.name for p in folder.iterdir()) == ["team.db"]
    return path


def listing(folder: Path) -> dict[str, str]:
    """Each file's hash; the WAL index (-shm) is SQLite's shared memory, which readers write."""
    return {
        p.name: "shm" if p.name.endswith("-shm") else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
    }


# -- no store: an error, and nothing created ------------------------------------------------


@pytest.mark.parametrize("argv", [*READS, *WRITES, []], ids=lambda a: " ".join(a) or "open")
def test_a_command_that_only_reads_or_decides_never_creates_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--db", "typo.bd", *argv)
    assert (code, out, err) == (1, "", "leadqueue: error: no leadqueue store at typo.bd\n")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_no_store_either(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "nope" / "typo.bd"
    assert run(capsys, "--db", str(target), "queue") == (
        1,
        "",
        f"leadqueue: error: no leadqueue store at {target}\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_the_default_store_is_not_created_by_reading(capsys: pytest.CaptureFixture[str]) -> None:
    default = paths.default_store()
    assert run(capsys, "queue") == (1, "", f"leadqueue: error: no leadqueue store at {default}\n")
    assert not default.parent.exists()


def test_a_zero_byte_file_is_no_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    for argv in READS:
        code, out, err = run(capsys, "--db", str(empty), *argv)
        assert (code, out, err) == (1, "", f"leadqueue: error: no leadqueue store at {empty}\n"), argv
    assert empty.stat().st_size == 0
    assert [p.name for p in tmp_path.iterdir()] == ["empty.db"]


def test_an_empty_sqlite_database_is_no_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "blank.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 1")  # a valid database with no tables
    before = listing(tmp_path)
    assert run(capsys, "--db", str(path), "queue") == (
        1,
        "",
        f"leadqueue: error: no leadqueue store at {path}\n",
    )
    assert listing(tmp_path) == before


def test_init_creates_a_store_and_then_reading_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.db"
    assert run(capsys, "--db", str(path), "init") == (0, f"created leadqueue store at {path}\n", "")
    assert run(capsys, "--db", str(path), "init") == (
        0,
        f"{path} is already a leadqueue store; nothing changed\n",
        "",
    )
    code, out, err = run(capsys, "--db", str(path), "queue", "--all-reps")
    assert (code, err) == (0, "")
    assert out.startswith("0 open lead(s)")


def test_init_turns_a_zero_byte_file_into_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    assert run(capsys, "--db", str(path), "init") == (0, f"created leadqueue store at {path}\n", "")
    assert run(capsys, "--db", str(path), "queue")[0] == 0


def test_init_refuses_a_foreign_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE customers (id INTEGER)")
    assert run(capsys, "--db", str(path), "init") == (
        1,
        "",
        f"leadqueue: error: {path} is a database but not a leadqueue store\n",
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["import", str(DATA / "hubspot_contacts.csv"), "--rep", "Maria Santos"],
        ["reps", "add", "ana", "--name", "Ana Silva"],
        ["sync", "--export-dir", "{share}"],
    ],
    ids=["import", "reps add", "sync"],
)
def test_commands_that_bring_something_in_create_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    share = tmp_path / "share"
    share.mkdir()
    path = tmp_path / "new.db"
    code, _, err = run(capsys, "--db", str(path), "--as", "ana", *[a.format(share=share) for a in argv])
    assert code == 0, err
    assert run(capsys, "--db", str(path), "queue")[0] == 0


# -- PostgreSQL: no schema is created by reading ------------------------------------------


def _tables(url: str) -> list[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_reading_a_postgresql_database_without_a_store_creates_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from leadqueue.store.engine import describe

    with pg_schema() as url:
        for argv in [*READS, *WRITES, []]:
            code, out, err = run(capsys, "--db", url, *argv)
            assert (code, out, err) == (
                1,
                "",
                f"leadqueue: error: no leadqueue store at {describe(url)}\n",
            ), argv
        assert _tables(url) == []
        assert run(capsys, "--db", url, "init") == (0, f"created leadqueue store at {describe(url)}\n", "")
        assert "events" in _tables(url)
        code, out, _ = run(capsys, "--db", url, "queue")
        assert code == 0 and out.startswith("0 open lead(s)")


# -- a store this user cannot write ---------------------------------------------------------


@cache
def _cannot_drop_privileges() -> str | None:
    """Why a read-only file cannot be made read-only for this user, or None."""
    if os.geteuid() != 0:
        return None
    if shutil.which("setpriv") is None:
        return "root writes any file, and setpriv (util-linux) is not there to drop that"
    probe = subprocess.run([*DROP_OVERRIDE, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return f"root writes any file, and setpriv cannot drop that here: {probe.stderr.decode().strip()}"
    return None


def lq(*argv: str) -> subprocess.CompletedProcess[str]:
    """leadqueue in a process of its own, as a user for whom permissions hold (root
    drops its override of them: `chmod a-w` alone stops no root process)."""
    command = [sys.executable, "-m", "leadqueue", *argv]
    if os.geteuid() == 0:
        command = [*DROP_OVERRIDE, *command]
    return subprocess.run(
        command, capture_output=True, text=True, env=dict(os.environ), cwd=ROOT, check=False
    )


@pytest.fixture
def read_only(db: Path) -> Iterator[Path]:
    """The store's file made read-only (its folder stays writable)."""
    reason = _cannot_drop_privileges()
    if reason:
        pytest.skip(reason)
    db.chmod(0o444)
    try:
        yield db
    finally:
        db.chmod(0o644)


@pytest.fixture
def read_only_folder(db: Path) -> Iterator[Path]:
    """The store's file and its folder made read-only."""
    reason = _cannot_drop_privileges()
    if reason:
        pytest.skip(reason)
    db.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        yield db
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)


def _reads_work_and_decisions_are_refused(path: Path, name: str = "Jordan Reyes") -> None:
    for argv in READS:
        done = lq("--db", str(path), *argv)
        assert done.returncode == 0, (argv, done.stderr)
        assert "leadqueue:" not in done.stderr, argv  # no error, no warning
    queue = lq("--db", str(path), "queue", "--all-reps")
    assert queue.stdout.startswith("8 open lead(s) for all reps")
    assert name in lq("--db", str(path), "show", "51234567801").stdout
    reject = lq("--db", str(path), "--as", "maria-santos", "reject", "51234567801", "--reason", "R3")
    assert (reject.returncode, reject.stdout, reject.stderr) == (
        1,
        "",
        f"leadqueue: error: store {path} is read-only (this user cannot write the file or its folder);"
        " nothing was written\n",
    )
    for since in ([], ["--since", "last"]):
        mark = lq("--db", str(path), "export", "--format", "jsonl", "--out", "-", *since)
        assert (mark.returncode, mark.stdout, mark.stderr) == (
            1,
            "",
            f"leadqueue: error: export records where it stopped (for --since last), and store {path}"
            " is read-only: give --since WHEN\n",
        )


def test_a_read_only_file_is_read(read_only: Path) -> None:
    before = hashlib.sha256(read_only.read_bytes()).hexdigest()
    _reads_work_and_decisions_are_refused(read_only)
    assert hashlib.sha256(read_only.read_bytes()).hexdigest() == before


def test_a_store_in_a_read_only_folder_is_read(read_only_folder: Path) -> None:
    """No write-ahead log beside it (every writer closed): SQLite could not create
    the WAL index a reader needs, so the file is read as immutable."""
    before = listing(read_only_folder.parent)
    assert list(before) == ["team.db"]
    _reads_work_and_decisions_are_refused(read_only_folder)
    assert listing(read_only_folder.parent) == before


def test_a_store_in_a_read_only_folder_is_read_while_a_writer_has_it_open(db: Path) -> None:
    """A writer (its owner) has the store open, so its log and WAL index are there:
    a reader shares them, and sees what the writer committed."""
    reason = _cannot_drop_privileges()
    if reason:
        pytest.skip(reason)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("UPDATE leads SET first_name = 'Jordana' WHERE crm_id = '51234567801'")
        db.chmod(0o444)
        db.parent.chmod(0o555)
        assert sorted(listing(db.parent)) == ["team.db", "team.db-shm", "team.db-wal"]
        before = listing(db.parent)
        _reads_work_and_decisions_are_refused(db, "Jordana Reyes")
        assert listing(db.parent) == before
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)
        writer.close()


def test_a_read_only_store_made_with_another_policy_is_read_and_says_so(
    read_only_folder: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "berlin.toml"
    policy.write_text('time_zone = "Europe/Berlin"\n')
    done = lq("--db", str(read_only_folder), "--policy", str(policy), "queue", "--all-reps")
    assert done.returncode == 0
    assert done.stdout.startswith("8 open lead(s)")
    assert done.stderr == (
        f"leadqueue: warning: store {read_only_folder} is read-only: its SLA clocks were computed with"
        " another policy (or an older leadqueue) and are shown as stored\n"
    )


def test_init_on_a_read_only_folder_says_why(read_only_folder: Path) -> None:
    target = read_only_folder.parent / "new.db"
    done = lq("--db", str(target), "init")
    assert done.returncode == 1
    assert done.stderr.startswith(f"leadqueue: error: cannot open store {target}: ")
    assert not target.exists()


# -- no write lock -----------------------------------------------------------------------


def test_reading_waits_for_no_writer(db: Path) -> None:
    """Another process holds the write lock (a long import, say): reading goes on.
    Before, opening took the write lock to check the schema and waited up to 15s."""
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
        for argv in (["queue", "--all-reps"], ["show", "51234567801"], ["report", "breaches"]):
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "leadqueue", "--db", str(db), *argv],
                capture_output=True,
                text=True,
                env=dict(os.environ),
                check=False,
            )
            assert (done.returncode, done.stderr) == (0, ""), argv
            assert time.monotonic() - started < 10, argv
    finally:
        writer.execute("ROLLBACK")
        writer.close()
