"""The team roster: list, add, change and import reps (from a roster file or a
CRM's user list), and the reps a lead file's owners mean. Each change is one
write transaction: validated whole, checked against the other reps, written,
and the clocks of a rep whose zone moved recomputed, or nothing at all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from leadqueue.domain.crm_users import plan_user_import
from leadqueue.domain.owners import OwnerResolution, crm_of, resolve, user_lists
from leadqueue.domain.roster import (
    InvalidRep,
    Rep,
    RosterError,
    clashes,
    fold,
    new_rep,
    pick,
    revise,
)
from leadqueue.io.crm_users import UserList
from leadqueue.io.roster_file import read_roster
from leadqueue.services.context import Services
from leadqueue.services.decisions import UnknownRep
from leadqueue.services.maintenance import reproject
from leadqueue.store import roster as store

_BATCH = 2000

__all__ = [
    "OwnerResolution",
    "RepChange",
    "RosterImport",
    "RosterRejected",
    "RosterService",
    "RowProblem",
    "resolve_owners",
]


def resolve_owners(conn: Connection, owners: Iterable[str], crm: str | None = None) -> OwnerResolution:
    """The rep key of every distinct owner text of a lead file, inside the caller's write
    transaction: unknown names and emails become new reps, written on `conn` (the caller
    commits them with its leads, or rolls them back with them). A CRM user id not on the
    roster, an inactive CRM user, or an owner naming two reps, is in `errors`, and no
    rep is made for it.

    `crm` is the rows' CRM (their source system, `salesforce`): when the store has that
    CRM's user list, a name on neither the roster nor the list is no person (a queue)
    and is in `not_users` (and `errors`), not made a rep.

    Pass the distinct owner texts, not one per row: this loads the roster once and
    matches each text against it."""
    store.lock_roster(conn)
    reps, inactive = store.load_reps(conn), store.load_inactive_users(conn)
    name = crm_of(crm)
    user_list = user_lists(reps, inactive, store.load_user_lists(conn)).get(name) if name else None
    resolution = resolve(reps, owners, inactive, user_list)
    for rep in resolution.created:
        store.insert_rep(conn, rep)
    return resolution


@dataclass(frozen=True)
class RowProblem:
    where: str  # "row 3" or "line 3"
    column: str  # "" for the record as a whole
    reason: str

    def __str__(self) -> str:
        column = f", column {self.column!r}" if self.column else ""
        return f"{self.where}{column}: {self.reason}"


class RosterRejected(RosterError):
    """An import with bad rows: every one is listed, and nothing was written."""

    def __init__(self, path: Path, problems: Sequence[RowProblem]) -> None:
        records = len({p.where for p in problems})
        noun = problems[0].where.split()[0] if problems else "row"  # "row" (CSV) or "line" (JSON lines)
        super().__init__(f"{path}: {records} bad {noun}(s); nothing was written")
        self.path = path
        self.problems = tuple(problems)


@dataclass(frozen=True)
class RepChange:
    before: Rep | None  # None: a new rep
    after: Rep
    leads_recomputed: int


@dataclass
class RosterImport:
    path: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    leads_recomputed: int = 0
    format: str = ""  # "" for a roster file, else what was read: "Salesforce user export (API names)"
    inactive: int = 0  # users of a CRM user list skipped as inactive

    def line(self) -> str:
        added, updated = len(self.added), len(self.updated)
        read = f" {self.format}:" if self.format else ""
        text = f"{self.path}:{read} {added} added, {updated} updated, {self.unchanged} unchanged"
        if self.inactive:
            text += f"; {self.inactive} inactive user(s) skipped"
        if self.leads_recomputed:
            text += f"; clocks of {self.leads_recomputed} lead(s) recomputed for a new zone"
        return text


class RosterService:
    def __init__(self, services: Services) -> None:
        self.s = services

    def list(self) -> list[Rep]:
        with self.s.store.read() as conn:
            return store.load_reps(conn)

    def add(self, values: Mapping[str, Any]) -> Rep:
        rep = new_rep(values)
        with self.s.store.write() as conn:
            store.lock_roster(conn)
            current = store.load_reps(conn)
            if any(r.key == rep.key for r in current):
                raise RosterError(f"key: a rep with key {rep.key!r} already exists; change it with `set`")
            problems = clashes(rep, current)
            if problems:
                raise InvalidRep(problems)
            store.insert_rep(conn, rep)
        return rep

    def set(self, who: str, changes: Mapping[str, Any]) -> RepChange:
        """Change a rep named by key, email, name or alias; a new zone recomputes their clocks."""
        if not changes:
            raise RosterError("nothing to change: give a name, email, zone, role, CRM ids or aliases")
        with self.s.store.write() as conn:
            store.lock_roster(conn)
            current = store.load_reps(conn)
            before = pick(current, who)
            if before is None:
                raise UnknownRep(
                    f"unknown rep {who!r}: the store has no rep by that key, email, name or alias"
                )
            after = revise(before, changes)
            problems = clashes(after, current)
            if problems:
                raise InvalidRep(problems)
            if after != before:
                store.update_rep(conn, after)
            recomputed = self._recompute_moved(conn, [(before, after)])
        return RepChange(before, after, recomputed)

    def import_file(self, path: Path, encoding: str | None = None) -> RosterImport:
        """Add the file's new keys and update the known ones (only in the columns
        the file has); a key twice in the file, or any bad row, writes nothing."""
        roster = read_roster(path, encoding)
        if isinstance(roster, UserList):
            return self._import_users(roster)
        problems = [RowProblem(p.where, p.column, p.reason) for p in roster.problems]
        summary = RosterImport(roster.path)
        with self.s.store.write() as conn:
            store.lock_roster(conn)
            current = {r.key: r for r in store.load_reps(conn)}
            planned: dict[str, tuple[str, Rep | None, Rep]] = {}  # key -> (where, before, after)
            seen: dict[str, str] = {}
            for record in roster.records:
                raw_key = record.cells.get("key")
                key = raw_key.strip() if isinstance(raw_key, str) else raw_key
                if isinstance(key, str) and fold(key) in seen:
                    reason = f"key {key!r} is already on {seen[fold(key)]} of this file"
                    problems.append(RowProblem(record.where, "key", reason))
                    continue
                if isinstance(key, str) and key:
                    seen[fold(key)] = record.where
                before = current.get(key) if isinstance(key, str) else None
                try:
                    after = revise(before, record.cells) if before else new_rep(record.cells)
                except InvalidRep as exc:
                    problems += [RowProblem(record.where, p.field, p.reason) for p in exc.problems]
                    continue
                planned[after.key] = (record.where, before, after)
            final = {**current, **{key: after for key, (_, _, after) in planned.items()}}
            for where, before, after in planned.values():
                if after != before:
                    problems += [RowProblem(where, p.field, p.reason) for p in clashes(after, final.values())]
            if problems:
                raise RosterRejected(roster.path, sorted(problems, key=_file_order))
            for _, before, after in planned.values():
                if before is None:
                    store.insert_rep(conn, after)
                    summary.added.append(after.key)
                elif after != before:
                    store.update_rep(conn, after)
                    summary.updated.append(after.key)
                else:
                    summary.unchanged += 1
            moves = [(before, after) for _, before, after in planned.values() if before is not None]
            summary.leads_recomputed = self._recompute_moved(conn, moves)
        return summary

    def _import_users(self, users: UserList) -> RosterImport:
        """A CRM's user list: each active user updates its rep or becomes one (see
        `domain.crm_users`); any bad row writes nothing."""
        problems = [RowProblem(p.where, p.column, p.reason) for p in users.problems]
        summary = RosterImport(users.path, format=users.label)
        with self.s.store.write() as conn:
            store.lock_roster(conn)
            today = self.s.clock.now().astimezone(self.s.policy.zone).date().isoformat()
            plan = plan_user_import(store.load_reps(conn), users.users, today)
            problems += [RowProblem(where, users.column(p.field), p.reason) for where, p in plan.problems]
            if problems:
                raise RosterRejected(users.path, sorted(problems, key=_file_order))
            summary.inactive = plan.inactive_users
            store.record_user_list(conn, users.crm, today)
            store.record_inactive_users(conn, plan.inactive, plan.active)
            for change in plan.changes:
                if change.before is None:
                    store.insert_rep(conn, change.after)
                    summary.added.append(change.after.key)
                elif change.after != change.before:
                    store.update_rep(conn, change.after)
                    summary.updated.append(change.after.key)
                else:
                    summary.unchanged += 1
            moves = [(c.before, c.after) for c in plan.changes if c.before is not None]
            summary.leads_recomputed = self._recompute_moved(conn, moves)
        return summary

    def _recompute_moved(self, conn: Connection, changes: Sequence[tuple[Rep, Rep]]) -> int:
        """Record each zone move and refold every lead with a clock run on the
        calendar of that rep. Closed runs keep their outcome (they ran before the
        move); open ones continue on the new zone's calendar from the move on."""
        team = self.s.policy.time_zone
        moved = [
            (before, after) for before, after in changes if (before.zone or team) != (after.zone or team)
        ]
        now = self.s.clock.now()
        for before, after in moved:
            # the zone applies from now on: time already spent stays where it was spent
            store.record_zone_change(conn, after.key, now, before.zone)
        lead_ids = store.leads_with_runs_of(conn, [after.key for _, after in moved])
        for start in range(0, len(lead_ids), _BATCH):
            reproject(self.s, conn, lead_ids[start : start + _BATCH])
        return len(lead_ids)


def _file_order(problem: RowProblem) -> int:
    number = problem.where.rsplit(" ", 1)[-1]
    return int(number) if number.isdigit() else 0
