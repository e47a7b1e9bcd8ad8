"""Issue 18, points 4 and 5: a policy or config that `policy check` accepts never
crashes a command, values that would are errors or warnings naming the key,
`[reasons.X]` adds to the default taxonomy, and the store refuses numbers and
instants it cannot hold, whatever writes them."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from leadqueue.cli.main import main
from leadqueue.domain.policy import Policy
from leadqueue.settings import keymap as km
from leadqueue.settings.config import UserConfig, load_config, save_config
from leadqueue.settings.policy_file import load_policy
from leadqueue.settings.toml_errors import SettingsError
from leadqueue.store.engine import Store, StoreError
from leadqueue.store.schema import leads
from tests.cli_run import run
from tests.sync_helpers import Writer

NOW = "2026-11-20T20:00:00Z"
DATA = Path(__file__).parent / "data" / "import"
DEFAULT_CODES = ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "OTHER"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    path = tmp_path / "cli.db"
    source = tmp_path / "hubspot.csv"
    shutil.copyfile(DATA / "hubspot_contacts.csv", source)
    assert main(["--db", str(path), "import", str(source), "--rep", "Maria Santos"]) == 0
    return path


def event_count(db: Path) -> int:
    with sqlite3.connect(db) as raw:
        return int(raw.execute("SELECT count(*) FROM events").fetchone()[0])


# -- point 4: values that would crash ------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[windows.decision_low]\nwindow = "3000000d"',
            "windows.decision_low.window: '3000000d' is too long: a window is at most 3650d (ten years)",
        ),
        (
            '[windows.first_touch]\nwindow = "100000000h"',
            "windows.first_touch.window: '100000000h' is too long: a window is at most 3650d (ten years)",
        ),
        (
            '[windows.discovery]\nwindow = "3000bd"\nmeasure = "working"',
            "windows.discovery.window: '3000bd' is too long: a window is at most 2607bd"
            " (ten years of working days)",
        ),
        (
            '[working_hours]\nmon = ["09:00-09:01"]\n'
            '[windows.first_touch]\nwindow = "1000h"\nmeasure = "working"',
            "windows.first_touch.window: '1000h' of working time takes more than ten years"
            " at this policy's 1m of working hours a week",
        ),
        (
            "undo_grace_minutes = 100000000000000",
            "undo_grace_minutes: Input should be less than or equal to 10080",
        ),
        (
            '[reasons.R9]\nlabel = "Reseller\\nlead"\nrouting = "partner team"\naction = "review"',
            "reasons.R9.label: must be one line of plain text (no newlines or control characters)",
        ),
        (
            '[reasons.R9]\nlabel = "  "\nrouting = "partner team"\naction = "account_management"',
            "reasons.R9.label: a reason code needs a label",
        ),
    ],
)
def test_values_that_would_crash_are_errors_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    policy = write(tmp_path / "policy.toml", text)
    code, out, err = run(capsys, "policy", "check", str(policy))
    assert (code, out, err) == (1, "", f"leadqueue: error: policy {policy}: {message}\n")
    # Every command refuses it the same way, before it opens (or creates) a store.
    store = tmp_path / "store.db"
    code, out, err = run(capsys, "--db", str(store), "--policy", str(policy), "import", str(policy))
    assert (code, err) == (1, f"leadqueue: error: policy {policy}: {message}\n")
    assert not store.exists()


def test_the_longest_window_allowed_still_computes(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = write(
        db.parent / "policy.toml",
        '[windows.decision_low]\nwindow = "3650d"\n'
        '[windows.disposition]\nwindow = "2607bd"\nmeasure = "working"',
    )
    assert run(capsys, "policy", "check", str(policy))[0] == 0
    code, out, _ = run(capsys, "--db", str(db), "--policy", str(policy), "queue", "--all-reps")
    assert code == 0 and "open lead(s)" in out
    code, out, _ = run(
        capsys,
        "--db",
        str(db),
        "--policy",
        str(policy),
        "--as",
        "maria-santos",
        "accept",
        "51234567801",
        "--next-step",
        "call",
        "--due",
        "tomorrow 10:00",
        "--note",
        "call",
    )
    assert code == 0, out
    assert run(capsys, "--db", str(db), "--policy", str(policy), "report", "breaches", "--all")[0] == 0


MARKUP_POLICY = """
[reasons.R9]
label = "[bold red]Reseller[/] lead [/unclosed] [link=https://x.example]partner[/link]"
routing = "route to [b]partner[/b] team"
action = "account_management"
"""


def test_reason_labels_with_markup_are_plain_text_everywhere(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(db.parent / "policy.toml", MARKUP_POLICY)
    label = "[bold red]Reseller[/] lead [/unclosed] [link=https://x.example]partner[/link]"
    code, out, _ = run(capsys, "policy", "check", str(policy))
    assert code == 0 and "reason codes R1, R2, R3, R4, R5, R6, R7, R8, OTHER, R9)" in out
    code, out, _ = run(capsys, "--policy", str(policy), "policy", "show")
    assert code == 0 and label in out
    lq = ["--db", str(db), "--policy", str(policy)]
    code, out, err = run(capsys, *lq, "--as", "maria-santos", "reject", "51234567801", "--reason", "R9")
    assert code == 0, err
    code, out, err = run(capsys, *lq, "show", "51234567801")
    assert code == 0, err
    code, out, err = run(capsys, *lq, "show", "51234567801", "--format", "json")
    assert code == 0 and json.loads(out), err
    for fmt in ("table", "json", "csv"):
        code, out, err = run(capsys, *lq, "report", "metrics", "--format", fmt)
        assert code == 0, err
    for fmt in ("csv", "jsonl", "salesforce", "hubspot"):
        code, out, err = run(capsys, *lq, "export", "--format", fmt, "--out", "-")
        assert code == 0, err
        assert fmt != "csv" or "Reseller" in out


# -- point 5: [reasons.X] adds to the defaults ------------------------------------


def test_a_new_reason_code_keeps_the_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = write(
        tmp_path / "policy.toml",
        '[reasons.R9]\nlabel = "Reseller lead"\nrouting = "partner team"\naction = "account_management"\n',
    )
    p = load_policy(policy)
    assert list(p.active_reasons()) == [*DEFAULT_CODES, "R9"]
    assert p.reasons["R1"] == Policy().reasons["R1"]
    code, out, _ = run(capsys, "policy", "check", str(policy))
    assert (code, out) == (
        0,
        f"{policy}: valid policy (zone America/New_York, reason codes"
        " R1, R2, R3, R4, R5, R6, R7, R8, OTHER, R9)\n",
    )


def test_retired_true_alone_retires_a_default_code(tmp_path: Path) -> None:
    p = load_policy(write(tmp_path / "policy.toml", "[reasons.R6]\nretired = true\n"))
    assert "R6" not in p.active_reasons()
    assert p.reason("R6") == Policy().reasons["R6"].model_copy(update={"retired": True})
    assert len(p.active_reasons()) == len(DEFAULT_CODES) - 1


def test_a_default_code_changes_only_in_the_keys_given(tmp_path: Path) -> None:
    p = load_policy(write(tmp_path / "policy.toml", '[reasons.R7]\nlabel = "Bounced email"\n'))
    assert p.reasons["R7"].label == "Bounced email"
    assert p.reasons["R7"].routing == Policy().reasons["R7"].routing
    assert list(p.reasons) == DEFAULT_CODES


def test_a_policy_with_no_active_reason_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "".join(f"[reasons.{code}]\nretired = true\n" for code in DEFAULT_CODES)
    policy = write(tmp_path / "policy.toml", text)
    code, out, err = run(capsys, "policy", "check", str(policy))
    assert (code, out, err) == (
        1,
        "",
        f"leadqueue: error: policy {policy}: reasons: every reason code is retired:"
        " a rep could reject no lead; keep one active\n",
    )
    # Retiring all but the new one is fine.
    p = load_policy(
        write(
            tmp_path / "policy.toml",
            text + '[reasons.R9]\nlabel = "Reseller"\nrouting = "partner team"\naction = "review"\n',
        )
    )
    assert list(p.active_reasons()) == ["R9"]


def test_policy_show_round_trips_with_merged_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(tmp_path / "policy.toml", "[reasons.R6]\nretired = true\n")
    _, out, _ = run(capsys, "--policy", str(policy), "policy", "show")
    shown = write(tmp_path / "shown.toml", out)
    assert load_policy(shown) == load_policy(policy)


# -- point 4: keymap and theme ------------------------------------------------------


def config_file(text: str) -> Path:
    from leadqueue.settings import paths

    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_binding_that_takes_another_actions_key_is_not_applied(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config_file('[keymap]\n"lead.accept" = "r"\n"lead.undo" = "ctrl+z"\n')
    config = load_config()
    assert config.keymap == {"lead.undo": "ctrl+z"}  # reject keeps r; the harmless one applies
    expected = (
        f"leadqueue: warning: config {path}: keymap.\"lead.accept\": 'r' is already lead.reject's key"
        " on the queue screen: not applied (remap lead.reject too, or choose another key)\n"
    )
    code, _, err = run(capsys, "--db", str(db), "queue")
    assert (code, err) == (0, expected)


@pytest.mark.parametrize(
    ("keymap", "applied", "problem"),
    [
        ({"lead.acept": "x"}, {"lead.acept": "x"}, km.UNKNOWN_ID),
        ({"lead.accept": "r", "lead.reject": "a"}, {"lead.accept": "r", "lead.reject": "a"}, None),
        (
            {"lead.accept": "?"},
            {},
            "'?' is already app.help's key on the queue screen: not applied (remap app.help too, or choose"
            " another key)",
        ),
        (
            {"lead.undo": "ctrl+q"},
            {},
            "'ctrl+q' is the key for quit on every screen: not applied (choose another key)",
        ),
        (
            {"form.submit": "enter"},
            {},
            "'enter' is already reject.choose_reason's key on the reject form screen: not applied"
            " (remap reject.choose_reason too, or choose another key)",
        ),
        (
            {"lead.accept": "ctrl + a"},
            {},
            "'ctrl + a' is not a key or a comma-separated list of keys: not applied",
        ),
        ({"lead.accept": "x", "lead.reject": "x"}, {"lead.reject": "x"}, "already lead.reject's key"),
    ],
)
def test_keymap_problems_name_the_binding(
    keymap: dict[str, str], applied: dict[str, str], problem: str | None
) -> None:
    config = UserConfig(keymap=keymap)
    assert config.keymap == applied
    if problem is None:
        assert config.warnings == []
    else:
        (warning,) = config.warnings
        first = next(k for k in keymap if k not in applied or k == "lead.acept")
        assert warning.startswith(f'config: keymap."{first}": ')
        assert problem in warning


def test_an_unknown_theme_is_a_warning_and_the_default(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = config_file('theme = "solarised"\n')
    assert load_config().theme == km.DEFAULT_THEME
    code, _, err = run(capsys, "--db", str(db), "queue")
    assert (code, err) == (
        0,
        f"leadqueue: warning: config {path}: theme: unknown theme 'solarised'; using textual-dark"
        " (the command palette, ctrl+p, lists the themes)\n",
    )


def test_saving_the_config_keeps_what_was_not_applied(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", 'theme = "nope"\n[keymap]\n"lead.accept" = "r"\n')
    config = load_config(path)
    save_config(config.model_copy(update={"theme": "nord"}), path)
    again = load_config(path)
    assert again.theme == "nord"
    assert again.keymap == {}
    assert 'lead.accept" = "r"' in path.read_text()


def test_the_settings_list_of_bindings_is_the_screens_own() -> None:
    """settings.keymap lists the binding ids without importing Textual; here the
    list is compared with every screen's real bindings."""
    from textual.theme import BUILTIN_THEMES

    from leadqueue.tui.error_app import StartupErrorApp
    from leadqueue.tui.screens.breaches import BreachesScreen
    from leadqueue.tui.screens.filters import FilterScreen
    from leadqueue.tui.screens.forms import AcceptForm, ConfirmScreen, RejectForm
    from leadqueue.tui.screens.help import HelpScreen
    from leadqueue.tui.screens.metrics import MetricsScreen
    from leadqueue.tui.screens.queue import QueueScreen

    screens = {
        "queue": QueueScreen,
        "breaches": BreachesScreen,
        "metrics": MetricsScreen,
        "help": HelpScreen,
        "filters": FilterScreen,
        "form": AcceptForm,
        "reject form": RejectForm,
        "confirmation": ConfirmScreen,
        "startup error": StartupErrorApp,
    }
    for name, cls in screens.items():
        real: dict[str, set[str]] = {}
        for key, bindings in cls._merged_bindings.key_to_bindings.items():
            for b in bindings:
                if b.id:
                    real.setdefault(b.id, set()).add(key)
        listed = {i: set(km.split_keys(keys)) for i, keys in km.SCREEN_BINDINGS[name].items()}
        assert listed == real, name
    # every id any screen declares is known
    import importlib
    import pkgutil

    from textual.binding import Binding

    import leadqueue.tui as tui

    for module in pkgutil.walk_packages(tui.__path__, "leadqueue.tui."):
        importlib.import_module(module.name)
    declared = {
        b.id
        for cls in _subclasses_of_dom_node()
        if cls.__module__.startswith("leadqueue.")
        for bs in cls._merged_bindings.key_to_bindings.values()
        for b in bs
        if isinstance(b, Binding) and b.id
    }
    assert declared <= km.KNOWN_IDS, declared - km.KNOWN_IDS
    assert set(km.THEMES) == set(BUILTIN_THEMES)
    # the defaults themselves never clash
    assert km.check_keymap({}) == ({}, {})
    for bindings in km.SCREEN_BINDINGS.values():
        keys = [k for v in bindings.values() for k in km.split_keys(v)]
        assert len(keys) == len(set(keys))


def _subclasses_of_dom_node() -> list[type]:
    from textual.dom import DOMNode

    found: list[type] = []
    todo: list[type] = [DOMNode]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


# -- point 4: the store refuses what it cannot hold ----------------------------------


def test_the_store_refuses_numbers_and_instants_it_cannot_hold(store: Store) -> None:
    with pytest.raises(StoreError) as info, store.write() as conn:
        conn.execute(insert(leads).values(crm_id="L1", employees=2**31))
    assert str(info.value) == (
        f"store {store.label} refuses employees 2147483648: out of range (-2147483648 to 2147483647);"
        " nothing was written"
    )
    with pytest.raises(StoreError) as info, store.write() as conn:
        conn.execute(insert(leads).values(crm_id="L2", created_at=datetime(9999, 12, 31, tzinfo=UTC)))
    assert str(info.value) == (
        f"store {store.label} refuses instant 9999-12-31T00:00:00+00:00: years 1900 to 2200 only;"
        " nothing was written"
    )
    with store.read() as conn:
        assert conn.execute(select(leads.c.id)).first() is None
        # Only what is stored is checked: a query may ask about any instant.
        after = leads.c.created_at > datetime(1800, 1, 1, tzinfo=UTC)
        assert conn.execute(select(leads.c.id).where(after)).first() is None


def test_a_report_may_ask_about_any_year(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", str(db), "report", "metrics", "--since", "1800-01-01")
    assert code == 0, err


def test_a_sync_bringing_an_instant_out_of_range_skips_that_record_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad record, like any other: skipped and reported, so it never blocks every later sync."""
    monkeypatch.setenv("LEADQUEUE_NOW", NOW)
    source = tmp_path / "hubspot.csv"
    shutil.copyfile(DATA / "hubspot_contacts.csv", source)
    share = tmp_path / "share"
    share.mkdir()
    mine, theirs = tmp_path / "mine.db", tmp_path / "theirs.db"
    for db in (mine, theirs):
        assert main(["--db", str(db), "import", str(source), "--rep", "Maria Santos"]) == 0
    lq = ["--as", "maria-santos"]
    assert main(["--db", str(theirs), *lq, "reject", "51234567801", "--reason", "R3"]) == 0
    assert main(["--db", str(theirs), *lq, "sync", "--export-dir", str(share)]) == 0
    (segment,) = share.rglob("*.jsonl")
    # The record with its instant out of range, in a segment signed whole (an edited one is refused whole).
    line = segment.read_text().splitlines()[1].replace(f'"{NOW}"', '"9999-12-31T23:00:00Z"')
    segment.unlink()
    Writer(share, segment.parent.name, "maria-santos").publish([json.loads(line)])
    before = event_count(mine)
    code, out, err = run(capsys, "--db", str(mine), *lq, "sync", "--export-dir", str(share))
    assert code == 0 and "skipped" in out
    assert "leadqueue: warning: skipped" in err and "outside the years 1900-2200" in err
    assert event_count(mine) == before


def test_settings_errors_from_a_check_across_keys_name_the_key(tmp_path: Path) -> None:
    policy = write(
        tmp_path / "policy.toml",
        '[working_hours]\nmon = ["09:00-09:30"]\n'
        '[windows.disposition]\nwindow = "2000bd"\nmeasure = "working"',
    )
    with pytest.raises(SettingsError) as info:
        load_policy(policy)
    assert str(info.value) == (
        f"policy {policy}: windows.disposition.window: '2000bd' of working time takes more than ten years"
        " at this policy's 30m of working hours a week"
    )
