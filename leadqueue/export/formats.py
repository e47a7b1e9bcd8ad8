"""The rows of each export format, from events or from leads' latest state.

Each builder is pure: it takes plain values and returns the cells of one
row, so the formats can be tested (and golden-filed) without a store.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from leadqueue.domain.crm_export import CrmStage, HubspotExport, SalesforceExport, crm_stage
from leadqueue.domain.events import Event
from leadqueue.domain.lifecycle import LeadHistory
from leadqueue.domain.policy import Policy
from leadqueue.domain.records import iso_utc
from leadqueue.export.cells import crm_datetime, free_text

EVENT_FORMATS = ("jsonl", "csv")
LEAD_FORMATS = ("salesforce", "hubspot")

CSV_COLUMNS = (
    "event_id",
    "lead_id",
    "rep",
    "kind",
    "at",
    "reason_code",
    "reason_text",
    "next_step",
    "next_step_due",
    "note",
    "details",
)
_CSV_PAYLOAD = frozenset({"reason", "note", "next_step", "due"})


def csv_row(crm_id: str, event: Event, policy: Policy) -> list[str]:
    """One event for people: every cell neutralised, the rest of the payload as JSON."""
    p = event.payload
    code = str(p.get("reason", ""))
    reason = policy.reason(code) if code else None
    due = str(p.get("due", ""))
    if due:
        with contextlib.suppress(ValueError):
            due = iso_utc(datetime.fromisoformat(due))
    details = {k: v for k, v in p.items() if k not in _CSV_PAYLOAD}
    cells = [
        event.event_id,
        crm_id,
        event.actor,
        event.kind.value,
        iso_utc(event.at),
        code,
        reason.label if reason else "",
        str(p.get("next_step", "")),
        due,
        str(p.get("note", "")),
        json.dumps(details, ensure_ascii=False, sort_keys=True) if details else "",
    ]
    return [free_text(c) for c in cells]


@dataclass(frozen=True)
class LeadState:
    """What a CRM update file needs of one lead."""

    crm_id: str
    source_system: str
    name: str
    history: LeadHistory


class MissingCrmId(ValueError):
    pass


_ID_SHAPES = {
    "salesforce": (
        re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$"),
        "a 15- or 18-character Salesforce Id",
    ),
    "hubspot": (re.compile(r"^\d{1,20}$"), "a numeric HubSpot Record ID"),
}


def belongs_to(lead: LeadState, crm: str) -> bool:
    """Leads imported from the other CRM have no record in this one."""
    return lead.source_system in (crm, "leadqueue", "")


def check_id(lead: LeadState, crm: str) -> str:
    shape, what = _ID_SHAPES[crm]
    if not lead.crm_id.strip():
        raise MissingCrmId(f"lead {lead.name!r} has no CRM id")
    if not shape.match(lead.crm_id):
        raise MissingCrmId(
            f"lead {lead.crm_id} ({lead.name}) has no {crm} record id: {lead.crm_id!r} is not {what}"
        )
    return lead.crm_id


def _reason_text(history: LeadHistory, policy: Policy) -> str:
    code = history.reason_code
    if not code:
        return ""
    reason = policy.reason(code)
    label = reason.label if reason else code
    return f"{label}: {history.reason_note}" if history.reason_note else label


def _next_step(history: LeadHistory) -> tuple[str, datetime | None]:
    step = history.next_step or {}
    if not step or history.state is None or history.state.value != "accepted":
        return "", None
    text = step.get("next_step", "")
    if step.get("note"):
        text = f"{text}: {step['note']}"
    due = step.get("due")
    return text, datetime.fromisoformat(due) if due else None


def _stage(history: LeadHistory) -> CrmStage:
    state = history.state.value if history.state else "new"
    return crm_stage(state, history.contact_attempts, history.conversation_at is not None)


def _status(mapping: SalesforceExport | HubspotExport, history: LeadHistory) -> str:
    stage = _stage(history)
    if stage in (CrmStage.REJECTED, CrmStage.RETURNED) and history.reason_code in mapping.status_by_reason:
        return mapping.status_by_reason[history.reason_code]
    return mapping.status[stage.value]


def crm_header(crm: str, policy: Policy) -> list[str]:
    mapping = _mapping(crm, policy)
    id_column = "Id" if crm == "salesforce" else "Record ID"
    return [id_column, mapping.status_field, *(c for c in mapping.fields.values() if c)]


def crm_row(crm: str, lead: LeadState, policy: Policy) -> list[str]:
    mapping = _mapping(crm, policy)
    h = lead.history
    step, due = _next_step(h)
    values: Mapping[str, str] = {
        "reason_code": free_text(h.reason_code or ""),
        "reason_text": free_text(_reason_text(h, policy)),
        "next_step": free_text(step),
        "next_step_due": crm_datetime(due),
        "decided_at": crm_datetime(h.decided_at),
        "decided_by": free_text(h.decided_by or ""),
    }
    return [
        check_id(lead, crm),
        free_text(_status(mapping, h)),
        *(values[field] for field, column in mapping.fields.items() if column),
    ]


def _mapping(crm: str, policy: Policy) -> SalesforceExport | HubspotExport:
    return policy.crm.salesforce if crm == "salesforce" else policy.crm.hubspot
