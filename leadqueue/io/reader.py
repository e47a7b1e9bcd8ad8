"""Reading lead files exported from a CRM: pure parsing, no database.

`open_lead_file` finds the format from the header (Salesforce with API field
names or report labels, HubSpot contacts old and new, Zoho leads, leadqueue's
own CSV, JSON lines, or a team's mapping), the encoding from the bytes, and
the date order from the file's own values; its `batches()` then streams
every data row as a `ParsedRow` or the `RowError`s that say why not. A file
of any size costs the memory of a batch. Problems with the file as a whole
raise `ImportFileError`. Column layouts live in `leadqueue.io.crm_formats`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from leadqueue.domain.import_mapping import CONTACT_FIELDS, ID_FIELD
from leadqueue.domain.safe_text import unguarded_cell
from leadqueue.io import crm_formats as cf
from leadqueue.io.cells import json_kind
from leadqueue.io.csv_text import ReportFooter, csv_records, sniff_delimiter
from leadqueue.io.decoding import DecodedLines
from leadqueue.io.errors import ImportFileError
from leadqueue.io.repeats import FirstRows, FirstRowsInMemory, Result, settle_repeats
from leadqueue.io.row_parser import ParsedRow, RowError, RowParser, repeated_headers
from leadqueue.io.timestamps import DateOrder, TimestampParser, order_from_samples_or

__all__ = [
    "ImportFileError",
    "LeadFile",
    "ParsedRow",
    "ReadResult",
    "RowError",
    "open_lead_file",
    "read_leads",
]

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 1000
_DATE_TARGETS = frozenset({"created_at", "assigned_at", "modified_at"})
REJECTS_COLUMNS = ("row", "column", "error")  # a rejects file's first columns: where and why


@dataclass
class ReadResult:
    """A whole file read at once (small files, tests); imports stream `LeadFile.batches()`."""

    path: Path
    format: str
    encoding: str
    rows: list[ParsedRow]
    errors: list[RowError]
    header: list[str]


@dataclass(frozen=True)
class ReadStats:
    """What reading a file's rows found, for the import summary."""

    encoding: str  # as the summary says it: "utf-8", or "utf-8 (3 lines cp1252)"
    fallback_lines: int = 0  # lines of a UTF-8 file read in fallback_encoding
    fallback_encoding: str = "Windows-1252"
    skipped_hour_times: int = 0  # wall times in the hour a clock change skipped
    unknown_countries: Mapping[str, int] = field(default_factory=dict)  # not in regions.toml: rows each


@dataclass
class LeadFile:
    """A lead file whose format, header and date order are known; its rows still to come."""

    path: Path
    format: cf.CrmFormat
    header: list[str]
    source_zone: ZoneInfo  # where timestamps without an offset are read
    date_order: DateOrder
    date_order_guessed: bool  # every date was ambiguous: the team's default order was used
    ignored_columns: list[str] = field(default_factory=list)  # repeated headers
    unmatched_mapping: list[str] = field(default_factory=list)  # a mapping's headers the file lacks
    encoding: str = "utf-8"  # the codec the file opened in (from its bytes, or --encoding)
    read: ReadStats | None = None  # set once batches() has read every row
    encoding_asked: str | None = None  # --encoding, else found from the bytes
    default_rep: str | None = None  # --rep: the owner of rows that name none
    jsonl: bool = False  # JSON lines, else CSV
    skip_columns: int = 0  # leading columns that are no lead's: a rejects file's row, column, error
    delimiter: str = ","  # between a CSV file's cells

    @property
    def format_name(self) -> str:
        return cf.JSONL_FORMAT_NAME if self.jsonl else self.format.name

    @property
    def format_label(self) -> str:
        """The format as the import summary names it."""
        return "JSON lines" if self.jsonl else self.format.label

    def parser(self, parse_time: TimestampParser | None = None) -> RowParser:
        """The plan the rows are parsed by: which column feeds which field, through what."""
        parse_time = parse_time or TimestampParser(self.source_zone, self.date_order)
        # Excel separates cells with ';' where the decimal mark is a comma
        decimal_comma = self.delimiter == ";"
        return RowParser(
            self.format,
            self.header,
            parse_time,
            default_rep=self.default_rep,
            text_cells=not self.jsonl,
            skip_columns=self.skip_columns,
            decimal_comma=decimal_comma,
        )

    def batches(
        self, first_rows: FirstRows, size: int = 2000, progress: Progress | None = None
    ) -> Iterator[list[ParsedRow | list[RowError]]]:
        """Every data row in file order, `size` rows at a time, each a ParsedRow or
        its errors, repeats of an earlier row's id settled against `first_rows`
        (repeats.py); `progress(bytes read, file size)` as it goes."""
        clock = TimestampParser(self.source_zone, self.date_order)
        parser = self.parser(clock)

        def settled(batch: list[Result]) -> list[ParsedRow | list[RowError]]:
            return list(settle_repeats(batch, first_rows, parser.id_header, self.format.repeated_rows))

        with DecodedLines(self.path, self.encoding_asked) as lines:
            rows = _jsonl_records(self, lines, parser) if self.jsonl else _csv_records(self, lines, parser)
            batch: list[Result] = []
            for n, record in enumerate(rows, start=1):
                batch.append(record)
                if progress is not None and n % PROGRESS_EVERY == 0:
                    progress(lines.bytes_read, lines.size)
                if len(batch) == size:
                    yield settled(batch)
                    batch = []
            if batch:
                yield settled(batch)
            self.read = ReadStats(
                encoding=lines.label,
                fallback_lines=lines.fallback_lines,
                fallback_encoding=lines.fallback_name,
                skipped_hour_times=clock.skipped_hour,
                unknown_countries=dict(parser.unknown_countries),
            )
            if progress is not None:
                progress(lines.size, lines.size)


def open_lead_file(
    path: Path,
    team_zone: ZoneInfo,
    encoding: str | None = None,
    default_rep: str | None = None,
    source_zone: ZoneInfo | None = None,
    date_order: DateOrder | None = None,
    default_order: DateOrder = "mdy",
    mapping: cf.CrmFormat | None = None,
) -> LeadFile:
    """Open a lead file: its format from the header (or `mapping`), its date order
    from its own values (or `date_order`). Raises ImportFileError for the file as a whole."""
    path = Path(path)
    with DecodedLines(path, encoding) as lines:
        jsonl = path.suffix.casefold() in (".jsonl", ".ndjson")
        line_iter = iter(lines)
        first = next((line for line in line_iter if line.strip()), None)
        if first is None:
            raise ImportFileError(f"{path} is empty: no header row")
        jsonl = jsonl or first.lstrip()[:1] == "{"
        delimiter = ","
        if jsonl:
            fmt = mapping or cf.LEADQUEUE
            header, samples = _jsonl_header_and_dates(path, first, line_iter, fmt)
        else:
            delimiter = sniff_delimiter(first)
            fmt, header = _csv_format(path, first, delimiter, mapping)
            samples = (
                _csv_dates(path, fmt, header, delimiter, line_iter, lines.lines_read)
                if date_order is None
                else iter(())
            )
        guessed = False
        if date_order is None:  # reads the samples: inside, while the file is open
            date_order, guessed = order_from_samples_or(default_order, samples)
        used = lines.encoding
    zone = source_zone or (ZoneInfo("UTC") if fmt.utc_timestamps else team_zone)
    return LeadFile(
        path=path,
        format=fmt,
        header=header,
        source_zone=zone,
        date_order=date_order,
        date_order_guessed=guessed,
        ignored_columns=repeated_headers(header),
        unmatched_mapping=_unmatched(mapping, header) if mapping is not None and not jsonl else [],
        encoding=used,
        encoding_asked=encoding,
        default_rep=default_rep,
        jsonl=jsonl,
        skip_columns=len(REJECTS_COLUMNS) if _is_rejects_file(header, jsonl) else 0,
        delimiter=delimiter,
    )


def _is_rejects_file(header: Sequence[str], jsonl: bool) -> bool:
    """A file `import --skip-invalid` wrote (fixed, it imports again)."""
    first = tuple(cf.normalise_header(h) for h in header[: len(REJECTS_COLUMNS)])
    return not jsonl and first == REJECTS_COLUMNS and len(header) > len(REJECTS_COLUMNS)


def read_leads(
    path: Path,
    team_zone: ZoneInfo,
    encoding: str | None = None,
    default_rep: str | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> ReadResult:
    """Parse a whole lead file into lists: rows that cannot be read become `RowError`s."""
    lead_file = open_lead_file(path, team_zone, encoding, default_rep, **options)
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    for batch in lead_file.batches(FirstRowsInMemory(), progress=progress):
        for record in batch:
            if isinstance(record, ParsedRow):
                rows.append(record)
            else:
                errors.extend(record)
    errors.sort(key=lambda e: e.row)
    return ReadResult(
        path=lead_file.path,
        format=lead_file.format_name,
        encoding=lead_file.read.encoding if lead_file.read else lead_file.encoding,
        rows=rows,
        errors=errors,
        header=lead_file.header,
    )


# ---------------------------------------------------------------- CSV


def _unmatched(mapping: cf.CrmFormat, header: Sequence[str]) -> list[str]:
    """The mapping's headers the file does not have (a typo, or a column the export dropped)."""
    keys = {cf.normalise_header(h) for h in header}
    return [name for name in mapping.labels.values() if cf.normalise_header(name) not in keys]


def _csv_format(
    path: Path, first: str, delimiter: str, mapping: cf.CrmFormat | None
) -> tuple[cf.CrmFormat, list[str]]:
    header = [h.strip() for h in next(csv_records(path, [first], delimiter))]
    keys = {cf.normalise_header(h) for h in header}
    if mapping is not None:
        _check_columns(path, mapping, keys, f"this file ({mapping.label})")
        return mapping, header
    if keys & cf.USER_LIST_HEADERS and not keys & cf.LEAD_ID_HEADERS:
        raise ImportFileError(
            f"{path}: this is a list of CRM users, not leads: "
            f"import it with `leadqueue reps import {path.name}`"
        )
    fmt = cf.detect_format(keys)
    if fmt is None:
        guess = cf.guess_format(keys)
        if guess is cf.SALESFORCE_REPORT:
            raise ImportFileError(
                f"{path}: this looks like a Salesforce report export without its 'Lead ID' column: "
                "in the report, add the 'Lead ID' field to the columns (Edit > Columns > Lead ID), "
                "run it and export Details again"
            )
        if guess is not None:
            _check_columns(path, guess, keys, f"this looks like a {guess.label} but it")
        expected = ", ".join(f"{f.id_column!r} ({f.label})" for f in cf.CSV_FORMATS)
        raise ImportFileError(
            f"{path}: unknown format: the header has no id column; expected one of "
            f"{expected}, a .jsonl file, or a mapping (--map FILE.toml)"
        )
    _check_columns(path, fmt, keys, f"this {fmt.label}")
    return fmt, header


def _check_columns(path: Path, fmt: cf.CrmFormat, keys: set[str], what: str) -> None:
    targets = {fmt.columns[k] for k in keys if k in fmt.columns}
    missing = []
    if ID_FIELD not in targets:
        missing.append(f"the id column {fmt.id_column!r}")
    if not targets.intersection(CONTACT_FIELDS):
        missing.append(" or ".join(repr(fmt.label_of(f)) for f in CONTACT_FIELDS))
    if missing:
        raise ImportFileError(f"{path}: {what} is missing required column(s): {' and '.join(missing)}")


def _date_columns(fmt: cf.CrmFormat, header: list[str]) -> list[int]:
    seen: set[str] = set()
    out = []
    for i, name in enumerate(header):
        key = cf.normalise_header(name)
        if key not in seen and fmt.columns.get(key) in _DATE_TARGETS:
            out.append(i)
        seen.add(key)
    return out


def _csv_dates(
    path: Path, fmt: cf.CrmFormat, header: list[str], delimiter: str, rest: Iterator[str], lines_before: int
) -> Iterator[str]:
    """The date cells of the whole file, read ahead of the import to learn its date order."""
    columns = _date_columns(fmt, header)
    if not columns:
        return iter(())
    records = csv_records(path, rest, delimiter, lines_before)
    return (r[i] for r in records for i in columns if i < len(r) and r[i].strip())


def _csv_records(lead_file: LeadFile, lines: DecodedLines, parser: RowParser) -> Iterator[Result]:
    line_iter = iter(lines)
    skipped = 0
    for line in line_iter:  # to the header, past blank lines
        skipped += 1
        if line.strip():
            break
    header = lead_file.header
    width = len(header)
    # a row may stop short only of header columns without a name (a trailing delimiter):
    # a cell missing before its last would put every later cell in the wrong column
    named_width = max((i + 1 for i, name in enumerate(header) if name), default=0)
    extras = parser.extras
    records = csv_records(lead_file.path, line_iter, lead_file.delimiter, skipped)
    footer = ReportFooter(parser.id_index) if lead_file.format.footer_after_blank else None
    for number, cells in enumerate(records, start=skipped + 1):
        if footer is not None and footer.skips(cells):
            continue
        if not "".join(cells).strip():
            continue
        n = len(cells)
        raw = dict(zip(header, cells, strict=False))
        if n < width:
            raw.update(dict.fromkeys(header[n:], ""))
        if n < named_width:
            # a record cut in two by a line break in a cell that was not quoted, cells a
            # broken quote swallowed, or a cell left out of a row written by hand
            reason = (
                f"{n} cell{'s' if n != 1 else ''} but the header has {named_width} columns"
                " (a cell left out, or a line break or quote in a cell that was not quoted?)"
            )
            yield [RowError(number, "", reason, raw)]
            continue
        if n > width and any(c.strip() for c in cells[width:]):
            raw.update({f"(extra cell {k})": c for k, c in enumerate(cells[width:], start=1)})
            reason = f"{n} cells but the header has {width} columns (a stray delimiter or an unquoted comma?)"
            yield [RowError(number, "", reason, raw)]
            continue
        joined = "".join(cells)
        if "\x00" in joined:
            column = next((header[i] for i, c in enumerate(cells) if "\x00" in c and i < width), "")
            yield [RowError(number, column, "holds a NUL byte (a binary file, or a broken export?)", raw)]
            continue
        clean = [c.strip() for c in cells]
        if "'" in joined:
            clean = [unguarded_cell(c) for c in clean]
        extra: dict[str, Any] = {name: clean[i] for i, name in extras if i < n and clean[i]}
        yield parser.parse(number, clean, raw, extra)


# ---------------------------------------------------------------- JSON lines


def _jsonl_objects(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    # split on "\n" only (DecodedLines does): JSON strings may hold U+2028 and friends
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON: {exc.msg} at character {exc.pos + 1}"
            yield number, RowError(number, "", reason, {"line": line})
            continue
        if not isinstance(obj, dict):
            yield number, RowError(number, "", f"not a JSON object (found {json_kind(obj)})", {"line": line})
            continue
        yield number, obj


def _jsonl_header_and_dates(
    path: Path, first: str, rest: Iterator[str], fmt: cf.CrmFormat
) -> tuple[list[str], list[str]]:
    """Every key any line uses (the file's "header"), and its date values, in one pass."""
    keys: dict[str, None] = {}
    dates: list[str] = []
    targets: dict[str, str | None] = {}
    for _, obj in _jsonl_objects(itertools.chain([first], rest)):
        if isinstance(obj, RowError):
            continue
        for key, value in obj.items():
            if key not in keys:
                keys[key] = None
                targets[key] = fmt.columns.get(cf.normalise_header(key))
            # a sample is enough to learn the order; the memory stays flat
            dated = targets[key] in _DATE_TARGETS and isinstance(value, str) and value.strip()
            if dated and len(dates) < 50_000:
                dates.append(value)
    header = [k for k in keys if k != "extra"]
    if header:
        _check_columns(path, fmt, {cf.normalise_header(k) for k in header}, "this JSON-lines file")
    return header, dates


def _clean_json(value: Any) -> Any:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def _raw_json(obj: dict[str, Any]) -> dict[str, str]:
    return {
        k: v if isinstance(v, str) else ("" if v is None else json.dumps(v, ensure_ascii=False))
        for k, v in obj.items()
    }


def _jsonl_records(lead_file: LeadFile, lines: DecodedLines, parser: RowParser) -> Iterator[Result]:
    names = lead_file.header
    for number, obj in _jsonl_objects(lines):
        if isinstance(obj, RowError):
            yield [obj]
            continue
        cells = [_clean_json(obj.get(k)) for k in names]
        extra: dict[str, Any] = {}
        if isinstance(obj.get("extra"), dict):
            extra.update(obj["extra"])
        for index, name in parser.extras:
            if cells[index] != "":
                extra[name] = cells[index]
        yield parser.parse(number, cells, _raw_json(obj), extra)
