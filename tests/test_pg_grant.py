"""Which PostgreSQL roles `leadqueue pg grant` gives a rep (store.pg_security):
only one person's login that the store's policies bind. Each refusal is one
line and changes nothing; a rep moved to another role leaves the old one
nothing, and a role no rep has reads nothing of the guarded tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from leadqueue.cli.main import main
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Reject
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.store.engine import open_store
from tests.factories import add_lead
from tests.pg import _conninfo, pg_schema
from tests.test_pg_roles import TeamStore, drop_roles, team_store


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[TeamStore]:
    with team_store(monkeypatch, capsys) as store:
        yield store


def admin(*statements: str) -> None:
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def pg_role_of(url: str, rep: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT pg_role FROM reps WHERE key = :k"), {"k": rep}).scalar_one()
            return None if found is None else str(found)
    finally:
        engine.dispose()


def refused_grant(url: str, spec: str, capsys: pytest.CaptureFixture[str]) -> str:
    """`pg grant SPEC` fails with one line; returns it without the prefix."""
    capsys.readouterr()
    assert main(["--db", url, "pg", "grant", spec]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, err
    assert err.startswith("leadqueue: error: ")
    return err.removeprefix("leadqueue: error: ").rstrip("\n")


@pytest.mark.parametrize(
    ("role", "says"),
    [
        ("public", "'public' is a name PostgreSQL reserves, not a role"),
        ("none", "'none' is a name PostgreSQL reserves"),
        ("CURRENT_USER", "'CURRENT_USER' is a name PostgreSQL reserves"),
        ("session_user", "'session_user' is a name PostgreSQL reserves"),
        ("pg_read_all_data", "'pg_read_all_data' is a PostgreSQL predefined role's name"),
        ("pg_monitor", "'pg_monitor' is a PostgreSQL predefined role's name"),
    ],
)
def test_pg_grant_refuses_names_postgresql_keeps(
    team: TeamStore, capsys: pytest.CaptureFixture[str], role: str, says: str
) -> None:
    line = refused_grant(team.url, f"ana={role}", capsys)
    assert line.startswith(f"ana: {says}")
    assert pg_role_of(team.url, "ana") == team.roles["ana"]


def test_pg_grant_refuses_group_roles_and_roles_that_could_unbind_themselves(
    team: TeamStore, capsys: pytest.CaptureFixture[str]
) -> None:
    tag = uuid.uuid4().hex[:8]
    group, parent, child, maker, inside = (f"lqt_{tag}_{n}" for n in ("grp", "par", "kid", "cr", "in"))
    try:
        admin(
            f'CREATE ROLE "{group}" NOLOGIN',
            f'CREATE ROLE "{parent}" LOGIN',
            f'CREATE ROLE "{child}" LOGIN IN ROLE "{parent}"',
            f'CREATE ROLE "{maker}" LOGIN CREATEROLE',
            f'CREATE ROLE "{inside}" LOGIN IN ROLE postgres',  # the store's owner here (a superuser)
        )
        for role, says in (
            (group, "cannot log in (NOLOGIN, a group role?)"),
            (parent, "has members, who would all act as ana"),
            (maker, "has CREATEROLE and could make itself a member of the store's owner"),
            (inside, "is a member of postgres, which the store's policies do not bind"),
        ):
            assert refused_grant(team.url, f"ana={role}", capsys).startswith(
                f"ana: PostgreSQL role {role!r} {says}"
            )
        assert pg_role_of(team.url, "ana") == team.roles["ana"]
        # a member of a group is a login of its own: it may be a rep's
        capsys.readouterr()
        assert main(["--db", team.url, "pg", "grant", f"ana={child}"]) == 0
    finally:
        drop_roles([inside, maker, child, parent, group])


def test_a_store_owned_by_a_role_of_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    """Run by a superuser, `pg grant` refuses the store's owner and its members too."""
    tag = uuid.uuid4().hex[:8]
    owner, member, rep_role = f"lqt_{tag}_own", f"lqt_{tag}_mem", f"lqt_{tag}_ana"
    now = FixedClock(datetime.now(UTC).replace(microsecond=0))
    try:
        with pg_schema() as url:
            schema = make_url(url).query["application_name"]
            admin(f'CREATE ROLE "{owner}" LOGIN CREATEROLE', f'ALTER SCHEMA "{schema}" OWNER TO "{owner}"')
            admin(f'CREATE ROLE "{member}" LOGIN IN ROLE "{owner}"')
            owner_url = make_url(url).set(username=owner).render_as_string(hide_password=False)
            services = Services(store=open_store(owner_url), policy=Policy(), clock=now)
            add_lead(services, "A1", rep="ana")
            services.store.dispose()
            assert refused_grant(url, f"ana={owner}", capsys) == (
                f"ana: PostgreSQL role {owner!r} owns the store and is not bound by its policies:"
                " give the rep a login role of their own"
            )
            for as_url in (url, owner_url):  # as a superuser, as the owner
                assert refused_grant(as_url, f"ana={member}", capsys).startswith(
                    f"ana: PostgreSQL role {member!r} is a member of {owner}, which the store's policies"
                )
            assert pg_role_of(url, "ana") is None
            # the owner itself gives a rep a role, which its policies then bind
            capsys.readouterr()
            assert main(["--db", owner_url, "pg", "grant", f"ana={rep_role}"]) == 0
            ana_url = make_url(url).set(username=rep_role).render_as_string(hide_password=False)
            ana = Services(store=open_store(ana_url, create=False), policy=Policy(), clock=now)
            try:
                assert DecisionService(ana).reject("A1", "", Reject("R3")).event.actor == "ana"
            finally:
                ana.store.dispose()
            # From PostgreSQL 16 the role that creates a role is made its member: the owner,
            # trusted anyway, is no member that stops pg grant from being run again.
            admin(f'GRANT "{rep_role}" TO "{owner}"')
            capsys.readouterr()
            assert main(["--db", owner_url, "pg", "grant", f"ana={rep_role}"]) == 0
    finally:
        drop_roles([rep_role, member, owner])


def test_a_rep_moved_to_another_role_leaves_the_old_one_nothing(
    team: TeamStore, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = team.roles["ana"], f"{team.roles['ana']}_2"
    try:
        capsys.readouterr()
        assert main(["--db", team.url, "pg", "grant", f"ana={new}"]) == 0
        assert capsys.readouterr().out.splitlines()[0] == (
            f"ana: PostgreSQL role {new} (created); role {old} no longer reads or writes the store"
        )
        team.roles["ana"] = old
        with psycopg.connect(_conninfo().replace("user=postgres", f"user={old}")) as conn:
            schema = make_url(team.url).query["application_name"]
            for statement in (
                f'SELECT crm_id, email FROM "{schema}".leads',
                f'SELECT * FROM "{schema}".reps',
                f"SELECT nextval(pg_get_serial_sequence('\"{schema}\".events', 'seq'))",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
                conn.rollback()
        team.roles["ana"] = new
        ana = team.services_as("ana")
        try:
            assert DecisionService(ana).reject("A1", "", Reject("R3")).event.actor == "ana"
        finally:
            ana.store.dispose()
    finally:
        drop_roles([new])


def test_a_role_no_rep_has_reads_nothing_of_the_guarded_tables(team: TeamStore) -> None:
    stranger = f"{team.roles['ana']}_x"
    schema = make_url(team.url).query["application_name"]
    try:
        admin(
            f'CREATE ROLE "{stranger}" LOGIN',
            f'GRANT USAGE ON SCHEMA "{schema}" TO "{stranger}"',
            f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{stranger}"',
        )
        with psycopg.connect(_conninfo().replace("user=postgres", f"user={stranger}")) as conn:
            for table in ("events", "leads", "clock_runs", "outbox_chunks"):
                found = conn.execute(f'SELECT count(*) FROM "{schema}".{table}').fetchone()
                assert found == (0,), table
        with psycopg.connect(_conninfo().replace("user=postgres", f"user={team.roles['ben']}")) as conn:
            assert conn.execute(f'SELECT count(*) FROM "{schema}".leads').fetchone() == (3,)
    finally:
        drop_roles([stranger])
