"""The breaches screen's rows: an open clock of the report with what a live
countdown needs, groups by rep or by clock, the rows as exported, and the
reads and the export the screen runs in a worker's thread."""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from leadqueue.domain.policy import ClockName, Policy, Tier
from leadqueue.domain.safe_text import json_document
from leadqueue.services import breach_groups, reports
from leadqueue.services.breach_groups import Escalation, RepLoad, worst_first_key
from leadqueue.services.context import Services
from leadqueue.tui.export_file import csv_text, write_export
from leadqueue.tui.format import CLOCK_LABEL, CLOCK_ORDER, countdown, in_zone

# The report's escalation levels, and how the screen says them.
LEVEL_LABEL = {"at_risk": "at risk", "breached": "breached", "reroute": "re-route"}
LEVEL_STYLE = {"at_risk": "bold yellow", "breached": "bold red", "reroute": "bold magenta"}


# -- rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreachRow:
    """One open clock of the report, with what the live countdown needs."""

    lead_id: str
    name: str
    company: str
    rep: str
    clock: str
    tier: str
    deadline: datetime | None
    reroute_at: datetime | None
    window: str  # as the policy writes it: "4h", "5bd"
    state: str  # as the report saw it; only used for a clock without a deadline
    acknowledged: bool = False
    # When the lead was last escalated while this clock ran (None: not escalated): like
    # an acknowledgement, it stays until the lead changes hands or the clock stops.
    escalated_at: datetime | None = None
    escalation_seen: bool = False  # a team lead acknowledged the lead after it
    notified: str = ""  # whom the router's escalation went to ('' for a team lead's own)

    @property
    def escalated(self) -> bool:
        return self.escalated_at is not None

    @property
    def flag(self) -> str:
        """What the row's mark says: 'escalated' while no team lead has acknowledged the
        lead since, then 'acknowledged'; '' for neither."""
        if self.escalated and not self.escalation_seen:
            return "escalated"
        return "acknowledged" if self.acknowledged else ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.lead_id, self.clock)

    def level(self, now: datetime) -> str:
        """The report's escalation at `now`: 'at_risk' before the deadline, 'breached'
        after it, 'reroute' once overdue by the clock's whole window again."""
        if self.deadline is None:
            return "breached" if self.state == "breached" else "at_risk"
        if now < self.deadline:
            return "at_risk"
        if self.reroute_at is not None and now >= self.reroute_at:
            return "reroute"
        return "breached"


def breach_row(c: reports.OpenClock, policy: Policy, escalation: Escalation | None = None) -> BreachRow:
    """`escalation`: the lead's last, if any; it marks this clock only if it came while
    the clock ran."""
    during = escalation is not None and escalation.at >= c.started_at
    return BreachRow(
        lead_id=c.lead_id,
        name=c.name,
        company=c.company,
        rep=c.rep,
        clock=c.clock,
        tier=c.tier,
        deadline=c.deadline,
        reroute_at=c.reroute_at,
        window=policy.windows.for_clock(ClockName(c.clock), Tier(c.tier)).window,
        state=c.state,
        acknowledged=c.acknowledged,
        escalated_at=escalation.at if escalation is not None and during else None,
        escalation_seen=escalation.seen if escalation is not None and during else False,
        notified=escalation.notified if escalation is not None and during else "",
    )


# -- groups ----------------------------------------------------------------------------


@dataclass
class Group:
    key: str
    label: str
    rows: list[BreachRow]
    # Sorted instants: the live totals are two bisections a second, not a pass over the rows.
    deadlines: list[datetime] = field(default_factory=list)
    reroutes: list[datetime] = field(default_factory=list)
    undated_breached: int = 0
    open_leads: int | None = None  # a rep's open leads (its whole load); None for a clock's group

    def __post_init__(self) -> None:
        self.deadlines = sorted(r.deadline for r in self.rows if r.deadline is not None)
        self.reroutes = sorted(r.reroute_at for r in self.rows if r.reroute_at is not None)
        self.undated_breached = sum(1 for r in self.rows if r.deadline is None and r.state == "breached")

    def totals(self, now: datetime) -> tuple[int, int, int]:
        """(breached, at risk, re-route) at `now`; re-route rows count as breached too."""
        breached = bisect_right(self.deadlines, now) + self.undated_breached
        return breached, len(self.rows) - breached, bisect_right(self.reroutes, now)

    @property
    def earliest_deadline(self) -> datetime | None:
        """The most overdue clock's deadline once any is breached; else the soonest due."""
        return self.deadlines[0] if self.deadlines else None


def group_rows(
    rows: Iterable[BreachRow],
    by: str,
    rep_names: dict[str, str],
    now: datetime | None = None,
    open_leads: Mapping[str, int] | None = None,
) -> list[Group]:
    """Groups worst first at `now`: the most breached, then the most overdue (without
    `now`, reps by key, clocks in lifecycle order). Rows keep the report's order inside
    a group: most overdue first. `open_leads` gives each rep's open leads."""
    buckets: dict[str, list[BreachRow]] = {}
    for row in rows:
        buckets.setdefault(row.rep if by == "rep" else row.clock, []).append(row)
    if by == "rep":
        order = sorted(buckets)
    else:
        order = [c for c in CLOCK_ORDER if c in buckets] + sorted(set(buckets) - set(CLOCK_ORDER))
    groups = []
    for key in order:
        if by == "rep":
            name = rep_names.get(key, "")
            label = f"{key} · {name}" if name and name != key else key
        else:
            label = f"{CLOCK_LABEL.get(key, key)} clock"
        opened = open_leads.get(key, 0) if by == "rep" and open_leads is not None else None
        groups.append(Group(key, label, buckets[key], open_leads=opened))
    if now is not None:
        place = {g.key: i for i, g in enumerate(groups)}  # ties keep the stable order
        groups.sort(key=lambda g: (*worst_first_key(g.totals(now)[0], g.earliest_deadline, ""), place[g.key]))
    return groups


def team_totals(groups: Sequence[Group], now: datetime) -> tuple[int, int, int]:
    sums = [g.totals(now) for g in groups]
    return sum(s[0] for s in sums), sum(s[1] for s in sums), sum(s[2] for s in sums)


EXPORT_FIELDS = (
    "group",
    "lead_id",
    "name",
    "company",
    "rep",
    "clock",
    "tier",
    "deadline",
    "deadline_local",
    "remaining_seconds",
    "left",
    "escalation",
    "acknowledged",
)


def export_records(
    rows: Sequence[tuple[str, BreachRow]], now: datetime, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """The rows as shown (group, then row), at `now`. Field names and values follow
    the CLI's breaches report (remaining_seconds, escalation, acknowledged)."""
    out = []
    for group, r in rows:
        out.append(
            {
                "group": group,
                "lead_id": r.lead_id,
                "name": r.name,
                "company": r.company,
                "rep": r.rep,
                "clock": r.clock,
                "tier": r.tier,
                "deadline": reports.iso(r.deadline) or "",
                "deadline_local": in_zone(r.deadline, zone, "%Y-%m-%d %H:%M") if r.deadline else "",
                "remaining_seconds": int((r.deadline - now).total_seconds()) if r.deadline else "",
                "left": countdown(r.deadline, now) if r.deadline else "",
                "escalation": r.level(now),
                "acknowledged": r.acknowledged,
            }
        )
    return out


# -- reads and exports, in a worker's thread ----------------------------------------------


def _give_the_ui_a_turn() -> None:
    time.sleep(0.002)


def export_breaches(
    fmt: str, rows: list[tuple[str, BreachRow]], now: datetime, zone: ZoneInfo
) -> tuple[str, str]:
    """In the export's thread: (what was written, or why it was not)."""
    records = export_records(rows, now, zone)
    content = json_document(records) if fmt == "json" else csv_text(EXPORT_FIELDS, records)
    try:
        path = write_export("breaches", fmt, now, content)
    except OSError as exc:
        return "", f"Export failed: {exc}"
    return f"{len(records)} rows → {path}", ""


@dataclass(frozen=True)
class BreachReport:
    rows: list[BreachRow]
    names: dict[str, str]
    partial: bool  # only the first reps' clocks
    loads: dict[str, RepLoad]


def read_report(services: Services, first_page: int) -> BreachReport:
    """In the read's thread: the clocks to show, with the reps' names and loads."""
    names = services.team.rep_names()
    # Each rep's load (one aggregate) orders the groups worst first, and says
    # which reps fill the first screens; escalations are a short index walk.
    loads = breach_groups.rep_loads(services)
    escalations = breach_groups.escalations(services)
    if first_page:
        # A team has tens of thousands of open clocks: the worst reps' (whole,
        # so their totals are right) are painted at once, everyone's once that
        # frame is on screen.
        first = breach_groups.first_reps(loads.values(), first_page)
        clocks = reports.breaches(services, reps=first)
        partial = len(first) < len(breach_groups.worst_first(loads.values()))
    else:
        # Between chunks the worker steps aside, so keys and countdowns keep
        # their turn at the GIL while a team's clocks become Python objects.
        clocks = reports.breaches(services, between_chunks=_give_the_ui_a_turn)
        partial = False
    rows = [breach_row(c, services.policy, escalations.get(c.lead_id)) for c in clocks]
    return BreachReport(rows, names, partial, loads)


def reps_and_loads(services: Services) -> tuple[list[tuple[str, str]], dict[str, RepLoad]]:
    """Every rep, and each one's load as of now (not as of the last report)."""
    return services.team.reps(), breach_groups.rep_loads(services)
