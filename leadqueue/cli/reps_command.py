"""`leadqueue reps`: list, add, change and import the team's reps."""

from __future__ import annotations

import argparse
from typing import Any

from leadqueue.cli.common import Context
from leadqueue.cli.output import emit_csv, emit_json, say
from leadqueue.cli.render import table
from leadqueue.domain.roster import FIELDS, LIST_FIELDS, ROUTING_FIELDS, SEPARATOR, Rep
from leadqueue.domain.when import parse_when
from leadqueue.io.roster_file import COLUMNS
from leadqueue.services.roster import RosterRejected, RosterService

_SHOWN_PROBLEMS = 50
_KEY_SHOWN = 12  # characters of a sync key the table shows: enough to tell two apart


def run_reps(ctx: Context, args: argparse.Namespace) -> int:
    service = RosterService(ctx.services)
    action = args.reps_cmd or "list"
    if action == "list":
        _print_roster(service.list(), getattr(args, "format", "table"), ctx.services.policy.time_zone)
    elif action == "add":
        rep = service.add({"key": args.key, "name": args.name or ""} | _options(args, ctx))
        say(f"added rep {rep.key}: {_describe(rep, ctx.services.policy.time_zone)}")
    elif action == "set":
        change = service.set(args.key, _options(args, ctx))
        say(_changed(change.before, change.after, ctx.services.policy.time_zone, change.leads_recomputed))
    else:
        try:
            summary = service.import_file(args.file, args.encoding)
        except RosterRejected as exc:
            for problem in exc.problems[:_SHOWN_PROBLEMS]:
                say(f"{exc.path}: {problem}", err=True)
            if len(exc.problems) > _SHOWN_PROBLEMS:
                say(f"... and {len(exc.problems) - _SHOWN_PROBLEMS} more", err=True)
            raise
        say(summary.line())
    return 0


def _options(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    """The fields given on the command line; one left out keeps its value (set) or default (add)."""
    values: dict[str, Any] = {}
    for name in ("name", "email", "zone", "role", "sync_key", *ROUTING_FIELDS):
        if getattr(args, name, None) is not None:
            values[name] = getattr(args, name)
    if values.get("away_until", "").strip():
        # WHEN in the rep's own zone ("mon 09:00" is their Monday morning), else the team's.
        with ctx.services.store.read() as conn:
            zone = ctx.services.zone_of(conn, args.key)
        values["away_until"] = parse_when(values["away_until"], ctx.services.clock.now(), zone)
    for name in LIST_FIELDS:
        given = getattr(args, name)
        if given is not None:
            # `--alias 'A;B'` means the same as in a file: two aliases.
            values[name] = SEPARATOR.join(given)
    return values


def _cells(rep: Rep, team_zone: str) -> dict[str, Any]:
    return {
        **rep.record(),
        "zone": rep.zone or f"{team_zone} (team)",
        **{f: SEPARATOR.join(getattr(rep, f)) for f in LIST_FIELDS},
    }


def _short_key(key: str | None) -> str:
    """A sync key as the table shows it: its start, or "-" for none (json and csv give it whole)."""
    if not key:
        return "-"
    return key if len(key) <= _KEY_SHOWN else key[:_KEY_SHOWN] + "…"


def _routing_cells(rep: Rep) -> dict[str, Any]:
    """The routing fields the rep has (none: nothing, so a roster without routing reads as before)."""
    cells = {f: getattr(rep, f) for f in ROUTING_FIELDS if getattr(rep, f) is not None}
    if rep.away_until is not None:
        cells["away_until"] = rep.away_until.isoformat().replace("+00:00", "Z")
    return cells


def _print_roster(reps: list[Rep], fmt: str, team_zone: str) -> None:
    routing = [f for f in ROUTING_FIELDS if any(getattr(r, f) is not None for r in reps)]
    if fmt == "json":
        emit_json([r.record() | {"sync_key": r.sync_key} | _routing_cells(r) for r in reps])
    elif fmt == "csv":
        # The columns `reps import` reads; a blank zone is the team's, a blank sync key none.
        rows = ({**_cells(r, team_zone), "zone": r.zone or "", "sync_key": r.sync_key or ""} for r in reps)
        emit_csv(rows, list(COLUMNS))
    elif reps:
        rows = [_cells(r, team_zone) | {"sync_key": _short_key(r.sync_key)} | _routing_cells(r) for r in reps]
        say(table(rows, [*FIELDS, "sync_key", *routing]))
    else:
        say("(no reps yet: add one with `leadqueue reps add KEY --name NAME`)")


def _describe(rep: Rep, team_zone: str) -> str:
    email = f" <{rep.email}>" if rep.email else ""
    return f"{rep.name}{email}, zone {rep.zone or f'{team_zone} (team)'}, role {rep.role}"


def _changed(before: Rep | None, after: Rep, team_zone: str, recomputed: int) -> str:
    old = _cells(before, team_zone) if before else {}
    new = _cells(after, team_zone)
    diffs = [f"{f} {old.get(f) or '-'} -> {new[f] or '-'}" for f in FIELDS if old.get(f) != new[f]]
    old_key = before.sync_key if before else None
    if old_key != after.sync_key:  # not one of the rep's FIELDS: said apart
        diffs.append(f"sync key {old_key or '-'} -> {after.sync_key or '-'}")
    was, now = (_routing_cells(before) if before else {}), _routing_cells(after)
    diffs += [
        f"{f} {was.get(f, '-')} -> {now.get(f, '-')}" for f in ROUTING_FIELDS if was.get(f) != now.get(f)
    ]
    if not diffs:
        return f"rep {after.key} unchanged"
    text = f"updated rep {after.key}: " + "; ".join(diffs)
    if recomputed:
        text += f"; clocks of {recomputed} lead(s) recomputed"
    return text
