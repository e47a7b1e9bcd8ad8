"""Reading lead files exported from a CRM: pure parsing, no database.

`read_leads` detects the format from the header (Salesforce lead export,
HubSpot contacts export, leadqueue's own CSV, or JSON lines), decodes the
bytes (UTF-8 with or without BOM, else Windows-1252, or the encoding asked
for), and turns every data row into either a `ParsedRow` or one or more
`RowError`s. Problems with the file as a whole raise `ImportFileError`.
Column layouts live in `leadqueue.io.crm_formats`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from leadqueue.domain.lead import ContentItem, LeadProfile, ScoreItem, Touchpoint
from leadqueue.gcpause import paused_gc
from leadqueue.io import crm_formats as cf
from leadqueue.io.errors import ImportFileError

__all__ = [
    "ImportFileError",
    "ParsedRow",
    "ReadResult",
    "RowError",
    "parse_timestamp",
    "read_leads",
]

PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row (header is row 1, first data row is row 2); JSONL: line number
    column: str  # header as in the file, or "" for whole-row problems
    reason: str
    raw: dict[str, str]  # the original cells, for the reject file


@dataclass(frozen=True)
class ParsedRow:
    row: int
    profile: LeadProfile
    rep: str | None  # owner from the file, else default_rep, else None
    assigned_at: datetime | None  # aware UTC: assignment date, else create date, else None
    raw: dict[str, str]


@dataclass
class ReadResult:
    path: Path
    format: str  # "leadqueue" | "salesforce" | "hubspot" | "jsonl"
    encoding: str  # "utf-8-sig", "utf-8", "cp1252", "utf-16" or the encoding asked for
    rows: list[ParsedRow]
    errors: list[RowError]
    header: list[str]


class _CellError(ValueError):
    """A cell that cannot be converted; the message is the row error's reason."""


Converter = Callable[[Any], Any]
Progress = Callable[[int, int], None]

# ---------------------------------------------------------------- timestamps

_ISO_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SLASH = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*([AaPp])\.?[Mm]\.?)?)?"
)
_DATE_HINT = "expected e.g. 2026-11-20T14:03:00Z, 2026-11-20 14:03, 11/20/2026 2:03 PM or 11/20/2026"


def parse_timestamp(text: str, zone: ZoneInfo) -> datetime:
    """A CRM timestamp as aware UTC; without an offset it is read in `zone`. Raises ValueError."""
    text = text.strip()
    if _ISO_SHAPE.match(text):
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            if "isoformat" in str(exc):
                raise _CellError(f"unreadable date {text!r}: {_DATE_HINT}") from None
            raise _CellError(f"impossible date {text!r}: {exc}") from None
    else:
        m = _SLASH.fullmatch(text)
        if m is None:
            raise _CellError(f"unreadable date {text!r}: {_DATE_HINT}")
        month, day, year, hour, minute, second, half = m.groups()
        y = int(year) + (2000 if len(year) == 2 else 0)
        h = int(hour or 0)
        if half:
            if not 1 <= h <= 12:
                raise _CellError(f"impossible date {text!r}: hour {h} with AM/PM")
            h = h % 12 + (12 if half in "Pp" else 0)
        try:
            value = datetime(y, int(month), int(day), h, int(minute or 0), int(second or 0))
        except ValueError as exc:
            raise _CellError(f"impossible date {text!r}: {exc}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


# ---------------------------------------------------------------- cell converters

_TRUE = frozenset({"true", "yes", "y", "1", "t"})
_FALSE = frozenset({"false", "no", "n", "0", "f"})
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")
_EXCEL_NUMBER = re.compile(r"\d+(?:\.\d+)?[eE]\+\d+")


_KINDS = {dict: "a JSON object", list: "a JSON array", bool: "true/false", type(None): "null"}


def _kind(value: Any) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _CellError(f"expected text, found {_kind(value)}")
    return str(value)


def _crm_id(value: Any) -> str:
    if isinstance(value, float):
        raise _CellError(f"id {value!r} is a number with a fraction: ids must be text")
    text = _text(value)
    if "+" in text and _EXCEL_NUMBER.fullmatch(text):
        raise _CellError(
            f"id {text!r} was turned into a number by a spreadsheet; export the id column as text"
        )
    return text


def _lower_key(value: Any) -> str:
    return _text(value).casefold().replace("-", "_").replace(" ", "_")


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise _CellError(f"not a whole number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _CellError(f"not a whole number: {value!r}")
    if not isinstance(value, str):
        raise _CellError(f"not a whole number: found {_kind(value)}")
    try:
        return int(value)
    except ValueError:
        pass
    if _THOUSANDS.fullmatch(value):
        return int(value.replace(",", ""))
    try:
        number = float(value)
    except ValueError:
        number = 0.5
    if number.is_integer():
        return int(number)
    raise _CellError(f"not a whole number: {value!r}")


def _count(value: Any) -> int:
    number = _int(value)
    if number < 0:
        raise _CellError(f"must not be negative: {value!r}")
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        folded = value.casefold()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
    raise _CellError(f"not true/false: {value!r} (use true/false, yes/no or 1/0)")


def _list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(p for p in (part.strip() for part in value.split(";")) if p)
    if isinstance(value, list):
        return tuple(t for t in (_text(v).strip() for v in value if v is not None) if t)
    raise _CellError(f"expected ;-separated text or a JSON array, found {_kind(value)}")


def _domain(value: Any) -> str:
    return cf.domain_of(_text(value))


def _json_array(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise _CellError(f"invalid JSON: {exc.msg} at character {exc.pos + 1}") from None
    if not isinstance(value, list):
        raise _CellError(f"expected a JSON array, found {_kind(value)}")
    return value


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    items = []
    for n, item in enumerate(_json_array(value), start=1):
        if not isinstance(item, dict):
            raise _CellError(f"item {n}: expected a JSON object, found {_kind(item)}")
        items.append((n, item))
    return items


def _field(n: int, item: dict[str, Any], key: str, convert: Converter, default: Any = ...) -> Any:
    value = item.get(key)
    if value is None or value == "":
        if default is ...:
            raise _CellError(f"item {n}: {key!r} is missing")
        return default
    try:
        return convert(value)
    except _CellError as exc:
        raise _CellError(f"item {n}: {key!r}: {exc}") from None


def _converters(zone: ZoneInfo) -> dict[str, Converter]:
    seen: dict[str, datetime] = {}  # exports repeat timestamps a lot

    def timestamp(value: Any) -> datetime:
        if not isinstance(value, str):
            raise _CellError(f"expected a date as text, found {_kind(value)}")
        parsed = seen.get(value)
        if parsed is None:
            parsed = seen[value] = parse_timestamp(value, zone)
        return parsed

    def score_breakdown(value: Any) -> tuple[ScoreItem, ...]:
        return tuple(
            ScoreItem(
                label=_field(n, it, "label", _text),
                points=_field(n, it, "points", _int),
                kind=_field(n, it, "kind", _lower_key, "fit"),
                at=_field(n, it, "at", timestamp, None),
            )
            for n, it in _items(value)
        )

    def touchpoints(value: Any) -> tuple[Touchpoint, ...]:
        return tuple(
            Touchpoint(
                at=_field(n, it, "at", timestamp),
                kind=_field(n, it, "kind", _lower_key),
                label=_field(n, it, "label", _text, ""),
                points=_field(n, it, "points", _int, 0),
                mql_trigger=_field(n, it, "mql_trigger", _bool, False),
            )
            for n, it in _items(value)
        )

    def content(value: Any) -> tuple[ContentItem, ...]:
        if isinstance(value, str) and not value.startswith(("[", "{")):
            return tuple(ContentItem(title=t) for t in _list(value))
        out = []
        for n, item in enumerate(_json_array(value), start=1):
            if isinstance(item, str):
                if item.strip():
                    out.append(ContentItem(title=item.strip()))
            elif isinstance(item, dict):
                out.append(
                    ContentItem(
                        title=_field(n, item, "title", _text),
                        stage=_field(n, item, "stage", _lower_key, "tofu"),
                    )
                )
            else:
                raise _CellError(f"item {n}: expected a title or a JSON object, found {_kind(item)}")
        return tuple(out)

    by_target: dict[str, Converter] = {
        "crm_id": _crm_id,
        "seniority": _lower_key,
        "account_status": _lower_key,
        "email_verified": _bool,
        "employees": _count,
        "score": _int,
        "domain": _domain,
        "tech_stack": _list,
        "growth_signals": _list,
        "intent_signals": _list,
        "third_party_intent": _list,
        "score_breakdown": score_breakdown,
        "touchpoints": touchpoints,
        "content": content,
        "created_at": timestamp,
        "assigned_at": timestamp,
    }
    return by_target


# ---------------------------------------------------------------- per-file plan


class _RowParser:
    """Column index -> converter and target, computed once per file; then one call per row.

    `parse` takes cleaned cells: text stripped, missing values as "". With `text_cells`
    (CSV) every cell is a string and text targets need no conversion at all.
    """

    def __init__(
        self,
        fmt: cf.CrmFormat,
        header: Sequence[str],
        zone: ZoneInfo,
        default_rep: str | None,
        source_system: str,
        text_cells: bool,
    ) -> None:
        converters = _converters(zone)
        text: Converter | None = None if text_cells else _text
        rank = {key: n for n, key in enumerate(fmt.columns)}
        plan: list[tuple[int, int, str, str, Converter | None]] = []
        extras: list[tuple[int, str]] = []
        for index, name in enumerate(header):
            key = cf.normalise_header(name)
            target = fmt.columns.get(key)
            if target is None:
                if name:
                    extras.append((index, name))
            elif target != "ignore":
                plan.append((rank[key], index, name, target, converters.get(target, text)))
        plan.sort(key=lambda item: item[0])
        self.columns = [(index, name, target, convert) for _, index, name, target, convert in plan]
        self.extras = extras
        self.id_header = next(
            (name for _, name, target, _ in self.columns if target == "crm_id"), fmt.id_column
        )
        self.infer_seniority = not any(target == "seniority" for _, _, target, _ in self.columns)
        self.default_rep = default_rep
        self.source_system = source_system
        self.seen: dict[str, int] = {}

    def parse(
        self, row: int, cells: Sequence[Any], raw: dict[str, str], extra: dict[str, Any]
    ) -> ParsedRow | list[RowError]:
        n = len(cells)
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        failed: list[int] = []
        for index, name, target, convert in self.columns:
            if index >= n:
                continue
            value = cells[index]
            if value == "" or target in values:
                continue
            if convert is None:
                values[target] = value
                continue
            try:
                values[target] = convert(value)
            except _CellError as exc:
                errors.append(RowError(row, name, str(exc), raw))
                failed.append(index)
        if len(errors) > 1:  # report in the order of the file's columns
            errors = [e for _, e in sorted(zip(failed, errors, strict=True), key=lambda p: p[0])]

        crm_id = values.pop("crm_id", "")
        if not crm_id:
            if not any(e.column == self.id_header for e in errors):
                errors.insert(0, RowError(row, self.id_header, "missing id", raw))
        elif crm_id in self.seen:
            errors.insert(
                0, RowError(row, self.id_header, f"duplicate of row {self.seen[crm_id]} (id {crm_id})", raw)
            )
        else:
            self.seen[crm_id] = row
        if errors:
            return errors

        rep = values.pop("rep", None) or self.default_rep
        assigned_at = values.pop("assigned_at", None) or values.get("created_at")
        mobile = values.pop("mobile", None)
        if mobile and "phone" not in values:
            values["phone"] = mobile
        country, state = values.pop("country", ""), values.pop("state", "")
        if country or state or "region" in values:
            values["region"] = cf.region_of(country, values.get("region", ""), state)
        description = values.pop("description", None)
        if description:
            extra["description"] = description
            values.setdefault("talk_track", description)
        if "domain" not in values:
            domain = cf.domain_from_email(values.get("email", ""))
            if domain:
                values["domain"] = domain
        if self.infer_seniority:
            values["seniority"] = cf.infer_seniority(values.get("title", ""))
        values.setdefault("source_system", self.source_system)
        profile = LeadProfile(crm_id=crm_id, extra=extra, **values)
        return ParsedRow(row=row, profile=profile, rep=rep, assigned_at=assigned_at, raw=raw)


# ---------------------------------------------------------------- files


def read_text(path: Path, encoding: str | None) -> tuple[str, str]:
    """The file decoded, and the encoding that decoded it."""
    try:
        if path.is_dir():
            raise ImportFileError(f"{path} is a directory, not a lead file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except PermissionError:
        raise ImportFileError(f"{path}: cannot read the file: permission denied") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from None

    def undecodable(exc: UnicodeDecodeError, name: str, shift: int = 0) -> ImportFileError:
        offset = exc.start + shift
        return ImportFileError(
            f"{path}: not valid {name}: byte 0x{data[offset]:02x} at offset {offset} cannot be decoded"
            + ("" if encoding else "; pass --encoding")
        )

    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportFileError(f"{path}: unknown encoding {encoding!r}") from None
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding
        except UnicodeDecodeError as exc:
            raise undecodable(exc, encoding) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise undecodable(exc, "UTF-8 (the file starts with a UTF-8 byte-order mark)", 3) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").removeprefix("\ufeff"), "utf-16"
        except UnicodeDecodeError as exc:
            raise undecodable(exc, "UTF-16") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise undecodable(exc, "UTF-8 or Windows-1252 (cp1252)") from None


def sniff_delimiter(text: str) -> str:
    """The header line's separator: a comma when it has one, else `;`, tab or `|`."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    if "," in first:
        return ","
    try:
        return csv.Sniffer().sniff(first, delimiters=";\t|").delimiter
    except csv.Error:
        return ","


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)


def _check_columns(path: Path, fmt: cf.CrmFormat, keys: set[str], what: str) -> None:
    targets = {fmt.columns[k] for k in keys if k in fmt.columns}
    missing = []
    if "crm_id" not in targets:
        missing.append(f"the id column {fmt.id_column!r}")
    if not targets & {"email", "last_name"}:
        missing.append(f"{fmt.label_of('email')!r} or {fmt.label_of('last_name')!r}")
    if missing:
        raise ImportFileError(f"{path}: {what} is missing required column(s): {' and '.join(missing)}")


def read_leads(
    path: Path,
    team_zone: ZoneInfo,
    encoding: str | None = None,
    default_rep: str | None = None,
    progress: Progress | None = None,
) -> ReadResult:
    """Parse a lead file; rows that cannot be read become `RowError`s, whole-file problems raise."""
    path = Path(path)
    text, used = read_text(path, encoding)
    if not text.strip():
        raise ImportFileError(f"{path} is empty: no header row")
    with paused_gc():
        if path.suffix.casefold() in (".jsonl", ".ndjson") or text.lstrip()[:1] == "{":
            return _read_jsonl(path, text, used, team_zone, default_rep, progress)
        return _read_csv(path, text, used, team_zone, default_rep, progress)


def _read_csv(
    path: Path, text: str, used: str, zone: ZoneInfo, default_rep: str | None, progress: Progress | None
) -> ReadResult:
    # strict: a quote that is never closed must not silently swallow the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=True)
    records: list[list[str]] = []
    line = 1
    try:
        for record in reader:
            records.append(record)
            line = reader.line_num + 1
    except csv.Error as exc:
        hint = " (a quote that is never closed?)" if "end of data" in str(exc) else ""
        raise ImportFileError(
            f"{path}: malformed CSV in the record starting at line {line}: {exc}{hint}"
        ) from None

    start = next((i for i, rec in enumerate(records) if any(c.strip() for c in rec)), None)
    if start is None:
        raise ImportFileError(f"{path} is empty: no header row")
    header = [h.strip() for h in records[start]]
    keys = {cf.normalise_header(h) for h in header}
    fmt = cf.detect_format(keys)
    if fmt is None:
        guess = cf.guess_format(keys)
        if guess is not None:
            _check_columns(path, guess, keys, f"this looks like a {guess.label} but it")
        expected = ", ".join(f"{f.id_column!r} ({f.label})" for f in cf.CSV_FORMATS)
        raise ImportFileError(
            f"{path}: unknown format: the header has no id column; expected one of "
            f"{expected}, or a .jsonl file"
        )
    _check_columns(path, fmt, keys, f"this {fmt.label}")

    parser = _RowParser(fmt, header, zone, default_rep, fmt.source_system, text_cells=True)
    width = len(header)
    extras = parser.extras
    data = [(start + 2 + i, rec) for i, rec in enumerate(records[start + 1 :]) if "".join(rec).strip()]
    total = len(data)
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    for done, (row, cells) in enumerate(data, start=1):
        n = len(cells)
        raw = dict(zip(header, cells, strict=False))
        if n < width:
            raw.update(dict.fromkeys(header[n:], ""))
        if n > width and any(c.strip() for c in cells[width:]):
            raw.update({f"(extra cell {k})": c for k, c in enumerate(cells[width:], start=1)})
            errors.append(
                RowError(
                    row,
                    "",
                    f"{n} cells but the header has {width} columns (a stray delimiter or an unquoted comma?)",
                    raw,
                )
            )
        else:
            clean = [c.strip() for c in cells]
            extra: dict[str, Any] = {name: clean[i] for i, name in extras if i < n and clean[i]}
            result = parser.parse(row, clean, raw, extra)
            if isinstance(result, ParsedRow):
                rows.append(result)
            else:
                errors.extend(result)
        _report(progress, done, total)
    if total == 0 and progress is not None:
        progress(0, 0)
    return ReadResult(path=path, format=fmt.name, encoding=used, rows=rows, errors=errors, header=header)


def _clean_json(value: Any) -> Any:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def _raw_json(obj: dict[str, Any]) -> dict[str, str]:
    return {
        k: v if isinstance(v, str) else ("" if v is None else json.dumps(v, ensure_ascii=False))
        for k, v in obj.items()
    }


def _read_jsonl(
    path: Path, text: str, used: str, zone: ZoneInfo, default_rep: str | None, progress: Progress | None
) -> ReadResult:
    errors: list[RowError] = []
    objects: list[tuple[int, dict[str, Any]]] = []
    header: dict[str, None] = {}
    # split on "\n" only: JSON strings may legally hold U+2028 and friends, which splitlines() breaks on
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(
                RowError(number, "", f"invalid JSON: {exc.msg} at character {exc.pos + 1}", {"line": line})
            )
            continue
        if not isinstance(obj, dict):
            errors.append(RowError(number, "", f"not a JSON object (found {_kind(obj)})", {"line": line}))
            continue
        objects.append((number, obj))
        header.update(dict.fromkeys(obj))

    names = [k for k in header if k != "extra"]
    if objects:
        _check_columns(path, cf.LEADQUEUE, {cf.normalise_header(k) for k in names}, "this JSON-lines file")
    parser = _RowParser(cf.LEADQUEUE, names, zone, default_rep, cf.LEADQUEUE.source_system, text_cells=False)
    total = len(objects)
    rows: list[ParsedRow] = []
    for done, (number, obj) in enumerate(objects, start=1):
        cells = [_clean_json(obj.get(k)) for k in names]
        extra: dict[str, Any] = {}
        if isinstance(obj.get("extra"), dict):
            extra.update(obj["extra"])
        for index, name in parser.extras:
            if cells[index] != "":
                extra[name] = cells[index]
        result = parser.parse(number, cells, _raw_json(obj), extra)
        if isinstance(result, ParsedRow):
            rows.append(result)
        else:
            errors.extend(result)
        _report(progress, done, total)
    if total == 0 and progress is not None:
        progress(0, 0)
    errors.sort(key=lambda e: e.row)
    return ReadResult(
        path=path, format=cf.JSONL_FORMAT_NAME, encoding=used, rows=rows, errors=errors, header=list(header)
    )
