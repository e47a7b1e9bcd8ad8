"""The rows a lead import could not take, written beside the input file
(`leads.csv` gives `leads.rejects.csv`) so that, fixed, they import again."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from leadqueue.io.csv_out import SafeWriter
from leadqueue.io.errors import ImportFileError
from leadqueue.io.reader import REJECTS_COLUMNS, RowError


def rejects_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


def check_writable(target: Path) -> None:
    """A rejects file that cannot be written is an error before anything is imported."""
    folder = target.parent
    if target.is_dir():
        raise ImportFileError(f"{target}: cannot write the rejects file: a directory has that name")
    if target.exists() and not os.access(target, os.W_OK):
        raise ImportFileError(f"{target}: cannot write the rejects file: permission denied")
    if not target.exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise ImportFileError(f"{target}: cannot write the rejects file: {folder} is not writable")


def write_rejects(out: Path, file_header: Sequence[str], errors: Sequence[RowError]) -> Path:
    """The bad rows, as they were, plus where and why, beside the input: written
    whole under a temporary name, then renamed, or ImportFileError."""
    header = list(file_header)
    # e.g. an unreadable JSON line; a rejects file's own where and why are written afresh
    header += sorted({k for e in errors for k in e.raw} - set(header) - set(REJECTS_COLUMNS))
    by_row: dict[int, list[RowError]] = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(e)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        with partial.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = SafeWriter(fh)
            writer.writerow([*REJECTS_COLUMNS, *header])
            for row, found in by_row.items():  # one line a row: fixed, the file imports again
                columns = ", ".join(dict.fromkeys(e.column for e in found if e.column))
                reasons = "; ".join(e.reason for e in found)
                writer.writerow([row, columns, reasons, *(found[0].raw.get(h, "") for h in header)])
        os.replace(partial, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        reason = exc.strerror or str(exc)
        raise ImportFileError(
            f"{out}: cannot write the rejects file: {reason}; nothing was imported"
        ) from None
    return out
