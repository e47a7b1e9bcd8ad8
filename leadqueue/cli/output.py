"""Everything the command line prints goes through here, so that no text from
data (a lead's name, a note, a file's cell, an owner) ever reaches the
terminal as an escape sequence, and no CSV cell as a formula."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from leadqueue.domain.safe_text import terminal_safe
from leadqueue.io.csv_out import SafeDictWriter

# What JSON allows raw inside a string but a terminal would act on: C1 controls
# and bidi overrides (json.dumps already escapes C0). Escaped the JSON way, the
# output is the same data and still valid JSON.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def say(text: str = "", err: bool = False, end: str = "\n") -> None:
    """Print a line (our own words with data in them) with nothing raw in it."""
    stream = sys.stderr if err else sys.stdout
    stream.write(terminal_safe(text, keep_layout=True) + end)


def emit_json(data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def emit_csv(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> None:
    buf = io.StringIO()
    writer = SafeDictWriter(buf, fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    say(buf.getvalue(), end="")
