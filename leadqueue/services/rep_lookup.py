"""Finding a rep by what a person types, for a command's --rep."""

from __future__ import annotations

from leadqueue.services.context import Services
from leadqueue.store import repository as repo


def rep_key_named(services: Services, text: str) -> str | None:
    """The key of the rep a text names by key, email, name or alias (case and
    surrounding spaces aside); None for nobody. A text naming several reps
    raises AmbiguousRep rather than acting as one of them."""
    with services.store.read() as conn:
        return repo.resolve_rep(conn, text)
