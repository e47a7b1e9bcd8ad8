"""Where leadqueue keeps its files (platformdirs), overridable for tests and scripts."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "leadqueue"


def config_dir() -> Path:
    return Path(os.environ.get("LEADQUEUE_CONFIG_DIR") or platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    return Path(os.environ.get("LEADQUEUE_DATA_DIR") or platformdirs.user_data_dir(APP))


def log_dir() -> Path:
    return Path(os.environ.get("LEADQUEUE_LOG_DIR") or platformdirs.user_log_dir(APP))


def config_file() -> Path:
    return config_dir() / "config.toml"


def policy_file() -> Path:
    return config_dir() / "policy.toml"


def default_store() -> Path:
    return data_dir() / "leadqueue.db"
