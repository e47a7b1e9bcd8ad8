"""Benchmark stores, built once per parameter set and kept between runs."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "leadqueue-bench-cache"


def cached_store(name: str, fresh: bool, build: Callable[[Path], None]) -> Path:
    """A SQLite store built under a temporary name, folded into one file, then
    renamed into place: a run cut short never leaves a half-built store."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / name
    if path.exists() and not fresh:
        return path
    path.unlink(missing_ok=True)
    partial = CACHE / f".{name}.{os.getpid()}.partial"
    for leftover in CACHE.glob(f"{partial.name}*"):
        leftover.unlink()
    started = time.perf_counter()
    print(f"building {path} ...", flush=True)
    build(partial)
    with closing(sqlite3.connect(partial)) as conn:  # nothing left behind in a -wal file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(partial, path)
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def generated_store(path: Path, *demo_args: str) -> Path:
    """A store made by `leadqueue demo --generate` with these arguments, unless
    `path` is already there. Callers put the schema version in the name, so an
    older store is never upgraded inside a timed run."""
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        command = [sys.executable, "-m", "leadqueue", "demo", "--generate", *demo_args, "--out", str(path)]
        subprocess.run(command, check=True)
    return path
