"""Files the team screens export: written whole, never over an older one."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from leadqueue.io.csv_out import SafeDictWriter
from leadqueue.settings import paths


def export_folder() -> Path:
    """The current directory, where the user will look first; the data folder when
    the current directory is not writable (e.g. started from /)."""
    here = Path.cwd()
    if os.access(here, os.W_OK):
        return here
    folder = paths.data_dir() / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_export(stem: str, ext: str, now: datetime, content: str) -> Path:
    """Write `content` to '<stem>-<UTC stamp>.<ext>' atomically: a temp file in the same
    folder, fsync, then os.replace, so a reader never sees half a file."""
    folder = export_folder()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{stem}-{stamp}.{ext}"
    n = 2
    while target.exists():  # two exports within the same second (or a frozen clock)
        target = folder / f"{stem}-{stamp}-{n}.{ext}"
        n += 1
    # Spreadsheets need the BOM to read accented names in a CSV.
    encoding = "utf-8-sig" if ext == "csv" else "utf-8"
    # Not mkstemp: its 0600 would make a file meant for sharing unreadable to others;
    # open(..., "x") creates it with the user's umask and never reuses a name.
    temp = folder / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        with open(temp, "x", encoding=encoding, newline="") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def csv_text(fields: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = SafeDictWriter(buf, list(fields), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()
