"""Next steps (issue 23, point 2): what a rep committed to on accepting, projected
on the lead, and the rep's day: the steps due today, in the rep's zone, or overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, text, update

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Dispose, Touch
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lifecycle import fold
from leadqueue.domain.next_step import next_step_of
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.services.lead_view import load_lead_view
from leadqueue.services.maintenance import refresh_stale_projections
from leadqueue.services.next_steps import end_of_day, rep_zone, steps_due_today
from leadqueue.store import queue_query as qq
from leadqueue.store.engine import open_store
from leadqueue.store.schema import leads, reps
from tests.conftest import NOW
from tests.factories import add_lead

EARLY = NOW - timedelta(days=3)  # when the leads were assigned and accepted


def accept(services: Services, clock: FixedClock, crm_id: str, due: datetime, kind: str = "call") -> None:
    """Accept at EARLY (so any due time after it is valid), then come back to NOW."""
    clock.set(EARLY)
    DecisionService(services).accept(crm_id, "ana", Accept(kind, due, f"{kind} {crm_id}"))
    clock.set(NOW)


def add_rep(services: Services, key: str, zone: str | None) -> None:
    with services.store.write() as conn:
        conn.execute(insert(reps).values(key=key, name=key.title(), email="", time_zone=zone))


def due_ids(services: Services, owner: str | None = "ana", zone: ZoneInfo | None = None) -> list[str]:
    return [s.crm_id for s in steps_due_today(services, owner, zone).steps]


# -- the step and when it is done ------------------------------------------------------------


def _events(*kinds: tuple[EventKind, dict[str, object]]) -> list[Event]:
    at = EARLY
    out = [Event(kind=EventKind.ASSIGNED, actor="import", at=at, payload={"rep": "ana"})]
    for i, (kind, payload) in enumerate(kinds, start=1):
        out.append(Event(kind=kind, actor="ana", at=at + timedelta(hours=i), payload=payload))
    return out


ACCEPTED = (EventKind.ACCEPTED, {"next_step": "call", "due": "2026-11-21T15:00:00+00:00", "note": "pricing"})


def test_the_step_is_the_acceptances_and_a_call_logged_does_a_call() -> None:
    step = next_step_of(fold(_events(ACCEPTED)))
    assert step is not None
    assert (step.kind, step.due, step.note, step.done_at) == (
        "call",
        datetime(2026, 11, 21, 15, tzinfo=UTC),
        "pricing",
        None,
    )
    assert step.overdue(datetime(2026, 11, 21, 15, tzinfo=UTC)) and not step.overdue(NOW)
    touched = next_step_of(fold(_events(ACCEPTED, (EventKind.TOUCHED, {"channel": "call"}))))
    assert touched is not None and touched.done_at == EARLY + timedelta(hours=2)
    assert not touched.overdue(datetime(2030, 1, 1, tzinfo=UTC))  # done is never overdue


def test_an_email_logged_does_not_tick_off_a_planned_call() -> None:
    """A voicemail-then-email touch must not make the call the rep planned vanish."""
    emailed = next_step_of(fold(_events(ACCEPTED, (EventKind.TOUCHED, {"channel": "email"}))))
    assert emailed is not None and emailed.done_at is None
    called = next_step_of(
        fold(
            _events(
                ACCEPTED, (EventKind.TOUCHED, {"channel": "email"}), (EventKind.TOUCHED, {"channel": "call"})
            )
        )
    )
    assert called is not None and called.done_at == EARLY + timedelta(hours=3)
    talked = next_step_of(fold(_events(ACCEPTED, (EventKind.CONVERSATION, {"channel": "social"}))))
    assert talked is not None and talked.done_at == EARLY + timedelta(hours=2)


def test_a_meeting_is_done_by_a_conversation_not_by_any_touch() -> None:
    meeting = (EventKind.ACCEPTED, {**ACCEPTED[1], "next_step": "meeting"})
    emailed = next_step_of(fold(_events(meeting, (EventKind.TOUCHED, {"channel": "email"}))))
    assert emailed is not None and emailed.done_at is None
    talked = next_step_of(
        fold(_events(meeting, (EventKind.TOUCHED, {"channel": "email"}), (EventKind.CONVERSATION, {})))
    )
    assert talked is not None and talked.done_at == EARLY + timedelta(hours=3)


def test_an_undone_acceptance_leaves_no_step_and_an_unreadable_due_is_none() -> None:
    events = _events(ACCEPTED)
    undo = Event(kind=EventKind.UNDONE, actor="ana", at=NOW, payload={"target": events[-1].event_id})
    assert next_step_of(fold([*events, undo])) is None
    odd = (EventKind.ACCEPTED, {"next_step": "call", "due": "tomorrow-ish", "note": ""})
    step = next_step_of(fold(_events(odd)))
    assert step is not None and step.due is None


# -- projected on the lead -------------------------------------------------------------------


def test_accepting_projects_the_step_and_a_touch_marks_it_done(services: Services, clock: FixedClock) -> None:
    add_lead(services, "L1", assigned_at=EARLY)
    due = NOW + timedelta(hours=2)
    accept(services, clock, "L1", due)
    with services.store.read() as conn:
        row = conn.execute(select(leads).where(leads.c.crm_id == "L1")).one()
        queue_row = qq.row_of(conn, qq.QueueFilter(owner="ana", section="follow_up"), NOW, "L1")
    assert (row.next_step_kind, row.next_step_due, row.next_step_note) == ("call", due, "call L1")
    assert row.next_step_done_at is None
    assert queue_row is not None and (queue_row.next_step_kind, queue_row.next_step_due) == ("call", due)
    assert not queue_row.step_overdue(NOW) and queue_row.step_overdue(due)
    DecisionService(services).touch("L1", "ana", Touch("call"))
    with services.store.read() as conn:
        done = conn.execute(select(leads.c.next_step_done_at).where(leads.c.crm_id == "L1")).scalar_one()
    assert done == NOW
    view = load_lead_view(services, "L1")
    assert view.next_step is not None and view.next_step.done_at == NOW


def test_a_due_time_the_store_cannot_hold_is_kept_in_the_event_only(
    services: Services, clock: FixedClock
) -> None:
    add_lead(services, "L1", assigned_at=EARLY)
    accept(services, clock, "L1", datetime(9999, 1, 1, tzinfo=UTC))  # the acceptance is not refused
    with services.store.read() as conn:
        row = conn.execute(select(leads).where(leads.c.crm_id == "L1")).one()
    assert (row.state, row.next_step_kind, row.next_step_due) == ("accepted", "call", None)


# -- the rep's day ---------------------------------------------------------------------------


def test_today_lists_overdue_then_later_today_most_overdue_first(
    services: Services, clock: FixedClock
) -> None:
    # NOW is Friday 15:00 in New York (the team's zone, and ana's): today ends at 05:00 UTC.
    dues = {
        "LATER": NOW + timedelta(hours=8),  # 23:00 tonight
        "DAY": NOW - timedelta(days=1),
        "HOUR": NOW - timedelta(hours=1),
        "TOMORROW": NOW + timedelta(hours=9, minutes=30),  # 00:30 Saturday
        "WEEK": NOW - timedelta(days=2, hours=1),
    }
    for crm_id, due in dues.items():
        add_lead(services, crm_id, assigned_at=EARLY)
        accept(services, clock, crm_id, due)
    found = steps_due_today(services, "ana")
    assert [s.crm_id for s in found.steps] == ["WEEK", "DAY", "HOUR", "LATER"]
    assert found.overdue == 3 and not found.more
    assert found.day_end == datetime(2026, 11, 21, 5, tzinfo=UTC)
    first = found.steps[0]
    assert (first.kind, first.note, first.lead) == ("call", "call WEEK", "Ada WEEK")
    assert steps_due_today(services, "ana", limit=2).more


def test_done_closed_and_other_reps_steps_are_not_today(services: Services, clock: FixedClock) -> None:
    for crm_id, rep in [("TOUCHED", "ana"), ("MEETING", "ana"), ("CLOSED", "ana"), ("BEN", "ben")]:
        add_lead(services, crm_id, rep=rep, assigned_at=EARLY)
        clock.set(EARLY)
        kind = "meeting" if crm_id == "MEETING" else "call"
        DecisionService(services).accept(crm_id, rep, Accept(kind, NOW - timedelta(hours=1), "x"))
    clock.set(NOW)
    svc = DecisionService(services)
    svc.touch("TOUCHED", "ana", Touch("call"))
    svc.touch("MEETING", "ana", Touch("email"))  # an email does not hold the meeting
    svc.dispose("CLOSED", "ana", Dispose("advanced"))
    assert due_ids(services) == ["MEETING"]
    assert sorted(due_ids(services, owner=None)) == ["BEN", "MEETING"]
    svc.touch("MEETING", "ana", Touch("call", conversation=True))
    assert due_ids(services) == []


def test_today_is_the_reps_own_day(services: Services, clock: FixedClock) -> None:
    """One instant, 03:00 UTC Saturday: still Friday evening in New York and Los
    Angeles, already Saturday in London."""
    add_rep(services, "lon", "Europe/London")
    add_rep(services, "lax", "America/Los_Angeles")
    due = datetime(2026, 11, 21, 3, tzinfo=UTC)
    for rep in ("lon", "lax", "ana"):
        add_lead(services, f"L-{rep}", rep=rep, assigned_at=EARLY)
        clock.set(EARLY)
        DecisionService(services).accept(f"L-{rep}", rep, Accept("demo", due, "demo"))
    clock.set(NOW)
    assert due_ids(services, "lon") == []
    assert due_ids(services, "lax") == ["L-lax"]
    assert due_ids(services, "ana") == ["L-ana"]  # the team's zone: 22:00 Friday
    # asked in a zone: that zone's day
    assert due_ids(services, "lax", ZoneInfo("Europe/London")) == []
    assert rep_zone(services, "lon") == ZoneInfo("Europe/London")
    assert rep_zone(services, "ana") == rep_zone(services, None) == services.policy.zone
    london = steps_due_today(services, "lon")
    assert london.day_end == datetime(2026, 11, 21, 0, tzinfo=UTC) and london.zone.key == "Europe/London"


@pytest.mark.parametrize(
    ("now", "end"),
    [
        # the day the clocks go forward has 23 hours, the day they go back 25
        (datetime(2026, 3, 8, 5, 30, tzinfo=UTC), datetime(2026, 3, 9, 4, 0, tzinfo=UTC)),
        (datetime(2026, 11, 1, 4, 30, tzinfo=UTC), datetime(2026, 11, 2, 5, 0, tzinfo=UTC)),
        (datetime(2026, 11, 20, 4, 59, tzinfo=UTC), datetime(2026, 11, 20, 5, 0, tzinfo=UTC)),
    ],
)
def test_end_of_day_is_the_next_local_midnight(now: datetime, end: datetime) -> None:
    assert end_of_day(now, ZoneInfo("America/New_York")) == end


# -- the queue opens on a lead wherever it stands ---------------------------------------------


def test_page_around_holds_the_lead_with_rows_on_either_side(services: Services, clock: FixedClock) -> None:
    for i in range(12):
        add_lead(services, f"L{i:02d}", assigned_at=EARLY + timedelta(minutes=i))
    f = qq.QueueFilter(owner="ana")
    with services.store.read() as conn:
        whole = [r.crm_id for r in qq.page_after(conn, f, NOW, None, 100)]
        around = qq.page_around(conn, f, NOW, whole[7], 5)
        first = qq.page_around(conn, f, NOW, whole[0], 5)
        missing = qq.page_around(conn, qq.QueueFilter(owner="ana", section="follow_up"), NOW, whole[7], 5)
    assert around is not None and [r.crm_id for r in around.rows] == whole[5:10]
    assert (around.at_start, around.at_end) == (False, False)
    assert first is not None and [r.crm_id for r in first.rows] == whole[:5] and first.at_start
    assert missing is None


# -- older stores ---------------------------------------------------------------------------


def test_a_version_6_store_is_upgraded_with_its_steps(services: Services, clock: FixedClock) -> None:
    add_lead(services, "L1", assigned_at=EARLY)
    accept(services, clock, "L1", NOW - timedelta(hours=1))
    with services.store.write() as conn:  # back to what version 6 had
        for column in ("next_step_kind", "next_step_due", "next_step_note", "next_step_done_at"):
            conn.execute(text(f"ALTER TABLE leads DROP COLUMN {column}"))
        conn.execute(text("UPDATE meta SET value = '6' WHERE key = 'schema_version'"))
    services.store.dispose()
    upgraded = Services(store=open_store(services.store.url), clock=clock)
    try:
        assert refresh_stale_projections(upgraded) is True
        assert due_ids(upgraded) == ["L1"]
    finally:
        upgraded.store.dispose()


def test_the_upgrade_to_7_may_meet_its_columns_already_there(services: Services, clock: FixedClock) -> None:
    add_lead(services, "L1", assigned_at=EARLY)
    accept(services, clock, "L1", NOW - timedelta(hours=1))
    with services.store.write() as conn:  # a store that says 6 but has the columns (a retried upgrade)
        conn.execute(update(leads).values(next_step_kind=None, next_step_due=None))
        conn.execute(text("UPDATE meta SET value = '6' WHERE key = 'schema_version'"))
    services.store.dispose()
    upgraded = Services(store=open_store(services.store.url), clock=clock)
    try:
        assert refresh_stale_projections(upgraded) is True
        assert due_ids(upgraded) == ["L1"]
    finally:
        upgraded.store.dispose()
