"""A team lead acknowledges, and escalates, a lead's breach once (domain.breach_acts):
again with no new breach since is refused in one line naming the earlier one, and
nothing is written; a breach that began since (the follow-up clock after the
decision clock, the new rep's after a reassignment) may be acknowledged and
escalated again. In the domain, through the service, and on the command line."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from leadqueue.cli.main import main
from leadqueue.domain.breach_acts import AlreadyDone, check_once_per_breach
from leadqueue.domain.calendar import WorkCalendar
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lifecycle import ClockRun, IllegalTransition, fold
from leadqueue.domain.policy import ClockName, Policy, Tier
from leadqueue.domain.routing import ROUTING_ACTOR
from leadqueue.domain.sla import Meter, breach_began, breaches, evaluate_run
from leadqueue.services.context import Services
from leadqueue.services.decisions import USER_ERRORS, DecisionService
from leadqueue.services.routing import RoutingService
from leadqueue.store.schema import events as events_table
from leadqueue.store.schema import outbox_chunks
from tests.cli_run import run
from tests.conftest import NOW
from tests.factories import add_lead, add_team_lead
from tests.routing_helpers import add_reps, import_leads, routing_policy, write_leads

K = EventKind
POLICY = Policy()
ZONE = POLICY.zone
H = timedelta(hours=1)
# Standard tier: 24 h to decide, then 24 h to the first touch (both elapsed).
T0 = NOW - 60 * H  # Wed 18 Nov 08:00 UTC, 03:00 EST


def calendar_for(rep: str) -> WorkCalendar:
    return WorkCalendar.from_policy(POLICY)


def ev(kind: EventKind, hours: float, actor: str = "lea", **payload: Any) -> Event:
    return Event(kind=kind, actor=actor, at=T0 + hours * H, payload=payload)


def assigned(rep: str = "ana") -> Event:
    return ev(K.ASSIGNED, 0, "import", rep=rep)


def accepted(hours: float) -> Event:
    return ev(K.ACCEPTED, hours, "ana", next_step="call", due=(T0 + (hours + 2) * H).isoformat(), note="n")


def check(kind: EventKind, events: Sequence[Event], hours: float) -> None:
    """Acknowledge or escalate as lea at T0 + `hours`: raises AlreadyDone if refused."""
    now = T0 + hours * H
    history = fold(events)
    found = breaches(history, Tier.STANDARD, POLICY, calendar_for, now)
    check_once_per_breach(kind, events, history, found, ZONE, now)


def refused(kind: EventKind, events: Sequence[Event], hours: float) -> str:
    with pytest.raises(AlreadyDone) as err:
        check(kind, events, hours)
    message = str(err.value)
    assert "\n" not in message
    return message


# -- when a breach begins -------------------------------------------------------------------


def run_meter() -> Meter:
    return Meter(POLICY.windows.for_clock(ClockName.DECISION, Tier.STANDARD), calendar_for("ana"))


def test_a_run_breaches_at_its_deadline_and_not_when_stopped_by_then() -> None:
    meter = run_meter()
    run = ClockRun(ClockName.DECISION, "ana", T0)
    assert breach_began(run, meter, T0 + 23 * H) is None
    assert breach_began(run, meter, T0 + 30 * H) == T0 + 24 * H
    run.stopped_at = T0 + 24 * H  # decided exactly at the deadline: met
    assert breach_began(run, meter, T0 + 30 * H) is None
    run.stopped_at = T0 + 25 * H  # missed: the breach began at the deadline
    assert breach_began(run, meter, T0 + 30 * H) == T0 + 24 * H


def test_a_pause_with_time_left_moves_the_deadline() -> None:
    run = ClockRun(ClockName.DECISION, "ana", T0, pauses=[(T0 + 10 * H, T0 + 20 * H)])
    assert breach_began(run, run_meter(), T0 + 30 * H) is None
    assert breach_began(run, run_meter(), T0 + 35 * H) == T0 + 34 * H
    still_paused = ClockRun(ClockName.DECISION, "ana", T0, pauses=[(T0 + 10 * H, None)])
    assert breach_began(still_paused, run_meter(), T0 + 50 * H) is None


def test_a_pause_never_starts_a_second_breach() -> None:
    # Overdue by 6 h when paused, resumed 10 h later: the clock's deadline is set back
    # to 6 h before the resume, but the breach began at the first deadline.
    run = ClockRun(ClockName.DECISION, "ana", T0, pauses=[(T0 + 30 * H, T0 + 40 * H)])
    assert evaluate_run(run, run_meter(), 0.25, T0 + 45 * H).deadline == T0 + 34 * H
    assert breach_began(run, run_meter(), T0 + 45 * H) == T0 + 24 * H


# -- acknowledge ----------------------------------------------------------------------------


def test_acknowledging_the_same_breach_again_is_refused_naming_who_and_when() -> None:
    events = [assigned(), ev(K.ACKNOWLEDGED, 25)]
    check(K.ACKNOWLEDGED, events[:1], 25)  # the first is fine
    assert refused(K.ACKNOWLEDGED, events, 26) == (
        "already acknowledged by lea at 04:00 EST; no breach or escalation since"
    )
    # another team lead is refused too, and so is a lead with no breach at all
    assert "by lea" in refused(K.ACKNOWLEDGED, [*events, ev(K.VIEWED, 27, "ana")], 28)
    assert "by lea" in refused(K.ACKNOWLEDGED, [assigned(), ev(K.ACKNOWLEDGED, 1)], 2)


def test_the_follow_up_clock_breaching_later_is_a_new_breach_to_acknowledge() -> None:
    # The decision clock breaches at 24 h and is acknowledged at 25 h; the lead is
    # accepted at 30 h, and its first touch is due 24 h later.
    events = [assigned(), ev(K.ACKNOWLEDGED, 25), accepted(30)]
    assert "by lea" in refused(K.ACKNOWLEDGED, events, 40)  # nothing new yet
    check(K.ACKNOWLEDGED, events, 55)  # the first-touch clock breached at 54 h
    assert "by lea at 10:00 EST" in refused(K.ACKNOWLEDGED, [*events, ev(K.ACKNOWLEDGED, 55)], 56)


def test_an_acknowledgement_before_the_breach_does_not_cover_it() -> None:
    events = [assigned(), ev(K.ACKNOWLEDGED, 20)]  # at risk, not yet breached
    assert "by lea" in refused(K.ACKNOWLEDGED, events, 23)
    check(K.ACKNOWLEDGED, events, 25)


def test_a_needs_info_pause_does_not_make_the_breach_new() -> None:
    events = [
        assigned(),
        ev(K.ACKNOWLEDGED, 25),
        ev(K.NEEDS_INFO, 30, "ana", missing=["intent"], note="who buys?"),
        ev(K.RETURNED_FROM_MARKETING, 40, "ana"),
    ]
    # the clock's deadline is now 34 h (after the acknowledgement), yet it is the same breach;
    # said on the day after (00:00 EST), the acknowledgement names its day
    assert "by lea at Thu 19 Nov 04:00 EST;" in refused(K.ACKNOWLEDGED, events, 45)


def test_the_new_reps_breach_after_a_reassignment_is_new() -> None:
    events = [assigned(), ev(K.ACKNOWLEDGED, 25), ev(K.REASSIGNED, 26, to="ben", **{"from": "ana"})]
    assert "by lea" in refused(K.ACKNOWLEDGED, events, 40)
    check(K.ACKNOWLEDGED, events, 51)  # ben's decision clock breached at 50 h


def test_an_escalation_since_the_acknowledgement_may_be_acknowledged() -> None:
    # the breaches screen shows an escalation as seen once acknowledged after it
    events = [assigned(), ev(K.ACKNOWLEDGED, 25), ev(K.ESCALATED, 26, "boss")]
    check(K.ACKNOWLEDGED, events, 27)
    assert "by lea" in refused(K.ACKNOWLEDGED, [*events, ev(K.ACKNOWLEDGED, 27)], 28)


# -- escalate -------------------------------------------------------------------------------


def test_escalating_the_same_breach_again_is_refused_naming_the_first() -> None:
    events = [assigned(), ev(K.ESCALATED, 25, "boss")]
    check(K.ESCALATED, events[:1], 25)
    assert refused(K.ESCALATED, events, 26) == ("already escalated by boss at 04:00 EST; no new breach since")
    # an escalation before any breach: again, with still no breach, is refused too
    assert "by boss" in refused(K.ESCALATED, [assigned(), ev(K.ESCALATED, 2, "boss")], 3)
    check(K.ESCALATED, [assigned(), ev(K.ESCALATED, 2, "boss")], 25)  # the breach came since


def test_routings_escalation_of_the_breach_counts_and_is_named() -> None:
    by_routing = ev(K.ESCALATED, 24.5, ROUTING_ACTOR, clock="decision", rep="ana", to="maria")
    events = [assigned(), by_routing]
    assert refused(K.ESCALATED, events, 26) == (
        "already escalated by routing (to maria) at 03:30 EST; no new breach since"
    )


def test_routings_escalation_of_one_clock_leaves_another_clocks_breach_to_escalate() -> None:
    # The decision clock breached and was escalated by a team lead; accepted late;
    # the first-touch clock breaches at 54 h and routing escalates only decision clocks.
    events = [assigned(), ev(K.ESCALATED, 25, "boss"), accepted(30)]
    assert "by boss" in refused(K.ESCALATED, events, 50)  # the missed decision clock asks for nothing
    check(K.ESCALATED, events, 55)
    by_routing = ev(K.ESCALATED, 54.5, ROUTING_ACTOR, clock="decision", rep="ana", to="maria")
    check(K.ESCALATED, [*events, by_routing], 55)  # routing's names the decision clock: not this one
    for_touch = ev(K.ESCALATED, 54.5, ROUTING_ACTOR, clock="first_touch", rep="ana", team="emea")
    assert "by routing (to the team emea)" in refused(K.ESCALATED, [*events, for_touch], 55)


def test_the_new_reps_breach_after_a_reassignment_may_be_escalated() -> None:
    events = [assigned(), ev(K.ESCALATED, 25), ev(K.REASSIGNED, 26, to="ben", **{"from": "ana"})]
    assert "by lea" in refused(K.ESCALATED, events, 40)
    check(K.ESCALATED, events, 51)


def test_the_refusal_is_an_illegal_transition_every_caller_shows_as_one_line() -> None:
    assert issubclass(AlreadyDone, IllegalTransition) and IllegalTransition in USER_ERRORS


# -- through the service --------------------------------------------------------------------


def written(services: Services) -> tuple[int, int]:
    with services.store.read() as conn:
        count = conn.execute(select(func.count()).select_from(events_table)).scalar_one()
        lines = conn.execute(select(func.count()).select_from(outbox_chunks)).scalar_one()
    return int(count), int(lines)


@pytest.mark.parametrize("act", ["acknowledge", "escalate"])
def test_the_service_refuses_a_repeat_and_writes_nothing(
    services: Services, clock: FixedClock, act: str
) -> None:
    add_lead(services, "A1", rep="ana")
    add_team_lead(services.store, "lea")
    svc = DecisionService(services)
    getattr(svc, act)("A1", "lea")
    clock.advance(timedelta(minutes=5))
    before = written(services)
    with pytest.raises(AlreadyDone) as err:
        getattr(svc, act)("A1", "lea", "again")
    assert str(err.value).startswith(f"already {act}d by lea at 15:00 EST; no ")
    assert written(services) == before
    # A breach that began since (every decision window is 48 h or less): once more.
    clock.advance(timedelta(hours=49))
    assert getattr(svc, act)("A1", "lea").event.actor == "lea"
    with pytest.raises(AlreadyDone):
        getattr(svc, act)("A1", "lea")


def test_a_breach_routing_escalated_is_refused_to_the_team_lead_who_may_acknowledge_it(
    services: Services, tmp_path: Path
) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    services.policy = routing_policy(
        {"fallback": [], "rules": [{"name": "emea", "match": {"region": ["EMEA"]}, "reps": ["lena"]}]}
    )
    add_reps(services, "boss", lead="chief")
    add_reps(services, "lena", reports_to="boss")
    import_leads(services, write_leads(tmp_path / "l.csv", [{"region": "EMEA", "score": "50"}]))
    clock.advance(timedelta(hours=24, minutes=1))  # standard tier: 24 h to decide
    assert sum(RoutingService(services).route_once().escalated.values()) == 1
    svc = DecisionService(services)
    with pytest.raises(AlreadyDone, match=r"^already escalated by routing \(to boss\) at 15:01 EST; "):
        svc.escalate("L0000", "chief")
    assert svc.acknowledge("L0000", "chief").event.actor == "chief"


# -- on the command line --------------------------------------------------------------------

DATA = Path(__file__).parent / "data" / "import"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The HubSpot sample (51234567801 is maria-santos's), and lee, a team lead."""
    monkeypatch.setenv("LEADQUEUE_NOW", NOW.isoformat())
    path = tmp_path / "cli.db"
    source = tmp_path / "hubspot.csv"
    shutil.copyfile(DATA / "hubspot_contacts.csv", source)
    assert main(["--db", str(path), "import", str(source), "--rep", "Maria Santos"]) == 0
    assert main(["--db", str(path), "reps", "add", "lee", "--name", "Lee Chan", "--role", "lead"]) == 0
    return path


def rows(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as raw:
        return raw.execute("SELECT seq, kind, actor FROM events ORDER BY seq").fetchall()


def at(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    monkeypatch.setenv("LEADQUEUE_NOW", when.isoformat())


@pytest.mark.parametrize(
    ("act", "said"),
    [
        ("acknowledge", "already acknowledged by lee at 15:00 EST; no breach or escalation since"),
        ("escalate", "already escalated by lee at 15:00 EST; no new breach since"),
    ],
)
def test_cli_a_second_act_on_the_same_breach_is_one_line_exit_1_and_nothing_written(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, act: str, said: str
) -> None:
    lead = ["--db", str(db), "--as", "lee", act, "51234567801"]
    code, out, _ = run(capsys, *lead)
    assert code == 0 and f"{act}d by lee" in out
    at(monkeypatch, NOW + timedelta(minutes=12))
    before = rows(db)
    code, out, err = run(capsys, *lead, "--note", "again")
    assert (code, out, err) == (1, "", f"leadqueue: error: {said}\n")
    assert rows(db) == before
    # three days on, the lead's decision clock has breached since: once more, then not again
    at(monkeypatch, NOW + timedelta(days=3))
    assert run(capsys, *lead)[0] == 0
    code, _, err = run(capsys, *lead)
    assert code == 1 and err.startswith(f"leadqueue: error: already {act}d by lee at 15:00 EST;")
