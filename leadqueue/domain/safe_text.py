"""Text from outside (CRM files, web forms, colleagues' notes, the policy) made
safe where it is shown or written: the one place for it.

- `terminal_safe`: for anything written to a terminal, by the CLI or a widget.
  C0 and C1 control characters (ESC, BEL, NUL, the 8-bit CSI 0x9b, ...) would
  let a lead's name set the window title, write the clipboard (OSC 52) or wipe
  the screen; bidi overrides would make text read in a different order than
  it is. Each is shown as a visible symbol instead (`␛`, `\\x9b`), so nothing is
  hidden and nothing is run. Tabs and newlines stay only where asked.
- `csv_cell`: for every cell of a CSV the program writes. OWASP's CSV
  injection guidance: a cell starting with `=`, `+`, `-`, `@`, tab or carriage
  return may be run as a formula by a spreadsheet, so it is prefixed with a
  single quote, which spreadsheets show as text. A cell that is only a number
  or a phone number (digits, spaces, `+ - ( ) .`) is left whole: no
  spreadsheet runs it, and a quote would corrupt it for a CRM.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ASCII digits and plain spaces only: a leading tab, CR or newline is neutralised even before digits.
_NUMBER_LIKE = re.compile(r"[+-]?[0-9 ().-]*[0-9][0-9 ().-]*")

# C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_WITH_LAYOUT = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ ␛ ␇ ...
    if code == 0x7F:
        return "\u2421"  # ␡
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
    """A value for a CSV cell: text a spreadsheet could run as a formula is made text."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _NUMBER_LIKE.fullmatch(value):
        return value
    return "'" + value
