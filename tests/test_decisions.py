"""Decisions through the service layer: validation, transitions, whole-or-nothing writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, DecisionError, Dispose, NeedsInfo, Reject, Touch
from leadqueue.domain.lifecycle import IllegalTransition, LeadState
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService, LeadNotFound
from leadqueue.store.schema import events, leads
from tests.factories import add_lead, add_team_lead


def event_count(services: Services) -> int:
    with services.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def lead_row(services: Services, crm_id: str):
    with services.store.read() as conn:
        return conn.execute(select(leads).where(leads.c.crm_id == crm_id)).one()


@pytest.fixture
def svc(services: Services) -> DecisionService:
    add_lead(services, "L1", score=85)
    add_lead(services, "L2", score=50)
    return DecisionService(services)


def accept(clock: FixedClock, hours: float = 2) -> Accept:
    return Accept(next_step="call", due=clock.now() + timedelta(hours=hours), note="Call about pricing")


def test_accept_writes_one_event_and_updates_the_projection(
    svc: DecisionService, services: Services, clock: FixedClock
) -> None:
    before = event_count(services)
    out = svc.accept("L1", "ana", accept(clock))
    assert out.history.state is LeadState.ACCEPTED
    assert event_count(services) == before + 1
    row = lead_row(services, "L1")
    assert (row.state, row.is_open, row.due_clock) == ("accepted", True, "first_touch")
    assert row.due_at == clock.now() + timedelta(hours=24)


@pytest.mark.parametrize(
    ("decision", "field"),
    [
        (Accept(next_step="fax", due=None, note="x"), "next_step"),
        (Accept(next_step="call", due=None, note="x"), "due"),
        (Accept(next_step="call", due="past", note="x"), "due"),  # type: ignore[arg-type]
        (Accept(next_step="call", due="future", note="  "), "note"),  # type: ignore[arg-type]
    ],
)
def test_accept_validation_names_the_field_and_writes_nothing(
    svc: DecisionService, services: Services, clock: FixedClock, decision: Accept, field: str
) -> None:
    if decision.due == "past":
        decision = Accept(decision.next_step, clock.now() - timedelta(minutes=1), decision.note)
    elif decision.due == "future":
        decision = Accept(decision.next_step, clock.now() + timedelta(hours=1), decision.note)
    before = event_count(services)
    with pytest.raises(DecisionError) as info:
        svc.accept("L1", "ana", decision)
    assert info.value.field == field
    assert event_count(services) == before
    assert lead_row(services, "L1").state == "new"


@pytest.mark.parametrize(
    ("decision", "field", "message"),
    [
        (Reject(reason=""), "reason", "required"),
        (Reject(reason="R99"), "reason", "unknown reason code"),
        (Reject(reason="OTHER"), "note", "written out"),
        (Reject(reason="R5"), "duplicate_of", "id of the record"),
        (Reject(reason="R5", duplicate_of="NOPE"), "duplicate_of", "no lead with id"),
        (Reject(reason="R5", duplicate_of="L1"), "duplicate_of", "itself"),
    ],
)
def test_reject_validation(
    svc: DecisionService, services: Services, decision: Reject, field: str, message: str
) -> None:
    before = event_count(services)
    with pytest.raises(DecisionError, match=message) as info:
        svc.reject("L1", "ana", decision)
    assert info.value.field == field
    assert event_count(services) == before


def test_reject_records_code_routing_and_duplicate(svc: DecisionService, services: Services) -> None:
    out = svc.reject("L1", "ana", Reject(reason="r5", duplicate_of="L2"))
    assert dict(out.event.payload) == {
        "reason": "R5",
        "routing": "merge into the named record",
        "action": "merge",
        "duplicate_of": "L2",
    }
    row = lead_row(services, "L1")
    assert (row.state, row.is_open, row.reason_code) == ("rejected", False, "R5")


def test_retired_code_is_refused_for_new_decisions_but_old_records_stay_readable(
    services: Services, clock: FixedClock
) -> None:
    from leadqueue.domain.policy import Policy

    add_lead(services, "L9")
    DecisionService(services).reject("L9", "ana", Reject(reason="R6"))
    reasons = dict(Policy().reasons)
    reasons["R6"] = reasons["R6"].model_copy(update={"retired": True})
    retired = Services(store=services.store, policy=Policy(reasons=reasons), clock=clock)
    add_lead(retired, "L10")
    with pytest.raises(DecisionError, match="retired"):
        DecisionService(retired).reject("L10", "ana", Reject(reason="R6"))
    assert lead_row(retired, "L9").reason_code == "R6"
    assert retired.policy.reason("R6").label == "No budget this cycle"  # type: ignore[union-attr]


def test_needs_info_requires_a_fact_and_a_note(svc: DecisionService) -> None:
    with pytest.raises(DecisionError, match="at least one"):
        svc.needs_info("L1", "ana", NeedsInfo(missing=(), note="x"))
    with pytest.raises(DecisionError, match="unknown fact"):
        svc.needs_info("L1", "ana", NeedsInfo(missing=("shoe_size",), note="x"))
    with pytest.raises(DecisionError, match="note"):
        svc.needs_info("L1", "ana", NeedsInfo(missing=("industry",), note=""))
    out = svc.needs_info("L1", "ana", NeedsInfo(missing=("region", "industry"), note="No firmographics"))
    assert out.history.state is LeadState.NEEDS_INFO
    assert out.event.payload["missing"] == ["industry", "region"]


def test_unresponsive_needs_three_logged_attempts(svc: DecisionService, clock: FixedClock) -> None:
    svc.accept("L1", "ana", accept(clock))
    for _ in range(2):
        svc.touch("L1", "ana", Touch(channel="call"))
    with pytest.raises(DecisionError, match="at least 3"):
        svc.dispose("L1", "ana", Dispose(outcome="unresponsive"))
    svc.touch("L1", "ana", Touch(channel="email"))
    assert svc.dispose("L1", "ana", Dispose(outcome="unresponsive")).history.state is LeadState.UNRESPONSIVE


def test_returned_disposition_needs_a_reason(svc: DecisionService, clock: FixedClock) -> None:
    svc.accept("L1", "ana", accept(clock))
    with pytest.raises(DecisionError, match="reason code"):
        svc.dispose("L1", "ana", Dispose(outcome="returned"))
    assert (
        svc.dispose("L1", "ana", Dispose(outcome="returned", reason="R2")).history.state is LeadState.RETURNED
    )


def test_unknown_lead_and_illegal_transition_write_nothing(
    svc: DecisionService, services: Services, clock: FixedClock
) -> None:
    before = event_count(services)
    with pytest.raises(LeadNotFound):
        svc.accept("NOPE", "ana", accept(clock))
    with pytest.raises(IllegalTransition, match="cannot log a touch on a lead that is new"):
        svc.touch("L1", "ana", Touch(channel="call"))
    assert event_count(services) == before


def test_undo_within_grace_then_refused_after(
    svc: DecisionService, services: Services, clock: FixedClock
) -> None:
    svc.reject("L1", "ana", Reject(reason="R3"))
    clock.advance(timedelta(minutes=5))
    out = svc.undo("L1", "ana")
    assert out.history.state is LeadState.NEW
    assert lead_row(services, "L1").is_open
    svc.reject("L1", "ana", Reject(reason="R1"))
    clock.advance(timedelta(minutes=11))
    with pytest.raises(IllegalTransition, match="within 10 min"):
        svc.undo("L1", "ana")
    assert lead_row(services, "L1").state == "rejected"


def test_reassign_gives_the_new_rep_a_fresh_clock(
    svc: DecisionService, services: Services, clock: FixedClock
) -> None:
    add_lead(services, "L3", rep="ben")  # makes rep ben known
    add_team_lead(services.store)
    clock.advance(timedelta(hours=30))
    out = svc.reassign("L2", "lead", "ben")
    row = lead_row(services, "L2")
    assert row.owner == "ben"
    assert row.due_at == clock.now() + timedelta(hours=24)
    old = out.history.runs[0]
    assert (old.rep, old.stopped_at) == ("ana", clock.now())
