"""The import's file-level error, apart from the reader so the command line can
name it without loading the reader."""

from __future__ import annotations


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message names the file and the problem."""
