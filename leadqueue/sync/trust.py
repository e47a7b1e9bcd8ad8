"""Who signs for each writer of the shared folder, as this store sees it.

A segment's header names its writer (the folder), the rep it writes as, and
the key that signed it (sync.signing has checked that signature). Whether
that key may write as that rep:

1. The rep must be on this store's roster.
2. A rep with a sync key on the roster (`leadqueue reps set REP --sync-key`)
   is written for by that key alone; and a roster key writes for its rep alone.
3. Otherwise the first key seen writing as the rep is pinned (trust on first
   use, kept in `sync_pins`): a writer keeps its key and its rep, and another
   key writing as a rep already pinned is refused until the roster says
   which key is the rep's.
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
    def __init__(self, conn: Connection) -> None:
        self.roster: dict[str, Rep] = {r.key: r for r in load_reps(conn)}
        self.pins = load_pins(conn)
        self.key_owner = {r.sync_key: r for r in self.roster.values() if r.sync_key}
        self.new: dict[str, Pin] = {}

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
        if pin is not None:
            if pin.public_key != header.key:
                raise Refused(
                    f"signed by key {short(header.key)}, not by the key pinned for writer {writer}"
                    f" ({short(pin.public_key)})"
                )
            if pin.rep != rep.key:
                raise Refused(f"written as rep {rep.key}, but writer {writer} writes as rep {pin.rep}")
            return rep
        other = next((p for p in self.pins.values() if p.rep == rep.key and p.public_key != header.key), None)
        if other is not None:
            raise Refused(
                f"signed by key {short(header.key)}, but rep {rep.key} signs with {short(other.public_key)}"
                f" (writer {other.writer}); if that is {rep.key}'s new key, say so:"
                f" leadqueue reps set {rep.key} --sync-key KEY"
            )
        self._pin(Pin(writer, rep.key, header.key, FIRST_USE))
        return rep

    def _pin(self, pin: Pin) -> None:
        self.pins[pin.writer] = pin
        self.new[pin.writer] = pin

    def save(self, conn: Connection, at: datetime) -> None:
        """Keep the pins made since loading, in the caller's transaction."""
        save_pins(conn, self.new.values(), at)
        self.new.clear()
