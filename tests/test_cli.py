"""The command line: every decision scriptable, one clear line on any error."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from leadqueue.cli.main import main
from tests.cli_run import run

NOW = "2026-11-20T20:00:00Z"
DATA = Path(__file__).parent / "data" / "import"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    path = tmp_path / "cli.db"
    source = tmp_path / "hubspot.csv"
    shutil.copyfile(DATA / "hubspot_contacts.csv", source)
    assert main(["--db", str(path), "import", str(source), "--rep", "Maria Santos"]) == 0
    return path


def events_of(db: Path, crm_id: str) -> list[str]:
    with sqlite3.connect(db) as raw:
        rows = raw.execute(
            "SELECT e.kind FROM events e JOIN leads l ON l.id = e.lead_id WHERE l.crm_id = ? ORDER BY e.seq",
            (crm_id,),
        ).fetchall()
    return [r[0] for r in rows]


def test_common_options_work_before_or_after_the_subcommand(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "--db",
        str(db),
        "--as",
        "maria santos",
        "accept",
        "51234567801",
        "--next-step",
        "call",
        "--due",
        "tomorrow 10:00",
        "--note",
        "Pricing call",
    )
    assert code == 0 and "accepted by maria-santos -> accepted" in out
    code, out, _ = run(
        capsys, "reject", "51234567802", "--reason", "R3", "--db", str(db), "--as", "james-okafor"
    )
    assert code == 0 and "rejected" in out
    assert events_of(db, "51234567801") == ["assigned", "accepted"]
    assert events_of(db, "51234567802") == ["assigned", "rejected"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["accept", "51234567801", "--next-step", "call", "--due=-1h", "--note", "x"],
            "--due: the next step must be in the future",
        ),
        (
            ["accept", "51234567801", "--next-step", "call", "--due", "someday", "--note", "x"],
            "could not read 'someday'",
        ),
        (
            ["accept", "51234567801", "--next-step", "call", "--due", "+1h", "--note", " "],
            "--note: a note is required",
        ),
        (["reject", "51234567801", "--reason", "OTHER"], "--note: OTHER needs the reason written out"),
        (["reject", "51234567801", "--reason", "R5"], "--duplicate-of: R5 needs the id"),
        (["needs-info", "51234567801", "--missing", "", "--note", "x"], "--missing: name at least one"),
        (["touch", "51234567801", "--channel", "call"], "cannot log a touch on a lead that is new"),
        (["dispose", "51234567801", "advanced"], "cannot dispose a lead that is new"),
        (["undo", "51234567801"], "nothing to undo"),
        (["accept", "NOPE", "--next-step", "call", "--due", "+1h", "--note", "x"], "no lead with id 'NOPE'"),
    ],
)
def test_bad_decisions_exit_non_zero_with_one_line_and_write_nothing(
    db: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = events_of(db, "51234567801")
    code, _out, err = run(capsys, *argv, "--db", str(db), "--as", "maria-santos")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("leadqueue: error: ")
    assert message in err
    assert "Traceback" not in err
    assert events_of(db, "51234567801") == before


def test_unknown_rep_is_refused(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", str(db), "--as", "nobody", "reject", "51234567801", "--reason", "R3")
    assert code == 1 and "unknown rep 'nobody'" in err


def test_the_full_follow_up_path(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--db", str(db), "--as", "maria-santos"]
    assert (
        run(
            capsys,
            *base,
            "accept",
            "51234567801",
            "--next-step",
            "demo",
            "--due",
            "fri 14:30",
            "--note",
            "Demo for the RevOps team",
        )[0]
        == 0
    )
    for _ in range(2):
        assert run(capsys, *base, "touch", "51234567801", "--channel", "email")[0] == 0
    code, _, err = run(capsys, *base, "dispose", "51234567801", "unresponsive")
    assert code == 1 and "at least 3 logged contact attempts (2 so far)" in err
    assert run(capsys, *base, "touch", "51234567801", "--channel", "call", "--conversation")[0] == 0
    assert run(capsys, *base, "dispose", "51234567801", "advanced")[0] == 0
    assert events_of(db, "51234567801") == [
        "assigned",
        "accepted",
        "touched",
        "touched",
        "conversation",
        "disposed",
    ]
    code, out, _ = run(capsys, *base, "show", "51234567801", "--format", "json")
    shown = json.loads(out)
    assert shown["state"] == "advanced"
    assert [c["state"] for c in shown["clocks"]] == ["met", "met", "met", "met"]


def test_needs_info_then_resume(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--db", str(db), "--as", "maria-santos"]
    assert (
        run(
            capsys,
            *base,
            "needs-info",
            "51234567801",
            "--missing",
            "company_size,industry",
            "--note",
            "Size unknown",
        )[0]
        == 0
    )
    _code, out, _ = run(capsys, *base, "report", "breaches", "--all", "--format", "json")
    paused = [r for r in json.loads(out) if r["lead_id"] == "51234567801"]
    assert [(r["clock"], r["state"], r["deadline"], r["remaining_seconds"]) for r in paused] == [
        ("decision", "paused", None, None)
    ]
    assert paused[0]["paused_at"] is not None and paused[0]["time_left_seconds"] is not None
    assert run(capsys, *base, "resume", "51234567801")[0] == 0
    assert events_of(db, "51234567801") == ["assigned", "needs_info", "returned_from_marketing"]


def test_breach_report_formats(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", str(db), "report", "breaches", "--all", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "lead_id",
        "clock",
        "rep",
        "tier",
        "measure",
        "window",
        "budget_seconds",
        "started_at",
        "deadline",
        "at_risk_at",
        "reroute_at",
        "state",
        "remaining_seconds",
        "paused_at",
        "time_left_seconds",
        "escalation",
        "acknowledged",
    ]
    assert len(rows) == 7  # 51234567808 is assigned after NOW: no clock yet
    code, out, _ = run(
        capsys, "--db", str(db), "report", "breaches", "--as-of", "2026-11-25T00:00:00Z", "--format", "json"
    )
    assert {r["state"] for r in json.loads(out)} == {"breached"}
    code, out, _ = run(
        capsys, "--db", str(db), "report", "metrics", "--since", "2026-11-01", "--format", "json"
    )
    waiting = {r["rep"]: r["count"] for r in json.loads(out)["leads_waiting"]}
    assert code == 0 and waiting == {"james-okafor": 2, "maria-santos": 5}


def test_import_reports_bad_rows_with_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("crm_id,email,score,rep\nA1,a@x.com,80,ana\nA2,b@x.com,lots,ana\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(tmp_path / "s.db"), "import", str(bad))
    assert code == 1
    assert f"{bad}: row 3, column 'score':" in err
    assert "nothing was imported" in err
    code, out, _ = run(capsys, "--db", str(tmp_path / "s.db"), "import", str(bad), "--skip-invalid")
    assert code == 0 and "1 new" in out and "bad.rejects.csv" in out


def test_import_of_an_empty_or_missing_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(tmp_path / "s.db"), "import", str(empty))
    assert code == 1 and "empty" in err and err.count("\n") == 1
    code, _, err = run(capsys, "--db", str(tmp_path / "s.db"), "import", str(tmp_path / "missing.csv"))
    assert code == 1 and "missing.csv" in err


def test_a_corrupt_store_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    code, _, err = run(capsys, "--db", str(bad), "queue")
    assert code == 1 and "is not a leadqueue store" in err and "Traceback" not in err


def test_policy_show_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "policy", "show")
    assert code == 0 and 'time_zone = "America/New_York"' in out and "[windows.decision_hot]" in out
    good = tmp_path / "good.toml"
    good.write_text(out, encoding="utf-8")
    assert run(capsys, "policy", "check", str(good))[0] == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('[windows.first_touch]\nwindow = "tomorrow"\n', encoding="utf-8")
    code, _, err = run(capsys, "policy", "check", str(bad))
    assert code == 1 and "windows.first_touch.window: 'tomorrow' is not a window" in err
    code, _, err = run(capsys, "--policy", str(bad), "queue", "--db", str(tmp_path / "x.db"))
    assert code == 1 and "windows.first_touch.window" in err


def test_demo_opens_a_shifted_copy_and_leaves_the_bundle_alone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = ROOT / "sample.db"
    before = hashlib.sha256(sample.read_bytes()).hexdigest()
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    code, out, _ = run(capsys, "demo", "--print")
    assert code == 0
    assert hashlib.sha256(sample.read_bytes()).hexdigest() == before
    assert "41 open lead(s) for ana" in out and "breached" in out
    code, out, _ = run(
        capsys,
        "report",
        "breaches",
        "--all",
        "--format",
        "json",
        "--db",
        out.split("demo store: ")[1].split(" ")[0],
    )
    rows = json.loads(out)
    states = {r["state"] for r in rows}
    assert {"running", "at_risk", "breached", "paused"} <= states
    assert any(r["clock"] == "first_touch" and r["state"] != "breached" for r in rows)


def test_generator_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dumps = []
    for name in ("a.db", "b.db"):
        out = tmp_path / name
        assert run(capsys, "demo", "--generate", "--leads", "120", "--out", str(out))[0] == 0
        with sqlite3.connect(out) as raw:
            dumps.append(
                (
                    raw.execute(
                        "SELECT crm_id, first_name, score, state, due_at FROM leads ORDER BY id"
                    ).fetchall(),
                    raw.execute("SELECT kind, actor, at FROM events ORDER BY seq").fetchall(),
                )
            )
    assert dumps[0] == dumps[1]
    assert len(dumps[0][0]) == 120
    code, _, err = run(capsys, "demo", "--generate", "--out", str(tmp_path / "a.db"))
    assert code == 1 and "already exists" in err


def test_demo_makes_its_copy_at_db_and_never_over_a_file_already_there(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    mine = tmp_path / "mine.db"
    code, out, _ = run(capsys, "demo", "--db", str(mine), "--print")
    assert code == 0 and out.startswith(f"demo store: {mine} ")
    assert "41 open lead(s) for ana" in out
    before = mine.stat().st_mtime_ns
    code, _, err = run(capsys, "demo", "--db", str(mine), "--print")
    assert code == 1
    assert err == (
        f"leadqueue: error: --db {mine}: a file is there already, and the demo writes a fresh copy"
        " of the sample: remove it or name a new file\n"
    )
    assert mine.stat().st_mtime_ns == before
