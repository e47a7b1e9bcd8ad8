"""Who signs for each writer of the shared folder, as this store sees it.

A segment's header names its writer (the folder), the rep it writes as, and
the key that signed it (sync.signing has checked that signature). A rep has
one key, whichever folder a segment of theirs is found in; a segment is taken
in only if its key is its rep's:

1. The rep must be on this store's roster.
2. A rep with a sync key on the roster (`leadqueue reps set REP --sync-key`)
   is written for by that key alone; and a roster key writes for its rep alone.
   This is also how a rep who lost their key is trusted again, deliberately.
3. Otherwise, the rep this store publishes as is written for by this store's
   own key alone: a stranger's folder claiming this store's own rep is refused,
   whatever was pinned for it before this store published.
4. Otherwise, the key first pinned for the rep (by whichever writer) is the
   rep's: another key claiming the rep, in a new folder or an old one, is
   refused, and reported every sync, until the roster says which key is theirs.
5. Only a rep never seen before is trusted on first use: its key is pinned
   for the writer (kept in `sync_pins`), and a writer keeps its rep.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from leadqueue.domain.roster import Rep
from leadqueue.store.roster import load_reps
from leadqueue.store.sync_ledger import Pin, load_pins, save_pins
from leadqueue.sync.segments import Refused
from leadqueue.sync.signing import Header

FIRST_USE = "first-use"
ROSTER = "roster"


def short(key: str) -> str:
    return key[:12] + "..."


class Trust:
    def __init__(self, conn: Connection, own_rep: str | None = None, own_key: str | None = None) -> None:
        """`own_rep` and `own_key`: the rep this store publishes as (None until its
        first segment) and its public key."""
        self.roster: dict[str, Rep] = {r.key: r for r in load_reps(conn)}
        self.pins = load_pins(conn)  # oldest first
        self.key_owner = {r.sync_key: r for r in self.roster.values() if r.sync_key}
        self.own_rep = own_rep if own_key else None
        self.own_key = own_key
        self.new: dict[str, Pin] = {}

    def rep_key(self, rep: Rep) -> tuple[str, str] | None:
        """The key rep signs with as far as this store knows, and where that is
        known from; None for a rep never seen."""
        if rep.sync_key:
            return rep.sync_key, "the roster's"
        if rep.key == self.own_rep and self.own_key:
            return self.own_key, "this store's own key: this store publishes as " + rep.key
        first = next((p for p in self.pins.values() if p.rep == rep.key), None)
        if first is not None:
            return first.public_key, f"first seen from writer {first.writer}"
        return None

    def identify(self, writer: str, header: Header) -> Rep:
        """The rep a segment of `writer` with this header is written by; Refused if
        its key may not write as that rep."""
        rep = self.roster.get(header.rep)
        if rep is None:
            raise Refused(
                f"written as rep {header.rep!r}, who is not on this store's roster"
                f" (leadqueue reps add {header.rep} --name NAME)"
            )
        owner = self.key_owner.get(header.key)
        if owner is not None and owner.key != rep.key:
            raise Refused(f"signed with rep {owner.key}'s key (the roster's) but written as rep {rep.key}")
        pin = self.pins.get(writer)
        if rep.sync_key:
            if header.key != rep.sync_key:
                raise Refused(
                    f"signed by key {short(header.key)}, not by rep {rep.key}'s (the roster's,"
                    f" {short(rep.sync_key)})"
                )
            if pin is None or (pin.public_key, pin.rep) != (header.key, rep.key):
                self._pin(Pin(writer, rep.key, header.key, ROSTER))
            return rep
        if pin is not None and pin.public_key != header.key and rep.key != self.own_rep:
            raise Refused(
                f"signed by key {short(header.key)}, not by the key pinned for writer {writer}"
                f" ({short(pin.public_key)})"
            )
        if pin is not None and pin.rep != rep.key:
            raise Refused(f"written as rep {rep.key}, but writer {writer} writes as rep {pin.rep}")
        known = self.rep_key(rep)
        if known is not None and known[0] != header.key:
            key, source = known
            raise Refused(
                f"signed by key {short(header.key)}, but rep {rep.key} signs with {short(key)} ({source});"
                f" if {short(header.key)} is {rep.key}'s new key (ask {rep.key}: leadqueue sync --show-key),"
                f" say so: leadqueue reps set {rep.key} --sync-key KEY"
            )
        if pin is None:
            self._pin(Pin(writer, rep.key, header.key, FIRST_USE))
        return rep

    def _pin(self, pin: Pin) -> None:
        self.pins[pin.writer] = pin
        self.new[pin.writer] = pin

    def save(self, conn: Connection, at: datetime) -> None:
        """Keep the pins made since loading, in the caller's transaction."""
        save_pins(conn, self.new.values(), at)
        self.new.clear()
