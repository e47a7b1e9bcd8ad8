"""Cell values for files people open in spreadsheets and CRMs import.

Every cell goes through the one neutraliser, `safe_text.csv_cell` (control
characters and bidi controls shown visibly; OWASP's CSV injection guidance;
numbers and phone numbers stay whole). CRM files type
each column: ids and date-times are validated and written as they are, free
text is neutralised.
"""

from __future__ import annotations

from datetime import UTC, datetime

from leadqueue.domain.safe_text import csv_cell


def free_text(text: str) -> str:
    """Free text in a file a spreadsheet may open: never a formula, nothing raw."""
    return str(csv_cell(text))


def crm_datetime(at: datetime | None) -> str:
    """Salesforce's Data Loader form, `yyyy-MM-ddTHH:mm:ss.SSSZ`, in UTC."""
    if at is None:
        return ""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
