"""CSV text as CRMs and spreadsheets write it: the delimiter a file uses, its
records with the line each starts on in errors, and the footer a CRM report
puts after its rows. Shared by lead files and user lists."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from leadqueue.io.errors import ImportFileError

# csv's default cap (128 KiB a cell) would end a whole import at one long note: a cell
# longer than its store column is a row error that names it (row_parser.py).
FIELD_LIMIT = 16 * 1024 * 1024
csv.field_size_limit(FIELD_LIMIT)


def sniff_delimiter(text: str) -> str:
    """The header line's separator: a comma when it has one, else `;`, tab or `|`."""
    first_line = re.split(r"\r\n?|\n", text.lstrip("\r\n"), maxsplit=1)[0]  # any line ending
    if "," in first_line:
        return ","
    try:
        return csv.Sniffer().sniff(first_line, delimiters=";\t|").delimiter
    except csv.Error:
        return ","


def csv_records(
    path: Path, lines: Iterable[str], delimiter: str, lines_before: int = 0
) -> Iterator[list[str]]:
    # strict: a quote that is never closed must not silently swallow the rest of the file
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    line = lines_before + 1
    try:
        for record in reader:
            yield record
            line = lines_before + reader.line_num + 1
    except csv.Error as exc:
        # A file whose lines end in carriage returns is split on them (decoding.py)
        if "new-line character seen in unquoted field" in str(exc):
            raise ImportFileError(
                f"{path}: line {line} has a lone carriage return outside quotes"
                " (line endings of two kinds?): save the file again as CSV"
            ) from None
        hint = " (a quote that is never closed?)" if "end of data" in str(exc) else ""
        raise ImportFileError(
            f"{path}: malformed CSV in the record starting at line {line}: {exc}{hint}"
        ) from None


# A report's summary row: "Grand Totals (5 records)", "Total", "Subtotal", in its first cell.
_TOTALS = re.compile(r"(?:grand\s+totals?|sub-?totals?|totals?)(?:\s*\(.*\)|\s*:.*)?", re.IGNORECASE)


def totals_row(cells: list[str], id_index: int) -> bool:
    """A report's summary row (its first cell says "Grand Totals"...), not a lead: a lead's
    row with a first name "Total" still has its id."""
    if not cells or not _TOTALS.fullmatch(cells[0].strip()):
        return False
    return id_index == 0 or id_index >= len(cells) or not cells[id_index].strip()


class ReportFooter:
    """A report's rows end at a blank line or a "Grand Totals" row; after that, lines
    of one cell are its footer (its name, a copyright line, who ran it)."""

    def __init__(self, id_index: int) -> None:
        self.id_index = id_index
        self.started = False

    def skips(self, cells: list[str]) -> bool:
        """Whether this record is no data row: a blank line, a totals row or the footer."""
        if not "".join(cells).strip():
            self.started = True
            return True
        if self.started and sum(1 for c in cells if c.strip()) == 1:
            return True
        if totals_row(cells, self.id_index):
            self.started = True
            return True
        return False
