"""A PostgreSQL team store where the database itself says who may write what.

Each rep connects as a PostgreSQL role of their own (reps.pg_role). `install`
gives those roles read access to the store and row-level security policies
that let a role append an event only as its own rep and only as
domain.authority allows: decisions, touches, dispositions and undos on leads
the rep owns, team-lead actions with role `lead`. The projection writes that
go with an event (leads, clock_runs, the outbox line) are held to the same
leads. Whatever a rep's client runs, the server refuses the rest: the rule
does not depend on the app's own check.

The store's owner (the role that created the tables; `leadqueue pg grant`
runs as it) is not bound by the policies: imports, the roster, sync and
upgrades stay its work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from leadqueue.domain.authority import LEAD_ONLY, LEAD_ROLE, OWNER_ONLY, OWNER_OR_LEAD
from leadqueue.domain.roster import Rep
from leadqueue.store.roster import update_rep
from leadqueue.store.schema import ORIGIN_LOCAL, PROJECTION_COLUMNS

# SQLSTATE of "permission denied" and of a row a policy refuses.
INSUFFICIENT_PRIVILEGE = "42501"
# Tables a rep's role writes, with row-level security; the others it only reads.
GUARDED = ("events", "leads", "clock_runs", "outbox_chunks")


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


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _kinds(kinds: Iterable[object]) -> str:
    return ", ".join(f"'{k}'" for k in sorted(str(k) for k in kinds))


def security_sql(schema: str) -> list[str]:
    """The functions and policies, schema-qualified throughout: a role that puts a
    table or function of its own earlier on its search_path changes nothing."""
    s = _ident(schema)
    # SECURITY INVOKER (the default): current_user is the rep's role, not the definer.
    fixed = "LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp"
    statements = [
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_rep() RETURNS text {fixed}"
        f" AS $$ SELECT key::text FROM {s}.reps WHERE pg_role = current_user $$",
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_is_lead() RETURNS boolean {fixed}"
        f" AS $$ SELECT EXISTS (SELECT 1 FROM {s}.reps WHERE pg_role = current_user"
        f" AND role = '{LEAD_ROLE}') $$",
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_owns(lead integer) RETURNS boolean {fixed}"
        f" AS $$ SELECT EXISTS (SELECT 1 FROM {s}.leads WHERE id = lead AND owner = {s}.leadqueue_rep()) $$",
        # the leads whose projection a role may rewrite: its own, or any for a team lead
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_projects(lead integer) RETURNS boolean {fixed}"
        f" AS $$ SELECT {s}.leadqueue_is_lead() OR {s}.leadqueue_owns(lead) $$",
    ]
    for table in GUARDED:
        statements.append(f"ALTER TABLE {s}.{table} ENABLE ROW LEVEL SECURITY")
        statements += _policy(s, table, "leadqueue_read", "FOR SELECT USING (true)")
    # An event: as one's own rep, made here, and of a kind domain.authority lets one record.
    may_record = (
        f"actor = {s}.leadqueue_rep() AND origin = '{ORIGIN_LOCAL}' AND ("
        f"(kind IN ({_kinds(OWNER_ONLY)}) AND {s}.leadqueue_owns(lead_id))"
        f" OR (kind IN ({_kinds(LEAD_ONLY)}) AND {s}.leadqueue_is_lead())"
        f" OR (kind IN ({_kinds(OWNER_OR_LEAD)}) AND {s}.leadqueue_projects(lead_id)))"
    )
    statements += _policy(s, "events", "leadqueue_record", f"FOR INSERT WITH CHECK ({may_record})")
    # No owner may hand their lead to another (WITH CHECK): only a team lead reassigns.
    mine = f"owner = {s}.leadqueue_rep() OR {s}.leadqueue_is_lead()"
    statements += _policy(s, "leads", "leadqueue_project", f"FOR UPDATE USING ({mine}) WITH CHECK ({mine})")
    runs = f"{s}.leadqueue_projects(lead_id)"
    statements += _policy(s, "clock_runs", "leadqueue_project_drop", f"FOR DELETE USING ({runs})")
    statements += _policy(s, "clock_runs", "leadqueue_project_add", f"FOR INSERT WITH CHECK ({runs})")
    # The outbox line of an event the role just recorded, saying what the event says:
    # a rep cannot queue a forged record for the next sync to publish.
    little_endian = (
        "(SELECT sum(get_byte(seqs, i)::numeric * 256::numeric ^ i) FROM generate_series(0, 7) AS i)"
    )
    line = (
        f"n_lines = 1 AND first_seq = last_seq AND length(seqs) = 8 AND {little_endian} = first_seq"
        f" AND EXISTS (SELECT 1 FROM {s}.events e JOIN {s}.leads l ON l.id = e.lead_id"
        f" WHERE e.seq = first_seq AND e.origin = '{ORIGIN_LOCAL}' AND e.actor = {s}.leadqueue_rep()"
        " AND convert_from(lines, 'UTF8')::jsonb @> jsonb_build_object("
        "'event_id', e.event_id, 'lead_id', l.crm_id, 'kind', e.kind, 'actor', e.actor))"
    )
    statements += _policy(s, "outbox_chunks", "leadqueue_outbox", f"FOR INSERT WITH CHECK ({line})")
    return statements


def _policy(s: str, table: str, name: str, body: str) -> list[str]:
    return [f"DROP POLICY IF EXISTS {name} ON {s}.{table}", f"CREATE POLICY {name} ON {s}.{table} {body}"]


def grants_sql(schema: str, role: str, events_sequence: str) -> list[str]:
    """What one rep's role may touch at all; the policies then narrow the rows."""
    s, r = _ident(schema), _ident(role)
    projection = ", ".join(PROJECTION_COLUMNS)
    return [
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"GRANT INSERT ON {s}.events, {s}.outbox_chunks TO {r}",
        f"GRANT INSERT, DELETE ON {s}.clock_runs TO {r}",
        # the projection, never the lead's context (name, email, score...)
        f"GRANT UPDATE ({projection}) ON {s}.leads TO {r}",
        f"GRANT USAGE ON SEQUENCE {events_sequence} TO {r}",
    ]


def _events_sequence(conn: Connection, schema: str) -> str:
    """The sequence that numbers events (quoted and qualified as PostgreSQL gives it)."""
    found = conn.execute(
        text("SELECT pg_get_serial_sequence(:t, 'seq')"), {"t": f"{_ident(schema)}.events"}
    ).scalar_one()
    return str(found)


@dataclass(frozen=True)
class Granted:
    rep: str
    role: str
    created: bool  # the role did not exist and was made (LOGIN, no password)


class GrantError(ValueError):
    """A role that cannot be a rep's: the message says which and why."""


def store_schema(conn: Connection) -> str:
    return str(conn.execute(text("SELECT current_schema()")).scalar_one())


def _role_flags(conn: Connection, role: str) -> tuple[bool, bool] | None:
    """(superuser, bypasses RLS) of an existing role; None when there is none."""
    row = conn.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).first()
    return None if row is None else (bool(row[0]), bool(row[1]))


def check_role(conn: Connection, rep: Rep, role: str, others: Sequence[Rep]) -> None:
    taken = next((o for o in others if o.key != rep.key and o.pg_role == role), None)
    if taken is not None:
        raise GrantError(f"{rep.key}: PostgreSQL role {role!r} is already rep {taken.key}'s")
    if role == current_role(conn):
        raise GrantError(
            f"{rep.key}: {role!r} is the role this command runs as, which owns the store and is not "
            "bound by its policies: give the rep a role of their own"
        )
    flags = _role_flags(conn, role)
    if flags is not None and any(flags):
        raise GrantError(
            f"{rep.key}: PostgreSQL role {role!r} bypasses row-level security (superuser or BYPASSRLS):"
            " give the rep a role of their own"
        )


def grant(conn: Connection, wanted: Sequence[tuple[Rep, str]], others: Sequence[Rep]) -> list[Granted]:
    """Give each (rep, role) its role, creating it if needed, record the mapping in
    the roster, and (re)install the policies. One transaction: all or nothing."""
    schema = store_schema(conn)
    sequence = _events_sequence(conn, schema)
    final = {r.key: r for r in others} | {rep.key: replace(rep, pg_role=role) for rep, role in wanted}
    for rep, role in wanted:
        check_role(conn, rep, role, list(final.values()))
    moved = [rep for rep, role in wanted if rep.pg_role != role]
    # Each moved rep lets go of an old role first: the unique index never sees one role twice.
    for rep in moved:
        update_rep(conn, replace(rep, pg_role=None))
    for rep in moved:
        update_rep(conn, final[rep.key])
    done: list[Granted] = []
    for rep, role in wanted:
        created = _role_flags(conn, role) is None
        if created:
            conn.execute(text(f"CREATE ROLE {_ident(role)} LOGIN"))
        for statement in grants_sql(schema, role, sequence):
            conn.execute(text(statement))
        done.append(Granted(rep.key, role, created))
    for statement in security_sql(schema):
        conn.execute(text(statement))
    return done
