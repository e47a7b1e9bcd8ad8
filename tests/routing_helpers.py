"""Building a team and leads for the routing tests: reps with routing fields,
a policy with `[routing]`, and lead files without owners."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select

from leadqueue.domain.events import Event
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.importing import ImportOptions, ImportSummary, import_file
from leadqueue.services.roster import RosterService
from leadqueue.settings.policy_file import parse_policy
from leadqueue.store import repository as repo
from leadqueue.store.schema import events, leads

LEAD_COLUMNS = ("crm_id", "first_name", "last_name", "email", "company", "industry", "employees", "region")
LEAD_COLUMNS += ("country", "source", "score")


def routing_policy(routing: Mapping[str, Any], **more: Any) -> Policy:
    """The default policy with this `[routing]` table (as TOML would give it)."""
    return parse_policy({"routing": dict(routing), **more})


def add_reps(services: Services, *keys: str, **fields: Any) -> None:
    """Reps (role rep) with the same routing fields; `lead=` adds a team lead first."""
    service = RosterService(services)
    lead = fields.pop("lead", None)
    if lead:
        service.add({"key": lead, "name": lead.title(), "role": "lead"})
    for key in keys:
        service.add({"key": key, "name": key.title(), **fields})


def write_leads(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """A leadqueue lead file without a `rep` column: every row needs routing."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, LEAD_COLUMNS)
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow(
                {"crm_id": f"L{i:04d}", "first_name": "Ada", "last_name": f"L{i:04d}"} | dict(row)
            )
    return path


def import_leads(services: Services, path: Path, **options: Any) -> ImportSummary:
    return import_file(services, path, ImportOptions(**options))


def owners(services: Services) -> dict[str, str | None]:
    with services.store.read() as conn:
        return {r.crm_id: r.owner for r in conn.execute(select(leads.c.crm_id, leads.c.owner))}


def history(services: Services, crm_id: str) -> list[Event]:
    with services.store.read() as conn:
        row = repo.find_lead(conn, crm_id)
        assert row is not None
        return repo.lead_events(conn, row.id)


def all_events(services: Services) -> list[tuple[Any, ...]]:
    """Every event as stored (without its random id), in order: two stores alike say the same."""
    q = select(events.c.lead_id, events.c.kind, events.c.actor, events.c.at, events.c.payload).order_by(
        events.c.seq
    )
    with services.store.read() as conn:
        return [tuple(r) for r in conn.execute(q)]
