"""The team's numbers for a period (`leadqueue report metrics`, the metrics
screen): SQL aggregates over the projection and the clock runs, put in the
shape every consumer prints. The rules they follow (too few to judge, what
counts against compliance) are the domain's (domain.metrics).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from leadqueue.domain import metrics as rules
from leadqueue.domain.lifecycle import fold
from leadqueue.domain.metrics import iso, lead_label
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.store import repository as repo
from leadqueue.store import routing_queries as rq
from leadqueue.store import team_queries as tq


def metrics(
    services: Services,
    since: datetime,
    until: datetime,
    on_sections: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """The team's numbers for decisions, acceptances and clock outcomes in
    [since, until), from SQL aggregates over the projection and clock runs.
    Leads are counted in their present state (an acceptance in the period
    that advanced later counts as converted).

    The top section (acceptance by rep) comes first, alone; then three
    independent groups of aggregates run on three connections at once: the
    database works outside the GIL, so on a team store they overlap instead
    of queueing. `on_sections` gets each group's sections as soon as they are
    ready, for a screen that paints what it has.
    """
    out: dict[str, Any] = {"since": iso(since), "until": iso(until)}
    # The top section first and alone, so that a screen paints it without
    # waiting on (or sharing the cores with) the heavier aggregates.
    first = _read(services, lambda conn: _acceptance_by_rep_section(conn, since, until))
    out.update(first)
    if on_sections:
        on_sections(first)
    groups: list[Callable[[Connection], dict[str, Any]]] = [
        lambda conn: _decision_sections(conn, services.policy, since, until),
        lambda conn: _time_to_decision_section(conn, since, until),
        lambda conn: _clock_sections(conn, since, until, rules.judged_at(until, services.clock.now())),
    ]
    with ThreadPoolExecutor(max_workers=len(groups), thread_name_prefix="metrics") as pool:
        for done in as_completed([pool.submit(_read, services, group) for group in groups]):
            sections = done.result()
            out.update(sections)
            if on_sections:
                on_sections(sections)
    # Not a screen section (on_sections): the numbers cut by routing rule, for report and export.
    out["by_rule"] = _read(services, lambda conn: by_rule(conn, since, until))
    return {key: out[key] for key in METRIC_SECTIONS}


_ACCEPTED_STATES = frozenset({"accepted", "advanced", "returned", "unresponsive"})


def by_rule(conn: Connection, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Routing's assignments of the period by rule, and what became of those leads since."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for payload, state, _ in rq.routed_in(conn, since, until):
        payload = payload if isinstance(payload, dict) else {}
        n = counts[(str(payload.get("rule") or "(no rule)"), str(payload.get("method") or ""))]
        n["routed"] += 1
        n["accepted" if state in _ACCEPTED_STATES else "rejected" if state == "rejected" else "waiting"] += 1
    out = []
    for (rule, method), n in sorted(counts.items(), key=lambda kv: (-kv[1]["routed"], kv[0])):
        rate = rules.judged_rate(n["accepted"], n["accepted"] + n["rejected"])
        out.append(
            {"rule": rule, "method": method, "routed": n["routed"], "accepted": n["accepted"]}
            | {
                "rejected": n["rejected"],
                "waiting": n["waiting"],
                "rate_pct": rate,
                "healthy": rules.healthy(rate),
            }
        )
    return out


METRIC_SECTIONS = (
    "since",
    "until",
    "acceptance_by_rep",
    "acceptance_by_source",
    "rejection_reasons",
    "rejection_trend",
    "written_reasons",
    "time_to_decision_hours",
    "sla_compliance",
    "accepted_without_first_touch",
    "sal_to_sql",
    "leads_waiting",
    "by_rule",
)


# Each section's title, in the order the CLI prints and the screen shows them.
METRIC_TITLES = {
    "acceptance_by_rep": "Acceptance rate by rep (healthy 60-90%)",
    "acceptance_by_source": "Acceptance rate by lead source (healthy 60-90%)",
    "rejection_reasons": "Rejection reasons",
    "rejection_trend": "Rejections by week",
    "written_reasons": "Rejection reasons written out (OTHER)",
    "time_to_decision_hours": "Time to decision (hours)",
    "sla_compliance": "SLA compliance",
    "accepted_without_first_touch": "Accepted without a first touch",
    "sal_to_sql": "SAL to SQL conversion",
    "leads_waiting": "Leads waiting for a decision",
}

# What a section's numbers mean where it is not obvious; the CLI and the screen print it.
METRIC_NOTES = {
    "acceptance_by_rep": rules.TOO_FEW_NOTE,
    "acceptance_by_source": rules.TOO_FEW_NOTE,
    "sla_compliance": rules.COMPLIANCE_NOTE,
    "sal_to_sql": rules.TOO_FEW_NOTE.replace("decisions", "acceptances"),
}

# The fields holding a rate that is left out (None) when its sample is too few.
JUDGED_RATES = {
    "acceptance_by_rep": ("rate_pct", ("accepted", "rejected")),
    "acceptance_by_source": ("rate_pct", ("accepted", "rejected")),
    "sal_to_sql": ("conversion_pct", ("accepted",)),
    "by_rule": ("rate_pct", ("accepted", "rejected")),
}


def is_too_few(section: str, row: dict[str, Any]) -> bool:
    """Whether `row`'s rate was left unjudged because its sample is too small."""
    if section not in JUDGED_RATES:
        return False
    field, counts = JUDGED_RATES[section]
    return row.get(field) is None and rules.too_few(sum(int(row.get(c) or 0) for c in counts))


def _rate_rows(rows: list[Any], key: str) -> list[dict[str, Any]]:
    out = []
    for name, acc, rej in rows:
        rate = rules.judged_rate(int(acc), int(acc) + int(rej))
        out.append(
            {
                key: name,
                "accepted": int(acc),
                "rejected": int(rej),
                "rate_pct": rate,
                "healthy": rules.healthy(rate),
            }
        )
    return out


def _decision_sections(conn: Connection, policy: Policy, since: datetime, until: datetime) -> dict[str, Any]:
    reasons: Counter[str] = Counter()
    weekly: dict[str, Counter[str]] = defaultdict(Counter)
    for week, code, n in tq.rejection_reasons(conn, since, until):
        reasons[code] += n
        weekly[week or "?"][code] += n
    untouched: dict[str, list[Any]] = defaultdict(list)
    for r in tq.untouched_acceptances(conn, since, until):
        untouched[r.name].append(r)
    return {
        "acceptance_by_source": _rate_rows(tq.decisions_by(conn, "source", since, until), "source"),
        "rejection_reasons": [
            {
                "code": code,
                "label": (policy.reason(code).label if policy.reason(code) else code),
                "count": n,
                "share_pct": rules.pct(n, sum(reasons.values())),
            }
            for code, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "rejection_trend": [{"week": w, **dict(sorted(weekly[w].items()))} for w in sorted(weekly)],
        "written_reasons": written_reasons(conn, policy, since, until),
        "accepted_without_first_touch": [
            {
                "rep": rep,
                "count": len(rows),
                "leads": [r.crm_id for r in rows],
                "names": [lead_label(r.first_name, r.last_name, r.company, r.crm_id) for r in rows],
            }
            for rep, rows in sorted(untouched.items())
        ],
        "sal_to_sql": [
            {
                "rep": r.name,
                "accepted": int(r.accepted),
                "advanced": int(r.advanced),
                "conversion_pct": rules.judged_rate(int(r.advanced), int(r.accepted)),
            }
            for r in tq.acceptances(conn, since, until)
        ],
    }


def written_codes(policy: Policy) -> list[str]:
    """The codes whose reason is written out (OTHER by default; retired ones included,
    since old rejections keep their code)."""
    return sorted(code for code, reason in policy.reasons.items() if reason.requires_text)


def written_reasons(
    conn: Connection, policy: Policy, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Each rejection of the period whose reason was written out, with what was written."""
    rows = tq.written_reasons(conn, written_codes(policy), since, until)
    notes = reason_notes(conn, [r.id for r in rows])
    return [
        {
            "lead_id": r.crm_id,
            "name": f"{r.first_name} {r.last_name}".strip(),
            "company": r.company,
            "rep": r.rep,
            "code": r.code,
            "decided_at": iso(r.decided_at),
            "note": notes.get(r.id, ""),
        }
        for r in rows
    ]


def reason_notes(conn: Connection, lead_ids: Sequence[int]) -> dict[int, str]:
    """The note of each lead's standing rejection (or returned disposition), from its
    history: undone and superseded decisions are folded away as everywhere else."""
    return {i: fold(evs).reason_note or "" for i, evs in repo.events_by_lead(conn, lead_ids).items() if evs}


def _acceptance_by_rep_section(conn: Connection, since: datetime, until: datetime) -> dict[str, Any]:
    return {"acceptance_by_rep": _rate_rows(tq.decisions_by(conn, "rep", since, until), "rep")}


def _time_to_decision_section(conn: Connection, since: datetime, until: datetime) -> dict[str, Any]:
    return {
        "time_to_decision_hours": [
            {"rep": r.name, "decisions": int(r.n), "median": _round(r.median), "p90": _round(r.p90)}
            for r in tq.time_to_decision(conn, since, until)
        ]
    }


def _clock_sections(conn: Connection, since: datetime, until: datetime, as_of: datetime) -> dict[str, Any]:
    return {
        "sla_compliance": [
            {
                "clock": clock,
                "rep": rep,
                "met": met,
                "missed": missed,
                "breached_open": breached_open,
                "compliance_pct": rules.compliance(met, missed, breached_open),
            }
            for clock, rep, met, missed, breached_open in tq.sla_compliance(conn, since, until, as_of)
        ],
        "leads_waiting": [
            {
                "rep": r.name,
                "count": int(r.n),
                "median_age_hours": _round(r.median),
                "oldest_hours": _round(r.max),
            }
            for r in tq.leads_waiting(conn, as_of)
        ],
    }


def _read(services: Services, query: Callable[[Connection], Any]) -> Any:
    with services.store.read() as conn:
        return query(conn)


def _round(value: Any) -> float | None:
    # float(): PostgreSQL's avg() gives a Decimal
    return None if value is None else round(float(value), 1)
