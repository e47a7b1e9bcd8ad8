"""Policy and config files: validation errors name the file, the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadqueue.domain.policy import ClockName, Measure, Policy, Tier
from leadqueue.settings.config import UserConfig, load_config, save_config
from leadqueue.settings.policy_file import load_policy, parse_policy, policy_to_toml
from leadqueue.settings.toml_errors import SettingsError


def write(tmp_path: Path, text: str, name: str = "policy.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_match_the_domain_document() -> None:
    p = Policy()
    w = p.windows
    assert [w.for_clock(ClockName.DECISION, t).parsed.seconds for t in Tier] == [
        4 * 3600,
        24 * 3600,
        48 * 3600,
    ]
    assert w.first_touch.parsed.seconds == 24 * 3600
    assert (str(w.discovery.parsed), w.discovery.measure) == ("5bd", Measure.WORKING)
    assert str(w.disposition.parsed) == "10bd"
    assert p.at_risk_fraction == 0.25
    assert sorted(p.reasons) == ["OTHER", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"]


def test_a_full_policy_file_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
time_zone = "Europe/Berlin"
at_risk_fraction = 0.2

[working_hours]
mon = ["08:00-12:00", "13:00-17:00"]
fri = ["08:00-14:00"]

[holidays]
dates = [2026-12-24, 2026-12-31]
country = "DE"
subdivision = "BY"

[windows.decision_hot]
window = "2h"
measure = "working"

[tiers]
hot_score = 75

[reasons.R9]
label = "Reseller lead"
routing = "route to partner team"
action = "account_management"

[reasons.R6]
label = "No budget this cycle"
routing = "nurture"
action = "nurture"
retired = true
""",
    )
    p = load_policy(path)
    assert p.time_zone == "Europe/Berlin"
    assert p.weekly_spans()[0] == [(480, 720), (780, 1020)]
    assert p.weekly_spans()[1] == []  # a weekday not listed has no working hours
    assert p.windows.decision_hot.measure is Measure.WORKING
    assert "R9" in p.active_reasons() and "R6" not in p.active_reasons()
    assert p.reason("R6") is not None  # retired codes stay readable


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('time_zone = "Mars/Olympus"', "time_zone: unknown time zone 'Mars/Olympus'"),
        ("at_risk_fraction = 1.5", "at_risk_fraction: Input should be less than 1"),
        ('[windows.first_touch]\nwindow = "soon"', "windows.first_touch.window: 'soon' is not a window"),
        (
            '[windows.discovery]\nwindow = "5bd"\nmeasure = "elapsed"',
            "windows.discovery: a window in business",
        ),
        ('[working_hours]\nmon = ["17:00-09:00"]', "working_hours: '17:00-09:00': a span must end after"),
        ('[working_hours]\nfunday = ["09:00-17:00"]', "working_hours: unknown weekday 'funday'"),
        ('[holidays]\ncountry = "XX"', "holidays: unknown holiday country 'XX'"),
        ("colour = 3", "colour: unknown key"),
        ('[reasons.bad]\nlabel="x"\nrouting="y"\naction="nurture"', "reasons: reason code 'bad'"),
        ("[tiers]\nhot_score = 30\nlow_score_below = 50", "tiers: low_score_below must not exceed"),
    ],
)
def test_invalid_policy_names_the_key_and_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as info:
        load_policy(path)
    assert str(info.value).startswith(f"policy {path}: ")
    assert expected in str(info.value)


def test_broken_toml_gives_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "time_zone = \n")
    with pytest.raises(SettingsError, match=r"not valid TOML: .*line 1"):
        load_policy(path)


def test_policy_round_trips_through_toml() -> None:
    import tomllib

    p = Policy(time_zone="Australia/Sydney")
    assert parse_policy(tomllib.loads(policy_to_toml(p))) == p


def test_default_policy_file_in_the_config_dir_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADQUEUE_CONFIG_DIR", str(tmp_path))
    assert load_policy().time_zone == "America/New_York"
    write(tmp_path, 'time_zone = "Europe/London"')
    assert load_policy().time_zone == "Europe/London"


def test_config_round_trip_and_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_config(UserConfig(rep="ana", theme="nord", keymap={"accept": "ctrl+a"}), path)
    loaded = load_config(path)
    assert (loaded.rep, loaded.theme, loaded.keymap) == ("ana", "nord", {"accept": "ctrl+a"})
    path.write_text('rep = "ana"\nrpe = "typo"\n')
    with pytest.raises(SettingsError, match="rpe: unknown key"):
        load_config(path)
