"""The export's error, apart from the exporter so the command line can name it
without loading the exporter."""

from __future__ import annotations


class ExportError(Exception):
    """The export cannot be written; nothing was."""
