"""A PostgreSQL team store where the database itself says who may write what.

Each rep connects as a PostgreSQL role of their own (reps.pg_role). `grant`
gives those roles read access to the store and row-level security policies
(store.pg_policies) that let a role append an event only as its own rep and
only as domain.authority allows: decisions, touches, dispositions and undos on
leads the rep owns, team-lead actions with role `lead`, each with the payload
its kind has and dated now. The projection writes that go with an event
(leads, clock_runs, the outbox line) are held to the same leads. Whatever a
rep's client runs, the server refuses the rest: the rule does not depend on
the app's own check.

A role can be a rep's only if it is one person's login, bound by the policies:
never the store's owner, a superuser or BYPASSRLS role, a member of one of
those, a CREATEROLE role, a group role (NOLOGIN, or with members), a predefined
pg_ role or a name PostgreSQL reserves (public...). A rep moved to another role
leaves the old one nothing.

The store's owner (the role that created the tables; `leadqueue pg grant`
runs as it) is not bound by the policies: imports, the roster, sync and
upgrades stay its work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from leadqueue.domain.roster import Rep
from leadqueue.store.pg_policies import ident, security_sql
from leadqueue.store.roster import update_rep
from leadqueue.store.schema import PROJECTION_COLUMNS, events

# SQLSTATE of "permission denied" and of a row a policy refuses.
INSUFFICIENT_PRIVILEGE = "42501"
# The columns of events a rep's role may give: all but seq, which its sequence numbers.
EVENT_COLUMNS = tuple(c.name for c in events.columns if not c.primary_key)


def is_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def current_role(conn: Connection) -> str | None:
    """The PostgreSQL role this connection acts as; None on SQLite."""
    if not is_postgresql(conn):
        return None
    return str(conn.execute(text("SELECT current_user")).scalar_one())


def bound_by_policies(conn: Connection) -> bool:
    """Whether the store's row-level security applies to this connection (a rep's
    role after `pg grant`), as opposed to its owner or a superuser, or SQLite."""
    if not is_postgresql(conn):
        return False
    return bool(conn.execute(text("SELECT row_security_active('events')")).scalar_one())


@dataclass(frozen=True)
class Connected:
    """Who a PostgreSQL connection is, in one round trip."""

    role: str
    rep: str | None  # the key of the rep whose pg_role this is
    bound: bool  # whether the store's policies hold it (bound_by_policies)


def connected(conn: Connection) -> Connected | None:
    """The connection's role, its rep and whether the policies bind it; None on SQLite.
    Asked at every decision: one statement rather than three."""
    if not is_postgresql(conn):
        return None
    row = conn.execute(
        text(
            "SELECT current_user, (SELECT key FROM reps WHERE pg_role = current_user),"
            " row_security_active('events')"
        )
    ).one()
    return Connected(str(row[0]), None if row[1] is None else str(row[1]), bool(row[2]))


def server_time(conn: Connection) -> datetime:
    """The PostgreSQL server's clock, which its policies date events by."""
    return conn.execute(text("SELECT now()")).scalar_one()  # type: ignore[no-any-return]


def refused_by_database(exc: BaseException) -> str | None:
    """The server's one-line reason when `exc` (or what caused it) is a write the
    store's privileges or policies refused; None for any other error."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DBAPIError) and getattr(seen.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
            lines = str(seen.orig).strip().splitlines()
            return lines[0] if lines else "permission denied"
        seen = seen.__cause__
    return None


def grants_sql(schema: str, role: str, events_sequence: str) -> list[str]:
    """What one rep's role may touch at all; the policies then narrow the rows.
    Events take only the columns the app writes: seq comes from its sequence alone
    (a role setting it could take the numbers other writers are about to get)."""
    s, r = ident(schema), ident(role)
    projection = ", ".join(PROJECTION_COLUMNS)
    return [
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {r}",
        # a store granted before kept INSERT on the whole table: taken back first
        f"REVOKE INSERT ON {s}.events FROM {r}",
        f"GRANT INSERT ({', '.join(EVENT_COLUMNS)}) ON {s}.events TO {r}",
        f"GRANT INSERT ON {s}.outbox_chunks TO {r}",
        f"GRANT INSERT, DELETE ON {s}.clock_runs TO {r}",
        # the projection, never the lead's context (name, email, score...)
        f"GRANT UPDATE ({projection}) ON {s}.leads TO {r}",
        f"GRANT USAGE ON SEQUENCE {events_sequence} TO {r}",
    ]


def revoke_sql(schema: str, role: str, events_sequence: str) -> list[str]:
    """Everything grants_sql gave a role, taken back: a rep has moved to another."""
    s, r = ident(schema), ident(role)
    return [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON SEQUENCE {events_sequence} FROM {r}",
        f"REVOKE ALL ON SCHEMA {s} FROM {r}",
    ]


def _events_sequence(conn: Connection, schema: str) -> str:
    """The sequence that numbers events (quoted and qualified as PostgreSQL gives it)."""
    found = conn.execute(
        text("SELECT pg_get_serial_sequence(:t, 'seq')"), {"t": f"{ident(schema)}.events"}
    ).scalar_one()
    return str(found)


@dataclass(frozen=True)
class Granted:
    rep: str
    role: str
    created: bool  # the role did not exist and was made (LOGIN, no password)
    released: str | None = None  # the rep's role before, whose privileges were taken back


class GrantError(ValueError):
    """A role that cannot be a rep's: the message says which and why."""


def store_schema(conn: Connection) -> str:
    return str(conn.execute(text("SELECT current_schema()")).scalar_one())


def store_owner(conn: Connection, schema: str) -> str:
    """The role that owns the store's tables (and so is not bound by their policies)."""
    found = conn.execute(
        text("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = CAST(:t AS regclass)"),
        {"t": f"{ident(schema)}.events"},
    ).scalar_one()
    return str(found)


@dataclass(frozen=True)
class RoleInfo:
    """What an existing role is, as far as being one rep's goes."""

    superuser: bool
    bypasses_rls: bool
    creates_roles: bool
    logs_in: bool
    has_members: bool
    # roles it is a member of (directly or not) that are not bound by the store's
    # policies: the store's owner, a superuser, one with BYPASSRLS
    unbound_groups: tuple[str, ...]


def role_info(conn: Connection, role: str, owner: str) -> RoleInfo | None:
    """What `role` is; None when there is no such role."""
    row = conn.execute(
        text(
            "SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcanlogin,"
            # members other than the owner and superusers, trusted anyway (from PostgreSQL 16
            # the role that creates one is made a member of it: pg grant run again must pass)
            " EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles mr ON mr.oid = m.member"
            " WHERE m.roleid = r.oid AND mr.rolname NOT IN (:owner, current_user) AND NOT mr.rolsuper),"
            " ARRAY(SELECT g.rolname FROM pg_roles g WHERE g.oid <> r.oid"
            " AND (g.rolname = :owner OR g.rolsuper OR g.rolbypassrls)"
            " AND pg_has_role(r.oid, g.oid, 'MEMBER') ORDER BY g.rolname)"
            " FROM pg_roles r WHERE r.rolname = :r"
        ),
        {"r": role, "owner": owner},
    ).first()
    if row is None:
        return None
    return RoleInfo(bool(row[0]), bool(row[1]), bool(row[2]), bool(row[3]), bool(row[4]), tuple(row[5]))


# Names PostgreSQL gives a meaning of its own where a role is named (GRANT ... TO
# public grants everyone) or refuses for a role; pg_ starts its predefined roles'.
RESERVED = frozenset(
    {"public", "none", "current_user", "session_user", "current_role", "user", "system_user"}
)
PREDEFINED_PREFIX = "pg_"
_OWN = "give the rep a login role of their own"


def check_role(
    conn: Connection, rep: Rep, role: str, others: Sequence[Rep], owner: str | None = None
) -> None:
    """GrantError (one line) unless `role` can be `rep`'s: one only they log in as,
    bound by the store's policies."""
    taken = next((o for o in others if o.key != rep.key and o.pg_role == role), None)
    if taken is not None:
        raise GrantError(f"{rep.key}: PostgreSQL role {role!r} is already rep {taken.key}'s")
    if role.lower() in RESERVED:
        raise GrantError(f"{rep.key}: {role!r} is a name PostgreSQL reserves, not a role: {_OWN}")
    if role.lower().startswith(PREDEFINED_PREFIX):
        raise GrantError(
            f"{rep.key}: {role!r} is a PostgreSQL predefined role's name (pg_ is reserved for them): {_OWN}"
        )
    if role == current_role(conn):
        raise GrantError(
            f"{rep.key}: {role!r} is the role this command runs as, which owns the store and is not "
            "bound by its policies: give the rep a role of their own"
        )
    owner = owner or store_owner(conn, store_schema(conn))
    if role == owner:
        raise GrantError(
            f"{rep.key}: PostgreSQL role {role!r} owns the store and is not bound by its policies: {_OWN}"
        )
    info = role_info(conn, role, owner)
    if info is None:
        return  # made by grant(): LOGIN, no member of anything
    if info.superuser or info.bypasses_rls:
        raise GrantError(
            f"{rep.key}: PostgreSQL role {role!r} bypasses row-level security (superuser or BYPASSRLS):"
            " give the rep a role of their own"
        )
    if info.unbound_groups:
        raise GrantError(
            f"{rep.key}: PostgreSQL role {role!r} is a member of {', '.join(info.unbound_groups)},"
            f" which the store's policies do not bind: {_OWN}"
        )
    if info.creates_roles:
        raise GrantError(
            f"{rep.key}: PostgreSQL role {role!r} has CREATEROLE and could make itself a member of the"
            f" store's owner: {_OWN}"
        )
    if not info.logs_in:
        raise GrantError(
            f"{rep.key}: PostgreSQL role {role!r} cannot log in (NOLOGIN, a group role?): {_OWN}"
        )
    if info.has_members:
        raise GrantError(
            f"{rep.key}: PostgreSQL role {role!r} has members, who would all act as {rep.key}: {_OWN}"
        )


def grant(conn: Connection, wanted: Sequence[tuple[Rep, str]], others: Sequence[Rep]) -> list[Granted]:
    """Give each (rep, role) its role, creating it if needed, record the mapping in
    the roster, take back what a rep's former role had, and (re)install the
    policies. One transaction: all or nothing."""
    schema = store_schema(conn)
    sequence = _events_sequence(conn, schema)
    owner = store_owner(conn, schema)
    final = {r.key: r for r in others} | {rep.key: replace(rep, pg_role=role) for rep, role in wanted}
    for rep, role in wanted:
        check_role(conn, rep, role, list(final.values()), owner)
    moved = [rep for rep, role in wanted if rep.pg_role != role]
    # Each moved rep lets go of an old role first: the unique index never sees one role twice.
    for rep in moved:
        update_rep(conn, replace(rep, pg_role=None))
    for rep in moved:
        update_rep(conn, final[rep.key])
    kept = {r.pg_role for r in final.values()}
    released: dict[str, str] = {}
    for rep in moved:
        old = rep.pg_role
        if old and old not in kept and _may_release(conn, old, owner):
            for statement in revoke_sql(schema, old, sequence):
                conn.execute(text(statement))
            released[rep.key] = old
    done: list[Granted] = []
    for rep, role in wanted:
        created = role_info(conn, role, owner) is None
        if created:
            conn.execute(text(f"CREATE ROLE {ident(role)} LOGIN"))
        for statement in grants_sql(schema, role, sequence):
            conn.execute(text(statement))
        done.append(Granted(rep.key, role, created, released.get(rep.key)))
    for statement in security_sql(schema):
        conn.execute(text(statement))
    return done


def _may_release(conn: Connection, role: str, owner: str) -> bool:
    """Whether a rep's former role exists and is one whose privileges may be taken
    back: never the store's owner, this command's role, or a superuser."""
    if role in (owner, current_role(conn)):
        return False
    info = role_info(conn, role, owner)
    return info is not None and not info.superuser
