"""One data row of a lead file into a `ParsedRow`, or the `RowError`s that say
why not. The plan (which column feeds which field, through which converter)
is made once per file from its header."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple

from leadqueue.domain.duplicates import person_key
from leadqueue.domain.import_mapping import CONTACT_FIELDS
from leadqueue.domain.lead import LeadProfile
from leadqueue.domain.reimport import CrmModified
from leadqueue.domain.text_widths import LEAD_TEXT_WIDTHS, REP_NAME_WIDTH
from leadqueue.io import crm_formats as cf
from leadqueue.io.cells import CellError, Converter, Timestamps, converters, text_of
from leadqueue.io.people import domain_from_email, infer_seniority
from leadqueue.io.regions import REGIONS, region_of


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
    rep: str | None  # owner as the file names it (a name, an email or a CRM user id), else default_rep
    assigned_at: datetime | None  # aware UTC, from the file's assignment column only
    raw: dict[str, str]
    modified: CrmModified | None = None  # when the CRM last changed the lead, if the file says
    converted: bool = False  # the CRM says it already converted the lead
    owner_from_file: bool = True  # False: the import's --rep, the file names no owner
    fingerprint: str | None = None  # what the contact's own columns say, in formats that repeat rows

    @property
    def crm_id(self) -> str:
        return self.profile.crm_id


@dataclass(frozen=True)
class RejectedRow:
    """A row that cannot be imported, and the id it has (a later row repeating it is a duplicate)."""

    row: int
    crm_id: str  # "" when the id is missing or unreadable
    errors: list[RowError]


# Salesforce queue ids (object prefix 00G): a lead a queue owns has no rep yet.
_SALESFORCE_QUEUE = re.compile(r"00G[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?")


# Target -> the characters its store column holds (the store's own widths, text_widths.py).
_WIDTHS = {**LEAD_TEXT_WIDTHS, "mobile": LEAD_TEXT_WIDTHS["phone"], "rep": REP_NAME_WIDTH}
_WIDTH_NAMES = {"mobile": "phone", "rep": "owner"}
_PERSON_KEY_WIDTH = LEAD_TEXT_WIDTHS["person_key"]


def _too_long(target: str, value: str, limit: int) -> str:
    return f"{_WIDTH_NAMES.get(target, target)} is {len(value)} characters; at most {limit}"


# Profile fields `parse` sets from other columns too: a re-import counts such a field
# as said when the file has any of its columns (reimport_fields.py reads this).
DERIVED_FROM: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "phone": ("phone", "mobile"),  # the mobile stands in for a missing phone
        # the file's region when the tables know it, else the country's (a state sets it only
        # when the tables know the state: one they do not says nothing, see reimport_fields.py)
        "region": ("region", "country"),
        "talk_track": ("talk_track", "description"),  # the description stands in for a talk track
        "domain": ("domain", "email"),  # the email's domain when the file has no domain column
        "seniority": ("seniority", "title"),  # inferred from the title when the file has no seniority
    }
)
# Targets `parse` keeps in `extra` under the target's name (the rest of `extra` is the
# file's unknown columns, under their headers). The country stays "country" (routing and
# the lead's zone read it, `show` gives it as `country`); the description is stored under
# the file's header, as every other column of `extra` is.
TARGETS_IN_EXTRA = ("country", "description")


_FINGERPRINT_FIELDS = ("first_name", "last_name", "email", "rep", "crm_status", "created_at", "assigned_at")


def _fingerprint(values: dict[str, Any]) -> str:
    # What the contact's own columns say: the associated company's columns differ between repeats.
    said = repr(tuple(values.get(f) for f in _FINGERPRINT_FIELDS))
    return hashlib.blake2b(said.encode(), digest_size=16).hexdigest()


# HubSpot's exports with associated records list the contact's columns, then from
# `Record ID - Company` (or a deal's, a ticket's) that record's: there only what
# describes the lead's company is read (a company's Last Modified Date or Create Date
# is not the lead's, even where the contact's own column is missing); its columns no
# format knows are kept with the lead, as any unknown column is.
_ASSOCIATED_RECORD_ID = re.compile(r"record id - (?!contact$).+")
_COMPANY_TARGETS = frozenset({"company", "domain", "industry", "employees", "country", "state", "region"})


def repeated_headers(header: Sequence[str]) -> list[str]:
    """Headers that repeat an earlier one (compared as formats compare them): ignored.
    Columns without a name (a trailing `;;;`) are ignored too, and not worth a word."""
    seen: set[str] = set()
    out = []
    for name in header:
        key = cf.normalise_header(name)
        if not key:
            continue
        if key in seen:
            out.append(name)
        seen.add(key)
    return out


class PlannedColumn(NamedTuple):
    """A column of the file the parser reads, and into what."""

    index: int  # position in the row
    header: str  # as the file writes it
    target: str  # a LeadProfile field or a special target (import_mapping.SPECIAL_FIELDS)
    convert: Converter | None  # None: the cell is text as it is
    width: int | None  # the characters its store column holds, for text (None: no limit)


class RowParser:
    """Column index -> converter and target, computed once per file; then one call per row.

    `parse` takes cleaned cells: text stripped, missing values as "". With
    `text_cells` (CSV) every cell is a string and text targets need no
    conversion at all. A header that repeats an earlier one is ignored (a
    HubSpot export with associated records lists the contact's own columns
    first). A row repeating an earlier row's id is found later, a batch at
    a time (see repeats.py).
    """

    def __init__(
        self,
        fmt: cf.CrmFormat,
        header: Sequence[str],
        parse_time: Timestamps,
        *,
        default_rep: str | None,
        text_cells: bool,
        skip_columns: int = 0,
        decimal_comma: bool = False,
    ) -> None:
        by_target = converters(parse_time, fmt.salesforce_ids, fmt.salesforce_api, decimal_comma)
        text: Converter | None = None if text_cells else text_of
        rank = {key: n for n, key in enumerate(fmt.columns)}
        plan: list[tuple[int, PlannedColumn]] = []  # with its rank in the format: the first wins
        extras: list[tuple[int, str]] = []
        seen: set[str] = set()
        associated = False  # past an associated record's id (never the first column)
        for index, name in enumerate(header[skip_columns:], start=skip_columns):
            key = cf.normalise_header(name)
            associated = associated or (index > 0 and _ASSOCIATED_RECORD_ID.fullmatch(key) is not None)
            if not key or key in seen:  # no name, or the first of repeated headers wins
                continue
            seen.add(key)
            target = fmt.columns.get(key)
            if associated and target is not None and target not in _COMPANY_TARGETS:
                continue  # another record's date, status or owner: nothing of the lead's
            if target is None:
                if name:
                    extras.append((index, name))
            elif target != "ignore":
                column = PlannedColumn(index, name, target, by_target.get(target, text), _WIDTHS.get(target))
                plan.append((rank[key], column))
        plan.sort(key=lambda item: item[0])
        self.columns = [column for _, column in plan]
        self.extras = extras
        self.id_header = self.header_of("crm_id") or fmt.id_column
        self.id_index = next((c.index for c in self.columns if c.target == "crm_id"), 0)
        self.infer_seniority = self.header_of("seniority") is None
        # the file's email and last name columns: a new lead needs one of them (importing.py)
        in_file_order = sorted(self.columns, key=lambda c: c.index)
        self.contact_headers = [c.header for c in in_file_order if c.target in CONTACT_FIELDS]
        self.default_rep = default_rep
        self.source_system = fmt.source_system
        self.salesforce_ids = fmt.salesforce_ids
        self.repeated_rows = fmt.repeated_rows
        self.id_prefix = fmt.id_prefix
        self.unknown_countries: dict[str, int] = {}  # countries the region table does not know, rows each

    def header_of(self, target: str) -> str | None:
        """The header of the column read into `target`, if the file has one."""
        return next((c.header for c in self.columns if c.target == target), None)

    def parse(
        self, row: int, cells: Sequence[Any], raw: dict[str, str], extra: dict[str, Any]
    ) -> ParsedRow | RejectedRow:
        """The row, or its errors."""
        n = len(cells)
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        failed: list[int] = []
        for index, name, target, convert, width in self.columns:
            if index >= n:
                continue
            value = cells[index]
            if value == "" or target in values:
                continue
            if convert is not None:
                try:
                    value = convert(value)
                except CellError as exc:
                    errors.append(RowError(row, name, str(exc), raw))
                    failed.append(index)
                    continue
            if width is not None and isinstance(value, str) and len(value) > width:
                errors.append(RowError(row, name, _too_long(target, value, width), raw))
                failed.append(index)
                continue
            values[target] = value
        if len(errors) > 1:  # report in the order of the file's columns
            errors = [e for _, e in sorted(zip(failed, errors, strict=True), key=lambda p: p[0])]

        crm_id = values.pop("crm_id", "")
        if self.id_prefix and crm_id.startswith(self.id_prefix):
            crm_id = crm_id[len(self.id_prefix) :]
        if not crm_id and not any(e.column == self.id_header for e in errors):
            errors.insert(0, RowError(row, self.id_header, "missing id", raw))
        if errors:
            return RejectedRow(row, crm_id, errors)
        fingerprint = _fingerprint(values) if self.repeated_rows else None

        rep = values.pop("rep", None)
        if rep and self.salesforce_ids and _SALESFORCE_QUEUE.fullmatch(rep):
            rep = None  # owned by a queue, not a person: the import's --rep, if any
        owner_from_file = bool(rep)
        rep = rep or self.default_rep
        assigned_at = values.pop("assigned_at", None)
        modified = values.pop("modified_at", None)
        converted = values.pop("converted", False)
        mobile = values.pop("mobile", None)
        if mobile and "phone" not in values:
            values["phone"] = mobile
        country, state = values.pop("country", ""), values.pop("state", "")
        if country:
            extra["country"] = country  # the region alone would lose it
        if country or state or "region" in values:
            values["region"] = region_of(country, values.get("region", ""), state)
            if country and values["region"] not in REGIONS:  # kept as written: routing cannot match it
                self.unknown_countries[country] = self.unknown_countries.get(country, 0) + 1
        description = values.pop("description", None)
        if description:
            extra["description"] = description
            values.setdefault("talk_track", description)
        if "domain" not in values:
            domain = domain_from_email(values.get("email", ""))
            if domain:
                values["domain"] = domain
        if self.infer_seniority:
            values["seniority"] = infer_seniority(values.get("title", ""))
        values.setdefault("source_system", self.source_system)
        profile = LeadProfile(crm_id=crm_id, extra=extra, **values)
        domain_width = max(len(profile.domain), len(profile.email))  # the store's domain or the email's
        if len(profile.first_name) + len(profile.last_name) + domain_width + 2 > _PERSON_KEY_WIDTH:
            key = person_key(profile)  # "first last@domain", the store's key for one person
            if len(key) > _PERSON_KEY_WIDTH:
                reason = (
                    f"first name, last name and company domain are {len(key)} characters together;"
                    f" at most {_PERSON_KEY_WIDTH}"
                )
                return RejectedRow(row, crm_id, [RowError(row, "", reason, raw)])
        return ParsedRow(
            row=row,
            profile=profile,
            rep=rep,
            assigned_at=assigned_at,
            raw=raw,
            modified=modified,
            converted=converted,
            owner_from_file=owner_from_file,
            fingerprint=fingerprint,
        )
