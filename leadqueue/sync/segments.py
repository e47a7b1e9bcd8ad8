"""The shared export folder: per-writer segment files, written whole or not at all.

Layout::

    <export_dir>/leadqueue-events/<writer>/<first>-<last>.jsonl

Each store publishing into the folder is a *writer* with a directory of its
own, so no two programs ever write the same file and nothing depends on file
locks or O_APPEND (neither holds on NFS or SMB shares). A segment is written
under a temporary name, fsynced, renamed into place and the directory
fsynced: a reader sees the whole file or no file. Its first line is a signed
header (sync.signing) that counts and digests the records, so neither a
share that breaks rename atomicity nor anyone else writing in the folder can
pass off a changed or truncated file. Readers merge segments by event id.

Everyone on the team can write in the folder, so reading trusts nothing about
a file but its signature: only regular files are opened (never through a
symbolic link, never a FIFO that would block), and at most SEGMENT_MAX_BYTES
of one.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEGMENTS_DIR = "leadqueue-events"
TEMP_SUFFIX = ".tmp"
SEGMENT_EVENTS = 10_000  # events per published segment: a backlog goes out in few files
SEGMENT_MAX_BYTES = 64 * 1024 * 1024  # a reader refuses a larger file; a writer never makes one
# A live write never takes this long; an older temporary file is a crashed writer's.
STALE_TEMP_SECONDS = 24 * 3600
_IOV_MAX = 1024  # buffers per writev on Linux and the BSDs
_SEGMENT_NAME = re.compile(r"^\d{12}-\d{12}\.jsonl$")
_WRITER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
# Opened without following a final symbolic link, and without waiting for a FIFO's writer.
_READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
)
# What open(O_NOFOLLOW) says of a symbolic link: ELOOP on Linux, EMLINK on FreeBSD, EFTYPE on NetBSD.
_SYMLINK_ERRNOS = {errno.ELOOP, getattr(errno, "EMLINK", -1), getattr(errno, "EFTYPE", -1)}
_NOT_READABLE_ERRNOS = {errno.EACCES, errno.EPERM, errno.ENXIO, errno.EISDIR, errno.ENODEV}


class FolderUnreachable(OSError):
    """The shared folder cannot be used now; events stay in the outbox."""


class NotOwnFolder(FolderUnreachable):
    """This store's writer folder is something else (a file, a symbolic link):
    nothing is published through it; events stay in the outbox."""


class Refused(ValueError):
    """A file of the shared folder that is not taken in; the message says why."""


BadSegment = Refused  # the name earlier versions used


@dataclass(frozen=True)
class SegmentRef:
    writer: str
    name: str
    path: Path

    @property
    def key(self) -> str:
        return f"{self.writer}/{self.name}"


def segment_name(first: int, last: int) -> str:
    return f"{first:012d}-{last:012d}.jsonl"


def name_numbers(name: str) -> tuple[int, int]:
    """The first and last numbers a segment's name carries."""
    first, last = name.split(".")[0].split("-")
    return int(first), int(last)


def valid_writer(name: str) -> bool:
    return bool(_WRITER_NAME.match(name))


def read_file(path: Path, cap: int | None = None) -> bytes | None:
    """The bytes of a regular file of at most `cap` bytes; None if it is gone.

    Refused for a symbolic link, a FIFO, a device or anything else that is not
    a regular file, and for a file over the cap (checked before reading, and
    again while reading, for a file that grows). FolderUnreachable when the
    share fails under the read.
    """
    cap = SEGMENT_MAX_BYTES if cap is None else cap
    if not getattr(os, "O_NOFOLLOW", 0) and os.path.islink(path):  # Windows: no O_NOFOLLOW
        raise Refused("a symbolic link, not a segment file")
    try:
        fd = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in _SYMLINK_ERRNOS:
            raise Refused("a symbolic link, not a segment file") from None
        if exc.errno in _NOT_READABLE_ERRNOS:
            raise Refused(f"cannot be read ({exc.strerror})") from None
        raise FolderUnreachable(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"not a regular file ({_file_type(info.st_mode)})")
        if info.st_size > cap:
            raise Refused(f"{info.st_size:,} bytes, over the {cap:,} a segment may have")
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, min(cap + 1 - size, 1 << 24) or 1):
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                raise Refused(f"over the {cap:,} bytes a segment may have (it grew while read)")
        return b"".join(chunks)
    except OSError as exc:
        raise FolderUnreachable(f"cannot read {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def _file_type(mode: int) -> str:
    for test, what in (
        (stat.S_ISREG, "a file"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return what
    return "not a file"


class PendingSegment:
    """A segment written to a temporary file: not yet durable, not yet under its name."""

    def __init__(self, fd: int, temp: Path, final: Path) -> None:
        self.fd = fd
        self.temp = temp
        self.final = final

    def finish(self) -> Path:
        """fsync the file, rename it to its name, fsync the folder: the segment
        is there whole or not at all."""
        try:
            try:
                os.fsync(self.fd)
            finally:
                os.close(self.fd)
            os.replace(self.temp, self.final)
        except OSError as exc:
            _remove(self.temp)
            raise FolderUnreachable(f"cannot write {self.final}: {exc.strerror or exc}") from exc
        fsync_dir(self.final.parent)
        return self.final


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
            try:
                mode = self.root.stat().st_mode  # through a symbolic link: a share may be reached by one
            except FileNotFoundError:
                raise FolderUnreachable(
                    f"export folder {self.root} is not reachable (missing, or the share is not mounted)"
                ) from None
            if not stat.S_ISDIR(mode):
                raise FolderUnreachable(f"export folder {self.root} is {_file_type(mode)}, not a folder")
            with contextlib.suppress(FileExistsError):
                self.base.mkdir()
            try:
                mode = self.base.stat().st_mode
            except FileNotFoundError:
                raise FolderUnreachable(
                    f"{self.base} is a symbolic link to nothing, not the folder the team's segments are in:"
                    " nothing was sent or received"
                ) from None
            if not stat.S_ISDIR(mode):
                raise FolderUnreachable(
                    f"{self.base} is {_file_type(mode)}, not the folder the team's segments are in:"
                    " nothing was sent or received"
                )
            if not os.access(self.base, os.W_OK | os.X_OK):
                raise FolderUnreachable(f"export folder {self.base} is not writable")
        except FolderUnreachable:
            raise
        except OSError as exc:
            raise FolderUnreachable(
                f"export folder {self.root} is not reachable: {exc.strerror or exc}"
            ) from exc

    def check_own(self, writer: str) -> None:
        """NotOwnFolder unless this store's writer folder is a folder, or not there
        yet (it is made by the first write). A file or a symbolic link in its
        place is never written through: every other store refuses a linked
        folder, so what went there would never arrive."""
        folder = self.writer_dir(writer)
        try:
            mode = folder.lstat().st_mode
        except FileNotFoundError:
            return
        except OSError as exc:
            raise FolderUnreachable(f"cannot reach {folder}: {exc.strerror or exc}") from exc
        if not stat.S_ISDIR(mode):
            raise NotOwnFolder(f"{folder} is {_file_type(mode)}, not this store's writer folder")

    def writer_dir(self, writer: str) -> Path:
        return self.base / writer

    # -- writing -------------------------------------------------------------
    def write_segment(self, writer: str, name: str, header: bytes, lines: Sequence[bytes]) -> Path:
        """Write the header line and the record lines (`lines` joined, each
        ending in a newline) as one segment, whole or not at all."""
        return self.start_segment(writer, name, header, lines).finish()

    def start_segment(self, writer: str, name: str, header: bytes, lines: Sequence[bytes]) -> PendingSegment:
        """The segment's bytes in a temporary file of the writer's folder; its
        `finish` makes them durable under the segment's name."""
        folder = self.writer_dir(writer)
        final = folder / name
        temp = folder / f".{name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}"
        self.check_own(writer)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
            try:
                write_all(fd, [header, *lines])
            except OSError:
                os.close(fd)
                raise
        except OSError as exc:
            _remove(temp)
            raise FolderUnreachable(f"cannot write {final}: {exc.strerror or exc}") from exc
        return PendingSegment(fd, temp, final)

    def remove_stale_temps(self, own_writer: str) -> int:
        """Temporary files of a crashed write: all of our own (we hold our
        store's write lock, so none of ours is live), and anyone's once old."""
        removed = 0
        cutoff = time.time() - STALE_TEMP_SECONDS
        for folder in self._writer_dirs():
            for path in folder.glob(f".*{TEMP_SUFFIX}"):
                try:
                    info = path.lstat()
                    if stat.S_ISREG(info.st_mode) and (folder.name == own_writer or info.st_mtime < cutoff):
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
        return removed

    # -- reading -------------------------------------------------------------
    def _writer_entries(self) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(self.base) as it:
                return sorted((e for e in it if valid_writer(e.name)), key=lambda e: e.name)
        except FileNotFoundError:
            return []

    def _writer_dirs(self) -> Iterator[Path]:
        for entry in self._writer_entries():
            if entry.is_dir(follow_symlinks=False):
                yield Path(entry.path)

    def refused_dirs(self) -> list[str]:
        """Writer folders that are symbolic links: never read ("<path>: <reason>")."""
        return [
            f"{entry.path}: a symbolic link, not a writer folder"
            for entry in self._writer_entries()
            if entry.is_symlink()
        ]

    def segments(self, writer: str | None = None) -> list[SegmentRef]:
        """Files named like segments, by writer then name; temporary files are
        never listed. Whether each is a segment is for reading to say."""
        out = []
        dirs = [self.writer_dir(writer)] if writer else list(self._writer_dirs())
        for folder in dirs:
            if folder.is_symlink() or not folder.is_dir():
                continue
            with os.scandir(folder) as it:
                names = sorted(e.name for e in it if _SEGMENT_NAME.match(e.name))
            out.extend(SegmentRef(folder.name, name, folder / name) for name in names)
        return out

    @staticmethod
    def read_segment(ref: SegmentRef) -> list[dict[str, Any]]:
        """A segment's records as decoded JSON, once its signature holds (for
        tools and tests; a sync reads through the trust checks)."""
        from leadqueue.sync.signing import open_segment  # deferred: cryptography; the CLI imports this module

        data = read_file(ref.path)
        if data is None:
            raise Refused(f"{ref.path}: gone")
        try:
            segment = open_segment(data, ref.writer, ref.name)
        except Refused as exc:
            raise Refused(f"{ref.path}: {exc}") from None
        return [json.loads(line) for line in segment.lines]


def _remove(temp: Path) -> None:
    """A temporary file of a failed write, if it is there: its folder may not be
    a folder any more (NotADirectoryError), which is for the caller to report."""
    with contextlib.suppress(OSError):
        temp.unlink()


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
