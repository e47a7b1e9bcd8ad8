"""Reading a roster file (`leadqueue reps import`): CSV or JSON lines, one rep
a row, or a CRM's user list (see `crm_users`), told apart by the header. Only
the file's shape is checked here; the cells are validated as reps by the
domain. Problems with the file as a whole raise `ImportFileError`."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadqueue.domain.roster import FIELDS
from leadqueue.domain.safe_text import unguarded_cell
from leadqueue.io import crm_users
from leadqueue.io.crm_users import UserList
from leadqueue.io.csv_text import ReportFooter, sniff_delimiter
from leadqueue.io.decoding import read_text
from leadqueue.io.errors import ImportFileError

# A roster file's columns: the rep's fields, and the key their store signs sync
# segments with (validated as `reps set --sync-key` validates it).
COLUMNS = (*FIELDS, "sync_key")
# Other spellings a hand-made file may use for a column.
_SYNONYMS = {"time_zone": "zone", "timezone": "zone", "crm_id": "crm_ids", "alias": "aliases"}


@dataclass(frozen=True)
class RosterRecord:
    where: str  # "row 3" (spreadsheet row: the header is row 1) or "line 3" (JSON lines)
    cells: dict[str, Any]  # column -> value, only for the columns the record has


@dataclass(frozen=True)
class RecordProblem:
    where: str
    column: str  # "" when the record as a whole cannot be read
    reason: str


@dataclass
class RosterFile:
    path: Path
    records: list[RosterRecord] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)


def _normalise(header: str) -> str:
    """Case and surrounding or repeated spaces aside, as the CRMs' headers are compared."""
    return " ".join(header.strip().lstrip("\ufeff").split()).casefold()


def _column(header: str) -> str | None:
    name = "_".join(header.strip().casefold().split())
    name = _SYNONYMS.get(name, name)
    return name if name in COLUMNS else None


def _unknown(path: Path, header: str) -> ImportFileError:
    return ImportFileError(f"{path}: unknown column {header!r}; the columns are {', '.join(COLUMNS)}")


def read_roster(path: Path, encoding: str | None = None) -> RosterFile | UserList:
    """A roster file (CSV or JSON lines), or a CRM's user list (CSV) told apart by its header."""
    path = Path(path)
    if path.is_dir():
        raise ImportFileError(f"{path} is a directory, not a roster file")
    text, _ = read_text(path, encoding)
    if not text.strip():
        raise ImportFileError(f"{path} is empty: no header row")
    if path.suffix.casefold() in (".jsonl", ".ndjson") or text.lstrip()[:1] == "{":
        return _read_jsonl(path, text)
    return _read_csv(path, text)


def _read_csv(path: Path, text: str) -> RosterFile | UserList:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportFileError(f"{path}: malformed CSV near line {reader.line_num}: {exc}") from None
    start = next(i for i, rec in enumerate(records) if any(c.strip() for c in rec))
    header = records[start]
    # Spreadsheet row numbers (the header is row 1); blank rows are skipped.
    rows = [
        (n, cells)
        for n, cells in enumerate(records[start + 1 :], start=start + 2)
        if any(c.strip() for c in cells)
    ]
    normalised = [_normalise(h) for h in header]
    crm = crm_users.detect(normalised, rows[0][1] if rows else [])
    if crm is not None:
        # a user report's footer (its name, "Confidential Information", a copyright line)
        footer = ReportFooter(id_index=0)
        users = [(n, cells) for n, cells in enumerate(records[start + 1 :], start=start + 2)]
        rows = [(n, cells) for n, cells in users if not footer.skips(cells)]
        return crm_users.read_users(path, crm, normalised, header, rows)
    columns: list[str] = []
    for raw in header:
        column = _column(raw)
        if column is None:
            raise _unknown(path, raw)
        if column in columns:
            raise ImportFileError(f"{path}: column {column!r} appears twice in the header")
        columns.append(column)
    if "key" not in columns:
        raise ImportFileError(f"{path}: no 'key' column; the columns are {', '.join(COLUMNS)}")
    out = RosterFile(path)
    for n, cells in rows:
        where = f"row {n}"
        if len(cells) > len(columns):
            reason = f"{len(cells)} cells, but the header has {len(columns)} columns"
            out.problems.append(RecordProblem(where, "", reason))
            continue
        # Spreadsheets drop trailing empty cells: a short row has blanks there.
        padded = [*cells, *[""] * (len(columns) - len(cells))]
        # without the apostrophe `reps --format csv` puts before a cell a spreadsheet would
        # run as a formula (an alias "@msantos", a base64 sync key "+Ab..."): it is no data
        record = {column: unguarded_cell(cell) for column, cell in zip(columns, padded, strict=True)}
        out.records.append(RosterRecord(where, record))
    return out


def _read_jsonl(path: Path, text: str) -> RosterFile:
    out = RosterFile(path)
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            out.problems.append(RecordProblem(where, "", f"not valid JSON: {exc.msg}"))
            continue
        if not isinstance(obj, dict):
            out.problems.append(RecordProblem(where, "", "not a JSON object"))
            continue
        cells: dict[str, Any] = {}
        problems = []
        for header, value in obj.items():
            column = _column(str(header))
            if column is None:
                reason = f"unknown column; the columns are {', '.join(COLUMNS)}"
                problems.append(RecordProblem(where, str(header), reason))
            elif column in cells:
                problems.append(RecordProblem(where, str(header), f"{column!r} is given twice"))
            else:
                cells[column] = value
        if "key" not in cells:
            problems.append(RecordProblem(where, "key", "a key is required"))
        if problems:
            out.problems.extend(problems)
        else:
            out.records.append(RosterRecord(where, cells))
    return out
