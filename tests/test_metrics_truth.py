"""Metrics that tell the truth (issue 23, point 3), on SQLite and PostgreSQL:
SLA compliance counts a clock open past its deadline as missed, a rate over too
few decisions gets no verdict, the written OTHER reasons can be read, and every
number's leads can be listed by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leadqueue.cli.main import main
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Reject, Touch
from leadqueue.domain.metrics import MIN_DECISIONS, TOO_FEW, compliance, judged_rate
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.services.drilldown import leads_behind
from leadqueue.services.reports import metrics
from leadqueue.store.engine import open_store
from tests.factories import add_lead, add_team_lead

T0 = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York; first touch: 24 elapsed hours


def first_touch(m: dict[str, object], rep: str) -> dict[str, object]:
    rows = m["sla_compliance"]
    assert isinstance(rows, list)
    return next(r for r in rows if (r["clock"], r["rep"]) == ("first_touch", rep))


def accepted_and_left(services: Services, clock: FixedClock) -> None:
    """ana accepts five leads at T0: she touches one in time and never the other four."""
    clock.set(T0)
    for i in range(5):
        add_lead(services, f"F{i}", rep="ana", assigned_at=T0, score=50, company=f"Acme {i}")
    svc = DecisionService(services)
    clock.set(T0 + timedelta(hours=1))
    for i in range(5):
        svc.accept(f"F{i}", "ana", Accept("call", clock.now() + timedelta(hours=2), "call them"))
    clock.set(T0 + timedelta(hours=3))
    svc.touch("F0", "ana", Touch("call"))


def test_open_breached_first_touches_count_as_missed(services: Services, clock: FixedClock) -> None:
    accepted_and_left(services, clock)
    clock.set(T0 + timedelta(days=3))  # the four untouched first-touch clocks ran out two days ago
    m = metrics(services, T0, clock.now())
    row = first_touch(m, "ana")
    assert (row["met"], row["missed"], row["breached_open"]) == (1, 0, 4)
    assert row["compliance_pct"] == 20.0  # 1 / (1 + 0 + 4); today's code said 100.0


def test_a_past_period_counts_what_was_open_and_breached_at_its_end(
    services: Services, clock: FixedClock
) -> None:
    accepted_and_left(services, clock)
    clock.set(T0 + timedelta(days=4))
    DecisionService(services).touch("F1", "ana", Touch("call"))  # late: missed, but after the period
    clock.set(T0 + timedelta(days=5))
    m = metrics(services, T0, T0 + timedelta(days=3))
    row = first_touch(m, "ana")
    # at the period's end F1 was still open and breached, like F2-F4
    assert (row["met"], row["missed"], row["breached_open"]) == (1, 0, 4)
    assert row["compliance_pct"] == 20.0
    later = first_touch(metrics(services, T0, clock.now()), "ana")
    assert (later["met"], later["missed"], later["breached_open"]) == (1, 1, 3)


def test_the_leads_behind_a_compliance_row_are_its_count_by_name(
    services: Services, clock: FixedClock
) -> None:
    accepted_and_left(services, clock)
    clock.set(T0 + timedelta(days=3))
    since, until = T0, clock.now()
    row = first_touch(metrics(services, since, until), "ana")
    listed = leads_behind(services, "sla_compliance", row, since, until)
    assert listed.total == 5 and listed.more == 0
    # the failures first, each by name · company
    assert [(i.label, i.detail.split(",")[0].split(" ·")[0]) for i in listed.items] == [
        ("Ada F1 · Acme 1", "open"),
        ("Ada F2 · Acme 2", "open"),
        ("Ada F3 · Acme 3", "open"),
        ("Ada F4 · Acme 4", "open"),
        ("Ada F0 · Acme 0", "met"),
    ]
    untouched = leads_behind(services, "accepted_without_first_touch", {"rep": "ana"}, since, until)
    assert [i.lead_id for i in untouched.items] == ["F1", "F2", "F3", "F4"]


def test_a_rate_over_too_few_decisions_is_not_judged(services: Services, clock: FixedClock) -> None:
    assert MIN_DECISIONS == 5
    assert judged_rate(1, 1) is None and judged_rate(0, 4) is None and judged_rate(4, 5) == 80.0
    assert compliance(0, 0, 0) is None
    clock.set(T0)
    for i in range(MIN_DECISIONS):
        add_lead(services, f"W{i}", rep="ana", assigned_at=T0, score=50, source="Webinar")
    add_lead(services, "P0", rep="ben", assigned_at=T0, score=50, source="Podcast")
    svc = DecisionService(services)
    clock.set(T0 + timedelta(hours=1))
    for i in range(MIN_DECISIONS):
        svc.accept(f"W{i}", "ana", Accept("call", clock.now() + timedelta(hours=2), "call"))
    svc.reject("P0", "ben", Reject("R3"))
    m = metrics(services, T0, clock.now() + timedelta(minutes=1))
    by_source = {r["source"]: r for r in m["acceptance_by_source"]}
    # one decision: no 0% and no ✗ (today's code said rate 0.0, healthy False)
    assert (by_source["Podcast"]["rate_pct"], by_source["Podcast"]["healthy"]) == (None, None)
    assert (by_source["Webinar"]["rate_pct"], by_source["Webinar"]["healthy"]) == (100.0, False)
    by_rep = {r["rep"]: r for r in m["sal_to_sql"]}
    assert by_rep["ana"]["conversion_pct"] == 0.0  # five acceptances: judged


def test_written_other_reasons_can_be_read(services: Services, clock: FixedClock) -> None:
    clock.set(T0)
    add_lead(services, "O1", rep="ana", assigned_at=T0, score=50, company="Podcast Co")
    add_lead(services, "O2", rep="ana", assigned_at=T0, score=50, company="Beta")
    svc = DecisionService(services)
    clock.set(T0 + timedelta(hours=1))
    svc.reject("O1", "ana", Reject("OTHER", "Podcast network, 8 staff"))
    svc.reject("O2", "ana", Reject("R3"))
    until = clock.now() + timedelta(minutes=1)
    m = metrics(services, T0, until)
    assert m["written_reasons"] == [
        {
            "lead_id": "O1",
            "name": "Ada O1",
            "company": "Podcast Co",
            "rep": "ana",
            "code": "OTHER",
            "decided_at": "2026-11-16T15:00:00Z",
            "note": "Podcast network, 8 staff",
        }
    ]
    reasons = {r["code"]: r for r in m["rejection_reasons"]}
    listed = leads_behind(services, "rejection_reasons", reasons["OTHER"], T0, until)
    assert [(i.label, i.note) for i in listed.items] == [("Ada O1 · Podcast Co", "Podcast network, 8 staff")]


def test_the_report_command_says_too_few_and_how_compliance_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock(T0)
    store = open_store(tmp_path / "s.db")
    services = Services(store=store, policy=Policy(), clock=clock)
    accepted_and_left(services, clock)
    store.dispose()
    monkeypatch.setenv("LEADQUEUE_NOW", "2026-11-19T14:00:00Z")
    capsys.readouterr()
    code = main(["--db", str(tmp_path / "s.db"), "report", "metrics", "--since", "2026-11-16T00:00Z"])
    out = capsys.readouterr().out
    assert code == 0
    assert "a clock still open past its deadline counts as missed" in out
    line = next(ln for ln in out.splitlines() if ln.split()[:2] == ["first_touch", "ana"])
    assert line.split()[2:] == ["1", "0", "4", "20.0"]
    # ana's five decisions are judged; the one source they came from too; a
    # row with fewer says so instead of a rate and a verdict
    assert TOO_FEW not in out.split("Acceptance rate by rep")[1].split("\n\n")[0]
    assert "Ada F1 · Acme 1 (F1)" in out  # untouched leads by name, then the id `show` takes


def test_a_decision_handed_over_in_time_counts_for_no_one(services: Services, clock: FixedClock) -> None:
    """A team lead gives ana's lead to ben an hour in: ana neither met nor missed its
    decision clock (it was credited to her as met); ben's runs on."""
    clock.set(T0)
    add_lead(services, "H1", rep="ana", assigned_at=T0, score=50, company="Handover Co")
    add_lead(services, "H2", rep="ben", assigned_at=T0, score=50, company="Ben Co")  # ben on the roster
    add_team_lead(services.store, "tess")
    clock.set(T0 + timedelta(hours=1))
    DecisionService(services).reassign("H1", "tess", "ben")
    clock.set(T0 + timedelta(hours=2))
    rows = metrics(services, T0, clock.now())["sla_compliance"]
    assert isinstance(rows, list)
    judged = [r["rep"] for r in rows if r["clock"] == "decision"]
    assert "ana" not in judged  # no row at all: not 1 met, not a row of zeros


def test_a_period_ending_later_than_now_is_judged_now(services: Services, clock: FixedClock) -> None:
    """'This week' asked on a Wednesday: the untouched first touches are due tomorrow, so
    they are no breach yet (they were counted as breached at the week's end)."""
    accepted_and_left(services, clock)  # now T0 + 3h; the first touches are due at T0 + 25h
    until = T0 + timedelta(days=3)
    row = first_touch(metrics(services, T0, until), "ana")
    assert (row["met"], row["missed"], row["breached_open"]) == (1, 0, 0)
    listed = leads_behind(services, "sla_compliance", row, T0, until)
    assert listed.total == 1  # the lead behind the one met, as counted
