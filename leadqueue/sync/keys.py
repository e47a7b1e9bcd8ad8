"""This store's Ed25519 signing key: made on its first sync, kept outside the store.

The private key lives in the user's data dir (platformdirs, or
LEADQUEUE_DATA_DIR), one file per store, readable by its owner only (0600):
never in the store file (a backup or a copy of the store must not carry it)
nor in the shared folder. The store keeps only the key's id (its file name)
and its public half, to tell a missing or replaced key file.

The crypto is the `cryptography` package's: nothing here signs or verifies by hand.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection

from leadqueue.settings import paths
from leadqueue.store.outbox import all_meta, lock_meta, write_meta
from leadqueue.sync.segments import FolderUnreachable

KEY_DIR = "sync-keys"
KEY_ID = "sync_key_id"  # meta: the file name of this store's private key
PUBLIC_KEY = "sync_public_key"  # meta: its public half, base64
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


class SigningKeyError(FolderUnreachable):
    """This store's key cannot be used: nothing is published, events stay in the outbox."""


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public: str  # base64 of the raw public key: what `sync --show-key` prints

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


@dataclass(frozen=True)
class StoreKey:
    key: SigningKey
    made: bool  # made in this transaction (the caller commits it before publishing)
    replaced: bool  # made because the store's earlier key file is gone


def key_dir() -> Path:
    return paths.data_dir() / KEY_DIR


def key_path(key_id: str) -> Path:
    return key_dir() / f"{key_id}.pem"


def public_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def decode_public(text: str) -> Ed25519PublicKey | None:
    """The public key a header or the roster gives, or None if it is not one."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != PUBLIC_KEY_BYTES:
        return None
    return Ed25519PublicKey.from_public_bytes(raw)


def verify(public: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def store_key(conn: Connection, meta: Mapping[str, str]) -> StoreKey:
    """This store's key, made (file first, then its id in `meta`) if it has none;
    `meta` is the store's meta as this transaction has read it.

    A store whose key file is gone (restored on another machine, a lost data
    dir) gets a new key: `replaced` says so, and the caller starts a new writer,
    since the other stores pinned the old key for the old one.
    """
    key = key_in(meta)
    if key is None:
        lock_meta(conn)  # then read again: another first sync of this store may have made one
        meta = all_meta(conn)
        key = key_in(meta)
    if key is not None:
        return StoreKey(key, made=False, replaced=False)
    new_id, key = _create()
    write_meta(conn, KEY_ID, new_id)
    write_meta(conn, PUBLIC_KEY, key.public)
    return StoreKey(key, made=True, replaced=KEY_ID in meta)


def current_key(conn: Connection) -> SigningKey | None:
    """This store's key if it has one and its file is here (read only)."""
    return key_in(all_meta(conn))


def key_in(meta: Mapping[str, str]) -> SigningKey | None:
    """The key the store's meta names, if its file is here."""
    return None if KEY_ID not in meta else _load(meta[KEY_ID], meta.get(PUBLIC_KEY, ""))


def _create() -> tuple[str, SigningKey]:
    """A new key pair; the private key written (0600, fsynced) before anything refers to it."""
    folder = key_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        key_id = secrets.token_hex(16)
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # O_EXCL: never over another store's key; the mode is set at creation, never widened.
        fd = os.open(
            key_path(key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600
        )
        try:
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise SigningKeyError(f"cannot write a signing key in {folder}: {exc.strerror or exc}") from exc
    return key_id, SigningKey(private, public_text(private.public_key()))


def _load(key_id: str, public: str) -> SigningKey | None:
    """The store's key from its file; None if the file is gone."""
    path = key_path(key_id)
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SigningKeyError(f"cannot read this store's signing key {path}: {exc.strerror or exc}") from exc
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"{path} is not a signing key: {exc}") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an Ed25519 key")
    key = SigningKey(private, public_text(private.public_key()))
    if public and key.public != public:
        raise SigningKeyError(f"{path} is not the key this store signs with (its public key is {public})")
    if os.name == "posix" and path.stat().st_mode & 0o077:
        path.chmod(0o600)  # readable by others (copied in by hand): the owner's alone again
    return key
