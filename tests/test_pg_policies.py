"""What a rep's own PostgreSQL role may not write even with raw SQL, on a team
store after `leadqueue pg grant` (store.pg_policies): the number of an event,
a payload its kind does not have, an undo of what is not the rep's own latest
decision, a date that is not now, a clock run in another rep's name, an outbox
line saying other than its event. Each refusal writes nothing; the app's own
path (tests/test_pg_roles.py and the undo here) goes through."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, text

from leadqueue.domain.decisions import Accept, Dispose
from leadqueue.domain.events import EventKind
from leadqueue.services.decisions import DecisionService
from leadqueue.store.pg_policies import FIELDS
from leadqueue.sync import rules
from tests.test_pg_roles import TeamStore, history, insert_event, lead_id, line, raw_as, team_store

RLS = "row-level security"


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[TeamStore]:
    with team_store(monkeypatch, capsys) as store:
        yield store


def count(store: TeamStore, table: str) -> int:
    engine = create_engine(store.url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def as_owner(store: TeamStore, statement: str, **params: Any) -> None:
    """What an import or sync (the store's owner, not bound by the policies) writes."""
    engine = create_engine(store.url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement), params)
    finally:
        engine.dispose()


def refused(conn: psycopg.Connection, match: str, statement: str, params: list[Any]) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match=match):
        conn.execute(statement, params)
    conn.rollback()


EVENT = (
    "INSERT INTO events (event_id, lead_id, kind, actor, at, payload, origin)"
    " VALUES (%s, %s, %s, %s, {at}, %s, 'local')"
)


def test_a_reps_role_cannot_number_its_own_events(team: TeamStore) -> None:
    before = history(team)
    with raw_as(team, "ana") as conn:
        for seq in (10_000, -5, 2**31 - 1):  # a future number, a negative one, the last one
            refused(
                conn,
                "permission denied for table events",
                "INSERT INTO events (seq, event_id, lead_id, kind, actor, at, payload, origin)"
                " VALUES (%s, %s, %s, 'viewed', 'ana', now(), '{}', 'local')",
                [seq, str(uuid.uuid4()), lead_id(conn, "A1")],
            )
        # the sequence numbers a view the app's way, and the next writer is not blocked
        insert_event(conn, "A1", "viewed", "ana")
        conn.commit()
    ben = team.services_as("ben")
    try:
        DecisionService(ben).view("B1", "ben")
    finally:
        ben.store.dispose()
    assert history(team) == [*before, ("A1", "viewed", "ana"), ("B1", "viewed", "ben")]


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("undone", {}),  # no target: every reader of the lead would fail on it
        ("undone", {"target": "nothing-here", "target_kind": "accepted"}),
        ("accepted", {}),
        ("accepted", {"next_step": "call", "due": "tomorrow", "note": "x"}),  # not an instant
        ("accepted", {"next_step": "call", "due": "2001-01-01T00:00:00+00:00", "note": "x"}),  # past
        ("rejected", {"reason": "r3"}),  # not a code's form
        ("rejected", {"reason": "R3", "at": "2001-01-01T00:00:00Z"}),  # a field no rejection has
        ("needs_info", {"missing": ["budget"], "note": "x"}),
        ("touched", {"channel": "fax"}),
        ("disposed", {"outcome": "returned"}),  # a returned lead needs a reason
        ("viewed", {"x": 1}),
        ("viewed", []),  # not an object
    ],
)
def test_a_payload_its_kind_does_not_have_is_refused(team: TeamStore, kind: str, payload: Any) -> None:
    before = history(team)
    with raw_as(team, "ana") as conn:
        if kind == "disposed":  # a lead she accepted: disposing it is hers to do
            insert_event(conn, "A1", "accepted", "ana")
            conn.commit()
            before = history(team)
        refused(
            conn,
            RLS,
            EVENT.format(at="now()"),
            [str(uuid.uuid4()), lead_id(conn, "A1"), kind, "ana", json.dumps(payload)],
        )
    assert history(team) == before


def test_a_team_lead_cannot_reassign_to_someone_not_on_the_roster(team: TeamStore) -> None:
    before = history(team)
    with raw_as(team, "lea") as conn:
        refused(
            conn,
            RLS,
            EVENT.format(at="now()"),
            [str(uuid.uuid4()), lead_id(conn, "A1"), "reassigned", "lea", json.dumps({"to": "nobody"})],
        )
    assert history(team) == before


def test_the_policy_knows_the_fields_sync_rules_checks_a_record_for() -> None:
    """The SQL says what sync.rules says: one list of fields per kind, kept in step."""
    sql = {k: (set(req), set(opt)) for k, (req, opt) in FIELDS.items()}
    assert sql == {k: (set(req), set(opt)) for k, (req, opt) in rules._FIELDS.items()}
    assert set(FIELDS) | {EventKind.ASSIGNED, EventKind.CLOSED_IN_CRM} == set(EventKind)


def undo(conn: psycopg.Connection, crm_id: str, target: str, target_kind: str) -> None:
    payload = json.dumps({"target": target, "target_kind": target_kind})
    conn.execute(
        EVENT.format(at="now()"), [str(uuid.uuid4()), lead_id(conn, crm_id), "undone", "ana", payload]
    )


def test_an_undo_takes_back_only_the_reps_own_latest_decision_on_that_lead(team: TeamStore) -> None:
    with raw_as(team, "lea") as conn:
        escalation = insert_event(conn, "A1", "escalated", "lea")
        conn.commit()
    # a decision of ben's on ana's lead, as a sync could bring in (the owner writes it)
    bens = str(uuid.uuid4())
    as_owner(
        team,
        "INSERT INTO events (event_id, lead_id, kind, actor, at, payload, origin)"
        " SELECT :e, id, 'rejected', 'ben', now(), :p, 'w2' FROM leads WHERE crm_id = 'A2'",
        e=bens,
        p=json.dumps({"reason": "R3"}),
    )
    with raw_as(team, "ben") as conn:
        on_b1 = insert_event(conn, "B1", "accepted", "ben")
        conn.commit()
    before = history(team)
    with raw_as(team, "ana") as conn:
        for crm_id, target, kind in (
            ("A1", lambda: escalation, "escalated"),  # a team lead's escalation
            ("A1", lambda: escalation, "accepted"),  # ...whatever kind the undo says it is
            ("A2", lambda: bens, "rejected"),  # another rep's decision on her lead
            ("A1", lambda: on_b1, "accepted"),  # another rep's decision on his
            ("A1", lambda: insert_event(conn, "A2", "accepted", "ana"), "accepted"),  # hers, another lead
            ("A1", lambda: insert_event(conn, "A1", "accepted", "ana"), "rejected"),  # hers, not what it says
        ):
            conn.execute("SAVEPOINT undo")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=RLS):
                undo(conn, crm_id, target(), kind)
            conn.execute("ROLLBACK TO SAVEPOINT undo")
        conn.rollback()
        # her own decision, but pinned by a touch after it
        accepted = insert_event(conn, "A1", "accepted", "ana")
        insert_event(conn, "A1", "touched", "ana")
        conn.commit()
        pinned = history(team)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=RLS):
            undo(conn, "A1", accepted, "accepted")
        conn.rollback()
    assert pinned == [*before, ("A1", "accepted", "ana"), ("A1", "touched", "ana")]
    assert history(team) == pinned


def test_the_apps_undo_goes_through_and_an_undo_twice_does_not(team: TeamStore) -> None:
    ana = team.services_as("ana")
    try:
        service = DecisionService(ana)
        service.accept("A2", "ana", Accept("call", team.now.replace(year=team.now.year + 1), "Call"))
        service.dispose("A2", "ana", Dispose("advanced"))
        # the disposal undone, then the acceptance under it: what the app allows, the policy does
        assert service.undo("A2", "ana").event.payload["target_kind"] == "disposed"
        assert service.undo("A2", "ana").event.payload["target_kind"] == "accepted"
    finally:
        ana.store.dispose()
    assert [kind for crm_id, kind, _ in history(team) if crm_id == "A2"][-4:] == [
        "accepted",
        "disposed",
        "undone",
        "undone",
    ]
    before = history(team)
    with raw_as(team, "ana") as conn:
        row = conn.execute("SELECT event_id FROM events WHERE kind = 'disposed'").fetchone()
        assert row is not None
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=RLS):
            undo(conn, "A2", row[0], "disposed")
    assert history(team) == before


@pytest.mark.parametrize(
    "at",
    [
        "now() - interval '1 day'",  # an acceptance before the deadline, after it passed
        "now() - interval '16 minutes'",
        "now() + interval '1 hour'",
    ],
)
def test_a_reps_role_dates_an_event_now(team: TeamStore, at: str) -> None:
    as_owner(
        team,
        "INSERT INTO events (event_id, lead_id, kind, actor, at, payload, origin) SELECT :e, id,"
        " 'returned_from_marketing', 'import', now() - interval '2 minutes', '{}', 'import'"
        " FROM leads WHERE crm_id = 'A1'",
        e=str(uuid.uuid4()),
    )
    before = history(team)
    with raw_as(team, "ana") as conn:
        refused(
            conn, RLS, EVENT.format(at=at), [str(uuid.uuid4()), lead_id(conn, "A1"), "viewed", "ana", "{}"]
        )
        # minutes of clock difference either way are no refusal, even on a lead that has
        # just moved (a rep's clock behind the team lead's, acting on a lead reassigned to them)
        for ok in ("now() - interval '5 minutes'", "now() + interval '2 minutes'"):
            conn.execute(EVENT.format(at=ok), [str(uuid.uuid4()), lead_id(conn, "A1"), "viewed", "ana", "{}"])
        conn.rollback()
    assert history(team) == before


def test_an_event_an_import_dated_ahead_does_not_stop_the_rep(team: TeamStore) -> None:
    as_owner(
        team,
        "INSERT INTO events (event_id, lead_id, kind, actor, at, payload, origin) SELECT :e, id,"
        " 'viewed', 'ana', now() + interval '3 days', '{}', 'import' FROM leads WHERE crm_id = 'A2'",
        e=str(uuid.uuid4()),
    )
    with raw_as(team, "ana") as conn:
        insert_event(conn, "A2", "touched", "ana")
        conn.commit()
    assert history(team)[-1] == ("A2", "touched", "ana")


RUN = (
    "INSERT INTO clock_runs (lead_id, n, clock, rep, started_at, deadline, at_risk_at, stopped_at,"
    " outcome, budget_seconds) VALUES (%s, 50, 'decision', %s, now() - interval '5 days',"
    " now() - interval '3 days', now() - interval '4 days', now() - interval '1 day', 'missed', 172800)"
)


def test_a_rep_cannot_write_a_missed_clock_in_another_reps_name(team: TeamStore) -> None:
    runs = count(team, "clock_runs")
    with raw_as(team, "ana") as conn:
        refused(conn, RLS, RUN, [lead_id(conn, "A1"), "ben"])  # on her own lead
        refused(conn, RLS, RUN, [lead_id(conn, "B1"), "ben"])  # on his
    with raw_as(team, "lea") as conn:  # nor a team lead, for a rep who never held the lead
        refused(conn, RLS, RUN, [lead_id(conn, "A1"), "ben"])
    assert count(team, "clock_runs") == runs
    # a rep who held the lead keeps their runs when the new owner's projection is written
    lea, ben = team.services_as("lea"), team.services_as("ben")
    try:
        DecisionService(lea).reassign("A1", "lea", "ben")
        DecisionService(ben).view("A1", "ben")
    finally:
        lea.store.dispose()
        ben.store.dispose()
    engine = create_engine(team.url)
    try:
        with engine.connect() as conn:
            reps = conn.execute(
                text(
                    "SELECT DISTINCT rep FROM clock_runs JOIN leads ON leads.id = lead_id WHERE crm_id = 'A1'"
                )
            ).scalars()
            assert sorted(reps) == ["ana", "ben"]
    finally:
        engine.dispose()


def test_an_outbox_line_must_say_the_events_instant_payload_and_digest(team: TeamStore) -> None:
    lines = count(team, "outbox_chunks")
    with raw_as(team, "ana") as conn:
        insert_event(conn, "A1", "touched", "ana", {"channel": "call"})
        row = conn.execute("SELECT seq, event_id, at FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        assert row is not None
        seq, event_id, at = row
        honest = {
            "event_id": event_id,
            "lead_id": "A1",
            "kind": "touched",
            "actor": "ana",
            "at": at.isoformat(),  # another spelling of the same instant is the same instant
            "channel": "call",
        }
        statement = (
            "INSERT INTO outbox_chunks (first_seq, last_seq, n_lines, seqs, digests, lines)"
            " VALUES (%s, %s, 1, %s, %s, %s)"
        )
        packed = seq.to_bytes(8, "little")
        for forged in (
            honest | {"at": "2001-01-01T00:00:00Z"},
            honest | {"channel": "email"},
            honest | {"note": "never said"},
            {k: v for k, v in honest.items() if k != "channel"},
        ):
            conn.execute("SAVEPOINT line")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=RLS):
                conn.execute(statement, [seq, seq, packed, *line(forged)])
            conn.execute("ROLLBACK TO SAVEPOINT line")
        digest, body = line(honest)
        for bad in ((b"\0" * 32, body), (digest, body + b"\n")):  # a wrong digest, an empty line after
            conn.execute("SAVEPOINT line")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=RLS):
                conn.execute(statement, [seq, seq, packed, *bad])
            conn.execute("ROLLBACK TO SAVEPOINT line")
        conn.execute(statement, [seq, seq, packed, digest, body])
        conn.commit()
    assert count(team, "outbox_chunks") == lines + 1


@pytest.mark.parametrize(("off", "way"), [(20, "ahead of"), (-20, "behind")])
def test_a_rep_whose_clock_is_off_is_told_so_and_nothing_is_written(
    team: TeamStore, off: int, way: str
) -> None:
    from datetime import timedelta

    from leadqueue.domain.authority import NotAllowed

    before = history(team)
    ana = team.services_as("ana")
    ana.clock.advance(timedelta(minutes=off))  # type: ignore[attr-defined]
    try:
        with pytest.raises(NotAllowed) as info:
            DecisionService(ana).view("A1", "ana")
    finally:
        ana.store.dispose()
    # the fixture's clock was read when the store was made: some seconds have passed since
    assert re.search(f"this machine's clock is (19|20)m {way} the store server's", str(info.value))
    assert str(info.value).endswith(
        "which takes events dated within 15m of its own: set this machine's clock"
    )
    assert history(team) == before


def test_a_reps_role_exports_since_a_date_and_is_told_before_writing_that_since_last_is_the_owners(
    team: TeamStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from leadqueue.cli.main import main

    out = tmp_path / "events.jsonl"
    capsys.readouterr()
    assert main(["--db", team.url_as("ana"), "export", "--format", "jsonl", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("leadqueue: error: export records where it stopped (for --since last), and store ")
    assert err.endswith("(the owner's export records it): give --since WHEN\n")
    assert not out.exists()  # refused before the file is written
    since = ["--since", "2020-01-01"]
    assert main(["--db", team.url_as("ana"), "export", "--format", "jsonl", "--out", str(out), *since]) == 0
    assert out.read_text(encoding="utf-8").count("\n") == len(history(team))
