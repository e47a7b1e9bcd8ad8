"""Lines of a text file exported by someone else's tool, decoded as they come.

Files are read a line at a time, so a file of any size costs the memory of
one line. The encoding is found from the bytes: a byte-order mark (UTF-8 or
UTF-16), UTF-16 without one (every other byte of ASCII text is zero), else
UTF-8 line by line. A line that is not valid UTF-8 is read as Windows-1252,
the encoding Excel saves in on Western Windows; such lines are counted, so a
file that is mostly one and partly the other imports with a warning instead
of being refused or garbled as a whole.

Lines end in a newline, except in a file whose lines end in a lone carriage
return: Excel for Mac's "Comma Separated Values" (and "CSV (Macintosh)"),
written in Mac Roman, which is then the encoding a line that is not UTF-8
is read in.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from leadqueue.io.csv_text import FIELD_LIMIT  # no line end in that many bytes is no CSV
from leadqueue.io.errors import ImportFileError

_SNIFF = 4096
_CHUNK = 1 << 16
FALLBACK = "cp1252"
MAC_FALLBACK = "mac_roman"  # what Excel for Mac saves CSV files in, with carriage returns
FALLBACK_NAMES = {FALLBACK: "Windows-1252", MAC_FALLBACK: "Mac Roman"}


class DecodedLines:
    """Iterate to get the decoded lines, each with its line ending."""

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        self.asked = encoding
        self._fh = _open(path)
        try:
            self._check(encoding)
        except BaseException:
            self._fh.close()
            raise
        self.lines_read = 0
        self.fallback_lines = 0  # lines of UTF-8 files decoded as Windows-1252 (or Mac Roman)
        self.utf8_lines = 0  # lines with non-ASCII text that decoded as UTF-8
        self._consumed = 0  # bytes read so far, for progress

    def _check(self, encoding: str | None) -> None:
        """Size the file, find its encoding and line ending, refuse what is no text file."""
        path = self.path
        try:
            self.size = self._fh.seek(0, io.SEEK_END)
            self._fh.seek(0)
            head = self._fh.read(_SNIFF)
            self._fh.seek(0)
        except OSError as exc:
            raise ImportFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
        workbook = _workbook(head)
        if workbook:
            raise ImportFileError(
                f"{path} is {workbook}, not a CSV file: save it as CSV (Excel: File > Save As >"
                " CSV UTF-8), or export it as CSV from the CRM (a Salesforce report: Export >"
                " Details Only > Comma Delimited .csv; HubSpot: the export's file format, CSV)"
            )
        self.encoding = encoding or _sniff(head)
        self.line_end = _line_end(self._fh)
        self.fallback = MAC_FALLBACK if self.line_end == b"\r" else FALLBACK
        if encoding:
            try:
                "a".encode(encoding).decode(encoding)  # also refuses codecs that are not text (hex, rot13)
            except LookupError:
                raise ImportFileError(f"{path}: unknown encoding {encoding!r}") from None
            found = _sniff(head)
            if found.startswith("utf-16") and _splits_on_newline_bytes(encoding):
                # read as one byte a character, the NULs would end up in the cells (or the
                # CSV reader would trip on them): say what the file is instead
                raise ImportFileError(
                    f"{path}: the file looks like UTF-16 (NUL bytes between the letters), not"
                    f" {encoding}: pass --encoding {found} or leave --encoding out"
                )

    @property
    def bytes_read(self) -> int:
        return self._consumed

    @property
    def label(self) -> str:
        """The encoding as the import summary says it."""
        if not self.fallback_lines:
            return self.encoding
        fallback = self.fallback
        if self.fallback_lines > self.utf8_lines:
            return fallback if not self.utf8_lines else f"{fallback} ({self.utf8_lines} lines UTF-8)"
        return f"utf-8 ({self.fallback_lines} lines {fallback})"

    @property
    def fallback_name(self) -> str:
        """The encoding lines that are not UTF-8 are read in, as people call it."""
        return FALLBACK_NAMES[self.fallback]

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> DecodedLines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[str]:
        if self.asked is None and self.encoding in ("utf-8", "utf-8-sig"):
            return self._byte_lines("utf-8", self.fallback)
        if _splits_on_newline_bytes(self.encoding):
            return self._byte_lines(self.encoding, None)
        return self._text_lines()

    def _byte_lines(self, primary: str, fallback: str | None) -> Iterator[str]:
        """Line by line from the bytes: the newline byte means the same in every
        ASCII-compatible encoding, so each line can be decoded on its own."""
        first = True
        for raw in _split_lines(self._fh, self.line_end):
            self._consumed += len(raw)
            self.lines_read += 1
            if first:
                raw = raw.removeprefix(codecs.BOM_UTF8)
                first = False
            try:
                line = raw.decode(primary)
                if not raw.isascii():
                    self.utf8_lines += 1
            except UnicodeDecodeError as exc:
                if fallback is None:
                    raise self._undecodable(raw[exc.start], self.lines_read, primary) from None
                try:
                    line = raw.decode(fallback)
                except UnicodeDecodeError as again:
                    tried = f"UTF-8 or {self.fallback_name} ({fallback})"
                    raise self._undecodable(raw[again.start], self.lines_read, tried) from None
                self.fallback_lines += 1
            yield line

    def _undecodable(self, byte: int, line: int, name: str) -> ImportFileError:
        return ImportFileError(
            f"{self.path}: not valid {name}: byte 0x{byte:02x} near line {line}"
            " cannot be decoded" + ("" if self.asked else "; pass --encoding")
        )

    def _text_lines(self) -> Iterator[str]:
        fh = self._fh
        text = io.TextIOWrapper(fh, encoding=self.encoding, newline="")
        first = True
        try:
            for line in text:
                self.lines_read += 1
                if first:
                    line = line.removeprefix("\ufeff")
                    first = False
                self._consumed = min(self.size, fh.tell()) if not fh.closed else self.size
                yield line
        except UnicodeDecodeError as exc:
            byte = exc.object[exc.start] if exc.start < len(exc.object) else 0
            raise self._undecodable(byte, self.lines_read + 1, self.encoding) from None
        finally:
            if not fh.closed:  # leave the file to close() (or to the caller's with)
                text.detach()


def _line_end(fh: BinaryIO) -> bytes:
    """What ends the file's lines: a lone carriage return (Excel for Mac) when the
    file's first 64 KiB (more, while no line has ended yet: a wide header) hold more
    of them than newlines. In such a file a line break inside a cell is a newline;
    a carriage return inside a cell of a file of newlines is one among many."""
    sample = b""
    while len(sample) < FIELD_LIMIT:
        chunk = fh.read(_CHUNK)
        sample += chunk
        if not chunk or b"\r" in sample or b"\n" in sample:
            break
    fh.seek(0)
    both = sample.count(b"\r\n")
    return b"\r" if sample.count(b"\r") - both > sample.count(b"\n") - both else b"\n"


def _split_lines(fh: BinaryIO, end: bytes) -> Iterator[bytes]:
    """The file's lines, each with its ending."""
    if end == b"\n":
        yield from fh
        return
    rest = b""
    while chunk := fh.read(_CHUNK):
        *lines, rest = (rest + chunk).split(end)
        for line in lines:
            yield line + end
    if rest:
        yield rest


def _open(path: Path) -> BinaryIO:
    try:
        if path.is_dir():
            raise ImportFileError(f"{path} is a directory, not a file to import")
        if not path.is_file() and path.exists():
            # a FIFO or a device would block or never end
            raise ImportFileError(f"{path} is not a regular file")
        return path.open("rb")
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except PermissionError:
        raise ImportFileError(f"{path}: cannot read the file: permission denied") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from None


# What a spreadsheet application saves instead of text, by the first bytes of the file.
_WORKBOOKS = (
    (b"PK\x03\x04", "a zipped workbook (Excel .xlsx, or OpenDocument .ods)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"),
)


def _workbook(head: bytes) -> str | None:
    return next((what for magic, what in _WORKBOOKS if head.startswith(magic)), None)


def _sniff(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"  # the mark is dropped from the first line
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[: len(head) - len(head) % 2]
    if len(sample) >= 4:
        # UTF-16 without a mark: ASCII text leaves every other byte zero
        even_zero = sample[0::2].count(0) / (len(sample) // 2)
        odd_zero = sample[1::2].count(0) / (len(sample) // 2)
        if odd_zero > 0.3 and even_zero < 0.05:
            return "utf-16-le"
        if even_zero > 0.3 and odd_zero < 0.05:
            return "utf-16-be"
    return "utf-8"


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """A small file (a roster, a mapping) decoded whole, and the encoding that decoded it."""
    with DecodedLines(path, encoding) as lines:
        text = "".join(lines)
        return text, lines.label


def _splits_on_newline_bytes(encoding: str) -> bool:
    try:
        return "a\n".encode(encoding) == b"a\n" and codecs.lookup(encoding).name not in ("utf-7",)
    except (LookupError, UnicodeError):
        return False
