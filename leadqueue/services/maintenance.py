"""Store-wide chores: rebuild projections, shift a demo store's clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from leadqueue.domain.lifecycle import LeadHistory, fold
from leadqueue.domain.policy import Tier
from leadqueue.services.context import Services
from leadqueue.services.projection import project
from leadqueue.store import repository as repo
from leadqueue.store.migrations import CLOCK_POLICY, PROJECTIONS_STALE
from leadqueue.store.outbox import read_meta, write_meta
from leadqueue.store.schema import events, leads, meta

_BATCH = 2000


def rebuild_projections(
    services: Services, conn: Connection, progress: Callable[[int, int], None] | None = None
) -> int:
    """Recompute every lead's projection from its events (after a policy change, a shift, a migration)."""
    ids = [r.id for r in conn.execute(select(leads.c.id).order_by(leads.c.id))]
    for start in range(0, len(ids), _BATCH):
        reproject(services, conn, ids[start : start + _BATCH])
        if progress:
            progress(min(len(ids), start + _BATCH), len(ids))
    write_meta(conn, CLOCK_POLICY, services.policy.clock_fingerprint())
    conn.execute(delete(meta).where(meta.c.key == PROJECTIONS_STALE))
    return len(ids)


def refresh_stale_projections(services: Services, progress: Callable[[int, int], None] | None = None) -> bool:
    """Recompute every lead's clocks when what they were computed with changed:
    a schema upgrade that added to the projection, or the policy's hours,
    holidays, zone or windows. A no-op otherwise (one read)."""
    wanted = services.policy.clock_fingerprint()
    with services.store.read() as conn:
        stale = read_meta(conn, PROJECTIONS_STALE) is not None
        built_for = read_meta(conn, CLOCK_POLICY)
    if not stale and built_for == wanted:
        return False
    # A store without a fingerprint was projected before they were kept: take it
    # as made with this policy rather than rebuild every store on first open.
    rebuild = stale or built_for is not None
    with services.store.write() as conn:
        if rebuild:
            rebuild_projections(services, conn, progress)
        else:
            write_meta(conn, CLOCK_POLICY, wanted)
    return rebuild


def reproject(services: Services, conn: Connection, lead_ids: Sequence[int]) -> dict[int, LeadHistory]:
    """Refold and rewrite the projection of some leads (after a sync brought events in)."""
    now = services.clock.now()
    calendar_for = services.calendars(conn)
    tiers: dict[int, str] = {}
    for start in range(0, len(lead_ids), 900):
        q = select(leads.c.id, leads.c.tier).where(leads.c.id.in_(lead_ids[start : start + 900]))
        tiers.update({r.id: r.tier for r in conn.execute(q)})
    by_lead = repo.events_by_lead(conn, list(lead_ids))
    histories = {lead_id: fold(by_lead[lead_id]) for lead_id in lead_ids}
    # A lead can be handed to a rep this store has never seen (a reassignment elsewhere).
    repo.ensure_reps(conn, {h.owner: h.owner for h in histories.values() if h.owner})
    projected = {
        lead_id: project(history, Tier(tiers[lead_id]), services.policy, calendar_for, now)
        for lead_id, history in histories.items()
    }
    repo.write_projections(conn, {lead_id: (p.columns, p.runs) for lead_id, p in projected.items()})
    return histories


def _shift_iso(value: Any, delta: timedelta) -> Any:
    if isinstance(value, str) and value:
        try:
            return (datetime.fromisoformat(value) + delta).isoformat()
        except ValueError:
            return value
    return value


def shift_store(services: Services, delta: timedelta) -> None:
    """Move every instant in the store by `delta` (a demo store made at a
    fixed reference instant, replayed today), then rebuild projections."""
    lead_dt = ("created_at", "imported_at")
    with services.store.write() as conn:
        lead_rows = list(
            conn.execute(
                select(
                    leads.c.id,
                    leads.c.created_at,
                    leads.c.imported_at,
                    leads.c.touchpoints,
                    leads.c.score_breakdown,
                )
            )
        )
        params = []
        for r in lead_rows:
            values: dict[str, Any] = {"_id": r.id}
            for col in lead_dt:
                value = getattr(r, col)
                values[col] = value + delta if value else None
            values["touchpoints"] = [{**t, "at": _shift_iso(t.get("at"), delta)} for t in r.touchpoints or []]
            values["score_breakdown"] = [
                {**s, "at": _shift_iso(s.get("at"), delta)} for s in r.score_breakdown or []
            ]
            params.append(values)
        if params:
            conn.execute(
                update(leads)
                .where(leads.c.id == bindparam("_id"))
                .values({c: bindparam(c) for c in (*lead_dt, "touchpoints", "score_breakdown")}),
                params,
            )
        event_rows = list(conn.execute(select(events.c.seq, events.c.at, events.c.payload)))
        event_params = []
        for e in event_rows:
            payload = dict(e.payload or {})
            if "due" in payload:
                payload["due"] = _shift_iso(payload["due"], delta)
            event_params.append({"_seq": e.seq, "at": e.at + delta, "payload": payload})
        if event_params:
            conn.execute(
                update(events)
                .where(events.c.seq == bindparam("_seq"))
                .values(at=bindparam("at"), payload=bindparam("payload")),
                event_params,
            )
        conn.execute(
            update(meta).where(meta.c.key == "demo_reference").values(value=_shifted_reference(conn, delta))
        )
        rebuild_projections(services, conn)


def _shifted_reference(conn: Connection, delta: timedelta) -> str:
    row = conn.execute(select(meta.c.value).where(meta.c.key == "demo_reference")).first()
    if row is None:
        return ""
    return (datetime.fromisoformat(row[0]) + delta).isoformat()


def demo_reference(conn: Connection) -> datetime | None:
    row = conn.execute(select(meta.c.value).where(meta.c.key == "demo_reference")).first()
    return datetime.fromisoformat(row[0]) if row else None
