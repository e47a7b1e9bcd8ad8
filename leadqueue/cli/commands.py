"""What each subcommand does: resolve the context, call a service, print."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from leadqueue.cli import sync_command
from leadqueue.cli.common import Context, build_context, open_target, store_target
from leadqueue.cli.errors import CommandError
from leadqueue.cli.output import emit_csv, emit_json, say
from leadqueue.cli.progress import progress_bar
from leadqueue.cli.report_weekly import run_weekly
from leadqueue.domain.calendar import CalendarError
from leadqueue.domain.clock import Clock
from leadqueue.domain.decisions import Accept, Dispose, NeedsInfo, Reject, Touch, split_facts
from leadqueue.domain.events import EventKind
from leadqueue.domain.metrics import DEFAULT_PERIOD
from leadqueue.domain.roster import RosterError
from leadqueue.domain.when import WhenError, parse_when
from leadqueue.domain.zones import check_zone
from leadqueue.export.errors import ExportError
from leadqueue.export.metrics_csv import metrics_csv
from leadqueue.export.service import export
from leadqueue.io.errors import ImportFileError
from leadqueue.services import decisions as decision_errors
from leadqueue.services.decisions import DecisionService, Outcome
from leadqueue.services.rep_lookup import rep_key_named
from leadqueue.services.reports import BREACH_FIELDS, BREACH_TABLE_FIELDS, breaches, metrics
from leadqueue.services.store_access import StoreError, writes_only_own_leads
from leadqueue.settings import paths
from leadqueue.settings.config import load_config
from leadqueue.settings.policy_file import load_import_mapping, load_policy, policy_to_toml
from leadqueue.settings.toml_errors import SettingsError
from leadqueue.sync.segments import FolderUnreachable

USER_ERRORS: tuple[type[BaseException], ...] = (
    *decision_errors.USER_ERRORS,
    StoreError,
    SettingsError,
    ImportFileError,
    WhenError,
    CalendarError,
    CommandError,
    FolderUnreachable,
    ExportError,
    RosterError,
)


def log_exception() -> Path:
    folder = paths.log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "leadqueue.log"
        with target.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now().isoformat()}\n{traceback.format_exc()}\n")
        return target
    except OSError:
        logging.exception("could not write the log file")
        return folder / "leadqueue.log"


def creates_store(args: argparse.Namespace) -> bool:
    """Whether the command may create a store where there is none: it writes what
    it brings in (leads, reps, the team's events). Every other command needs an
    existing store, so a mistyped --db is "no leadqueue store at ...", not a
    new empty store that the next command reads as an empty queue."""
    if args.command == "import" or (args.command == "sync" and not args.show_key):
        return True
    return args.command == "reps" and getattr(args, "reps_cmd", None) in ("add", "import")


def dispatch(args: argparse.Namespace, clock: Clock) -> int:
    command = args.command or "open"
    if command == "policy":
        return _policy(args)
    if command == "init":
        return _init(args)
    if command == "demo":
        # deferred: rich (its printed queue) and the sample generator
        from leadqueue.cli.demo_command import run_demo

        return run_demo(args, clock)
    try:
        # The app needs an existing store too: it reads first, and a decision made
        # in a new store on a mistyped path would be lost to everyone else.
        ctx = build_context(args, clock, create=creates_store(args))
    except USER_ERRORS as exc:
        if command == "open" and sys.stdout.isatty():
            return show_startup_error(str(exc))
        raise
    store = ctx.services.store
    if command == "export" and (args.since or "last").strip().casefold() == "last":
        # An export without --since WHEN records where it stopped, for a later
        # `--since last`: refused before the file is written, not after.
        cannot = "is read-only" if store.read_only else ""
        if not cannot and writes_only_own_leads(store):
            cannot = (
                "is written by this PostgreSQL role only through its policies (the owner's export records it)"
            )
        if cannot:
            raise CommandError(
                f"export records where it stopped (for --since last), and store {store.label} {cannot}:"
                " give --since WHEN"
            )
    if command == "reps":
        from leadqueue.cli.reps_command import run_reps  # deferred: rich (its tables) and the roster importer

        handler = run_reps
    else:
        handler = _HANDLERS[command]
    if command not in ("import", "reps"):  # a sync's store may hold what it pulled before it failed
        return handler(ctx, args)
    wrote = False
    try:
        code = handler(ctx, args)
        wrote = code == 0 and not getattr(args, "dry_run", False)
        return code
    finally:
        if not wrote:  # a store this command made, with nothing in it: not left behind
            store.remove_new_file()


def _init(args: argparse.Namespace) -> int:
    """Create an empty store (or say that there is one): the explicit way to start."""
    store = open_target(store_target(args, load_config()), create=True)
    try:
        if store.created:
            say(f"created leadqueue store at {store.label}")
        else:
            say(f"{store.label} is already a leadqueue store; nothing changed")
    finally:
        store.dispose()
    return 0


def show_startup_error(message: str) -> int:
    """The terminal UI was asked for: explain the failure there, not as a traceback."""
    # deferred: Textual (~200 modules), only when the terminal UI is asked for
    from leadqueue.tui.app import setup_logging
    from leadqueue.tui.error_app import StartupErrorApp

    log_file = setup_logging()
    logging.getLogger("leadqueue").error("cannot open: %s", message)
    StartupErrorApp(message, log_file).run()
    return 1


# -- decisions ------------------------------------------------------------------


def _when(ctx: Context, text: str) -> datetime:
    with ctx.services.store.read() as conn:
        zone = ctx.services.zone_of(conn, ctx.rep_key(required=False))
    return parse_when(text, ctx.services.clock.now(), zone)


def _done(outcome: Outcome) -> int:
    h = outcome.history
    state = h.state.value if h.state else "?"
    # a reassignment's news is the new owner: its state stays what it was
    to = f" to {h.owner}" if outcome.event.kind is EventKind.REASSIGNED else ""
    say(
        f"{outcome.crm_id}: {outcome.event.kind.value}{to} by {outcome.event.actor} -> {state}"
        f" (event {outcome.event.event_id})"
    )
    return 0


def _as_rep(ctx: Context) -> str:
    """The acting rep's key: decisions always name a known rep."""
    key = ctx.rep_key(required=True)
    assert key is not None
    return key


def _accept(ctx: Context, a: argparse.Namespace) -> int:
    actor = _as_rep(ctx)
    decision = Accept(next_step=a.next_step, due=_when(ctx, a.due), note=a.note)
    return _done(DecisionService(ctx.services).accept(a.id, actor, decision))


def _reject(ctx: Context, a: argparse.Namespace) -> int:
    actor = _as_rep(ctx)
    decision = Reject(reason=a.reason, note=a.note, duplicate_of=a.duplicate_of)
    return _done(DecisionService(ctx.services).reject(a.id, actor, decision))


def _needs_info(ctx: Context, a: argparse.Namespace) -> int:
    actor = _as_rep(ctx)
    decision = NeedsInfo(missing=split_facts(a.missing), note=a.note)
    return _done(DecisionService(ctx.services).needs_info(a.id, actor, decision))


def _touch(ctx: Context, a: argparse.Namespace) -> int:
    actor = _as_rep(ctx)
    action = Touch(channel=a.channel, conversation=a.conversation, note=a.note)
    return _done(DecisionService(ctx.services).touch(a.id, actor, action))


def _dispose(ctx: Context, a: argparse.Namespace) -> int:
    actor = _as_rep(ctx)
    decision = Dispose(outcome=a.outcome, reason=a.reason, note=a.note)
    return _done(DecisionService(ctx.services).dispose(a.id, actor, decision))


def _undo(ctx: Context, a: argparse.Namespace) -> int:
    actor = _as_rep(ctx)
    return _done(DecisionService(ctx.services).undo(a.id, actor))


# Team actions too are done by a rep on the roster (a team lead; the owner may resume).
def _resume(ctx: Context, a: argparse.Namespace) -> int:
    actor = _as_rep(ctx)
    return _done(DecisionService(ctx.services).returned_from_marketing(a.id, actor, a.note))


def _reassign(ctx: Context, a: argparse.Namespace) -> int:
    actor = _as_rep(ctx)
    return _done(DecisionService(ctx.services).reassign(a.id, actor, a.to, a.note))


def _escalate(ctx: Context, a: argparse.Namespace) -> int:
    actor = _as_rep(ctx)
    return _done(DecisionService(ctx.services).escalate(a.id, actor, a.note))


def _acknowledge(ctx: Context, a: argparse.Namespace) -> int:
    actor = _as_rep(ctx)
    return _done(DecisionService(ctx.services).acknowledge(a.id, actor, a.note))


# -- reading ----------------------------------------------------------------------


def _open(ctx: Context, a: argparse.Namespace) -> int:
    return run_app(ctx)


def run_app(ctx: Context) -> int:
    """Open the terminal UI on the context's store, as its rep."""
    # deferred: Textual (~200 modules), which no other command needs
    from leadqueue.tui.app import LeadqueueApp, setup_logging
    from leadqueue.tui.screens.queue import read_first_page

    try:
        rep = ctx.rep_key(required=False)
    except USER_ERRORS as exc:  # an --as not on the roster: said on screen, not as a traceback
        if sys.stdout.isatty():
            return show_startup_error(str(exc))
        raise
    setup_logging()
    page = read_first_page(ctx.services, rep)
    LeadqueueApp(ctx.services, actor=rep, owner=rep, config=ctx.config, first_page=page).run()
    return 0


# The heavy machinery (Textual, rich's printers, the importer, sync's cryptography,
# the weekly report) is imported by the command that uses it, so that the others
# start without it: tests/test_import_cost.py holds each deferral to its cost.
def _queue(ctx: Context, a: argparse.Namespace) -> int:
    from leadqueue.cli.render import print_queue  # deferred: rich, for the commands that print tables

    owner = None if a.all_reps else ctx.rep_key(required=False)
    print_queue(ctx.services, owner, a.limit)
    return 0


def _show(ctx: Context, a: argparse.Namespace) -> int:
    from leadqueue.cli.render import print_lead  # deferred: rich, for the commands that print tables

    return print_lead(ctx.services, a.id, a.format)


def _import(ctx: Context, a: argparse.Namespace) -> int:
    # deferred: the importer (readers, CRM formats, region tables: ~25 modules)
    from leadqueue.services.importing import ImportOptions, ImportRejected, import_file

    source_zone = None
    if a.source_zone:
        try:
            source_zone = ZoneInfo(check_zone(a.source_zone))
        except ValueError as exc:
            raise CommandError(f"--source-zone: {exc}") from None
    mapping, mapping_name = None, ""
    if a.map is not None:
        mapping, mapping_name = load_import_mapping(a.map), a.map.name
    elif a.profile:
        profiles = ctx.services.policy.import_profiles
        if a.profile not in profiles:
            known = ", ".join(sorted(profiles)) or "none"
            raise CommandError(
                f"--profile {a.profile}: no [import.{a.profile}] in the policy (known: {known})"
            )
        mapping, mapping_name = profiles[a.profile], a.profile
    options = ImportOptions(
        mapping=mapping,
        mapping_name=mapping_name,
        rep=a.rep,
        skip_invalid=a.skip_invalid,
        dry_run=a.dry_run,
        encoding=a.encoding,
        source_zone=source_zone,
        date_order=a.date_order,
        clock_start=a.clock_start,
        route=a.route,
        take_older=a.take_older,
    )
    with progress_bar(f"importing {a.file.name}", in_bytes=True) as progress:
        try:
            summary = import_file(ctx.services, a.file, options, progress)
        except ImportRejected as exc:
            _print_row_errors(exc.summary.errors, a.file)
            for warning in exc.summary.read_warnings():  # it may explain the rows
                say(f"leadqueue: warning: {warning}", err=True)
            say(f"leadqueue: error: {exc}; fix the rows or pass --skip-invalid", err=True)
            return 1
    if summary.errors:
        _print_row_errors(summary.errors, a.file)
    for warning in summary.warnings():
        say(f"leadqueue: warning: {warning}", err=True)
    say(summary.line())
    if summary.rejects_path:
        say(f"bad rows written to {summary.rejects_path}")
    return 0


def _print_row_errors(errors: list[Any], file: Path, limit: int = 20) -> None:
    for e in errors[:limit]:
        column = f", column {e.column!r}" if e.column else ""
        say(f"{file}: row {e.row}{column}: {e.reason}", err=True)
    if len(errors) > limit:
        say(f"... and {len(errors) - limit} more bad row(s)", err=True)


def _report(ctx: Context, a: argparse.Namespace) -> int:
    if a.report == "weekly":
        return run_weekly(ctx, a)

    now = ctx.services.clock.now()
    zone = ctx.services.policy.zone
    if a.report == "breaches":
        as_of = parse_when(a.as_of, now, zone) if a.as_of else now
        rep = None
        if a.rep:
            rep = rep_key_named(ctx.services, a.rep)
            if rep is None:
                raise CommandError(f"unknown rep {a.rep!r}")
        rows = [c.row() for c in breaches(ctx.services, as_of, rep, a.all)]
        _emit(rows, list(BREACH_TABLE_FIELDS if a.format == "table" else BREACH_FIELDS), a.format)
        return 0
    until = parse_when(a.until, now, zone) if a.until else now
    since = parse_when(a.since, now, zone) if a.since else until - DEFAULT_PERIOD
    if since >= until:
        raise CommandError("--since must be before --until")
    result = metrics(ctx.services, since, until)
    if a.format == "json":
        emit_json(result)
    elif a.format == "csv":
        say(metrics_csv(result, lineterminator="\n"), end="")
    else:
        from leadqueue.cli.render import print_metrics  # deferred: rich, for the commands that print tables

        print_metrics(result)
    return 0


def _emit(rows: list[dict[str, Any]], fields: list[str], fmt: str) -> None:
    from leadqueue.cli.render import table  # deferred: rich, for the commands that print tables

    if fmt == "json":
        emit_json(rows)
    elif fmt == "csv":
        emit_csv(rows, fields)
    else:
        say(table(rows, fields) if rows else "(nothing at risk or breached)")


def _export_dir(ctx: Context, a: argparse.Namespace) -> Path:
    given = getattr(a, "export_dir", None)
    if given is not None and not given.strip():
        # Path("") is the current directory: an unset variable would publish there.
        raise CommandError("--export-dir is empty (an unset variable?): give the shared folder's path")
    folder = given or ctx.config.export_dir
    if not folder:
        raise CommandError("no export folder: pass --export-dir DIR or set export_dir in the config file")
    return Path(folder)


def _sync(ctx: Context, a: argparse.Namespace) -> int:
    if a.show_key:
        return sync_command.show_key(ctx)
    if a.segment_events < 1:
        raise CommandError("--segment-events must be at least 1")
    return sync_command.run_sync(ctx, a, _export_dir(ctx, a))


def _export(ctx: Context, a: argparse.Namespace) -> int:
    since = None
    since_last = a.since is not None and a.since.strip().casefold() == "last"
    if a.since is not None and not since_last:
        since = parse_when(a.since, ctx.services.clock.now(), ctx.services.policy.zone)
    with progress_bar(f"exporting {a.format}") as progress:
        summary = export(ctx.services, a.format, a.out, since, since_last, progress)
    say(summary.line(), err=str(a.out) == "-")
    return 0


def _policy(a: argparse.Namespace) -> int:
    if a.policy_cmd == "check":
        policy = load_policy(a.file)
        codes = ", ".join(policy.active_reasons())
        say(f"{a.file}: valid policy (zone {policy.time_zone}, reason codes {codes})")
        return 0
    say(policy_to_toml(load_policy(getattr(a, "policy", None))), end="")
    return 0


_HANDLERS = {
    "open": _open,
    "queue": _queue,
    "show": _show,
    "import": _import,
    "accept": _accept,
    "reject": _reject,
    "needs-info": _needs_info,
    "touch": _touch,
    "dispose": _dispose,
    "undo": _undo,
    "resume": _resume,
    "reassign": _reassign,
    "escalate": _escalate,
    "acknowledge": _acknowledge,
    "report": _report,
    "sync": _sync,
    "export": _export,
}
