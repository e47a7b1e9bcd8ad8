"""An argument a subcommand does not know is refused by that subcommand: its own
usage and the error, exit 2, no traceback. (Stock argparse hands a subcommand's
unknown arguments back to the top level, which printed the top-level usage.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from leadqueue.cli.main import main


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    """(stdout, stderr) of `leadqueue ARGV`, which must exit 2."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    return out, err


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["queue", "--bogus"], "queue"),
        (["--db", "x.db", "queue", "--limit", "3", "--bogus"], "queue"),
        (["escalate", "51234567801", "--bogus"], "escalate"),
        (["acknowledge", "--bogus", "51234567801"], "acknowledge"),
        (["accept", "L1", "--next-step", "call", "--due", "+2h", "--note", "n", "--bogus"], "accept"),
        (["report", "breaches", "--bogus"], "report breaches"),
        (["reps", "--bogus"], "reps"),
        (["reps", "add", "kim", "--bogus"], "reps add"),
        (["policy", "check", "policy.toml", "--bogus"], "policy check"),
        (["queue", "stray"], "queue"),
    ],
)
def test_an_unknown_argument_prints_the_subcommands_usage(
    capsys: pytest.CaptureFixture[str], argv: list[str], command: str
) -> None:
    out, err = refused(capsys, *argv)
    unknown = argv[-1] if argv[-1] in ("--bogus", "stray") else "--bogus"
    assert out == ""
    assert err.startswith(f"usage: leadqueue {command} [-h]")
    assert err.endswith(f"leadqueue {command}: error: unrecognized arguments: {unknown}\n")
    assert "COMMAND ..." not in err  # not the top level's usage


def test_an_unknown_option_before_the_subcommand_is_the_top_levels(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, err = refused(capsys, "--bogus", "queue")
    assert err.startswith("usage: leadqueue [-h] [--version]")
    assert err.endswith("leadqueue: error: unrecognized arguments: --bogus\n")


def test_the_installed_command_exits_2_without_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "leadqueue", "queue", "--bogus"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("usage: leadqueue queue [-h]")
    assert "Traceback" not in done.stderr
    assert done.stderr.endswith("leadqueue queue: error: unrecognized arguments: --bogus\n")


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "LQ\udcff"],  # how Python hands over a byte that is no UTF-8
        ["--as", "a\udcffna", "queue"],
        ["needs-info", "LQ-1", "--missing", "intent", "--note", "bad \udcff byte"],
    ],
)
def test_an_argument_that_is_no_utf8_is_refused_by_name(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.endswith("is not valid UTF-8 text\n") and "\\xff" in err


def test_a_file_name_that_is_no_utf8_is_still_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADQUEUE_NOW", "2026-11-20T15:00:00Z")
    name = b"caf\xe9.csv".decode("utf-8", "surrogateescape")  # a Latin-1 name from an old share
    (tmp_path / name).write_text("crm_id,last_name,email,rep\nN-1,Nom,n@x.example,ana\n", encoding="utf-8")
    assert main(["--db", str(tmp_path / "s.db"), "import", str(tmp_path / name)]) == 0
    assert "1 new" in capsys.readouterr().out
