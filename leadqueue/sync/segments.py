"""The shared export folder: per-writer segment files, written whole or not at all.

Layout::

    <export_dir>/leadqueue-events/<writer>/<first>-<last>.jsonl

Each store publishing into the folder is a *writer* with a directory of its
own, so no two programs ever write the same file and nothing depends on file
locks or O_APPEND (neither holds on NFS or SMB shares). A segment is written
under a temporary name, fsynced, renamed into place and the directory
fsynced: a reader sees the whole file or no file. Its first line is a header
that counts the records, so even a share that breaks rename atomicity cannot
pass off a truncated file as complete. Readers merge segments by event id.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadqueue.sync.records import encode

SEGMENTS_DIR = "leadqueue-events"
FORMAT_VERSION = 1
TEMP_SUFFIX = ".tmp"
SEGMENT_EVENTS = 10_000  # events per published segment: a backlog goes out in few files
# A live write never takes this long; an older temporary file is a crashed writer's.
STALE_TEMP_SECONDS = 24 * 3600
_IOV_MAX = 1024  # buffers per writev on Linux and the BSDs
_SEGMENT_NAME = re.compile(r"^\d{12}-\d{12}\.jsonl$")
_WRITER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")


class FolderUnreachable(OSError):
    """The shared folder cannot be used now; events stay in the outbox."""


class BadSegment(ValueError):
    """A file in the folder that is not a complete segment; names the file and the line."""


@dataclass(frozen=True)
class SegmentRef:
    writer: str
    name: str
    path: Path

    @property
    def key(self) -> str:
        return f"{self.writer}/{self.name}"


def segment_name(first_seq: int, last_seq: int) -> str:
    return f"{first_seq:012d}-{last_seq:012d}.jsonl"


def last_seq(name: str) -> int:
    """The last local seq a segment of ours holds, from its name."""
    return int(name.split("-")[1].split(".")[0])


def valid_writer(name: str) -> bool:
    return bool(_WRITER_NAME.match(name))


class SharedFolder:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser()
        self.base = self.root / SEGMENTS_DIR

    def check(self) -> None:
        """Raise FolderUnreachable unless the folder is there and writable.

        The root itself is never created: when a share is not mounted, making
        the directory would quietly publish to the local disk instead.
        """
        try:
            if not self.root.is_dir():
                raise FolderUnreachable(
                    f"export folder {self.root} is not reachable (missing, or the share is not mounted)"
                )
            self.base.mkdir(exist_ok=True)
            if not os.access(self.base, os.W_OK | os.X_OK):
                raise FolderUnreachable(f"export folder {self.base} is not writable")
        except FolderUnreachable:
            raise
        except OSError as exc:
            raise FolderUnreachable(
                f"export folder {self.root} is not reachable: {exc.strerror or exc}"
            ) from exc

    def writer_dir(self, writer: str) -> Path:
        return self.base / writer

    # -- writing -------------------------------------------------------------
    def write_segment(self, writer: str, name: str, count: int, lines: Sequence[bytes]) -> Path:
        """Write `count` encoded record lines (`lines` joined, each ending in a
        newline) as one segment, whole or not at all."""
        folder = self.writer_dir(writer)
        folder.mkdir(parents=True, exist_ok=True)
        header = encode({"leadqueue_segment": FORMAT_VERSION, "writer": writer, "count": count})
        final = folder / name
        temp = folder / f".{name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}"
        try:
            with open(temp, "wb", buffering=0) as fh:
                write_all(fh.fileno(), [header.encode("utf-8") + b"\n", *lines])
                os.fsync(fh.fileno())
            os.replace(temp, final)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise FolderUnreachable(f"cannot write {final}: {exc.strerror or exc}") from exc
        fsync_dir(folder)
        return final

    def remove_stale_temps(self, own_writer: str) -> int:
        """Temporary files of a crashed write: all of our own (we hold our
        store's write lock, so none of ours is live), and anyone's once old."""
        removed = 0
        cutoff = time.time() - STALE_TEMP_SECONDS
        for folder in self._writer_dirs():
            for path in folder.glob(f".*{TEMP_SUFFIX}"):
                try:
                    if folder.name == own_writer or path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
        return removed

    # -- reading -------------------------------------------------------------
    def _writer_dirs(self) -> Iterator[Path]:
        try:
            entries = sorted(self.base.iterdir())
        except FileNotFoundError:
            return
        for entry in entries:
            if entry.is_dir() and valid_writer(entry.name):
                yield entry

    def segments(self, writer: str | None = None) -> list[SegmentRef]:
        """Complete segment files, by writer then name; temporary files are never listed."""
        out = []
        dirs = [self.writer_dir(writer)] if writer else list(self._writer_dirs())
        for folder in dirs:
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if _SEGMENT_NAME.match(path.name):
                    out.append(SegmentRef(folder.name, path.name, path))
        return out

    @staticmethod
    def read_segment(ref: SegmentRef) -> list[dict[str, Any]]:
        try:
            text = ref.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise BadSegment(f"{ref.path}: not UTF-8 text ({exc.reason})") from exc
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        else:
            raise BadSegment(f"{ref.path}: incomplete (no final line break)")
        if not lines:
            raise BadSegment(f"{ref.path}: empty")
        try:
            header = json.loads(lines[0])
        except json.JSONDecodeError as exc:
            raise BadSegment(f"{ref.path}: line 1: header is not JSON ({exc.msg})") from exc
        if not isinstance(header, dict) or header.get("leadqueue_segment") != FORMAT_VERSION:
            raise BadSegment(f"{ref.path}: line 1: not a leadqueue segment (version {FORMAT_VERSION})")
        if header.get("count") != len(lines) - 1:
            raise BadSegment(
                f"{ref.path}: header counts {header.get('count')} records, the file has {len(lines) - 1}"
            )
        records = []
        for n, line in enumerate(lines[1:], start=2):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise BadSegment(f"{ref.path}: line {n}: not JSON ({exc.msg})") from exc
        return records


def write_all(fd: int, parts: Sequence[bytes]) -> None:
    """Write every byte of `parts` in order, in as few system calls as the kernel takes.

    One writev per IOV_MAX parts: joining 2 MB first cost more than the
    write itself (a fresh buffer's page faults), and a write per part a
    system call each.
    """
    if not hasattr(os, "writev"):  # Windows
        os.write(fd, b"".join(parts))
        return
    pending = [memoryview(p) for p in parts if p]
    i = 0
    while i < len(pending):
        written = os.writev(fd, pending[i : i + _IOV_MAX])
        while written:  # a short write leaves the rest of a part, or later parts
            if written >= len(pending[i]):
                written -= len(pending[i])
                i += 1
            else:
                pending[i] = pending[i][written:]
                written = 0


def fsync_dir(folder: Path) -> None:
    """Make a rename durable. Windows cannot open a directory; its rename is already durable."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some network filesystems refuse fsync on a directory
    finally:
        os.close(fd)
