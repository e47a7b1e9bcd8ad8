"""What every service call needs: a store, the policy, a clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from leadqueue.domain.calendar import WorkCalendar, ZoneHistoryCalendar
from leadqueue.domain.clock import Clock, SystemClock
from leadqueue.domain.policy import Policy
from leadqueue.domain.sla import CalendarFor
from leadqueue.services.queue import QueueService
from leadqueue.services.team import TeamService
from leadqueue.store.engine import Store
from leadqueue.store.repository import rep_zones, zone_history


@dataclass
class Services:
    store: Store
    policy: Policy = field(default_factory=Policy)
    clock: Clock = field(default_factory=SystemClock)

    # The reads screens make, as plain data: the TUI reaches the store only through these.
    @cached_property
    def queue(self) -> QueueService:
        return QueueService(self)

    @cached_property
    def team(self) -> TeamService:
        return TeamService(self)

    def calendars(self, conn: Connection) -> CalendarFor:
        """Each rep's calendar: the team's hours and holidays in the rep's own zone,
        each stretch of time in the zone the rep had then."""
        zones = rep_zones(conn)
        history = zone_history(conn)
        policy = self.policy

        def in_zone(zone: str | None) -> WorkCalendar:
            return WorkCalendar.from_policy(policy, zone or policy.time_zone)

        def calendar_for(rep: str) -> WorkCalendar:
            changes = history.get(rep)
            if not changes:
                return in_zone(zones.get(rep))
            segments = [(None, in_zone(changes[0][1]))]
            segments += [(at, in_zone(changes[i + 1][1])) for i, (at, _) in enumerate(changes[:-1])]
            segments.append((changes[-1][0], in_zone(zones.get(rep))))
            return ZoneHistoryCalendar(segments)

        return calendar_for

    def zone_of(self, conn: Connection, rep: str | None) -> ZoneInfo:
        if rep:
            zone = rep_zones(conn).get(rep)
            if zone:
                return ZoneInfo(zone)
        return self.policy.zone
