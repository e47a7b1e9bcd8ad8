"""A rep's sync key on the roster: `leadqueue reps` shows its start in the table and
the whole key in json and csv, and `reps import` reads a `sync_key` column,
validated as `reps set REP --sync-key KEY` validates it."""

from __future__ import annotations

import base64
import csv
import io
import json
from pathlib import Path

import pytest

from leadqueue.cli.main import main
from tests.cli_run import run

NOW = "2026-11-20T15:00:00Z"
KEY = base64.b64encode(bytes(range(32))).decode("ascii")  # an Ed25519 public key's shape
OTHER = base64.b64encode(bytes(range(32, 64))).decode("ascii")
HEADER = "key,name,email,zone,role,crm_ids,aliases,sync_key\n"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    argv = ["--db", str(tmp_path / "r.db")]
    assert main([*argv, "reps", "add", "ana", "--name", "Ana Silva", "--sync-key", KEY]) == 0
    assert main([*argv, "reps", "add", "ben", "--name", "Ben Ode"]) == 0
    return argv


def keys_of(capsys: pytest.CaptureFixture[str], db: list[str]) -> dict[str, str | None]:
    code, out, _ = run(capsys, *db, "reps", "--format", "json")
    assert code == 0
    return {r["key"]: r["sync_key"] for r in json.loads(out)}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_table_shows_the_start_of_each_key_and_json_and_csv_the_whole(
    db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, *db, "reps")
    header, ana, ben = out.splitlines()
    assert code == 0 and header.split()[-1] == "sync_key"
    assert ana.split()[-1] == KEY[:12] + "…" and KEY not in out
    assert ben.split()[-1] == "-"

    assert keys_of(capsys, db) == {"ana": KEY, "ben": None}

    code, out, _ = run(capsys, *db, "reps", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["key"]: r["sync_key"] for r in rows} == {"ana": KEY, "ben": ""}


def test_reps_import_reads_a_sync_key_column_and_the_csv_round_trips(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    team = write(tmp_path / "team.csv", HEADER + f"ben,Ben Ode,,,,,,{OTHER}\ncy,Cy Lu,,,,,, {KEY[:-1]}= \n")
    code, out, err = run(capsys, *db, "reps", "import", str(team))
    assert code == 1 and out == ""
    # a key already another rep's is refused, as `reps set` refuses it; nothing written
    assert "row 3, column 'sync_key': that key is already the sync key of rep 'ana'" in err
    assert keys_of(capsys, db) == {"ana": KEY, "ben": None}

    team = write(tmp_path / "team.csv", HEADER + f"ben,Ben Ode,,,,,,{OTHER}\ncy,Cy Lu,,,,,,\n")
    code, out, err = run(capsys, *db, "reps", "import", str(team))
    assert (code, err) == (0, "") and out == f"{team}: 1 added, 1 updated, 0 unchanged\n"
    assert keys_of(capsys, db) == {"ana": KEY, "ben": OTHER, "cy": None}

    code, out, _ = run(capsys, *db, "reps", "--format", "csv")
    again = write(tmp_path / "again.csv", out)
    code, out, _ = run(capsys, *db, "reps", "import", str(again))
    assert code == 0 and out == f"{again}: 0 added, 0 updated, 3 unchanged\n"
    assert keys_of(capsys, db) == {"ana": KEY, "ben": OTHER, "cy": None}


def test_a_bad_sync_key_is_refused_as_reps_set_refuses_it(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, said_by_set = run(capsys, *db, "reps", "set", "ben", "--sync-key", "not-a-key")
    assert code == 1
    reason = said_by_set.removeprefix("leadqueue: error: sync_key: ").strip()
    assert "is not a sync key" in reason

    team = write(tmp_path / "team.csv", HEADER + "ben,Ben Ode,,,,,,not-a-key\n")
    code, out, err = run(capsys, *db, "reps", "import", str(team))
    assert code == 1 and out == ""
    assert f"{team}: row 2, column 'sync_key': {reason}" in err
    assert "nothing was written" in err and "unknown column" not in err
    assert keys_of(capsys, db) == {"ana": KEY, "ben": None}


def test_json_lines_and_a_blank_cell_clear_as_an_empty_sync_key_option_does(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = write(
        tmp_path / "team.jsonl",
        json.dumps({"key": "ben", "sync_key": OTHER})
        + "\n"
        + json.dumps({"key": "ana", "sync key": ""})
        + "\n",
    )
    code, out, err = run(capsys, *db, "reps", "import", str(lines))
    assert (code, err) == (0, "") and out == f"{lines}: 0 added, 2 updated, 0 unchanged\n"
    assert keys_of(capsys, db) == {"ana": None, "ben": OTHER}


def test_a_file_without_the_column_leaves_the_keys_alone(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    team = write(tmp_path / "team.csv", "key,name\nana,Ana Silva-Lopes\n")
    assert run(capsys, *db, "reps", "import", str(team))[0] == 0
    assert keys_of(capsys, db) == {"ana": KEY, "ben": None}


def test_a_key_starting_with_plus_round_trips_through_the_csv(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plus = base64.b64encode(bytes([0xF8, *range(31)])).decode("ascii")
    assert plus.startswith("+")
    assert run(capsys, *db, "reps", "set", "ben", "--sync-key", plus)[0] == 0
    code, out, _ = run(capsys, *db, "reps", "--format", "csv")
    assert f",'{plus}" in out  # formula-safe in a spreadsheet
    again = write(tmp_path / "again.csv", out)
    code, out, err = run(capsys, *db, "reps", "import", str(again))
    assert (code, err) == (0, "") and out == f"{again}: 0 added, 0 updated, 2 unchanged\n"
    assert keys_of(capsys, db) == {"ana": KEY, "ben": plus}
