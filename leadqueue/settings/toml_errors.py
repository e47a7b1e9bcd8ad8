"""Turn TOML and pydantic failures into one line naming the file and the key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError


class SettingsError(Exception):
    pass


def read_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        # utf-8-sig: Notepad (and other Windows editors) may start the file with a BOM
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError as exc:
        raise SettingsError(f"{what} {path} does not exist") from exc
    except IsADirectoryError as exc:
        raise SettingsError(f"{what} {path} is a folder, not a file") from exc
    except PermissionError as exc:
        raise SettingsError(f"{what} {path} cannot be read: permission denied") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{what} {path} is not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{what} {path} is not UTF-8 text") from exc


def explain(exc: ValidationError, path: Path | str, what: str) -> SettingsError:
    """Every key that is wrong, each with why, in one line naming the file."""
    return SettingsError(f"{what} {path}: " + "; ".join(_problem(error) for error in exc.errors()))


def _problem(error: Any) -> str:
    key = ".".join(str(p) for p in error["loc"]) or "(top level)"
    message = error["msg"].removeprefix("Value error, ")
    cause = error.get("ctx", {}).get("error")
    named = getattr(cause, "key", None)
    if isinstance(named, str):  # a check across keys that names the one to change
        key = ".".join(p for p in (key if error["loc"] else "", named) if p)
        message = str(getattr(cause, "message", message))
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    return f"{key}: {message}"
