"""Loading the team policy file (TOML), validated into a Policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from leadqueue.domain.import_mapping import ImportMapping
from leadqueue.domain.policy import Policy
from leadqueue.settings import paths
from leadqueue.settings.toml_errors import SettingsError, explain, read_toml


def load_policy(path: Path | None = None) -> Policy:
    """The policy at `path`, or the default file if it exists, or the built-in defaults."""
    if path is None:
        default = paths.policy_file()
        if not default.exists():
            return Policy()
        path = default
    return parse_policy(read_toml(path, "policy"), path)


def parse_policy(data: dict[str, Any], source: Path | str = "<policy>") -> Policy:
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise explain(exc, source, "policy") from exc


def load_import_mapping(path: Path) -> ImportMapping:
    """A `--map FILE.toml`: the columns of a lead file no built-in format knows."""
    data = read_toml(path, "mapping")
    stray = [k for k, v in data.items() if isinstance(v, str) and k not in _MAPPING_OPTIONS]
    if "columns" not in data and stray:
        # `"Prospect Ref" = "crm_id"` above any table: TOML reads it as a top-level key
        raise SettingsError(
            f"mapping {path}: no [columns] table: put the lines `header = field` under a line"
            " [columns] (date_order, source_zone and closed_statuses stay above it)"
        )
    try:
        return ImportMapping.model_validate(data)
    except ValidationError as exc:
        raise explain(exc, path, "mapping") from exc


_MAPPING_OPTIONS = frozenset({"date_order", "source_zone", "closed_statuses"})


def policy_to_toml(policy: Policy) -> str:
    data = policy.model_dump(mode="json", exclude_none=True, by_alias=True)
    return tomli_w.dumps(data)


__all__ = ["SettingsError", "load_import_mapping", "load_policy", "parse_policy", "policy_to_toml"]
