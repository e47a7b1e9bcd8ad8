"""The command line's own error, below every command module so that each can
raise it without importing the others."""

from __future__ import annotations


class CommandError(Exception):
    """Arguments a command cannot use; the message says why, in one line."""
