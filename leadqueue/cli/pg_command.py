"""`leadqueue pg grant`: give reps PostgreSQL roles of their own on a team store,
and the row-level security that holds each role to what its rep may do."""

from __future__ import annotations

import argparse

from leadqueue.cli.common import add_common, build_context
from leadqueue.cli.errors import CommandError
from leadqueue.cli.output import say
from leadqueue.domain.clock import Clock
from leadqueue.domain.roster import AmbiguousRep, Rep, parse_pg_role, pick
from leadqueue.services.acting import known_reps
from leadqueue.services.pg_roles import GUARDED, EmptyRoster, Granted, GrantError, NotTheOwner, grant_roles


def add_pg_parser(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="pg_cmd", metavar="ACTION", required=True)
    r = sub.add_parser(
        "grant",
        help="give reps PostgreSQL roles and install the policies that hold each role to its rep",
        description=(
            "Run as the store's owner. Each rep gets a PostgreSQL role (ROLE, else the one the roster"
            " has, else the rep's key; made with LOGIN and no password if missing), read access to"
            " the store, and row-level security: a role appends events only as its own rep, on the"
            " leads that rep may act on. ROLE must be one person's login that the policies bind: not"
            " the store's owner, a superuser or a member of either, a group role or a pg_ role. A rep"
            " moved to another role leaves the old one no access. Again at any time: it changes only"
            " what differs."
        ),
    )
    add_common(r)
    r.add_argument("reps", nargs="*", metavar="REP[=ROLE]", help="default: every rep on the roster")


def parse_specs(specs: list[str], reps: list[Rep]) -> list[tuple[Rep, str]]:
    """REP[=ROLE] texts -> (rep, role); every rep when none is given."""
    wanted: dict[str, tuple[Rep, str]] = {}
    for spec in specs or [r.key for r in reps]:
        text, _, role_text = spec.partition("=")
        try:
            rep = pick(reps, text)
            role = parse_pg_role(role_text)
        except (AmbiguousRep, ValueError) as exc:
            raise CommandError(f"{spec}: {exc}") from None
        if rep is None:
            raise CommandError(f"{spec}: unknown rep {text.strip()!r} ({known_reps(reps)})")
        if rep.key in wanted:
            raise CommandError(f"{spec}: rep {rep.key} is named twice")
        wanted[rep.key] = (rep, role or rep.pg_role or rep.key)
    return list(wanted.values())


def run_pg(args: argparse.Namespace, clock: Clock) -> int:
    ctx = build_context(args, clock)
    store = ctx.services.store
    if store.is_sqlite:
        raise CommandError(
            f"`pg grant` is for a PostgreSQL team store; {store.label} is a SQLite file,"
            " where --as says who acts"
        )
    try:
        grants = grant_roles(store, lambda reps: parse_specs(args.reps, reps))
    except NotTheOwner:
        raise CommandError("`pg grant` runs as the store's owner, not as a rep's role") from None
    except EmptyRoster:
        raise CommandError(known_reps([])) from None
    except GrantError as exc:
        raise CommandError(str(exc)) from None
    granted, schema = grants.granted, grants.schema
    for g in granted:
        say(_line(g))
    say(
        f"row-level security on {', '.join(GUARDED)} in schema {schema}: each role records events"
        " only as its own rep, on the leads that rep may act on"
    )
    if any(g.created for g in granted):
        say(
            "new roles have no password: set one (ALTER ROLE ... PASSWORD)"
            " or let the server authenticate them"
        )
    return 0


def _line(g: Granted) -> str:
    line = f"{g.rep}: PostgreSQL role {g.role}" + (" (created)" if g.created else "")
    if g.released:
        line += f"; role {g.released} no longer reads or writes the store"
    return line
