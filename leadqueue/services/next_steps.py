"""The rep's day: the next steps due today, in the rep's own zone, or overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from leadqueue.services.context import Services
from leadqueue.store.next_step_query import StepRow, owed_before

LIMIT = 500  # far more than a rep's day; the view says when there were more


@dataclass(frozen=True)
class DueStep:
    crm_id: str
    owner: str | None
    name: str
    company: str
    kind: str
    due: datetime
    note: str

    def overdue(self, now: datetime) -> bool:
        return self.due <= now

    @property
    def lead(self) -> str:
        """The lead as a rep names it: name · company."""
        return f"{self.name} · {self.company}" if self.company else self.name


@dataclass(frozen=True)
class TodaySteps:
    steps: list[DueStep]  # most overdue first
    now: datetime
    zone: ZoneInfo
    day_end: datetime  # the next midnight in `zone`: steps due before it are today's
    more: bool  # more were due than the list holds

    @property
    def overdue(self) -> int:
        return sum(1 for s in self.steps if s.overdue(self.now))


def end_of_day(now: datetime, zone: ZoneInfo) -> datetime:
    """The first instant of tomorrow in `zone`, the end of `now`'s day there."""
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=zone)


def rep_zone(services: Services, rep: str | None) -> ZoneInfo:
    """The zone a rep's times are shown in: the rep's own, else the team's."""
    with services.store.read() as conn:
        return services.zone_of(conn, rep)


def steps_due_today(
    services: Services, owner: str | None, zone: ZoneInfo | None = None, limit: int = LIMIT
) -> TodaySteps:
    """`owner`'s next steps not yet done and due before the end of today in `zone`
    (the owner's zone when not given), overdue ones included, most overdue first.
    `owner` None: every rep's, with today taken in `zone` (else the team's)."""
    now = services.clock.now()
    with services.store.read() as conn:
        zone = zone or services.zone_of(conn, owner)
        day_end = end_of_day(now, zone)
        rows = owed_before(conn, owner, day_end, limit + 1)
    return TodaySteps([_step(r) for r in rows[:limit]], now, zone, day_end, len(rows) > limit)


def _step(row: StepRow) -> DueStep:
    return DueStep(row.crm_id, row.owner, row.name, row.company, row.kind, row.due, row.note)
