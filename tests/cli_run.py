"""Running the command line in a test: its exit code, stdout and stderr."""

from __future__ import annotations

import pytest

from leadqueue.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`leadqueue ARGV` in this process; what was printed before it is dropped."""
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
