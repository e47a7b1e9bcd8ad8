"""Queries and writes on a store's tables. Functions take an open Connection
so the caller decides the transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, and_, bindparam, delete, func, insert, or_, select, update

from leadqueue.domain.duplicates import fold_text, normalise_domain, normalise_email, person_key
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lead import ContentItem, LeadProfile, ScoreItem, Touchpoint
from leadqueue.domain.owners import is_salesforce_id, salesforce_id15, salesforce_id18
from leadqueue.domain.roster import pick
from leadqueue.store.bulk import bulk_insert
from leadqueue.store.roster import load_reps
from leadqueue.store.schema import (
    PROJECTION_COLUMNS,
    clock_runs,
    crm_closed_leads,
    events,
    leads,
    rep_zone_changes,
    reps,
)


def find_lead(conn: Connection, crm_id: str, for_update: bool = False) -> Row[Any] | None:
    """The lead's row; for_update locks it until the transaction ends, so two
    decisions on one lead take turns and the second sees the first (on
    SQLite the write transaction already holds the whole store)."""
    # Salesforce ids are stored in their 18-character form (people copy the 15 from a
    # page); a store imported before that keeps the 15.
    tried = [crm_id]
    if len(crm_id) in (15, 18) and is_salesforce_id(crm_id):
        tried.append(salesforce_id18(crm_id) if len(crm_id) == 15 else salesforce_id15(crm_id))
    for each in tried:
        q = select(leads).where(leads.c.crm_id == each)
        if for_update and conn.dialect.name != "sqlite":
            q = q.with_for_update()
        found = conn.execute(q).first()
        if found is not None:
            return found
    return None


def lead_events(conn: Connection, lead_id: int) -> list[Event]:
    rows = conn.execute(
        select(events.c.event_id, events.c.kind, events.c.actor, events.c.at, events.c.payload)
        .where(events.c.lead_id == lead_id)
        .order_by(events.c.seq)
    )
    return [row_to_event(r) for r in rows]


def events_by_lead(conn: Connection, lead_ids: Sequence[int]) -> dict[int, list[Event]]:
    out: dict[int, list[Event]] = {i: [] for i in lead_ids}
    for chunk_start in range(0, len(lead_ids), 500):
        chunk = lead_ids[chunk_start : chunk_start + 500]
        rows = conn.execute(
            select(
                events.c.lead_id,
                events.c.event_id,
                events.c.kind,
                events.c.actor,
                events.c.at,
                events.c.payload,
            )
            .where(events.c.lead_id.in_(chunk))
            .order_by(events.c.lead_id, events.c.seq)
        )
        for r in rows:
            out[r.lead_id].append(row_to_event(r))
    return out


def owners_given_by(conn: Connection, lead_ids: Sequence[int], actor: str) -> dict[int, str]:
    """The rep each lead was last assigned or reassigned to by `actor`, where it was."""
    out: dict[int, str] = {}
    kinds = (EventKind.ASSIGNED.value, EventKind.REASSIGNED.value)
    for start in range(0, len(lead_ids), _CHUNK):
        rows = conn.execute(
            select(events.c.lead_id, events.c.kind, events.c.payload)
            .where(events.c.lead_id.in_(lead_ids[start : start + _CHUNK]))
            .where(events.c.actor == actor, events.c.kind.in_(kinds))
            .order_by(events.c.seq)
        )
        for r in rows:
            rep = (r.payload or {}).get("rep" if r.kind == EventKind.ASSIGNED.value else "to")
            if rep:
                out[r.lead_id] = rep
    return out


def row_to_event(r: Any) -> Event:
    # A payload is a JSON object; anything else (written past the app) says nothing.
    payload = r.payload if isinstance(r.payload, dict) else {}
    return Event(kind=EventKind(r.kind), actor=r.actor, at=r.at, payload=payload, event_id=r.event_id)


def event_values(lead_id: int, e: Event, origin: str) -> dict[str, Any]:
    """A row of `events`; origin is ORIGIN_LOCAL, ORIGIN_IMPORT or the publishing writer's id."""
    return {
        "event_id": e.event_id,
        "lead_id": lead_id,
        "kind": e.kind.value,
        "actor": e.actor,
        "at": e.at,
        "payload": dict(e.payload),
        "origin": origin,
    }


def insert_event(conn: Connection, values: Mapping[str, Any]) -> int:
    """One event; returns the seq it was given."""
    return int(conn.execute(insert(events).values(**values)).inserted_primary_key[0])


def latest_event_seq(conn: Connection, changes_only: bool = False) -> int:
    """The newest event's seq: when it moves, someone (here or elsewhere) changed a
    lead. changes_only leaves out `viewed`, which changes no queue or clock."""
    q = select(events.c.seq).order_by(events.c.seq.desc()).limit(1)
    if changes_only:
        # walks back from the newest event: a few `viewed` at most, never the table
        q = q.where(events.c.kind != EventKind.VIEWED.value)
    return int(conn.execute(q).scalar() or 0)


def insert_events(conn: Connection, values: Sequence[Mapping[str, Any]]) -> None:
    bulk_insert(conn, events, values)


_CHUNK = 900  # stays under SQLite's bound-parameter limit for IN (...)
_PROJECTION_UPDATE = (
    update(leads).where(leads.c.id == bindparam("_id")).values({c: bindparam(c) for c in PROJECTION_COLUMNS})
)


def write_projection(
    conn: Connection, lead_id: int, columns: Mapping[str, Any], runs: Sequence[Mapping[str, Any]]
) -> None:
    write_projections(conn, {lead_id: (columns, runs)})


def write_projections(
    conn: Connection, projections: Mapping[int, tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]]
) -> None:
    """Rewrite the projection columns and clock runs of many leads: one
    executemany each, since one statement built per lead costs more than the fold."""
    if not projections:
        return
    conn.execute(_PROJECTION_UPDATE, [{"_id": lead_id, **cols} for lead_id, (cols, _) in projections.items()])
    ids = list(projections)
    for i in range(0, len(ids), _CHUNK):
        conn.execute(delete(clock_runs).where(clock_runs.c.lead_id.in_(ids[i : i + _CHUNK])))
    insert_runs(conn, {lead_id: runs for lead_id, (_, runs) in projections.items()})


def insert_runs(conn: Connection, runs_by_lead: Mapping[int, Sequence[Mapping[str, Any]]]) -> None:
    bulk_insert(
        conn, clock_runs, [{"lead_id": lead_id, **r} for lead_id, runs in runs_by_lead.items() for r in runs]
    )


def zone_history(conn: Connection) -> dict[str, list[tuple[datetime, str | None]]]:
    """Each rep whose zone changed: (when, zone before), oldest first."""
    out: dict[str, list[tuple[datetime, str | None]]] = {}
    q = select(rep_zone_changes).order_by(rep_zone_changes.c.rep, rep_zone_changes.c.at)
    for r in conn.execute(q):
        out.setdefault(r.rep, []).append((r.at, r.zone_before))
    return out


def rep_zones(conn: Connection) -> dict[str, str | None]:
    return {r.key: r.time_zone for r in conn.execute(select(reps.c.key, reps.c.time_zone))}


def all_reps(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(reps).order_by(reps.c.key)))


def ensure_reps(conn: Connection, wanted: Mapping[str, str]) -> None:
    """Create missing reps: key -> display name."""
    known = set(rep_zones(conn))
    new = [{"key": k, "name": n, "email": "", "time_zone": None} for k, n in wanted.items() if k not in known]
    if new:
        conn.execute(insert(reps), new)


def resolve_rep(conn: Connection, text: str) -> str | None:
    """The key of the rep a text names by key, email, name or alias (case and
    surrounding spaces aside); None for nobody. A text naming several reps
    raises AmbiguousRep rather than acting as one of them."""
    rep = pick(load_reps(conn), text)
    return rep.key if rep else None


def crm_closed(conn: Connection, crm_ids: Sequence[str]) -> dict[str, datetime | None]:
    """Of these ids, those of leads the CRM had closed when an import met them (never
    stored as leads), with the CRM's date of that row."""
    out: dict[str, datetime | None] = {}
    for i in range(0, len(crm_ids), _CHUNK):
        chunk = crm_ids[i : i + _CHUNK]
        q = select(crm_closed_leads).where(crm_closed_leads.c.crm_id.in_(chunk))
        out.update({r.crm_id: r.crm_modified_at for r in conn.execute(q)})
    return out


def set_crm_closed(conn: Connection, closed: Mapping[str, datetime | None], reopened: Sequence[str]) -> None:
    """Remember leads the CRM closed (id -> its date), and forget those it reopened."""
    gone = [*closed, *reopened]
    for i in range(0, len(gone), _CHUNK):
        conn.execute(delete(crm_closed_leads).where(crm_closed_leads.c.crm_id.in_(gone[i : i + _CHUNK])))
    if closed:
        rows = [{"crm_id": crm_id, "crm_modified_at": at} for crm_id, at in closed.items()]
        conn.execute(insert(crm_closed_leads), rows)


def ids_for(conn: Connection, crm_ids: Sequence[str], chunk: int = 900) -> dict[str, int]:
    """CRM id -> row id, in chunks under SQLite's bound-parameter limit."""
    out: dict[str, int] = {}
    for i in range(0, len(crm_ids), chunk):
        q = select(leads.c.crm_id, leads.c.id).where(leads.c.crm_id.in_(crm_ids[i : i + chunk]))
        out.update({r.crm_id: r.id for r in conn.execute(q)})
    return out


def update_context(conn: Connection, values_by_id: Mapping[int, Mapping[str, Any]]) -> None:
    """Rewrite the context columns of many leads (each row's values have the same
    keys; the CRM id is never rewritten): one executemany."""
    rows = [
        {"_id": lead_id, **{k: v for k, v in values.items() if k != "crm_id"}}
        for lead_id, values in values_by_id.items()
    ]
    columns = [k for k in rows[0] if k != "_id"]
    stmt = update(leads).where(leads.c.id == bindparam("_id")).values({c: bindparam(c) for c in columns})
    conn.execute(stmt, rows)


def leads_by_id(conn: Connection, lead_ids: Sequence[int]) -> dict[int, Row[Any]]:
    """Whole lead rows by row id, in chunks under SQLite's bound-parameter limit."""
    out: dict[int, Row[Any]] = {}
    for i in range(0, len(lead_ids), _CHUNK):
        out |= {r.id: r for r in conn.execute(select(leads).where(leads.c.id.in_(lead_ids[i : i + _CHUNK])))}
    return out


class ImportTarget(NamedTuple):
    """What a re-import compares of a stored lead."""

    id: int
    crm_id: str
    content_hash: str | None  # the cells of the row last imported (with their tier)
    owner: str | None  # the rep who holds it here
    crm_owner: str | None  # the owner the CRM named at the last import
    crm_modified_at: datetime | None  # when the CRM last changed it, as the last import said
    state: str | None
    tier: str


def import_targets(
    conn: Connection, crm_ids: Sequence[str], older: Mapping[str, str]
) -> dict[str, ImportTarget]:
    """The stored leads an import's rows name, by the rows' ids. `older` maps another
    id a lead may be stored under (a Salesforce 15-character id) to the row's; where
    both are stored, the row's own id wins."""
    exact: dict[str, ImportTarget] = {}
    by_older: dict[str, ImportTarget] = {}
    wanted = [*crm_ids, *older]
    columns = [leads.c[name] for name in ImportTarget._fields]
    for i in range(0, len(wanted), _CHUNK):
        for r in conn.execute(select(*columns).where(leads.c.crm_id.in_(wanted[i : i + _CHUNK]))):
            target = ImportTarget(*r)
            if target.crm_id in older:
                by_older[older[target.crm_id]] = target
            else:
                exact[target.crm_id] = target
    return by_older | exact


def lead_ids_exist(conn: Connection, crm_ids: Iterable[str]) -> set[str]:
    wanted = list(crm_ids)
    return {r[0] for r in conn.execute(select(leads.c.crm_id).where(leads.c.crm_id.in_(wanted)))}


def account_contacts(conn: Connection, lead: Row[Any], limit: int = 20) -> list[Row[Any]]:
    """Other leads at the same company domain."""
    if not lead.domain:
        return []
    return list(
        conn.execute(
            select(
                leads.c.crm_id,
                leads.c.first_name,
                leads.c.last_name,
                leads.c.title,
                leads.c.state,
                leads.c.owner,
                leads.c.last_event_at,
            )
            .where(leads.c.domain == lead.domain, leads.c.id != lead.id)
            .order_by(leads.c.id)
            .limit(limit)
        )
    )


def possible_duplicates(conn: Connection, lead: Row[Any], limit: int = 10) -> list[Row[Any]]:
    """Other leads with the same normalised email or the same person at the same domain."""
    conds = []
    if lead.email_norm:
        conds.append(leads.c.email_norm == lead.email_norm)
    if lead.person_key:
        conds.append(leads.c.person_key == lead.person_key)
    if not conds:
        return []
    return list(
        conn.execute(
            select(
                leads.c.crm_id,
                leads.c.first_name,
                leads.c.last_name,
                leads.c.company,
                leads.c.state,
                leads.c.owner,
            )
            .where(or_(*conds), leads.c.id != lead.id)
            .order_by(leads.c.id)
            .limit(limit)
        )
    )


def queue_page(
    conn: Connection,
    owner: str | None,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[Row[Any]]:
    """Open leads ordered by (due_at, id): a keyset walk over ix_leads_queue."""
    q = select(leads).where(leads.c.is_open.is_(True), leads.c.due_at.is_not(None))
    if owner is not None:
        q = q.where(leads.c.owner == owner)
    if after is not None:
        due, lead_id = after
        q = q.where(or_(leads.c.due_at > due, and_(leads.c.due_at == due, leads.c.id > lead_id)))
    return list(conn.execute(q.order_by(leads.c.due_at, leads.c.id).limit(limit)))


def count_open(conn: Connection, owner: str | None) -> int:
    q = select(func.count()).select_from(leads).where(leads.c.is_open.is_(True))
    if owner is not None:
        q = q.where(leads.c.owner == owner)
    return int(conn.execute(q).scalar_one())


def iso(d: datetime | None) -> str | None:
    return d.isoformat() if d else None


def content_hash(values: Mapping[str, Any]) -> str:
    """A fingerprint of a lead's context: an import that changes nothing writes nothing."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def cells_hash(cells: Mapping[str, str], *extra: str) -> str:
    """The same fingerprint for a file row, cheaper: its cells in file order."""
    text = "\x1f".join([*map("\x1e".join, cells.items()), *extra])
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def row_to_profile(r: Any) -> LeadProfile:
    def dt(text: Any) -> datetime | None:
        return datetime.fromisoformat(text) if isinstance(text, str) and text else None

    return LeadProfile(
        crm_id=r.crm_id,
        first_name=r.first_name,
        last_name=r.last_name,
        title=r.title,
        seniority=r.seniority,
        email=r.email,
        email_verified=r.email_verified,
        phone=r.phone,
        profile_url=r.profile_url,
        company=r.company,
        domain=r.domain,
        industry=r.industry,
        employees=r.employees,
        region=r.region,
        tech_stack=tuple(r.tech_stack or ()),
        growth_signals=tuple(r.growth_signals or ()),
        score=r.score,
        score_breakdown=tuple(
            ScoreItem(
                label=s.get("label", ""),
                points=int(s.get("points", 0)),
                kind=s.get("kind", "fit"),
                at=dt(s.get("at")),
            )
            for s in (r.score_breakdown or ())
        ),
        touchpoints=tuple(
            Touchpoint(
                at=dt(t.get("at")) or r.created_at,
                kind=t.get("kind", ""),
                label=t.get("label", ""),
                points=int(t.get("points", 0)),
                mql_trigger=bool(t.get("mql_trigger")),
            )
            for t in (r.touchpoints or ())
        ),
        source=r.source,
        campaign=r.campaign,
        channel=r.channel,
        content=tuple(
            ContentItem(title=c.get("title", ""), stage=c.get("stage", "tofu")) for c in (r.content or ())
        ),
        talk_track=r.talk_track,
        intent_signals=tuple(r.intent_signals or ()),
        third_party_intent=tuple(r.third_party_intent or ()),
        account_status=r.account_status,
        crm_status=r.crm_status,
        source_system=r.source_system,
        created_at=r.created_at,
        extra=dict(r.extra or {}),
    )


def profile_to_values(p: LeadProfile) -> dict[str, Any]:
    """Context columns of a lead (no projection), JSON-ready."""
    return {
        "crm_id": p.crm_id,
        "source_system": p.source_system,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "title": p.title,
        "seniority": p.seniority,
        "email": p.email,
        "email_norm": normalise_email(p.email),
        "email_verified": p.email_verified,
        "phone": p.phone,
        "profile_url": p.profile_url,
        "company": p.company,
        "domain": normalise_domain(p.domain, p.email),
        "person_key": person_key(p),
        "industry": p.industry,
        "employees": p.employees,
        "region": p.region,
        "tech_stack": list(p.tech_stack),
        "growth_signals": list(p.growth_signals),
        "score": p.score,
        "score_breakdown": [
            {"label": s.label, "points": s.points, "kind": s.kind, "at": iso(s.at)} for s in p.score_breakdown
        ],
        "touchpoints": [
            {
                "at": iso(t.at),
                "kind": t.kind,
                "label": t.label,
                "points": t.points,
                "mql_trigger": t.mql_trigger,
            }
            for t in p.touchpoints
        ],
        "source": p.source,
        "campaign": p.campaign,
        "channel": p.channel,
        "content": [{"title": c.title, "stage": c.stage} for c in p.content],
        "talk_track": p.talk_track,
        "intent_signals": list(p.intent_signals),
        "third_party_intent": list(p.third_party_intent),
        "account_status": p.account_status,
        "crm_status": p.crm_status,
        "search_text": fold_text(f"{p.first_name} {p.last_name} {p.company} {p.email}"),
        "extra": dict(p.extra),
        "created_at": p.created_at,
    }
