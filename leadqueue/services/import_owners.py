"""The reps an import's rows name: each owner text resolved once against the roster
(new reps made for unknown names and emails, in the import's transaction), and
the rows that cannot be given an owner turned into row errors."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from sqlalchemy import Connection

from leadqueue.io.reader import ParsedRow, RowError
from leadqueue.services.roster import resolve_owners


class ImportOwners:
    """Owner text -> rep key, across an import's batches."""

    def __init__(self, conn: Connection, default_rep: str | None, route_all: bool, column: str) -> None:
        self.conn = conn
        self.column = column  # the file's owner column, for row errors ("" when it has none)
        self.default_rep = default_rep  # --rep: the owner of rows that name none
        self.route_all = route_all  # --route: every row is routed, whatever owner it names
        self.keys: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.not_users: dict[str, str] = {}  # owner texts that are no user of the CRM's list
        self.new_reps: list[str] = []  # "key (name)" of every rep made for an unknown owner

    def key_of(self, row: ParsedRow) -> str | None:
        """The rep the file's owner column names, or None when the row names none (--rep's
        rows included: --rep fills an owner, it does not move a lead)."""
        return self.keys[row.rep or ""] if row.owner_from_file else None

    def rep_of(self, row: ParsedRow) -> str:
        """The rep a row of a good batch goes to: its own owner, or --rep's."""
        return self.keys[row.rep or ""]

    def with_owners(
        self, rows: list[ParsedRow], stored_ids: Collection[str], routing: bool
    ) -> tuple[list[ParsedRow], list[RowError]]:
        """Rows whose owner is a rep (made a rep now if the roster did not know the name),
        rows for leads already stored (a row naming no owner keeps the lead's), and, with
        routing, those without one (routed if new); and the errors of the others. Only a
        new lead needs an owner."""
        if self.route_all:
            rows = [replace(r, rep=None, owner_from_file=False) for r in rows]
        self._resolve(rows)
        # An owner that is no user of the CRM's imported user list (a queue) is no person:
        # the row names no owner, for --rep or routing to fill.
        why_none: dict[int, str] = {}
        for i, row in enumerate(rows):
            if row.owner_from_file and row.rep in self.not_users:
                why_none[row.row] = self.not_users[row.rep]
                rows[i] = replace(row, rep=self.default_rep, owner_from_file=False)
        if why_none and self.default_rep:
            self._resolve(rows)
        good: list[ParsedRow] = []
        errors: list[RowError] = []
        for row in rows:
            if not row.rep and (routing or row.profile.crm_id in stored_ids):
                good.append(row)
            elif not row.rep:
                reason = why_none.get(row.row, "no owner for this row: pass --rep REP")
                errors.append(RowError(row.row, self.column, reason, row.raw))
            elif row.rep in self.errors:
                errors.append(RowError(row.row, self.column, self.errors[row.rep], row.raw))
            else:
                good.append(row)
        return good, errors

    def _resolve(self, rows: list[ParsedRow]) -> None:
        """Resolve the owner texts not seen yet, each against the roster and its rows' CRM."""
        unknown: dict[str | None, set[str]] = {}
        for r in rows:
            if r.rep and r.rep not in self.keys and r.rep not in self.errors:
                crm = r.profile.source_system if r.owner_from_file else None  # --rep: a rep, not a CRM user
                unknown.setdefault(crm, set()).add(r.rep)
        for crm, owners in unknown.items():
            found = resolve_owners(self.conn, owners - self.keys.keys() - self.errors.keys(), crm)
            self.keys.update(found.keys)
            self.errors.update(found.errors)
            self.not_users.update(found.not_users)
            self.new_reps += [f"{rep.key} ({rep.name})" for rep in found.created]
