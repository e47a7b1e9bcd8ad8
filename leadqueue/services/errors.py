"""The errors a screen or a command catches from services. A store that cannot be
reached or used raises StoreError: the store's own class, named here so the TUI
and the CLI need not import the store to catch it."""

from __future__ import annotations

from leadqueue.store.engine import StoreError

__all__ = ["StoreError"]
