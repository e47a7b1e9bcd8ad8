"""Reports: open clocks (breaches); the team's numbers are in team_metrics.

A report "as of" a past moment folds each candidate lead's events up to
that instant, so it sees exactly what was known then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, exists, or_, select

from leadqueue.domain.lifecycle import LeadHistory, LeadState, fold
from leadqueue.domain.metrics import iso
from leadqueue.domain.policy import ClockName, Policy, Tier
from leadqueue.domain.sla import ClockState, ClockStatus, evaluate
from leadqueue.services.context import Services

# The team's numbers live in their own module; these names stay importable from here.
from leadqueue.services.team_metrics import METRIC_SECTIONS as METRIC_SECTIONS
from leadqueue.services.team_metrics import METRIC_TITLES as METRIC_TITLES
from leadqueue.services.team_metrics import metrics as metrics
from leadqueue.store import repository as repo
from leadqueue.store import team_queries as tq
from leadqueue.store.schema import events, leads

_BATCH = 500


@dataclass(frozen=True)
class OpenClock:
    """An open SLA clock as every report gives it: each field has one meaning,
    whatever the clock's state or measure."""

    lead_id: str
    rep: str
    clock: str
    tier: str
    measure: str  # elapsed | working
    window: str  # as the policy writes it: "4h", "5bd"
    budget_seconds: int  # the window, in the clock's measure
    started_at: datetime
    deadline: datetime | None  # None while paused
    at_risk_at: datetime | None
    reroute_at: datetime | None  # when a breached clock reaches the re-route level
    state: str
    remaining_seconds: int | None  # real seconds to the deadline, negative when overdue; None while paused
    paused_at: datetime | None
    time_left_seconds: int | None  # while paused: in the clock's measure, negative when overdue
    # at_risk, breached, or reroute: overdue by the whole window again
    escalation: str
    acknowledged: bool
    name: str
    company: str

    def row(self) -> dict[str, Any]:
        """For files and the terminal: instants as ISO 8601 UTC (formatted here, not
        per clock when the report is built: a team has tens of thousands)."""
        out = asdict(self)
        del out["name"], out["company"]
        for key in ("started_at", "deadline", "at_risk_at", "reroute_at", "paused_at"):
            out[key] = iso(out[key])
        return out

    @property
    def urgency(self) -> float:
        """Sorts the most overdue first; a paused clock by the time it resumes with."""
        if self.remaining_seconds is not None:
            return self.remaining_seconds
        return self.time_left_seconds or 0


# Every clock field, in the order files give them (the "one meaning per field").
CLOCK_FIELDS = (
    "clock",
    "rep",
    "tier",
    "measure",
    "window",
    "budget_seconds",
    "started_at",
    "deadline",
    "at_risk_at",
    "reroute_at",
    "state",
    "remaining_seconds",
    "paused_at",
    "time_left_seconds",
)
BREACH_FIELDS = ("lead_id", *CLOCK_FIELDS, "escalation", "acknowledged")
# What fits a terminal's width; files carry every field.
BREACH_TABLE_FIELDS = (
    "lead_id",
    "rep",
    "clock",
    "tier",
    "window",
    "deadline",
    "state",
    "remaining_seconds",
    "time_left_seconds",
    "escalation",
    "acknowledged",
)


class WindowLookup:
    """Each (clock, tier)'s window as the policy writes it, looked up once per report."""

    def __init__(self, policy: Policy) -> None:
        self._windows = {
            (clock.value, tier.value): policy.windows.for_clock(clock, tier)
            for clock in ClockName
            for tier in Tier
        }

    def __call__(self, clock: str, tier: str) -> tuple[str, str]:
        w = self._windows[(clock, tier)]
        return w.measure.value, w.window


def clock_record(s: ClockStatus, tier: Tier, policy: Policy, as_of: datetime) -> dict[str, Any]:
    """One clock of `show --format json`: the report's clock fields, for open and closed clocks
    (a closed one adds when it stopped and has no time remaining)."""
    window = policy.windows.for_clock(s.clock, tier)
    remaining = s.remaining_seconds(as_of) if s.is_open else None
    time_left = s.time_left_seconds
    return {
        "clock": s.clock.value,
        "rep": s.rep,
        "tier": tier.value,
        "measure": window.measure.value,
        "window": window.window,
        "budget_seconds": int(s.budget_seconds),
        "started_at": iso(s.started_at),
        "deadline": iso(s.deadline),
        "at_risk_at": iso(s.at_risk_at),
        "reroute_at": iso(s.reroute_at),
        "state": s.state.value,
        "remaining_seconds": None if remaining is None else int(remaining),
        "paused_at": iso(s.paused_at),
        "time_left_seconds": None if time_left is None else int(time_left),
        "stopped_at": iso(s.stopped_at),
    }


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
    services: Services,
    as_of: datetime | None = None,
    rep: str | None = None,
    include_all: bool = False,
    reps: Sequence[str] | None = None,
    between_chunks: Callable[[], None] | None = None,
) -> list[OpenClock]:
    """Open clocks at risk or breached (every open clock with include_all).

    From now on, the clock runs kept with each lead's projection answer in
    SQL; a moment in the past is replayed from the events, since a lead may
    have moved on since then. `between_chunks` runs after every few thousand
    clocks: a terminal UI gives its own thread a turn there.
    """
    now = services.clock.now()
    as_of = as_of or now
    if as_of >= now:
        out = projected_clocks(services, as_of, rep, include_all, reps, between_chunks)
    else:
        out = replayed_clocks(services, as_of, rep, include_all, reps)
    out.sort(key=lambda c: (_RANK[c.state], c.urgency, c.lead_id, c.clock))
    return out


_RANK = {"breached": 0, "at_risk": 1, "running": 2, "paused": 3}


def first_breaches(services: Services, limit: int) -> list[OpenClock]:
    """The first `limit` clocks at risk or breached now, as a screen grouped by
    rep shows them (reps in order, each rep's report order): what fills its
    first screens while the rest loads."""
    now = services.clock.now()
    windows = WindowLookup(services.policy)
    with services.store.read() as conn:
        out = [_from_run(r, now, windows) for r in tq.first_open_clocks(conn, now, limit)]
    out.sort(key=lambda c: (c.rep, _RANK[c.state], c.urgency, c.lead_id, c.clock))
    return out


def projected_clocks(
    services: Services,
    as_of: datetime,
    rep: str | None = None,
    include_all: bool = False,
    reps: Sequence[str] | None = None,
    between_chunks: Callable[[], None] | None = None,
) -> list[OpenClock]:
    """Open clocks at `as_of` from the clock runs stored with each lead's
    projection: right for any instant after the leads' last events."""
    windows = WindowLookup(services.policy)
    out = []
    with services.store.read() as conn:
        for rows in tq.open_clocks(conn, as_of, rep, include_all, reps):
            out.extend(_from_run(r, as_of, windows) for r in rows)
            if between_chunks:
                between_chunks()
    return out


def escalation(state: str, reroute_at: datetime | None, as_of: datetime) -> str:
    if state == "breached" and reroute_at is not None and as_of >= reroute_at:
        return "reroute"
    return state


def _acknowledged(
    acknowledged_at: datetime | None, state: str, started_at: datetime, deadline: datetime | None
) -> bool:
    """Whether a team lead has seen the clock as it is: a breached clock since its
    breach began (an acknowledgement while it was only at risk was of that), any
    other since it started (domain.breach_acts allows one acknowledgement per breach)."""
    if acknowledged_at is None:
        return False
    since = deadline if state == "breached" and deadline is not None else started_at
    return acknowledged_at >= since


def _from_run(r: Any, as_of: datetime, windows: WindowLookup) -> OpenClock:
    # Unpacked once: a team has tens of thousands of clocks, and a Row's named
    # attributes cost a lookup each.
    # The order is team_queries._open_clock_columns()'.
    (clock, rep, started_at, deadline, at_risk_at, reroute_at, paused_left, paused_at, budget,
     crm_id, tier, first, last, company, acknowledged_at) = r  # fmt: skip
    remaining: int | None = None
    time_left: int | None = None
    if deadline is None:
        state, time_left = "paused", int(paused_left or 0.0)
    else:
        remaining = int((deadline - as_of).total_seconds())
        # the same rule as sla.evaluate_run, on the stored instants
        state = "breached" if as_of >= deadline else "at_risk" if as_of >= at_risk_at else "running"
    measure, window = windows(clock, tier)
    return OpenClock(
        crm_id,
        rep,
        clock,
        tier,
        measure,
        window,
        int(budget),
        started_at,
        deadline,
        at_risk_at,
        reroute_at,
        state,
        remaining,
        paused_at,
        time_left,
        escalation(state, reroute_at, as_of),
        _acknowledged(acknowledged_at, state, started_at, deadline),
        f"{first} {last}".strip(),
        company,
    )


def replayed_clocks(
    services: Services,
    as_of: datetime,
    rep: str | None = None,
    include_all: bool = False,
    reps: Sequence[str] | None = None,
) -> list[OpenClock]:
    """Open clocks at `as_of` from a fold of the events known then: right for any
    instant, and what a report of the past needs, since a lead may have moved on."""
    wanted = {ClockState.AT_RISK, ClockState.BREACHED}
    if include_all:
        wanted |= {ClockState.RUNNING, ClockState.PAUSED}
    windows = WindowLookup(services.policy)
    out: list[OpenClock] = []
    with services.store.read() as conn:
        later = exists().where(events.c.lead_id == leads.c.id, events.c.at > as_of)
        where = or_(leads.c.is_open.is_(True), leads.c.state == LeadState.NEEDS_INFO.value, later)
        for row, history, statuses in _histories(services, conn, where, as_of):
            for s in statuses:
                if s.state not in wanted or (rep and s.rep != rep):
                    continue
                if reps is not None and s.rep not in reps:
                    continue
                acked = history.acknowledged_at
                remaining = s.remaining_seconds(as_of)
                time_left = s.time_left_seconds
                measure, window = windows(s.clock.value, row.tier)
                out.append(
                    OpenClock(
                        lead_id=row.crm_id,
                        rep=s.rep,
                        clock=s.clock.value,
                        tier=row.tier,
                        measure=measure,
                        window=window,
                        budget_seconds=int(s.budget_seconds),
                        started_at=s.started_at,
                        deadline=s.deadline,
                        at_risk_at=s.at_risk_at,
                        reroute_at=s.reroute_at,
                        state=s.state.value,
                        remaining_seconds=None if remaining is None else int(remaining),
                        paused_at=s.paused_at,
                        time_left_seconds=None if time_left is None else int(time_left),
                        escalation=escalation(s.state.value, s.reroute_at, as_of),
                        acknowledged=_acknowledged(acked, s.state.value, s.started_at, s.deadline),
                        name=f"{row.first_name} {row.last_name}".strip(),
                        company=row.company,
                    )
                )
    return out
