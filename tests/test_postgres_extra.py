"""PostgreSQL is an extra: without its driver a PostgreSQL URL says, in one line,
what to install, and a SQLite store never loads the driver."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from leadqueue.cli.main import main
from leadqueue.store.engine import StoreError, open_store

URL = "postgresql+psycopg://leadqueue@127.0.0.1:1/sales"


@pytest.fixture
def no_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if `leadqueue[postgres]` were not installed: importing psycopg fails."""
    for name in [m for m in sys.modules if m == "psycopg" or m.startswith("psycopg.")]:
        monkeypatch.delitem(sys.modules, name)
    # None in sys.modules makes `import psycopg` raise ModuleNotFoundError.
    monkeypatch.setitem(sys.modules, "psycopg", None)


@pytest.mark.usefixtures("no_psycopg")
def test_a_postgresql_url_without_the_extra_says_what_to_install() -> None:
    with pytest.raises(StoreError) as caught:
        open_store(URL, create=False)
    message = str(caught.value)
    assert "pip install 'leadqueue[postgres]'" in message
    assert "\n" not in message


@pytest.mark.usefixtures("no_psycopg")
def test_the_command_line_prints_it_as_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", URL, "queue"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("leadqueue: error: ")
    assert "pip install 'leadqueue[postgres]'" in err


def test_a_sqlite_store_never_loads_the_postgresql_driver(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from leadqueue.store.engine import open_store\n"
        f"store = open_store({str(tmp_path / 'store.db')!r})\n"
        "with store.read() as conn: pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'psycopg2')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
