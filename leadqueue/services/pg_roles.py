"""Giving reps PostgreSQL roles of their own on a team store (`leadqueue pg grant`),
with the row-level security that holds each role to what its rep may do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from leadqueue.domain.roster import Rep
from leadqueue.store import pg_security
from leadqueue.store.engine import Store
from leadqueue.store.pg_policies import GUARDED
from leadqueue.store.pg_security import Granted, GrantError
from leadqueue.store.roster import load_reps, lock_roster

__all__ = ["GUARDED", "EmptyRoster", "GrantError", "Granted", "Grants", "NotTheOwner", "grant_roles"]

# Which (rep, role) pairs to grant, chosen from the roster as it stands in the
# granting transaction; it may raise to grant nothing.
Choose = Callable[[list[Rep]], list[tuple[Rep, str]]]


class NotTheOwner(Exception):
    """The connection is a rep's role, which may not grant roles."""


class EmptyRoster(Exception):
    """There is no rep to give a role to."""


@dataclass(frozen=True)
class Grants:
    granted: list[Granted]
    schema: str  # the PostgreSQL schema the store's tables are in


def grant_roles(store: Store, choose: Choose) -> Grants:
    """One transaction, with the roster locked: all or nothing."""
    with store.write() as conn:
        if pg_security.bound_by_policies(conn):
            raise NotTheOwner()
        lock_roster(conn)
        reps = load_reps(conn)
        if not reps:
            raise EmptyRoster()
        granted = pg_security.grant(conn, choose(reps), reps)
        return Grants(granted=granted, schema=pg_security.store_schema(conn))
