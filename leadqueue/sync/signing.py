"""A segment's signed header: who wrote it, as which rep, and a digest of its lines.

A segment is one file: a header line, then its records, one per line. The
header names the writer (its folder), the rep it writes as, the file's own
name, the number of records, a digest of the records (the SHA-256 of their
SHA-256s, which the store computed as each event was recorded) and the
writer's public key, and carries an Ed25519 signature over all of those.
The signature is in the same file as what it signs, so the segment's rename
stays the one commit point of a publish; and since it covers the folder and
the name, a signed segment copied into another folder or under another name
is refused too.

    {"leadqueue_segment":2,"writer":"ana-4f1c","rep":"ana","name":"000000000001-000000000010.jsonl",
     "count":10,"records_sha256":"...","key":"<base64>","sig":"<base64>"}
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from leadqueue.sync.keys import SIGNATURE_BYTES, SigningKey, decode_public, verify
from leadqueue.sync.segments import Refused

FORMAT_VERSION = 2
_DOMAIN = b"leadqueue segment v2\n"  # signatures made for segments verify as nothing else
_SIGNED_FIELDS = ("leadqueue_segment", "writer", "rep", "name", "count", "records_sha256", "key")


@dataclass(frozen=True)
class Header:
    writer: str
    rep: str
    name: str
    count: int
    sha256: str  # of the records' SHA-256s
    key: str  # the signer's public key, base64


@dataclass(frozen=True)
class Segment:
    header: Header
    lines: list[bytes]  # the records, each without its line break; checked against the signature


def _message(fields: dict[str, Any]) -> bytes:
    # Canonical: the reader rebuilds exactly these bytes from the header it parsed.
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return _DOMAIN + canonical.encode("ascii")


def records_digest(line_digests: Iterable[bytes]) -> str:
    """The SHA-256 of the records' SHA-256s (each line's, without its newline,
    concatenated in order): each line's is computed once, when its event is
    recorded (store.outbox), so signing a segment hashes 32 bytes a record."""
    h = hashlib.sha256()
    for part in line_digests:
        h.update(part)
    return h.hexdigest()


def header_line(
    key: SigningKey, writer: str, rep: str, name: str, count: int, line_digests: Iterable[bytes]
) -> bytes:
    """The signed first line of a segment of `count` records with these line digests."""
    fields: dict[str, Any] = {
        "leadqueue_segment": FORMAT_VERSION,
        "writer": writer,
        "rep": rep,
        "name": name,
        "count": count,
        "records_sha256": records_digest(line_digests),
        "key": key.public,
    }
    fields["sig"] = base64.b64encode(key.sign(_message(fields))).decode("ascii")
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode("ascii") + b"\n"


def open_segment(data: bytes, writer: str, name: str) -> Segment:
    """The records of a segment file found as <writer>/<name>, once its signature,
    digest and count hold; Refused otherwise. Who may sign for the writer is the
    caller's question (trust)."""
    end = data.find(b"\n")
    if not data:
        raise Refused("empty, not a signed segment")
    if end < 0:
        raise Refused("no header line: not a signed segment (or cut short)")
    try:
        fields = json.loads(data[:end])
    except (ValueError, UnicodeDecodeError):
        raise Refused("line 1 is not a segment header: not a signed segment") from None
    if not isinstance(fields, dict) or "leadqueue_segment" not in fields:
        raise Refused("line 1 is not a segment header: not a signed segment")
    if fields.get("leadqueue_segment") != FORMAT_VERSION or "sig" not in fields:
        raise Refused(f"unsigned (a segment of format {fields.get('leadqueue_segment')!r}, not signed)")
    header = _header(fields)
    public = decode_public(header.key)
    signature = _b64(fields.get("sig"), SIGNATURE_BYTES)
    if public is None or signature is None:
        raise Refused("its header's key or signature is not one")
    signed = {k: fields[k] for k in _SIGNED_FIELDS}
    if set(fields) != {*_SIGNED_FIELDS, "sig"} or not verify(public, signature, _message(signed)):
        raise Refused("its header does not match its signature")
    if header.writer != writer or header.name != name:
        raise Refused(f"signed as {header.writer}/{header.name}, found as {writer}/{name}")
    lines = data[end + 1 :].split(b"\n")
    complete = lines[-1] == b""
    if complete:
        lines.pop()
    if records_digest(hashlib.sha256(line).digest() for line in lines) != header.sha256:
        raise Refused("its records do not match its signature (changed, or cut short)")
    if not complete:
        raise Refused("incomplete (no final line break)")
    if len(lines) != header.count:
        raise Refused(f"its header counts {header.count} records, the file has {len(lines)}")
    return Segment(header, lines)


def _header(fields: dict[str, Any]) -> Header:
    values = {k: fields.get(k) for k in ("writer", "rep", "name", "records_sha256", "key")}
    if not all(isinstance(v, str) and v for v in values.values()):
        raise Refused("its header lacks the writer, rep, name, digest or key")
    count = fields.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise Refused("its header's record count is not a number")
    return Header(
        writer=values["writer"],
        rep=values["rep"],
        name=values["name"],
        count=count,
        sha256=values["records_sha256"],
        key=values["key"],
    )


def _b64(value: Any, size: int) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == size else None
