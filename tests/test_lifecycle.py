from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lifecycle import (
    IllegalTransition,
    LeadState,
    check_append,
    fold,
    undo_target,
)
from leadqueue.domain.policy import ClockName

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
K = EventKind


def ev(event_kind: EventKind, minutes: float, actor: str = "ana", **payload: object) -> Event:
    return Event(kind=event_kind, actor=actor, at=T0 + timedelta(minutes=minutes), payload=payload)


def assigned() -> Event:
    return ev(K.ASSIGNED, 0, "import", rep="ana")


def test_assigned_lead_is_new_with_a_running_decision_clock() -> None:
    h = fold([assigned()])
    assert h.state is LeadState.NEW
    assert h.owner == "ana"
    assert [(r.clock, r.rep, r.is_open) for r in h.runs] == [(ClockName.DECISION, "ana", True)]


def test_accept_closes_decision_and_starts_three_follow_up_clocks() -> None:
    h = fold([assigned(), ev(K.ACCEPTED, 30, next_step="call", due="x", note="n")])
    assert h.state is LeadState.ACCEPTED
    assert h.runs[0].stopped_at == T0 + timedelta(minutes=30)
    assert [r.clock for r in h.open_runs()] == [
        ClockName.FIRST_TOUCH,
        ClockName.DISCOVERY,
        ClockName.DISPOSITION,
    ]


def test_touch_then_conversation_then_disposal() -> None:
    h = fold(
        [
            assigned(),
            ev(K.ACCEPTED, 30),
            ev(K.TOUCHED, 60, channel="call"),
            ev(K.CONVERSATION, 120, channel="call"),
            ev(K.DISPOSED, 200, outcome="advanced"),
        ]
    )
    assert h.state is LeadState.ADVANCED
    assert h.contact_attempts == 2
    assert h.first_touch_at == T0 + timedelta(minutes=60)
    assert h.conversation_at == T0 + timedelta(minutes=120)
    assert h.open_runs() == []


@pytest.mark.parametrize(
    ("prior", "kind", "message"),
    [
        (None, K.ACCEPTED, "unassigned"),
        ([K.REJECTED], K.ACCEPTED, "rejected"),
        ([K.ACCEPTED], K.ACCEPTED, "accepted"),
        ([], K.TOUCHED, "new"),
        ([K.NEEDS_INFO], K.ACCEPTED, "needs_info"),
        ([K.REJECTED], K.REASSIGNED, "rejected"),
    ],
)
def test_illegal_transitions_are_refused_with_the_state_named(
    prior: list[EventKind] | None, kind: EventKind, message: str
) -> None:
    history = [] if prior is None else [assigned()] + [ev(k, i + 1) for i, k in enumerate(prior)]
    with pytest.raises(IllegalTransition, match=message):
        check_append(history, ev(kind, 99, to="ben"))


def test_needs_info_pauses_and_return_resumes_the_same_run() -> None:
    h = fold(
        [
            assigned(),
            ev(K.NEEDS_INFO, 60, missing=["industry"], note="n"),
            ev(K.RETURNED_FROM_MARKETING, 600, "marketing"),
        ]
    )
    assert h.state is LeadState.NEW
    run = h.runs[0]
    assert run.pauses == [(T0 + timedelta(minutes=60), T0 + timedelta(minutes=600))]
    assert run.is_open and not run.is_paused


def test_reassign_closes_old_run_and_opens_a_fresh_one_for_the_new_rep() -> None:
    h = fold([assigned(), ev(K.REASSIGNED, 500, "lead", to="ben")])
    assert h.owner == "ben"
    old, new = h.runs
    assert (old.rep, old.stopped_at, old.stopped_by) == ("ana", T0 + timedelta(minutes=500), K.REASSIGNED)
    assert (new.rep, new.started_at, new.is_open) == ("ben", T0 + timedelta(minutes=500), True)


def test_undo_removes_the_decision_but_keeps_the_history() -> None:
    accept = ev(K.ACCEPTED, 10)
    events = [assigned(), accept]
    assert undo_target(events) == accept
    undo = ev(K.UNDONE, 12, target=accept.event_id)
    h = check_append(events, undo)
    assert h.state is LeadState.NEW
    assert h.runs[0].is_open
    assert accept.event_id in h.undone_ids


def test_undo_refused_when_something_was_logged_on_top() -> None:
    accept = ev(K.ACCEPTED, 10)
    events = [assigned(), accept, ev(K.TOUCHED, 20, channel="call")]
    assert undo_target(events) is None
    with pytest.raises(IllegalTransition, match="nothing to undo"):
        check_append(events, ev(K.UNDONE, 25, target=accept.event_id))


def test_viewed_does_not_pin_a_decision_for_undo() -> None:
    reject = ev(K.REJECTED, 10, reason="R3")
    assert undo_target([assigned(), reject, ev(K.VIEWED, 11)]) == reject


def test_unknown_disposition_outcome_is_illegal() -> None:
    with pytest.raises(IllegalTransition, match="unknown disposition"):
        check_append([assigned(), ev(K.ACCEPTED, 1)], ev(K.DISPOSED, 2, outcome="won"))


def test_malformed_events_written_past_the_checks_change_nothing_and_stop_no_reader() -> None:
    # raw SQL on a shared store: an undo naming no target, a reassignment naming nobody
    accept = ev(K.ACCEPTED, 10, next_step="call", due="2026-03-03T14:00:00Z")
    bad_undo = ev(K.UNDONE, 11)
    bad_move = ev(K.REASSIGNED, 12, "lead", **{"from": "ana"})
    h = fold([assigned(), accept, bad_undo, bad_move])
    assert h.state is LeadState.ACCEPTED
    assert h.owner == "ana"
    assert h.undone_ids == frozenset()
    assert h.conflicts == [bad_move]
