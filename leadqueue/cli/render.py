"""Plain-text rendering for the command line (stable, greppable, no colour)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.cells import cell_len

from leadqueue.cli.output import emit_json, say
from leadqueue.domain.durations import format_seconds
from leadqueue.domain.metrics import TOO_FEW, lead_label
from leadqueue.domain.routing import explain
from leadqueue.domain.safe_text import terminal_safe
from leadqueue.domain.sla import ClockStatus
from leadqueue.services.context import Services
from leadqueue.services.lead_view import load_lead_view
from leadqueue.services.open_leads import open_leads
from leadqueue.services.reports import clock_record, iso
from leadqueue.services.team_metrics import JUDGED_RATES, METRIC_NOTES, METRIC_TITLES, is_too_few


def table(rows: Sequence[dict[str, Any]], fields: Sequence[str], indent: str = "") -> str:
    """Columns aligned by terminal cells (a CJK character or an emoji takes two)."""
    cells = [[_cell(r.get(f)) for f in fields] for r in rows]
    widths = [max([cell_len(f), *(cell_len(c[i]) for c in cells)]) for i, f in enumerate(fields)]
    lines = [indent + "  ".join(_pad(f, w) for f, w in zip(fields, widths, strict=True)).rstrip()]
    lines += [
        indent + "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    # made safe here, before the widths are measured: a shown escape is wider than the raw one
    return terminal_safe(str(value))


def print_queue(services: Services, owner: str | None, limit: int) -> None:
    listing = open_leads(services, owner, limit)
    out = [
        {
            "id": lead.crm_id,
            "rep": lead.owner,
            "tier": lead.tier,
            "name": lead.name,
            "company": lead.company,
            "source": lead.source,
            "score": lead.score,
            "clock": lead.due.clock.value if lead.due else "-",
            "state": lead.due.state.value if lead.due else "-",
            "left": _left(lead.due, listing.now),
        }
        for lead in listing.leads
    ]
    rank = {"breached": 0, "at_risk": 1, "running": 2, "paused": 3, "-": 4}
    out.sort(key=lambda r: rank[r["state"]])
    fields = ["id", "tier", "name", "company", "source", "score", "clock", "state", "left"]
    if owner is None:
        fields.insert(1, "rep")
    whose = owner or "all reps"
    say(f"{listing.total} open lead(s) for {whose}; showing {len(out)}")
    if out:
        say(table(out, fields))


def _left(due: ClockStatus | None, now: datetime) -> str:
    """Real time to the deadline; a paused clock's time left when it resumes, in its measure."""
    if due is None:
        return "-"
    remaining = due.remaining_seconds(now)
    return format_seconds(due.left_seconds if remaining is None else remaining)


def lead_report(services: Services, crm_id: str) -> dict[str, Any]:
    view = load_lead_view(services, crm_id)
    now, profile, history = view.now, view.profile, view.history
    return {
        "id": profile.crm_id,
        "name": profile.name,
        "title": profile.title,
        "company": profile.company,
        "email": profile.email,
        "phone": profile.phone,
        "industry": profile.industry,
        "employees": profile.employees,
        "region": profile.region,
        "country": profile.extra.get("country", ""),
        "rep": history.owner,
        "state": history.state.value if history.state else None,
        "crm_status": profile.crm_status,
        "source_system": profile.source_system,
        "tier": view.tier.value,
        "score": profile.score,
        "source": profile.source,
        "campaign": profile.campaign,
        "created_at": iso(profile.created_at),
        "assigned_at": iso(history.assigned_at),
        "crm_modified_at": iso(view.crm_modified_at),
        # every other imported column, under the file's header (the country is `country`)
        "extra": {k: v for k, v in profile.extra.items() if k != "country"},
        "clocks": [clock_record(s, view.tier, services.policy, now) for s in view.clocks],
        "checklist": [
            {"item": c.key, "required": c.required, "status": c.status.value, "detail": c.detail}
            for c in view.checklist
        ],
        # why routing gave the lead to whom, and what it escalated; a lead nobody owns says so
        "routing": explain(view.events) if history.state else [UNROUTED],
        "account_contacts": [c.crm_id for c in view.account_contacts],
        "possible_duplicates": [d.crm_id for d in view.duplicates],
        "events": [
            {
                "at": iso(e.at),
                "kind": e.kind.value,
                "actor": e.actor,
                "event_id": e.event_id,
                "payload": dict(e.payload),
            }
            for e in view.events
        ],
    }


UNROUTED = "unrouted: no routing rule gave it a rep yet (`leadqueue route --list-unrouted`)"


def print_lead(services: Services, crm_id: str, fmt: str) -> int:
    report = lead_report(services, crm_id)
    if fmt == "json":
        emit_json(report)
        return 0
    # one value, one line: a line break in a cell is shown (␊), so no cell can forge a line of its own
    one = {k: terminal_safe(v) if isinstance(v, str) else v for k, v in report.items()}
    role = " at ".join(part for part in (one["title"], one["company"]) if part)
    say(f"{one['id']}  {one['name']}" + (f" — {role}" if role else ""))
    score = "-" if one["score"] is None else one["score"]
    say(f"  state {one['state']}, tier {one['tier']}, score {score}, rep {one['rep'] or '-'}")
    changed = f", changed there {one['crm_modified_at']}" if one["crm_modified_at"] else ""
    say(f"  CRM status {one['crm_status'] or '-'} ({one['source_system']}){changed}")
    say(f"  source {' / '.join(part for part in (one['source'], one['campaign']) if part) or '-'}")
    for line in report["routing"]:
        say(f"  {terminal_safe(line)}")
    if report["extra"]:
        say("\nother imported columns")
        for name, value in report["extra"].items():
            # a multi-line cell (a description) goes on under its first line, indented
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            first, *rest = text.split("\n")
            say(f"  {terminal_safe(name)}: {first}")  # a header stays on its line
            for line in rest:
                say(f"    {line}")
    say("\nclocks")
    fields = ["clock", "rep", "window", "state", "deadline", "remaining_seconds", "time_left_seconds"]
    say(table(report["clocks"], fields, "  "))
    say("\nchecklist")
    say(table(report["checklist"], ["item", "required", "status", "detail"], "  "))
    if report["possible_duplicates"]:
        say(f"\npossible duplicates: {', '.join(report['possible_duplicates'])}")
    say("\nhistory")
    rows = [{**e, "details": _details(e["payload"])} for e in report["events"]]
    say(table(rows, ["at", "kind", "actor", "details"], "  "))
    return 0


def _details(payload: dict[str, Any]) -> str:
    text = ", ".join(
        f"{k}={v if not isinstance(v, list) else '/'.join(map(str, v))}" for k, v in payload.items()
    )
    return text if len(text) <= 90 else text[:89] + "…"


def print_metrics(result: dict[str, Any]) -> None:
    """`report metrics` as tables: each section under its title, with the note that
    says how to read it (what compliance counts; a rate over too few decisions)."""
    say(f"metrics from {result['since']} to {result['until']}")
    for key, title in METRIC_TITLES.items():
        rows = result[key]
        say(f"\n{title}")
        if not rows:
            say("  (none)")
            continue
        shown = [_metric_row(key, r) for r in rows]
        note = METRIC_NOTES.get(key)
        if note and (key not in JUDGED_RATES or any(is_too_few(key, r) for r in rows)):
            say(f"  {note}")
        fields = list(dict.fromkeys(f for r in shown for f in r))
        say(table(shown, fields, indent="  "))
    if result.get("by_rule"):  # only once routing has made assignments
        say("\nBy routing rule (leads routed in the period, as they stand now)")
        say(table([_metric_row("by_rule", r) for r in result["by_rule"]], list(result["by_rule"][0]), "  "))


def _metric_row(section: str, row: dict[str, Any]) -> dict[str, Any]:
    """A row as the terminal prints it: a rate over too few decisions says so, and
    leads are named (name · company, then the id a `show` takes)."""
    if is_too_few(section, row):
        field = JUDGED_RATES[section][0]
        return {k: TOO_FEW if k == field else v for k, v in row.items()}
    if section == "accepted_without_first_touch":
        named = [f"{name} ({crm_id})" for name, crm_id in zip(row["names"], row["leads"], strict=True)]
        more = f" +{len(named) - 3} more" if len(named) > 3 else ""
        return {"rep": row["rep"], "count": row["count"], "leads": ", ".join(named[:3]) + more}
    if section == "written_reasons":
        lead = lead_label(row["name"], "", row["company"], row["lead_id"])
        return {
            "lead": f"{lead} ({row['lead_id']})",
            **{k: row[k] for k in ("rep", "code", "decided_at", "note")},
        }
    return row
