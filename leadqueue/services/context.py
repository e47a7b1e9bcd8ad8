"""What every service call needs: a store, the policy, a clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from leadqueue.domain.calendar import WorkCalendar
from leadqueue.domain.clock import Clock, SystemClock
from leadqueue.domain.policy import Policy
from leadqueue.domain.sla import CalendarFor
from leadqueue.store.engine import Store
from leadqueue.store.repository import rep_zones


@dataclass
class Services:
    store: Store
    policy: Policy = field(default_factory=Policy)
    clock: Clock = field(default_factory=SystemClock)

    def calendars(self, conn: Connection) -> CalendarFor:
        """Each rep's calendar: the team's hours and holidays in the rep's own zone."""
        zones = rep_zones(conn)
        policy = self.policy

        def calendar_for(rep: str) -> WorkCalendar:
            return WorkCalendar.from_policy(policy, zones.get(rep) or policy.time_zone)

        return calendar_for

    def zone_of(self, conn: Connection, rep: str | None) -> ZoneInfo:
        if rep:
            zone = rep_zones(conn).get(rep)
            if zone:
                return ZoneInfo(zone)
        return self.policy.zone
