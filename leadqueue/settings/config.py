"""The personal config file: who I am, my store, my export folder, theme, keymap."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from leadqueue.settings import paths
from leadqueue.settings.keymap import DEFAULT_THEME, check_keymap, check_theme
from leadqueue.settings.toml_errors import SettingsError, explain, read_toml


class Alerts(BaseModel):
    """`[alerts]`: how the app calls a rep back to a terminal in the background when a
    hot lead arrives or a lead turns at risk. `desktop` is the escape sequence the
    terminal turns into a desktop notification: OSC 9 (iTerm2, kitty, WezTerm,
    Ghostty, Windows Terminal) or OSC 777 (foot, urxvt, WezTerm, Ghostty, some VTE);
    a terminal that knows neither ignores it."""

    model_config = ConfigDict(extra="forbid")

    bell: bool = True
    desktop: Literal["osc9", "osc777", "off"] = "osc9"


class UserConfig(BaseModel):
    """The config as it can be applied: a theme that does not exist falls back to
    the default and a keymap entry that would take another action's key is left
    out, each with a warning naming the key (`warnings`), so a mistake in the
    file never costs an action or stops the app."""

    model_config = ConfigDict(extra="forbid")

    rep: str | None = None
    store: str | None = None  # a path or a SQLAlchemy URL
    export_dir: str | None = None
    policy: str | None = None
    theme: str = DEFAULT_THEME
    # binding id -> keys, e.g. "lead.accept" = "ctrl+a"
    keymap: dict[str, str] = Field(default_factory=dict)
    alerts: Alerts = Field(default_factory=Alerts)

    _source: str = PrivateAttr(default="config")
    _problems: list[tuple[str, str]] = PrivateAttr(default_factory=list)
    # What the file said but is not applied: written back as it was by save_config.
    _set_aside: dict[str, Any] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        problems: list[tuple[str, str]] = []
        set_aside: dict[str, Any] = {}
        why = check_theme(self.theme)
        if why:
            problems.append(("theme", why))
            set_aside["theme"] = self.theme
            self.theme = DEFAULT_THEME
        applied, keymap_problems = check_keymap(self.keymap)
        for binding_id, why in keymap_problems.items():
            problems.append((f'keymap."{binding_id}"', why))
        left_out = {k: v for k, v in self.keymap.items() if k not in applied}
        if left_out:
            set_aside["keymap"] = left_out
            self.keymap = applied
        self._problems = problems
        self._set_aside = set_aside

    @property
    def warnings(self) -> list[str]:
        """One line per problem, naming the file and the key."""
        return [f"{self._source}: {key}: {why}" for key, why in self._problems]


def load_config(path: Path | None = None) -> UserConfig:
    path = path or paths.config_file()
    if not path.exists():
        return UserConfig()
    try:
        config = UserConfig.model_validate(read_toml(path, "config"))
    except ValidationError as exc:
        raise explain(exc, path, "config") from exc
    config._source = f"config {path}"
    return config


def save_config(config: UserConfig, path: Path | None = None) -> None:
    """Write the config atomically so a crash never leaves half a file.

    Keymap entries left out when it was read are written back as they were:
    saving a theme chosen in the app must not delete what the user wrote."""
    path = path or paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = config.model_dump(exclude_none=True, exclude_defaults=False)
    kept = config._set_aside.get("keymap")
    if kept:
        data["keymap"] = {**data.get("keymap", {}), **kept}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(fd, "wb") as fh:
            tomli_w.dump(data, fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["Alerts", "SettingsError", "UserConfig", "load_config", "save_config"]
