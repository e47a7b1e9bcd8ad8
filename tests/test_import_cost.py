"""Imports inside functions only where they defer a real cost (issue 20, point 7).

`leadqueue --help`, a decision or `queue` start without the heavy machinery
other commands need: each module below is imported inside the function that
uses it, and this test fails if a top-level import brings it back. Each is a
third-party package or a part of leadqueue of 20 modules or more.
"""

from __future__ import annotations

import json
import subprocess
import sys

# What `import leadqueue.cli.main` must not load, and who needs it.
DEFERRED = {
    "textual": "the terminal UI (commands.run_app)",
    "rich": "printed tables and progress bars (cli.render, cli.progress)",
    "cryptography": "sync's signatures (cli.sync_command, sync.segments)",
    "rapidfuzz": "the weekly report (cli.report_weekly)",
    "holidays": "a policy naming a holiday country (domain.calendar, domain.policy)",
    "psycopg": "a PostgreSQL store (the postgres extra)",
    "leadqueue.services.importing": "leadqueue import (commands._import)",
    "leadqueue.services.weekly_report": "leadqueue report weekly",
    "leadqueue.cli.render": "the commands that print tables",
    "leadqueue.tui.app": "the terminal UI",
}


def loaded_after(code: str) -> set[str]:
    """Every module loaded by `code`, in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def deferred_in(loaded: set[str]) -> dict[str, str]:
    return {
        name: why
        for name, why in DEFERRED.items()
        if name in loaded or any(m.startswith(name + ".") for m in loaded)
    }


def test_the_cli_starts_without_the_heavy_machinery() -> None:
    assert deferred_in(loaded_after("import leadqueue.cli.main")) == {}


def test_building_the_parser_and_a_default_calendar_loads_none_of_it() -> None:
    """What `leadqueue --help` and every decision do before their own work."""
    loaded = loaded_after(
        "from datetime import UTC, datetime\n"
        "from leadqueue.cli.main import build_parser\n"
        "from leadqueue.domain.calendar import WorkCalendar\n"
        "from leadqueue.domain.policy import Policy\n"
        "build_parser()\n"
        "WorkCalendar.from_policy(Policy()).is_working_day(datetime(2026, 11, 20, tzinfo=UTC).date())\n"
    )
    assert deferred_in(loaded) == {}


def test_each_deferred_module_is_what_it_costs() -> None:
    """The deferrals are worth keeping: each brings a third-party package or 20 modules."""
    base = loaded_after("import leadqueue.cli.main")
    kept = ("leadqueue.services.importing", "leadqueue.services.weekly_report", "leadqueue.cli.render")
    for module in kept:
        more = loaded_after(f"import leadqueue.cli.main\nimport {module}") - base
        third_party = {m.split(".")[0] for m in more} - set(sys.stdlib_module_names) - {"leadqueue"}
        assert third_party or len(more) >= 20, (module, sorted(more))
