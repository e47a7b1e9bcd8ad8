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
        with path.open("rb") as fh:
            return tomllib.load(fh)
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
    first = exc.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    cause = first.get("ctx", {}).get("error")
    named = getattr(cause, "key", None)
    if isinstance(named, str):  # a check across keys that names the one to change
        key = ".".join(p for p in (key if first["loc"] else "", named) if p)
        message = str(getattr(cause, "message", message))
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return SettingsError(f"{what} {path}: {key}: {message}{more}")
