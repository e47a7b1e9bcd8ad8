"""The breaches report marks a clock acknowledged only if the team lead has seen
it as it is: an acknowledgement while the clock was at risk does not cover the
breach that follows, which may be acknowledged once more (domain.breach_acts).
The same from the stored clocks (now) and from a replay (a moment past)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadqueue.domain.clock import FixedClock
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.services.reports import breaches
from tests.factories import add_lead, add_team_lead

T0 = datetime(2024, 11, 18, 9, 0, tzinfo=UTC)  # a Monday; the lead's decision window is 24h


def _acknowledged(services: Services, hours: float | None = None) -> bool:
    as_of = None if hours is None else T0 + timedelta(hours=hours)
    (only,) = breaches(services, as_of=as_of)
    return only.acknowledged


def test_an_acknowledgement_while_at_risk_does_not_cover_the_breach(
    services: Services, clock: FixedClock
) -> None:
    clock.set(T0)
    add_lead(services, "L1", rep="ben", assigned_at=T0, score=50)
    add_team_lead(services.store)
    decide = DecisionService(services)
    clock.set(T0 + timedelta(hours=20))  # at risk
    decide.acknowledge("L1", "lead")
    assert _acknowledged(services)
    clock.set(T0 + timedelta(hours=30))  # breached since 24h
    assert not _acknowledged(services)
    assert _acknowledged(services, hours=21)  # replayed: at risk then, and seen
    decide.acknowledge("L1", "lead")  # the breach is new since: allowed once
    assert _acknowledged(services)
    clock.set(T0 + timedelta(hours=31))
    assert _acknowledged(services, hours=30.5)  # replayed: breached then, and seen
    assert not _acknowledged(services, hours=29)  # replayed: breached, the second not made yet
