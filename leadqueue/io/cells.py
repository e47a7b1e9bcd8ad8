"""Converting the cells of a lead file into `LeadProfile` values.

Each converter takes a cell (text from a CSV, any JSON value from JSON
lines) and returns the value, or raises `CellError` whose message is the
row error's reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from leadqueue.domain.lead import ContentItem, ScoreItem, Touchpoint
from leadqueue.domain.owners import salesforce_id18, salesforce_suffix_problem
from leadqueue.domain.reimport import CrmModified
from leadqueue.io.people import domain_of
from leadqueue.io.timestamps import resolution

Converter = Callable[[Any], Any]
Timestamps = Callable[[str], datetime]

# What fits the store's integer columns (PostgreSQL's INTEGER).
INT_LIMIT = 2**31 - 1


class CellError(ValueError):
    """A cell that cannot be converted; the message is the row error's reason."""


# How files write a yes or no (IsConverted, IsActive, email_verified), compared case-folded.
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f"})
# A whole number in groups of three, one separator throughout: 1,234, 1 234 (also with a
# no-break space), 1'234. Where the file's decimal mark is a comma (Excel writes ';'
# between cells in such locales), 1.234 too, and 1,5 is one and a half: elsewhere 85.000
# is 85, as a tool writing three decimals means it.
_THOUSANDS = re.compile(r"[+-]?\d{1,3}([,' \u00a0\u202f])\d{3}(?:\1\d{3})*")
_THOUSANDS_DOTS = re.compile(r"[+-]?\d{1,3}([.' \u00a0\u202f])\d{3}(?:\1\d{3})*")
_GROUPING = re.compile(r"[,.' \u00a0\u202f]")
_EXCEL_NUMBER = re.compile(r"\d+(?:\.\d+)?[eE]\+\d+")
# A JSON object or array of objects or strings; "[Webinar] Q4 recap" and "{Draft} FAQ" are titles.
_JSON_START = re.compile(r'\{\s*["}]|\[\s*(?:[{"\]]|$)')


_KINDS = {
    dict: "a JSON object",
    list: "a JSON array",
    bool: "true/false",
    type(None): "null",
    int: "a number",
    float: "a number",
    str: "text",
}


def json_kind(value: Any) -> str:
    """What a JSON value is, in a user's words: for "expected ..., found ..." errors."""
    return _KINDS.get(type(value), type(value).__name__)


def text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CellError(f"expected text, found {json_kind(value)}")
    return str(value)


def _crm_id(value: Any) -> str:
    if isinstance(value, float):
        raise CellError(f"id {value!r} is a number with a fraction: ids must be text")
    text = text_of(value)
    if "+" in text and _EXCEL_NUMBER.fullmatch(text):
        raise CellError(
            f"id {text!r} was turned into a number by a spreadsheet; export the id column as text"
        )
    return text


_SF_ID = re.compile(r"[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?")
_SF_SHAPE = re.compile(r"[a-zA-Z0-9]+")
# In a report, where a team may key its own rows, an id this close to a record id's
# length is one that was cut off or padded, not a key of its own.
_SF_NEAR = range(12, 22)


def _salesforce_id(value: Any, api: bool = False) -> str:
    """A Salesforce record id in its 18-character form: the 15- and 18-character ids of
    one record are one lead. The suffix restores the case of a body whose case was lost
    (all 15 characters in one case, as a spreadsheet or a tool that upper- or lower-cased
    the id leaves it); a body in mixed case kept its case, so its suffix must match it.
    `api`: the file was written by Salesforce's API (Data Export, Data Loader), whose
    id column holds record ids and nothing else."""
    text = _crm_id(value)
    if not _SF_ID.fullmatch(text):
        if _SF_SHAPE.fullmatch(text) and (api or len(text) in _SF_NEAR):
            raise CellError(
                f"{text!r} is not a valid Salesforce id: a Salesforce id has 15 or 18 characters,"
                f" this one has {len(text)} (was it cut off or retyped?)"
            )
        return text  # not a record id's shape (a key of the team's own?): kept as written
    problem = salesforce_suffix_problem(text)
    if problem is not None:
        raise CellError(f"{text!r} is not a valid Salesforce id: {problem}")
    return salesforce_id18(text)


def _lower_key(value: Any) -> str:
    return text_of(value).casefold().replace("-", "_").replace(" ", "_")


def _int(value: Any, decimal_comma: bool = False) -> int:
    if isinstance(value, bool):
        raise CellError(f"not a whole number: {value!r}")
    if isinstance(value, int):
        return _bounded(value)
    if isinstance(value, float):
        if value.is_integer():
            return _bounded(int(value), value)
        raise CellError(f"not a whole number: {value!r}")
    if not isinstance(value, str):
        raise CellError(f"not a whole number: found {json_kind(value)}")
    try:
        whole = int(value)
    except ValueError:
        pass
    else:
        return _bounded(whole, value)
    if (_THOUSANDS_DOTS if decimal_comma else _THOUSANDS).fullmatch(value):
        return _bounded(int(_GROUPING.sub("", value)), value)
    try:
        number = float(value.replace(",", ".") if decimal_comma and "." not in value else value)
    except ValueError:
        raise CellError(f"not a whole number: {value!r}") from None
    if number.is_integer():
        return _bounded(int(number), value)
    raise CellError(f"not a whole number: {value!r}")


def _bounded(number: int, cell: Any = None) -> int:
    if abs(number) > INT_LIMIT:
        # say it as the file has it: "1e+23" for a cell of 24 digits would send a user hunting
        shown = str(number if cell is None else cell)
        shown = shown if len(shown) <= 30 else f"{shown[:27]}..."
        raise CellError(f"{shown!r} is out of range (at most {INT_LIMIT:,})")
    return number


def _count(value: Any, decimal_comma: bool = False) -> int:
    number = _int(value, decimal_comma)
    if number < 0:
        raise CellError(f"must not be negative: {value!r}")
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        folded = value.casefold()
        if folded in TRUE_WORDS:
            return True
        if folded in FALSE_WORDS:
            return False
    raise CellError(f"not true/false: {value!r} (use true/false, yes/no or 1/0)")


def _list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(p for p in (part.strip() for part in value.split(";")) if p)
    if isinstance(value, list):
        return tuple(t for t in (text_of(v).strip() for v in value if v is not None) if t)
    raise CellError(f"expected ;-separated text or a JSON array, found {json_kind(value)}")


def _domain(value: Any) -> str:
    return domain_of(text_of(value))


def _json_array(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise CellError(f"invalid JSON: {exc.msg} at character {exc.pos + 1}") from None
    if not isinstance(value, list):
        raise CellError(f"expected a JSON array, found {json_kind(value)}")
    return value


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    items = []
    for n, item in enumerate(_json_array(value), start=1):
        if not isinstance(item, dict):
            raise CellError(f"item {n}: expected a JSON object, found {json_kind(item)}")
        items.append((n, item))
    return items


def _field(n: int, item: dict[str, Any], key: str, convert: Converter, default: Any = ...) -> Any:
    value = item.get(key)
    if value is None or value == "":
        if default is ...:
            raise CellError(f"item {n}: {key!r} is missing")
        return default
    try:
        return convert(value)
    except CellError as exc:
        raise CellError(f"item {n}: {key!r}: {exc}") from None


def converters(
    parse_time: Timestamps,
    salesforce_ids: bool = False,
    salesforce_api: bool = False,
    decimal_comma: bool = False,
) -> dict[str, Converter]:
    """Target -> converter for one file; text targets need none. Timestamps are read by
    `parse_time` (the file's zone and date order); a ValueError is the cell's error.
    `salesforce_api`: every id is a record id Salesforce's API wrote (see _salesforce_id).
    `decimal_comma`: the file's numbers have a decimal comma (see _THOUSANDS)."""
    seen: dict[str, datetime] = {}  # exports repeat timestamps a lot

    def timestamp(value: Any) -> datetime:
        if not isinstance(value, str):
            raise CellError(f"expected a date as text, found {json_kind(value)}")
        parsed = seen.get(value)
        if parsed is None:
            if len(seen) > 100_000:  # a big file of distinct instants: keep memory flat
                seen.clear()
            try:
                parsed = seen[value] = parse_time(value)
            except ValueError as exc:
                raise CellError(str(exc)) from None
        return parsed

    def modified(value: Any) -> CrmModified:
        return CrmModified(timestamp(value), resolution(value))

    def score_breakdown(value: Any) -> tuple[ScoreItem, ...]:
        return tuple(
            ScoreItem(
                label=_field(n, it, "label", text_of),
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
                label=_field(n, it, "label", text_of, ""),
                points=_field(n, it, "points", _int, 0),
                mql_trigger=_field(n, it, "mql_trigger", _bool, False),
            )
            for n, it in _items(value)
        )

    def content(value: Any) -> tuple[ContentItem, ...]:
        if isinstance(value, str) and not _JSON_START.match(value):
            return tuple(ContentItem(title=t) for t in _list(value))
        out = []
        for n, item in enumerate(_json_array(value), start=1):
            if isinstance(item, str):
                if item.strip():
                    out.append(ContentItem(title=item.strip()))
            elif isinstance(item, dict):
                out.append(
                    ContentItem(
                        title=_field(n, item, "title", text_of),
                        stage=_field(n, item, "stage", _lower_key, "tofu"),
                    )
                )
            else:
                raise CellError(f"item {n}: expected a title or a JSON object, found {json_kind(item)}")
        return tuple(out)

    by_target: dict[str, Converter] = {
        "crm_id": (lambda v: _salesforce_id(v, salesforce_api)) if salesforce_ids else _crm_id,
        "converted": _bool,
        "seniority": _lower_key,
        "account_status": _lower_key,
        "email_verified": _bool,
        "employees": (lambda v: _count(v, True)) if decimal_comma else _count,
        "score": (lambda v: _int(v, True)) if decimal_comma else _int,
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
        "modified_at": modified,
    }
    return by_target
