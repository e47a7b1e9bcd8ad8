"""A PostgreSQL team store where each rep connects as a role of their own and
the database itself refuses what the rep may not write (issue 19, point 4).

Each test makes its own roles (named after its schema), runs `leadqueue pg
grant` as the store's owner, connects as the reps' roles, and drops the roles
afterwards. The reps' clock is the real one: the policies refuse an event not
dated now by the server's clock (store.pg_policies.CLOCK_TOLERANCE)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from leadqueue.cli.main import main
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Reject
from leadqueue.domain.policy import Policy
from leadqueue.domain.records import iso_utc
from leadqueue.services import decisions as decisions_module
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService, NotAllowed
from leadqueue.store.engine import open_store
from leadqueue.store.schema import events, leads
from tests.factories import add_lead, add_team_lead
from tests.pg import _conninfo, pg_schema


@dataclass
class TeamStore:
    url: str  # as the store's owner
    roles: dict[str, str]  # rep -> PostgreSQL role
    now: datetime  # the reps' clock: the server's, when the store was made

    def url_as(self, rep: str) -> str:
        return make_url(self.url).set(username=self.roles[rep]).render_as_string(hide_password=False)

    def services_as(self, rep: str) -> Services:
        return Services(
            store=open_store(self.url_as(rep), create=False), policy=Policy(), clock=FixedClock(self.now)
        )


def drop_roles(roles: list[str]) -> None:
    with psycopg.connect(_conninfo(), autocommit=True) as admin:
        for role in roles:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [role])
            if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                admin.execute(f'DROP OWNED BY "{role}"')
                admin.execute(f'DROP ROLE "{role}"')


@contextmanager
def team_store(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[TeamStore]:
    """ana owns A1 and A2, ben owns B1, lea is the team lead; `pg grant` gave each a role."""
    now = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setenv("LEADQUEUE_NOW", now.isoformat())
    with pg_schema() as url:
        tag = uuid.uuid4().hex[:8]
        store = TeamStore(url, {rep: f"lqt_{tag}_{rep}" for rep in ("ana", "ben", "lea")}, now)
        try:
            owner = Services(store=open_store(url), policy=Policy(), clock=FixedClock(now))
            for crm_id, rep in (("A1", "ana"), ("A2", "ana"), ("B1", "ben")):
                add_lead(owner, crm_id, rep=rep, assigned_at=now - timedelta(hours=1))
            add_team_lead(owner.store, "lea")
            owner.store.dispose()
            capsys.readouterr()
            assert main(["--db", url, "pg", "grant", *(f"{k}={v}" for k, v in store.roles.items())]) == 0
            out = capsys.readouterr().out.splitlines()
            assert out[:3] == [
                f"{rep}: PostgreSQL role {role} (created)" for rep, role in store.roles.items()
            ]
            yield store
        finally:
            drop_roles(list(store.roles.values()))


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[TeamStore]:
    with team_store(monkeypatch, capsys) as store:
        yield store


def history(store: TeamStore) -> list[tuple[str, str, str]]:
    engine = create_engine(store.url)
    try:
        with engine.connect() as conn:
            q = select(leads.c.crm_id, events.c.kind, events.c.actor).join(
                leads, leads.c.id == events.c.lead_id
            )
            return [tuple(r) for r in conn.execute(q.order_by(events.c.seq))]  # type: ignore[misc]
    finally:
        engine.dispose()


def raw_as(store: TeamStore, rep: str) -> psycopg.Connection:
    """A plain connection as the rep's role: what any client of theirs could send."""
    info = _conninfo().replace("user=postgres", f"user={store.roles[rep]}")
    schema = make_url(store.url).query["application_name"]
    return psycopg.connect(info, options=f"-csearch_path={schema}")


def lead_id(conn: psycopg.Connection, crm_id: str) -> int:
    row = conn.execute("SELECT id FROM leads WHERE crm_id = %s", [crm_id]).fetchone()
    assert row is not None
    return int(row[0])


# A payload each kind may have: what a raw insert is refused for is then who
# writes it, not what it says.
PAYLOADS: dict[str, dict[str, Any]] = {
    "rejected": {"reason": "R3"},
    "reassigned": {"from": "ana", "to": "ben"},
    "assigned": {"rep": "ana"},
    "escalated": {},
    "touched": {"channel": "call"},
}


def insert_event(
    conn: psycopg.Connection, crm_id: str, kind: str, actor: str, payload: dict[str, Any] | None = None
) -> str:
    """A raw event, dated now by the server's clock; returns its event id."""
    if payload is None and kind == "accepted":
        due = iso_utc(datetime.now(UTC) + timedelta(days=1))
        payload = {"next_step": "call", "due": due, "note": "call back"}
    event_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO events (event_id, lead_id, kind, actor, at, payload, origin)"
        " VALUES (%s, %s, %s, %s, now(), %s, 'local')",
        [event_id, lead_id(conn, crm_id), kind, actor, json.dumps(payload or PAYLOADS.get(kind, {}))],
    )
    return event_id


def test_each_rep_decides_on_their_own_leads_as_their_own_role(team: TeamStore) -> None:
    ana, ben = team.services_as("ana"), team.services_as("ben")
    try:
        # no actor given: the connection's role says who acts
        assert DecisionService(ana).reject("A1", "", Reject("R3")).event.actor == "ana"
        assert DecisionService(ben).reject("B1", "ben", Reject("R3")).event.actor == "ben"
    finally:
        ana.store.dispose()
        ben.store.dispose()
    assert history(team)[-2:] == [("A1", "rejected", "ana"), ("B1", "rejected", "ben")]


def test_the_database_refuses_a_rep_writing_on_anothers_lead_with_the_app_check_bypassed(
    team: TeamStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = history(team)
    # A client that skips the app's own rule (domain.authority) altogether.
    monkeypatch.setattr(decisions_module, "check", lambda *args, **kwargs: None)
    ana = team.services_as("ana")
    try:
        with pytest.raises(NotAllowed) as refused:
            DecisionService(ana).reject("B1", "ana", Reject("R3"))
        assert str(refused.value) == "ana may not write lead B1: the store's policies refuse it"
        # a lead ana owns, but a team-lead action: the insert itself is refused by the server
        with pytest.raises(NotAllowed) as refused:
            DecisionService(ana).reassign("A1", "ana", "ben")
        message = str(refused.value)
        assert message.startswith("store ") and "refuses this reassigned event on A1: " in message
        assert "row-level security" in message and "\n" not in message
    finally:
        ana.store.dispose()
    assert history(team) == before


def test_the_database_refuses_the_forbidden_write_from_any_client(team: TeamStore) -> None:
    before = history(team)
    with raw_as(team, "ana") as conn:
        for crm_id, kind, actor in (
            ("B1", "rejected", "ana"),  # another rep's lead
            ("A1", "accepted", "ben"),  # in another rep's name
            ("A1", "reassigned", "ana"),  # a team-lead action
            ("A1", "assigned", "ana"),  # what only an import records
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
                insert_event(conn, crm_id, kind, actor)
            conn.rollback()
        # the projection of another's lead cannot be taken, nor one's own lead handed on
        assert conn.execute("UPDATE leads SET owner = 'ana' WHERE crm_id = 'B1'").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("UPDATE leads SET owner = 'ben' WHERE crm_id = 'A1'")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # the lead's own data: never
            conn.execute("UPDATE leads SET first_name = 'x' WHERE crm_id = 'A1'")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # events are never rewritten
            conn.execute("UPDATE events SET actor = 'ana'")
        conn.rollback()
        # the roster (and so one's role) is the owner's to change
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE reps SET role = 'lead' WHERE key = 'ana'")
        conn.rollback()
        # a table of one's own earlier on the search path changes nothing
        conn.execute("CREATE TEMP TABLE reps (key text, role text, pg_role text)")
        conn.execute("INSERT INTO pg_temp.reps VALUES ('ben', 'lead', current_user)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            insert_event(conn, "B1", "rejected", "ben")
        conn.rollback()
    assert history(team) == before


def test_a_forged_outbox_line_is_refused(team: TeamStore) -> None:
    with raw_as(team, "ana") as conn:
        insert_event(conn, "A1", "viewed", "ana")  # a real event of hers...
        seq = conn.execute("SELECT max(seq) FROM events").fetchone()[0]  # type: ignore[index]
        row = conn.execute("SELECT event_id FROM events WHERE seq = %s", [seq]).fetchone()
        assert row is not None
        at = iso_utc(conn.execute("SELECT at FROM events WHERE seq = %s", [seq]).fetchone()[0])  # type: ignore[index]
        forged = {"event_id": row[0], "lead_id": "B1", "kind": "rejected", "actor": "ana", "at": at}
        honest = {**forged, "lead_id": "A1", "kind": "viewed"}
        statement = (
            "INSERT INTO outbox_chunks (first_seq, last_seq, n_lines, seqs, digests, lines)"
            " VALUES (%s, %s, 1, %s, %s, %s)"
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # ...and a line saying something else
            conn.execute(statement, [seq, seq, seq.to_bytes(8, "little"), *line(forged)])
        conn.rollback()
        insert_event(conn, "A1", "viewed", "ana")
        seq = conn.execute("SELECT max(seq) FROM events").fetchone()[0]  # type: ignore[index]
        row = conn.execute("SELECT event_id, at FROM events WHERE seq = %s", [seq]).fetchone()
        assert row is not None
        honest |= {"event_id": row[0], "at": iso_utc(row[1])}
        conn.execute(statement, [seq, seq, seq.to_bytes(8, "little"), *line(honest)])
        conn.commit()


def line(record: dict[str, Any]) -> tuple[bytes, bytes]:
    """(digests, lines) of an outbox row holding one record, as outbox.add_line writes them."""
    body = json.dumps(record, separators=(",", ":")).encode()
    return hashlib.sha256(body).digest(), body + b"\n"


def test_a_team_lead_role_reassigns_and_a_reps_role_may_not(team: TeamStore) -> None:
    lea, ben = team.services_as("lea"), team.services_as("ben")
    try:
        out = DecisionService(lea).reassign("A1", "lea", "ben")
        assert (out.event.actor, out.history.owner) == ("lea", "ben")
        # the new owner decides now
        DecisionService(ben).accept("A1", "ben", Accept("call", team.now + timedelta(hours=2), "Call"))
        with pytest.raises(NotAllowed, match="ben may not reassign: that needs role lead"):
            DecisionService(ben).reassign("A1", "ben", "ana")
    finally:
        lea.store.dispose()
        ben.store.dispose()
    assert history(team)[-2:] == [("A1", "reassigned", "lea"), ("A1", "accepted", "ben")]


def test_the_database_user_is_who_acts_not_as(team: TeamStore, capsys: pytest.CaptureFixture[str]) -> None:
    before = history(team)
    capsys.readouterr()
    code = main(["--db", team.url_as("ana"), "--as", "ben", "reject", "B1", "--reason", "R3"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (
        f"leadqueue: error: connected as PostgreSQL role '{team.roles['ana']}', which is rep ana:"
        " cannot act as 'ben' (the database user is who acts)\n"
    )
    code = main(["--db", team.url_as("ana"), "reject", "B1", "--reason", "R3"])
    out, err = capsys.readouterr()
    assert (code, out, err) == (
        1,
        "",
        "leadqueue: error: ana may not reject ben's lead: only its owner may\n",
    )
    assert history(team) == before
    # without --as, the role's rep acts
    assert main(["--db", team.url_as("ana"), "reject", "A1", "--reason", "R3"]) == 0
    assert "rejected by ana" in capsys.readouterr().out


def test_a_role_no_rep_has_may_do_nothing(team: TeamStore) -> None:
    stranger = f"{team.roles['ana']}_x"
    try:
        with psycopg.connect(_conninfo(), autocommit=True) as admin:
            schema = make_url(team.url).query["application_name"]
            admin.execute(f'CREATE ROLE "{stranger}" LOGIN')
            admin.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{stranger}"')
            admin.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{stranger}"')
        url = make_url(team.url).set(username=stranger).render_as_string(hide_password=False)
        services = Services(store=open_store(url, create=False), policy=Policy(), clock=FixedClock(team.now))
        try:
            with pytest.raises(
                NotAllowed, match=f"PostgreSQL role '{stranger}' is no rep's role on this store"
            ):
                DecisionService(services).reject("A1", "ana", Reject("R3"))
        finally:
            services.store.dispose()
    finally:
        drop_roles([stranger])


def test_pg_grant_refuses_a_role_that_bypasses_the_policies(
    team: TeamStore, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--db", team.url, "pg", "grant", "ana=postgres"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("leadqueue: error: ana: 'postgres' is the role this command runs as")
    assert err.count("\n") == 1
    # nothing changed: ana keeps her role
    ana = team.services_as("ana")
    try:
        assert DecisionService(ana).reject("A1", "", Reject("R3")).event.actor == "ana"
    finally:
        ana.store.dispose()


def test_pg_grant_is_for_postgresql(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"{tmp_path}/s.db"
    assert main(["--db", db, "init"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "pg", "grant"]) == 1
    assert "is for a PostgreSQL team store" in capsys.readouterr().err


def test_policies_are_installed_again_without_harm(
    team: TeamStore, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--db", team.url, "pg", "grant"]) == 0  # every rep, the roles they have
    assert capsys.readouterr().out.splitlines()[:3] == [
        f"{rep}: PostgreSQL role {role}" for rep, role in team.roles.items()
    ]
    engine = create_engine(team.url)
    try:
        with engine.connect() as conn:
            n = conn.execute(
                text("SELECT count(*) FROM pg_policies WHERE schemaname = current_schema()")
            ).scalar_one()
            assert n == 9  # read on four tables, record, project, runs drop and add, outbox
            assert conn.execute(select(func.count()).select_from(events)).scalar_one() == 3
    finally:
        engine.dispose()
