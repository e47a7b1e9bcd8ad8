"""Everything the command line prints goes through here, so that no text from
data (a lead's name, a note, a file's cell, an owner) ever reaches the
terminal as an escape sequence, and no CSV cell as a formula."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from leadqueue.domain.safe_text import json_document, terminal_safe
from leadqueue.io.csv_out import SafeDictWriter


def say(text: str = "", err: bool = False, end: str = "\n") -> None:
    """Print a line (our own words with data in them) with nothing raw in it."""
    stream = sys.stderr if err else sys.stdout
    stream.write(terminal_safe(text, keep_layout=True) + end)


def emit_json(data: Any) -> None:
    sys.stdout.write(json_document(data))


def emit_csv(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> None:
    buf = io.StringIO()
    writer = SafeDictWriter(buf, fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    say(buf.getvalue(), end="")
