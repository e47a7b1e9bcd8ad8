"""Reports on a hand-built history whose right answers are written out here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Dispose, Reject, Touch
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.services.reports import breaches, metrics
from tests.factories import add_lead

T0 = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
UNTIL = T0 + timedelta(days=10)


@pytest.fixture
def team(services: Services, clock: FixedClock) -> Services:
    clock.set(T0)
    for crm_id, rep, score, source in [
        ("A1", "ana", 50, "Webinar"),
        ("A2", "ana", 50, "Webinar"),
        ("A3", "ana", 85, "Demo Request"),
        ("B1", "ben", 50, "Webinar"),
        ("B2", "ben", 50, "Paid Search"),
        ("B3", "ben", 50, "Paid Search"),
    ]:
        add_lead(services, crm_id, rep=rep, assigned_at=T0, score=score, source=source)
    svc = DecisionService(services)

    def at(hours: float) -> None:
        clock.set(T0 + timedelta(hours=hours))

    def accept() -> Accept:
        return Accept("call", clock.now() + timedelta(hours=1), "call")

    at(1)
    svc.accept("A3", "ana", accept())  # hot: 1h of 4h, met; never touched
    at(2)
    svc.accept("A1", "ana", accept())
    at(4)
    svc.reject("B1", "ben", Reject("R3"))
    at(5)
    svc.touch("A1", "ana", Touch("call"))
    at(10)
    svc.reject("B2", "ben", Reject("R1"))
    at(30)
    svc.touch("A1", "ana", Touch("call", conversation=True))
    svc.reject("A2", "ana", Reject("R1"))  # 30h of 24h: missed
    at(72)
    svc.dispose("A1", "ana", Dispose("advanced"))
    clock.set(UNTIL)
    return services


def test_metrics_match_the_worked_answers(team: Services) -> None:
    m = metrics(team, T0, UNTIL)
    assert m["acceptance_by_rep"] == [
        # 3 and 2 decisions: too few to judge (domain.metrics.MIN_DECISIONS)
        {"rep": "ana", "accepted": 2, "rejected": 1, "rate_pct": None, "healthy": None},
        {"rep": "ben", "accepted": 0, "rejected": 2, "rate_pct": None, "healthy": None},
    ]
    assert m["acceptance_by_source"] == [
        {"source": "Demo Request", "accepted": 1, "rejected": 0, "rate_pct": None, "healthy": None},
        {"source": "Paid Search", "accepted": 0, "rejected": 1, "rate_pct": None, "healthy": None},
        {"source": "Webinar", "accepted": 1, "rejected": 2, "rate_pct": None, "healthy": None},
    ]
    assert [(r["code"], r["count"], r["share_pct"]) for r in m["rejection_reasons"]] == [
        ("R1", 2, 66.7),
        ("R3", 1, 33.3),
    ]
    assert m["rejection_trend"] == [{"week": "2026-11-16", "R1": 2, "R3": 1}]
    assert m["time_to_decision_hours"] == [
        {"rep": "ana", "decisions": 3, "median": 2.0, "p90": 30.0},
        {"rep": "ben", "decisions": 2, "median": 7.0, "p90": 10.0},
    ]
    assert m["sla_compliance"] == [
        {
            "clock": "decision",
            "rep": "ana",
            "met": 2,
            "missed": 1,
            "breached_open": 0,
            "compliance_pct": 66.7,
        },
        {
            "clock": "decision",
            "rep": "ben",
            "met": 2,
            "missed": 0,
            "breached_open": 1,  # B3, never decided: counts as missed
            "compliance_pct": 66.7,
        },
        {
            "clock": "discovery",
            "rep": "ana",
            "met": 1,
            "missed": 0,
            "breached_open": 1,
            "compliance_pct": 50.0,
        },
        {
            "clock": "disposition",
            "rep": "ana",
            "met": 1,
            "missed": 0,
            "breached_open": 0,
            "compliance_pct": 100.0,
        },
        {
            "clock": "first_touch",
            "rep": "ana",
            "met": 1,
            "missed": 0,
            "breached_open": 1,  # A3, accepted and never touched
            "compliance_pct": 50.0,
        },
    ]
    assert m["accepted_without_first_touch"] == [
        {"rep": "ana", "count": 1, "leads": ["A3"], "names": ["Ada A3"]}
    ]
    assert m["written_reasons"] == []
    assert m["sal_to_sql"] == [{"rep": "ana", "accepted": 2, "advanced": 1, "conversion_pct": None}]
    assert m["leads_waiting"] == [
        {"rep": "ben", "count": 1, "median_age_hours": 240.0, "oldest_hours": 240.0}
    ]


def test_a_period_before_anything_happened_is_empty(team: Services) -> None:
    m = metrics(team, T0 - timedelta(days=30), T0 - timedelta(days=1))
    assert m["acceptance_by_rep"] == [] and m["sla_compliance"] == [] and m["leads_waiting"] == []


def test_breaches_lists_at_risk_and_breached_clocks(team: Services) -> None:
    rows = [c.row() for c in breaches(team, UNTIL)]
    assert [(r["lead_id"], r["rep"], r["clock"], r["state"]) for r in rows] == [
        ("B3", "ben", "decision", "breached"),
        ("A3", "ana", "first_touch", "breached"),
        ("A3", "ana", "discovery", "breached"),
    ]
    b3 = rows[0]
    assert b3["started_at"] == "2026-11-16T14:00:00Z"
    assert b3["deadline"] == "2026-11-17T14:00:00Z"
    assert b3["remaining_seconds"] == -9 * 86400
    assert b3["tier"] == "standard"


def test_breaches_as_of_the_past_sees_only_what_was_known_then(team: Services) -> None:
    rows = [c.row() for c in breaches(team, T0 + timedelta(hours=20), include_all=True)]
    by_lead = {(r["lead_id"], r["clock"]): r["state"] for r in rows}
    # A2 was rejected at 30h, so at 20h it was still open and at risk (4h of 24h left).
    assert by_lead[("A2", "decision")] == "at_risk"
    assert ("A1", "first_touch") not in by_lead  # touched at 5h: closed
    assert by_lead[("A3", "first_touch")] == "at_risk"  # 5h of 24h left
    assert by_lead[("B3", "decision")] == "at_risk"  # 4h of 24h left
    assert by_lead[("A3", "discovery")] == "running"


def test_breaches_filtered_by_rep(team: Services) -> None:
    assert {c.rep for c in breaches(team, UNTIL, rep="ana")} == {"ana"}
