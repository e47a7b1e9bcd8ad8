"""Who acts: the roster rep a command or the app records as the actor.

On SQLite it is the rep `--as` (or the config's `rep`) names. On a PostgreSQL
team store a connection made as a rep's own role (reps.pg_role) acts as that
rep, whatever `--as` says: the database user is who acts, and the store's
policies hold it to that (store.pg_security). A connection as a role no rep
has is the store's owner (an administrator, not bound by the policies) and
acts as `--as`; one that is bound by them may do nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from leadqueue.domain.authority import NotAllowed
from leadqueue.domain.roster import Rep, pick
from leadqueue.services.context import Services
from leadqueue.store import pg_security
from leadqueue.store.roster import find_rep, load_reps

NO_REP = "no rep given: pass --as REP or set rep in the config file"
_NAMED = 5  # reps a refusal names before "and N more"


class UnknownRep(LookupError):
    """A rep that is not on the roster (or none given); the message says which reps are."""


def known_reps(reps: Sequence[Rep]) -> str:
    """The first few keys of the roster, for a message."""
    if not reps:
        return "the roster is empty: add reps with `leadqueue reps add`"
    keys = sorted(r.key for r in reps)
    more = f" and {len(keys) - _NAMED} more" if len(keys) > _NAMED else ""
    return f"known reps: {', '.join(keys[:_NAMED])}{more}; see `leadqueue reps`"


def unknown(text: str, reps: Sequence[Rep]) -> UnknownRep:
    return UnknownRep(f"unknown rep {text!r}: not on the roster ({known_reps(reps)})")


def _claimed_rep(conn: Connection, claimed: str) -> Rep:
    """The rep a key (the fast, usual case) or a name, email or alias names."""
    rep = find_rep(conn, claimed)
    if rep is not None:
        return rep
    reps = load_reps(conn)
    rep = pick(reps, claimed)
    if rep is None:
        raise unknown(claimed, reps)
    return rep


def acting_rep(conn: Connection, claimed: str | None, required: bool = True) -> Rep | None:
    """The rep who acts on this connection: see the module docstring. Raises
    UnknownRep for a claimed rep not on the roster (or none, when required) and
    NotAllowed when a PostgreSQL role claims to be another rep."""
    claimed = (claimed or "").strip()
    who = pg_security.connected(conn)
    if who is not None and who.rep is not None:
        rep = find_rep(conn, who.rep)
        assert rep is not None
        if claimed and _claimed_rep(conn, claimed).key != rep.key:
            raise NotAllowed(
                f"connected as PostgreSQL role {who.role!r}, which is rep {rep.key}: "
                f"cannot act as {claimed!r} (the database user is who acts)"
            )
        return rep
    if who is not None and who.bound:
        raise NotAllowed(
            f"PostgreSQL role {who.role!r} is no rep's role on this store: "
            "the store's owner gives it to a rep with `leadqueue pg grant REP=ROLE`"
        )
    if not claimed:
        if required:
            raise UnknownRep(NO_REP)
        return None
    return _claimed_rep(conn, claimed)


def acting_rep_of(services: Services, claimed: str | None, required: bool = True) -> Rep | None:
    """The rep who acts (acting_rep), read in a transaction of its own."""
    with services.store.read() as conn:
        return acting_rep(conn, claimed, required)


def acting_key(services: Services, claimed: str | None, required: bool = True) -> str | None:
    """The key of the rep who acts: what a command or the app checks before it starts."""
    rep = acting_rep_of(services, claimed, required)
    return rep.key if rep is not None else None
