"""A progress bar on stderr for long imports; silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Small jobs finish before a bar would be readable.
MIN_ROWS_FOR_BAR = 5000
MIN_BYTES_FOR_BAR = 2_000_000


@contextmanager
def progress_bar(label: str, in_bytes: bool = False) -> Iterator[Callable[[int, int], None]]:
    """`update(done, total)` in rows, or in bytes of a file read (`in_bytes`)."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    # deferred: rich (~20 modules), only when a bar is drawn on a terminal
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    smallest = MIN_BYTES_FOR_BAR if in_bytes else MIN_ROWS_FOR_BAR
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn() if in_bytes else MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if total < smallest:
            return
        if task is None:
            progress.start()
            task = progress.add_task(label, total=total)
        progress.update(task, completed=done)

    try:
        yield update
    finally:
        if task is not None:
            progress.stop()
