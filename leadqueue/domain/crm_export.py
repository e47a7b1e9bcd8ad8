"""How a lead's state maps onto a CRM's lead status and fields: the team's
`[crm.salesforce]` and `[crm.hubspot]` policy tables, with working defaults.

A lead's *CRM stage* refines our lifecycle state with what the CRM's status
picklists distinguish: an accepted lead may be untouched, attempted (touched,
no conversation yet) or connected.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator


class CrmStage(StrEnum):
    NEW = "new"
    NEEDS_INFO = "needs_info"
    ACCEPTED = "accepted"
    ATTEMPTED = "attempted"
    CONNECTED = "connected"
    REJECTED = "rejected"
    ADVANCED = "advanced"
    RETURNED = "returned"
    UNRESPONSIVE = "unresponsive"


def crm_stage(state: str, contact_attempts: int, had_conversation: bool) -> CrmStage:
    if state == "accepted":
        if had_conversation:
            return CrmStage.CONNECTED
        return CrmStage.ATTEMPTED if contact_attempts else CrmStage.ACCEPTED
    return CrmStage(state)


# Our fields a CRM file can carry; each maps to a column name (or "" to leave it out).
EXPORT_FIELDS = ("reason_code", "reason_text", "next_step", "next_step_due", "decided_at", "decided_by")

HUBSPOT_LEAD_STATUSES = frozenset(
    {
        "NEW",
        "OPEN",
        "IN_PROGRESS",
        "OPEN_DEAL",
        "UNQUALIFIED",
        "ATTEMPTED_TO_CONTACT",
        "CONNECTED",
        "BAD_TIMING",
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _full_map(value: dict[str, str], defaults: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(value) - {s.value for s in CrmStage})
    if unknown:
        raise ValueError(f"unknown stage {unknown[0]!r}: use {', '.join(s.value for s in CrmStage)}")
    return {**defaults, **value}


def _check_fields(value: dict[str, str], defaults: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(value) - set(EXPORT_FIELDS))
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r}: use {', '.join(EXPORT_FIELDS)}")
    return {**defaults, **value}


_SF_STATUS = {
    "new": "Open - Not Contacted",
    "needs_info": "Open - Not Contacted",
    "accepted": "Working - Contacted",
    "attempted": "Working - Contacted",
    "connected": "Working - Contacted",
    "rejected": "Closed - Not Converted",
    # Data Loader cannot set a converted status; orgs add a "Qualified" value for SQLs.
    "advanced": "Qualified",
    "returned": "Closed - Not Converted",
    "unresponsive": "Closed - Not Converted",
}
_SF_FIELDS = {
    "reason_code": "Rejection_Reason__c",
    "reason_text": "Rejection_Reason_Detail__c",
    "next_step": "Next_Step__c",
    "next_step_due": "Next_Step_Due__c",
    "decided_at": "SAL_Decision_Date__c",
    "decided_by": "SDR__c",
}
_HS_STATUS = {
    "new": "NEW",
    "needs_info": "OPEN",
    "accepted": "IN_PROGRESS",
    "attempted": "ATTEMPTED_TO_CONTACT",
    "connected": "CONNECTED",
    "rejected": "UNQUALIFIED",
    "advanced": "OPEN_DEAL",
    "returned": "BAD_TIMING",
    "unresponsive": "UNQUALIFIED",
}
_HS_FIELDS = {
    "reason_code": "Rejection Reason",
    "reason_text": "Rejection Reason Detail",
    "next_step": "Next Step",
    "next_step_due": "Next Step Due",
    "decided_at": "SAL Decision Date",
    "decided_by": "SDR",
}


def _closed_statuses(patterns: list[str]) -> list[str]:
    """A team's list of closed statuses, as status_matches compares them: trimmed (a cell's
    status is), without empty entries (they match no lead: a trailing comma, harmless), and
    none that matches every lead."""
    out = []
    for pattern in patterns:
        trimmed = pattern.strip()
        if not trimmed:
            continue
        if not trimmed.rstrip("*").strip():
            raise ValueError(f"{pattern!r} would close every lead: name the statuses, or 'Closed - *'")
        out.append(trimmed)
    return out


# The statuses of leads a CRM already closed: they are counted and not queued. A list
# replaces the CRM's defaults (below) whole.
ClosedStatuses = Annotated[list[str], AfterValidator(_closed_statuses)]


def status_matches(status: str, patterns: list[str]) -> bool:
    """Case-insensitive; a pattern ending in `*` matches every status it starts."""
    folded = status.strip().casefold()
    for pattern in patterns:
        p = pattern.casefold()
        if folded == p or (p.endswith("*") and folded.startswith(p[:-1])):
            return True
    return False


class SalesforceExport(_Strict):
    """A Data Loader lead update file: `Id`, `Status`, then the mapped fields."""

    # Lead statuses of leads the CRM already closed: an import counts them and does not queue them.
    closed_statuses: ClosedStatuses = Field(default_factory=lambda: ["Closed - *", "Converted", "Qualified"])
    status_field: str = "Status"
    status: dict[str, str] = Field(default_factory=lambda: dict(_SF_STATUS))
    # a rejection or return with one of these codes gets this status instead
    status_by_reason: dict[str, str] = Field(default_factory=dict)
    fields: dict[str, str] = Field(default_factory=lambda: dict(_SF_FIELDS))

    @field_validator("status")
    @classmethod
    def _status(cls, value: dict[str, str]) -> dict[str, str]:
        return _full_map(value, _SF_STATUS)

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, str]) -> dict[str, str]:
        out = _check_fields(value, _SF_FIELDS)
        for name in out.values():
            if name and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
                raise ValueError(f"{name!r} is not a Salesforce field API name")
        return out


class HubspotExport(_Strict):
    """A HubSpot import file keyed by `Record ID`, with `Lead Status` internal values."""

    # internal values and the labels exports show
    closed_statuses: ClosedStatuses = Field(
        default_factory=lambda: ["UNQUALIFIED", "Unqualified", "OPEN_DEAL", "Open deal"]
    )
    status_field: str = "Lead Status"
    status: dict[str, str] = Field(default_factory=lambda: dict(_HS_STATUS))
    status_by_reason: dict[str, str] = Field(default_factory=lambda: {"R6": "BAD_TIMING"})
    fields: dict[str, str] = Field(default_factory=lambda: dict(_HS_FIELDS))

    @field_validator("status")
    @classmethod
    def _status(cls, value: dict[str, str]) -> dict[str, str]:
        out = _full_map(value, _HS_STATUS)
        _hubspot_values(out)
        return out

    @field_validator("status_by_reason")
    @classmethod
    def _by_reason(cls, value: dict[str, str]) -> dict[str, str]:
        _hubspot_values(value)
        return value

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_fields(value, _HS_FIELDS)


def _hubspot_values(value: dict[str, str]) -> None:
    bad = sorted(v for v in value.values() if v not in HUBSPOT_LEAD_STATUSES)
    if bad:
        raise ValueError(
            f"{bad[0]!r} is not a HubSpot lead status: use {', '.join(sorted(HUBSPOT_LEAD_STATUSES))}"
        )


class ZohoImport(_Strict):
    closed_statuses: ClosedStatuses = Field(
        default_factory=lambda: ["Junk Lead", "Lost Lead", "Not Qualified", "Converted"]
    )


class CrmExports(_Strict):
    salesforce: SalesforceExport = SalesforceExport()
    hubspot: HubspotExport = HubspotExport()
    zoho: ZohoImport = ZohoImport()

    def closed_in_crm(self, source_system: str, status: str, converted: bool = False) -> bool:
        """Whether an imported lead is one its CRM already closed (converted, junk, lost...)."""
        if converted:
            return True
        if not status:
            return False
        sections = {"salesforce": self.salesforce, "hubspot": self.hubspot, "zoho": self.zoho}
        section = sections.get(source_system)
        return section is not None and status_matches(status, section.closed_statuses)
