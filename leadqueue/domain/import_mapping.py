"""A team's own lead file layout: which column feeds which field, for exports
no built-in format knows. Written as `--map FILE.toml` or as a profile in
`policy.toml` under `[import.NAME]`:

    date_order = "dmy"             # optional: how to read 3/4/2024
    source_zone = "Europe/Madrid"  # optional: zone of times without an offset
    closed_statuses = ["Dead"]     # optional: statuses of leads the CRM closed

    [columns]                      # header in the file = field
    "Prospect Ref" = "crm_id"
    "Owner Email" = "rep"
    "Received" = "assigned_at"
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from leadqueue.domain.crm_export import ClosedStatuses
from leadqueue.domain.lead import LeadProfile
from leadqueue.domain.zones import check_zone

_SPACES = re.compile(r"\s+")


def normalise_header(name: str) -> str:
    """How headers are compared: surrounding spaces and case ignored, inner runs of spaces collapsed."""
    return _SPACES.sub(" ", name.strip().lstrip("\ufeff").strip()).casefold()


# A LeadProfile field, or what an import reads besides them.
# How a date like 3/4/2024 reads: month first, day first, or year first.
DateOrder = Literal["mdy", "dmy", "ymd"]

# What every lead file must have a column for: the CRM's record id, and one of these
# (a lead needs someone to reach). The mapping and the header checks both read these.
ID_FIELD = "crm_id"
CONTACT_FIELDS = ("email", "last_name")

SPECIAL_FIELDS = (
    "rep", "assigned_at", "modified_at", "mobile", "country", "state", "description", "converted", "ignore",
)  # fmt: skip
MAPPABLE_FIELDS = tuple(f.name for f in fields(LeadProfile) if f.name != "extra") + SPECIAL_FIELDS


class ImportMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, str] = Field(min_length=1)
    date_order: DateOrder | None = None
    source_zone: str | None = None
    closed_statuses: ClosedStatuses = Field(default_factory=list)

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        headers: dict[str, str] = {}  # as compared -> as written
        fed_by: dict[str, str] = {}  # field -> the header that feeds it
        for header, target in value.items():
            if not header.strip():
                raise ValueError("a column header cannot be empty")
            if target not in MAPPABLE_FIELDS:
                raise ValueError(
                    f"{header!r} = {target!r}: unknown field; use one of {', '.join(MAPPABLE_FIELDS)}"
                )
            # headers are matched with case and spaces ignored: these two are one column
            same = headers.setdefault(normalise_header(header), header)
            if same != header:
                raise ValueError(f"{same!r} and {header!r} are one column (case and spaces are ignored)")
            # Several columns may feed a field: the first listed with a value wins (a work
            # email, else a personal one). Not the id: a row's id would hang on which cells
            # are filled, and the order of the lines would re-key every lead.
            if target == ID_FIELD and fed_by.setdefault(target, header) != header:
                raise ValueError(f"{fed_by[target]!r} and {header!r} both map to {target!r}: keep one")
        targets = list(value.values())
        if ID_FIELD not in targets:
            raise ValueError(f'no column is mapped to "{ID_FIELD}": every lead needs its CRM record id')
        if not set(targets) & set(CONTACT_FIELDS):
            either = " or ".join(f'"{f}"' for f in CONTACT_FIELDS)
            raise ValueError(f"map a column to {either}: a lead needs one of them")
        return value

    @field_validator("source_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_zone(value)
