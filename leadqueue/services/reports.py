"""Reports: open clocks (breaches) and the team's numbers (metrics).

Both fold each candidate lead's events up to the report's instant, so a
report "as of" a past moment sees exactly what was known then.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, exists, or_, select

from leadqueue.domain.lifecycle import LeadHistory, LeadState, fold
from leadqueue.domain.policy import Tier
from leadqueue.domain.sla import ClockState, ClockStatus, evaluate
from leadqueue.services.context import Services
from leadqueue.store import repository as repo
from leadqueue.store.schema import events, leads

_BATCH = 500


@dataclass(frozen=True)
class OpenClock:
    lead_id: str
    rep: str
    clock: str
    tier: str
    started_at: str
    deadline: str | None
    state: str
    remaining_seconds: int
    name: str
    company: str

    def row(self) -> dict[str, Any]:
        out = asdict(self)
        del out["name"], out["company"]
        return out


BREACH_FIELDS = ("lead_id", "rep", "clock", "tier", "started_at", "deadline", "state", "remaining_seconds")


def iso(at: datetime | None) -> str | None:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ") if at else None


def _histories(
    services: Services, conn: Connection, where: Any, until: datetime
) -> Iterator[tuple[Any, LeadHistory, list[ClockStatus]]]:
    calendar_for = services.calendars(conn)
    # Only the columns reports use: the JSON context columns cost more to decode than the fold.
    columns = (
        leads.c.id,
        leads.c.crm_id,
        leads.c.tier,
        leads.c.first_name,
        leads.c.last_name,
        leads.c.company,
        leads.c.source,
    )
    rows = list(conn.execute(select(*columns).where(where).order_by(leads.c.id)))
    for i in range(0, len(rows), _BATCH):
        batch = rows[i : i + _BATCH]
        by_lead = repo.events_by_lead(conn, [r.id for r in batch])
        for row in batch:
            known = [e for e in by_lead[row.id] if e.at <= until]
            if not known:
                continue
            history = fold(known)
            yield row, history, evaluate(history, Tier(row.tier), services.policy, calendar_for, until)


def breaches(
    services: Services, as_of: datetime | None = None, rep: str | None = None, include_all: bool = False
) -> list[OpenClock]:
    as_of = as_of or services.clock.now()
    wanted = {ClockState.AT_RISK, ClockState.BREACHED}
    if include_all:
        wanted |= {ClockState.RUNNING, ClockState.PAUSED}
    out: list[OpenClock] = []
    with services.store.read() as conn:
        later = exists().where(events.c.lead_id == leads.c.id, events.c.at > as_of)
        where = or_(leads.c.is_open.is_(True), leads.c.state == LeadState.NEEDS_INFO.value, later)
        for row, _history, statuses in _histories(services, conn, where, as_of):
            for s in statuses:
                if s.state not in wanted or (rep and s.rep != rep):
                    continue
                out.append(
                    OpenClock(
                        lead_id=row.crm_id,
                        rep=s.rep,
                        clock=s.clock.value,
                        tier=row.tier,
                        started_at=iso(s.started_at) or "",
                        deadline=iso(s.deadline),
                        state=s.state.value,
                        remaining_seconds=int(s.remaining_seconds(as_of)),
                        name=f"{row.first_name} {row.last_name}".strip(),
                        company=row.company,
                    )
                )
    rank = {"breached": 0, "at_risk": 1, "running": 2, "paused": 3}
    out.sort(key=lambda c: (rank[c.state], c.remaining_seconds, c.lead_id, c.clock))
    return out


# -- metrics ------------------------------------------------------------------


def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


def _quantile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile: a value that actually occurred."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(q * 100) * len(ordered) // 100))
    return ordered[min(rank, len(ordered)) - 1]


def metrics(services: Services, since: datetime, until: datetime) -> dict[str, Any]:
    policy = services.policy
    zone = policy.zone

    def inside(at: datetime | None) -> bool:
        return at is not None and since <= at < until

    decided: dict[str, Counter[str]] = defaultdict(Counter)
    decided_by_source: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: Counter[str] = Counter()
    weekly: dict[str, Counter[str]] = defaultdict(Counter)
    decision_hours: dict[str, list[float]] = defaultdict(list)
    compliance: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    no_touch: dict[str, list[str]] = defaultdict(list)
    sal_sql: dict[str, Counter[str]] = defaultdict(Counter)
    waiting: dict[str, list[float]] = defaultdict(list)

    with services.store.read() as conn:
        in_period = exists().where(events.c.lead_id == leads.c.id, events.c.at >= since, events.c.at < until)
        where = or_(leads.c.is_open.is_(True), leads.c.state == LeadState.NEEDS_INFO.value, in_period)
        for row, h, statuses in _histories(services, conn, where, until):
            owner = h.owner or "?"
            if inside(h.decided_at) and h.state is not None:
                outcome = "accepted" if h.accepted_at == h.decided_at else "rejected"
                decided[owner][outcome] += 1
                decided_by_source[row.source or "(none)"][outcome] += 1
                if outcome == "rejected":
                    code = h.reason_code or "?"
                    reasons[code] += 1
                    local = h.decided_at.astimezone(zone)  # type: ignore[union-attr]
                    week_start = (local - timedelta(days=local.weekday())).date().isoformat()
                    weekly[week_start][code] += 1
            if inside(h.first_decision_at) and h.assigned_at:
                hours = (h.first_decision_at - h.assigned_at).total_seconds() / 3600  # type: ignore[operator]
                decision_hours[owner].append(hours)
            for s in statuses:
                if s.state in (ClockState.MET, ClockState.MISSED) and inside(s.stopped_at):
                    compliance[(s.clock.value, s.rep)][s.state.value] += 1
                elif s.state is ClockState.BREACHED:
                    compliance[(s.clock.value, s.rep)]["breached_open"] += 1
            if inside(h.accepted_at):
                sal_sql[owner]["accepted"] += 1
                if h.state is LeadState.ADVANCED:
                    sal_sql[owner]["advanced"] += 1
                if h.first_touch_at is None:
                    no_touch[owner].append(row.crm_id)
            if h.state is LeadState.NEW and h.assigned_at:
                waiting[owner].append((until - h.assigned_at).total_seconds() / 3600)

    def rate_rows(table: dict[str, Counter[str]], key: str) -> list[dict[str, Any]]:
        out = []
        for name in sorted(table):
            c = table[name]
            total = c["accepted"] + c["rejected"]
            rate = _pct(c["accepted"], total)
            out.append(
                {
                    key: name,
                    "accepted": c["accepted"],
                    "rejected": c["rejected"],
                    "rate_pct": rate,
                    "healthy": None if rate is None else 60.0 <= rate <= 90.0,
                }
            )
        return out

    return {
        "since": iso(since),
        "until": iso(until),
        "acceptance_by_rep": rate_rows(decided, "rep"),
        "acceptance_by_source": rate_rows(decided_by_source, "source"),
        "rejection_reasons": [
            {
                "code": code,
                "label": (policy.reason(code).label if policy.reason(code) else code),  # type: ignore[union-attr]
                "count": n,
                "share_pct": _pct(n, sum(reasons.values())),
            }
            for code, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "rejection_trend": [{"week": w, **dict(sorted(weekly[w].items()))} for w in sorted(weekly)],
        "time_to_decision_hours": [
            {
                "rep": rep,
                "decisions": len(v),
                "median": _round(statistics.median(v)),
                "p90": _round(_quantile(v, 0.9)),
            }
            for rep, v in sorted(decision_hours.items())
        ],
        "sla_compliance": [
            {
                "clock": clock,
                "rep": rep,
                "met": c["met"],
                "missed": c["missed"],
                "breached_open": c["breached_open"],
                "compliance_pct": _pct(c["met"], c["met"] + c["missed"]),
            }
            for (clock, rep), c in sorted(compliance.items())
        ],
        "accepted_without_first_touch": [
            {"rep": rep, "count": len(ids), "leads": sorted(ids)} for rep, ids in sorted(no_touch.items())
        ],
        "sal_to_sql": [
            {
                "rep": rep,
                "accepted": c["accepted"],
                "advanced": c["advanced"],
                "conversion_pct": _pct(c["advanced"], c["accepted"]),
            }
            for rep, c in sorted(sal_sql.items())
        ],
        "leads_waiting": [
            {
                "rep": rep,
                "count": len(v),
                "median_age_hours": _round(statistics.median(v)),
                "oldest_hours": _round(max(v)),
            }
            for rep, v in sorted(waiting.items())
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
