"""Opening a store, for the commands: the CLI reaches the store only through
services (issue 20, point 1), so what it opens, the store's type and the error a
store raises are named here."""

from __future__ import annotations

from leadqueue.services.errors import StoreError
from leadqueue.store import pg_security
from leadqueue.store.engine import Store, open_store

__all__ = ["Store", "StoreError", "open_store", "writes_only_own_leads"]


def writes_only_own_leads(store: Store) -> bool:
    """A rep's own role on a PostgreSQL team store: it writes only its own leads."""
    try:
        with store.read() as conn:
            return pg_security.bound_by_policies(conn)
    except StoreError:
        return False
