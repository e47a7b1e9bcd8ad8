"""The leads behind a row of the team's numbers: a rep's missed first touches,
a source's decisions, the rejections with one code, each lead by name.

Every list repeats the conditions of the number it explains (the store's
drilldown_queries mirror team_queries), so "6 open breached" opens six leads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from leadqueue.domain.durations import format_seconds
from leadqueue.domain.metrics import judged_at, lead_label
from leadqueue.services.context import Services
from leadqueue.services.team_metrics import reason_notes, written_codes
from leadqueue.store import drilldown_queries as dq
from leadqueue.store import team_queries as tq

LIMIT = 500  # a list longer than this says how many more there are


@dataclass(frozen=True)
class LeadItem:
    lead_id: str  # the CRM record id
    name: str
    company: str
    rep: str
    detail: str  # why the lead is in the list: "missed · due 17 Nov 09:00 EST"
    note: str = ""  # what the rep wrote (a rejection's reason)

    @property
    def label(self) -> str:
        return lead_label(self.name, "", self.company, self.lead_id)


@dataclass(frozen=True)
class LeadList:
    title: str
    items: tuple[LeadItem, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


# The sections whose rows stand for a set of leads, and the fields that name a row.
DRILLABLE: dict[str, tuple[str, ...]] = {
    "acceptance_by_rep": ("rep",),
    "acceptance_by_source": ("source",),
    "rejection_reasons": ("code",),
    "written_reasons": (),  # every row opens the whole list, notes in full
    "time_to_decision_hours": ("rep",),
    "sla_compliance": ("clock", "rep"),
    "accepted_without_first_touch": ("rep",),
    "sal_to_sql": ("rep",),
    "leads_waiting": ("rep",),
}
LIST_TITLES = {
    "acceptance_by_rep": "Decided",
    "acceptance_by_source": "Decided",
    "rejection_reasons": "Rejected",
    "written_reasons": "Rejection reasons written out",
    "time_to_decision_hours": "First decisions, slowest first",
    "sla_compliance": "SLA",
    "accepted_without_first_touch": "Accepted, no first touch yet",
    "sal_to_sql": "Accepted",
    "leads_waiting": "Waiting for a decision, oldest first",
}


def list_title(section: str, row: dict[str, Any]) -> str:
    keys = [str(row.get(k, "")) for k in DRILLABLE[section]]
    return " · ".join([LIST_TITLES[section], *keys])


def leads_behind(
    services: Services,
    section: str,
    row: dict[str, Any],
    since: datetime,
    until: datetime,
    limit: int = LIMIT,
) -> LeadList:
    """The leads `row` of metrics()' `section` counts for the period [since, until)."""
    if section not in DRILLABLE:
        raise ValueError(f"the {section} section names no leads")
    when = _When(services)
    with services.store.read() as conn:
        items, total = _items(conn, services, section, row, since, until, limit, when)
    return LeadList(list_title(section, row), tuple(items), total)


class _When:
    """Instants in the team's zone, the zone said: lists are read beside the screen's period."""

    def __init__(self, services: Services) -> None:
        self.zone = services.policy.zone

    def __call__(self, at: datetime | None) -> str:
        return "-" if at is None else at.astimezone(self.zone).strftime("%d %b %H:%M %Z")


def _item(r: Any, detail: str, note: str = "") -> LeadItem:
    return LeadItem(r.crm_id, f"{r.first_name} {r.last_name}".strip(), r.company, r.rep, detail, note)


def _items(
    conn: Connection,
    services: Services,
    section: str,
    row: dict[str, Any],
    since: datetime,
    until: datetime,
    limit: int,
    when: _When,
) -> tuple[list[LeadItem], int]:
    if section in ("acceptance_by_rep", "acceptance_by_source"):
        by = {"rep": row["rep"]} if section == "acceptance_by_rep" else {"source": row["source"]}
        rows, total = dq.decided(conn, since, until, limit, **by)
        return [_item(r, _decision(r, when)) for r in rows], total
    if section == "rejection_reasons":
        rows, total = dq.rejected(conn, since, until, str(row["code"]), limit)
        return _with_notes(conn, rows, when), total
    if section == "written_reasons":
        rows = tq.written_reasons(conn, written_codes(services.policy), since, until)
        return _with_notes(conn, rows[:limit], when), len(rows)
    if section == "time_to_decision_hours":
        rows, total = dq.first_decisions(conn, since, until, row["rep"], limit)
        return [_item(r, f"{_kind(r.first_decision)} after {float(r.hours):.1f} h") for r in rows], total
    if section in ("accepted_without_first_touch", "sal_to_sql"):
        untouched = section == "accepted_without_first_touch"
        rows, total = dq.accepted(conn, since, until, row["rep"], limit, untouched=untouched)
        tail = (lambda r: "no touch yet") if untouched else (lambda r: f"now {r.state}")
        return [_item(r, f"accepted {when(r.accepted_at)} · {tail(r)}") for r in rows], total
    as_of = judged_at(until, services.clock.now())  # as metrics counts them
    if section == "leads_waiting":
        rows, total = dq.waiting(conn, as_of, row["rep"], limit)
        age = lambda r: format_seconds((as_of - r.assigned_at).total_seconds())  # noqa: E731
        return [_item(r, f"waiting {age(r)} · since {when(r.assigned_at)}") for r in rows], total
    return _clock_items(conn, since, until, as_of, row, limit, when)


def _kind(first_decision: str | None) -> str:
    return (first_decision or "decided").replace("_", " ")


def _decision(r: Any, when: _When) -> str:
    if r.accepted_at is not None and r.accepted_at == r.decided_at:
        return f"accepted · {when(r.decided_at)}"
    return f"rejected {r.reason_code or '?'} · {when(r.decided_at)}"


def _with_notes(conn: Connection, rows: Iterable[Any], when: _When) -> list[LeadItem]:
    rows = list(rows)
    notes = reason_notes(conn, [r.id for r in rows])
    return [_item(r, f"{r.code} · {when(r.decided_at)}", notes.get(r.id, "")) for r in rows]


def _clock_items(
    conn: Connection,
    since: datetime,
    until: datetime,
    as_of: datetime,
    row: dict[str, Any],
    limit: int,
    when: _When,
) -> tuple[list[LeadItem], int]:
    """The failures first: open and breached, then missed, then met."""
    items: list[LeadItem] = []
    total = 0
    for kind, (rows, n) in dq.clock_outcomes(conn, since, until, as_of, row["clock"], row["rep"], limit):
        total += n
        for r in rows[: max(0, limit - len(items))]:
            if kind == "open":
                overdue = format_seconds((as_of - r.deadline).total_seconds())
                detail = f"open, overdue {overdue} · due {when(r.deadline)}"
            elif kind == "missed":
                detail = f"missed · due {when(r.deadline)}, stopped {when(r.stopped_at)}"
            else:
                detail = f"met · stopped {when(r.stopped_at)}"
            items.append(_item(r, detail))
    return items, total
