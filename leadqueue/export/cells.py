"""Cell values for files people open in spreadsheets and CRMs import.

OWASP's CSV-injection guidance: a cell that starts with `=`, `+`, `-`, `@`,
tab or carriage return may be run as a formula, so such a cell is prefixed
with a single quote, which spreadsheets show as text. CRM files type each
column instead: ids and date-times are validated and written as they are,
free text is neutralised, except text that is only a number or a phone number
(digits, spaces, `+ - ( ) .`), which no spreadsheet can turn into a harmful
formula and which a quote would corrupt.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ASCII digits and plain spaces only: a leading tab, CR or newline is neutralised even before digits.
_NUMBER_LIKE = re.compile(r"[+-]?[0-9 ().-]*[0-9][0-9 ().-]*")


def neutralise(text: str) -> str:
    """Any cell a spreadsheet could run as a formula, made text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def free_text(text: str) -> str:
    """Free text in a CRM file: neutralised, phone numbers and plain numbers left whole."""
    if _NUMBER_LIKE.fullmatch(text):
        return text
    return neutralise(text)


def crm_datetime(at: datetime | None) -> str:
    """Salesforce's Data Loader form, `yyyy-MM-ddTHH:mm:ss.SSSZ`, in UTC."""
    if at is None:
        return ""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
