"""The personal config file: who I am, my store, my export folder, theme, keymap."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from leadqueue.settings import paths
from leadqueue.settings.toml_errors import SettingsError, explain, read_toml


class UserConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rep: str | None = None
    store: str | None = None  # a path or a SQLAlchemy URL
    export_dir: str | None = None
    policy: str | None = None
    theme: str = "textual-dark"
    # binding id -> keys, e.g. accept = "ctrl+a"
    keymap: dict[str, str] = Field(default_factory=dict)


def load_config(path: Path | None = None) -> UserConfig:
    path = path or paths.config_file()
    if not path.exists():
        return UserConfig()
    try:
        return UserConfig.model_validate(read_toml(path, "config"))
    except ValidationError as exc:
        raise explain(exc, path, "config") from exc


def save_config(config: UserConfig, path: Path | None = None) -> None:
    """Write the config atomically so a crash never leaves half a file."""
    import os
    import tempfile

    import tomli_w

    path = path or paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = config.model_dump(exclude_none=True, exclude_defaults=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(fd, "wb") as fh:
            tomli_w.dump(data, fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["SettingsError", "UserConfig", "load_config", "save_config"]
