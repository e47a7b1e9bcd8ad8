"""Text from outside (CRM files, web forms, colleagues' notes, the policy) made
safe where it is shown or written: the one place for it.

- `terminal_safe`: for anything written to a terminal, by the CLI or a widget.
  C0 and C1 control characters (ESC, BEL, NUL, the 8-bit CSI 0x9b, ...) would
  let a lead's name set the window title, write the clipboard (OSC 52) or wipe
  the screen; bidi controls (overrides, isolates, the LRM/RLM/ALM marks) would
  make text read in a different order than it is, and the line and paragraph
  separators (U+2028/9) split one value in two for some tools. Each is shown
  as a visible symbol instead (`␛`, `\\x9b`), so nothing is hidden and nothing
  is run. Tabs and newlines stay only where asked.
- `csv_cell`: for every cell of a CSV the program writes. Control characters
  but tab, newline and carriage return (a cell's own layout), bidi controls
  (overrides, embeddings, isolates and the LRM/RLM/ALM marks) and the line
  and paragraph separators (which CSV does not quote: a tool splitting lines
  there would cut the row in two) are shown visibly as `terminal_safe` shows
  them: a file printed to a terminal (`--out -`) or opened in an editor runs
  nothing and hides nothing. Then
  OWASP's CSV injection guidance: a cell starting with `=`, `+`, `-`, `@`,
  tab or carriage return may be run as a formula by a spreadsheet, so it is
  prefixed with a single quote, which spreadsheets show as text. A cell that
  is only a number or a phone number (digits, spaces, `+ - ( ) .`) is left
  whole: no spreadsheet runs it, and a quote would corrupt it for a CRM.
- `json_safe`: for JSON text the program writes (JSON lines). JSON escapes C0
  controls itself; DEL, C1 and the bidi controls it leaves raw are escaped
  the JSON way (`\\u202e`), so the text decodes to the same data.
"""

from __future__ import annotations

import json
import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ASCII digits and plain spaces only: a leading tab, CR or newline is neutralised even before digits.
_NUMBER_LIKE = re.compile(r"[+-]?[0-9 ().-]*[0-9][0-9 ().-]*")

# Bidi controls that reorder what is shown: embeddings, overrides, isolates, and the
# LRM/RLM/ALM marks (invisible, they move the text around them).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Bytes that were no UTF-8 (a file name from an old share), as Python keeps them: lone
# surrogates, which no UTF-8 terminal or file write accepts.
_UNDECODED = "\udc80-\udcff"
# C0 controls but tab and newline, DEL, C1 controls, bidi controls, and the line and
# paragraph separators (a line break to some tools, none to others: a value split in two).
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{_BIDI}{_UNDECODED}]")
_UNSAFE_WITH_LAYOUT = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}{_UNDECODED}]")
# In a cell: C0 but tab, newline and carriage return; DEL; C1; the separators; bidi controls.
_UNSAFE_IN_CELL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029{_BIDI}{_UNDECODED}]")
# What JSON leaves raw in a string (it escapes C0 itself) but a terminal acts on.
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{_BIDI}{_UNDECODED}]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ ␛ ␇ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # the byte that was no UTF-8
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_safe(text: str, keep_layout: bool = False) -> str:
    """`text` with every control character and bidi override shown visibly, never raw.

    `keep_layout` keeps tabs and newlines (a note shown over several lines);
    otherwise they too become visible, so one value stays on one line."""
    pattern = _UNSAFE if keep_layout else _UNSAFE_WITH_LAYOUT
    if pattern.search(text) is None:  # the common case: nothing to replace
        return text
    return pattern.sub(_visible, text)


def csv_cell(value: object) -> object:
    """A value for a CSV cell: control characters shown visibly, and text a spreadsheet
    could run as a formula made text. Tab, newline and carriage return stay: a note's
    lines are its data, and CSV quotes them."""
    if not isinstance(value, str):
        return value
    if _UNSAFE_IN_CELL.search(value) is not None:
        value = _UNSAFE_IN_CELL.sub(_visible, value)
    if not value.startswith(FORMULA_STARTS):
        return value
    if _NUMBER_LIKE.fullmatch(value):
        return value
    return "'" + value


def unguarded_cell(value: str) -> str:
    """A cell read from a CSV file, without the apostrophe csv_cell (or another tool)
    put before text a spreadsheet could run as a formula: the guard is not the data,
    and a rejects file, fixed, imports what its rows held."""
    if (
        value.startswith("'")
        and value[1:].startswith(FORMULA_STARTS)
        and not _NUMBER_LIKE.fullmatch(value[1:])
    ):
        return value[1:]
    return value


def json_safe(text: str) -> str:
    """JSON text with DEL, C1 and bidi controls escaped the JSON way (`\\u009b`): the
    same data once decoded, and nothing raw when the text is shown. C0 controls are
    already escaped by json.dumps."""
    if _UNSAFE_IN_JSON.search(text) is None:
        return text
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_document(data: Any) -> str:
    """Data as an indented JSON document, nothing raw in it (json_safe): what every JSON
    output writes, to the terminal or to a file someone will `cat`."""
    return json_safe(json.dumps(data, indent=2, ensure_ascii=False, default=str)) + "\n"
