"""The `leadqueue` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from leadqueue import __version__
from leadqueue.cli import commands
from leadqueue.cli.common import add_common
from leadqueue.cli.output import say
from leadqueue.cli.pg_command import add_pg_parser, run_pg
from leadqueue.cli.report_weekly import add_weekly_parser
from leadqueue.cli.route_command import add_route_parser, add_routing_options, run_route
from leadqueue.domain.clock import Clock, FixedClock, SystemClock
from leadqueue.domain.decisions import NEXT_STEP_KINDS, TOUCH_CHANNELS, DecisionError
from leadqueue.domain.lifecycle import DISPOSITIONS
from leadqueue.domain.metrics import DEFAULT_PERIOD
from leadqueue.sync.segments import SEGMENT_EVENTS


class Parser(argparse.ArgumentParser):
    """A parser that refuses the arguments it does not know itself.

    Stock argparse parses a subcommand with parse_known_args and hands what it
    did not know back up to the top level, whose error then shows the top
    level's usage (`leadqueue queue --bogus` printed `usage: leadqueue [-h] ...
    COMMAND ...`). Each subcommand's parser is made with its parent's class, so
    every one of them, at every depth, now says its own usage and the error
    (exit 2). Only the top level is parsed with parse_args: nothing here wants
    arguments left over."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="leadqueue",
        description="Work the queue of leads marketing assigned to you, within SLA.",
    )
    parser.add_argument("--version", action="version", version=f"leadqueue {__version__}")
    add_common(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_common(p)
        return p

    command("init", "create an empty store at --db (reading commands never create one)")

    p = command("queue", "print the open queue, most urgent first")
    p.add_argument("--limit", type=int, default=40)
    p.add_argument("--all-reps", action="store_true", help="every rep's queue")

    p = command("show", "print one lead: context, clocks, checklist and history")
    p.add_argument("id", metavar="ID")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = command("demo", "open the demo (a fresh copy of sample.db), or generate sample data")
    p.add_argument("--generate", action="store_true", help="write a new sample store instead")
    p.add_argument("--leads", type=int, default=500, metavar="N")
    p.add_argument("--reps", type=int, default=6, metavar="N")
    p.add_argument("--out", type=Path, metavar="FILE")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--open-share",
        type=float,
        default=0.45,
        metavar="F",
        help="share of the N leads still undecided (default 0.45)",
    )
    p.add_argument(
        "--history",
        type=int,
        default=0,
        metavar="M",
        help="add M closed leads of history (about 6 events each) for team reports",
    )
    p.add_argument(
        "--print",
        dest="print_only",
        action="store_true",
        help="print the demo queue instead of opening the app",
    )

    p = command("import", "import leads from a CRM export (CSV or JSON lines)")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument(
        "--rep",
        metavar="REP",
        help="owner of the rows that name no owner (a row's own owner, if any, stands)",
    )
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the good rows; write the bad ones to NAME.rejects.csv beside FILE",
    )
    p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    p.add_argument("--route", action="store_true", help="route every row by [routing], whatever its owner")
    p.add_argument("--encoding", metavar="NAME", help="file encoding (default: UTF-8, else Windows-1252)")
    p.add_argument(
        "--source-zone",
        metavar="ZONE",
        help="zone of timestamps without an offset (default: UTC for Salesforce API exports, else team zone)",
    )
    p.add_argument(
        "--date-order",
        choices=("mdy", "dmy", "ymd"),
        help="how to read 3/4/2024 (default: from the file's own dates, else the policy's date_order)",
    )
    mapping = p.add_mutually_exclusive_group()
    mapping.add_argument(
        "--map", type=Path, metavar="FILE.toml", help="the file's columns, for other layouts"
    )
    mapping.add_argument("--profile", metavar="NAME", help="a mapping from policy.toml's [import.NAME]")
    p.add_argument(
        "--clock-start",
        choices=("assigned", "created"),
        default="assigned",
        help="start the decision clock at the assignment date, else now (default), or at the create date",
    )
    p.add_argument(
        "--take-older",
        action="store_true",
        help="take rows dated before their leads' last import too, with their dates"
        " (mends an import that misread its dates)",
    )

    p = command("accept", "accept a lead with a concrete next step")
    p.add_argument("id", metavar="ID")
    p.add_argument("--next-step", required=True, choices=NEXT_STEP_KINDS)
    p.add_argument("--due", required=True, metavar="WHEN", help="e.g. 'tomorrow 10:00', '+2h', 'fri 14:30'")
    p.add_argument("--note", required=True)

    p = command("reject", "reject a lead with a reason code")
    p.add_argument("id", metavar="ID")
    p.add_argument("--reason", required=True, metavar="CODE")
    p.add_argument("--note", default="")
    p.add_argument("--duplicate-of", default="", metavar="ID")

    p = command("needs-info", "return a lead to marketing: information is missing")
    p.add_argument("id", metavar="ID")
    p.add_argument("--missing", required=True, metavar="FACT[,FACT]")
    p.add_argument("--note", required=True)

    p = command("resume", "a needs-info lead came back from marketing: its decision clock resumes")
    p.add_argument("id", metavar="ID")
    p.add_argument("--note", default="")

    p = command("touch", "log a contact attempt (or a live conversation)")
    p.add_argument("id", metavar="ID")
    p.add_argument("--channel", required=True, choices=TOUCH_CHANNELS)
    p.add_argument("--conversation", action="store_true", help="a live conversation took place")
    p.add_argument("--note", default="")

    p = command("dispose", "close an accepted lead")
    p.add_argument("id", metavar="ID")
    p.add_argument("outcome", choices=tuple(DISPOSITIONS))
    p.add_argument("--reason", default="", metavar="CODE")
    p.add_argument("--note", default="")

    p = command("undo", "take back the last decision on a lead (within the grace period)")
    p.add_argument("id", metavar="ID")

    p = command("reassign", "give a lead to another rep (fresh clock; the breach stays on record)")
    p.add_argument("id", metavar="ID")
    p.add_argument("--to", required=True, metavar="REP")
    p.add_argument("--note", default="")

    p = command("escalate", "flag a lead to the team lead")
    p.add_argument("id", metavar="ID")
    p.add_argument("--note", default="")

    p = command("acknowledge", "a team lead has seen the lead's breach")
    p.add_argument("id", metavar="ID")
    p.add_argument("--note", default="")

    p = command("sync", "publish this store's new events to the shared folder and pull the others'")
    # A string, not a Path: Path("") would be the current directory, and an empty
    # --export-dir (an unset variable) is refused instead.
    p.add_argument("--export-dir", metavar="DIR", help="the shared folder (default: config)")
    p.add_argument(
        "--segment-events",
        type=int,
        default=SEGMENT_EVENTS,
        metavar="N",
        help=f"events per published file (default {SEGMENT_EVENTS:,})",
    )
    p.add_argument(
        "--show-key",
        action="store_true",
        help="print the key this store signs with (for the others' `reps set REP --sync-key KEY`)",
    )

    p = command("export", "write the store's events as a file a CRM or a spreadsheet imports")
    p.add_argument("--format", required=True, choices=("jsonl", "csv", "salesforce", "hubspot"))
    p.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="the file to write ('-' for stdout)"
    )
    p.add_argument(
        "--since",
        metavar="WHEN|last",
        help="only events recorded since WHEN, or since the previous export in this format ('last')",
    )

    p = command("report", "reports: breaches, metrics or the weekly report")
    rsub = p.add_subparsers(dest="report", metavar="REPORT", required=True)
    r = rsub.add_parser("breaches", help="open clocks at risk or breached")
    add_common(r)
    r.add_argument("--as-of", metavar="WHEN")
    r.add_argument("--rep", metavar="REP")
    r.add_argument("--all", action="store_true", help="every open clock, not only at risk and breached")
    r.add_argument("--format", choices=("table", "json", "csv"), default="table")
    r = rsub.add_parser("metrics", help="the team's numbers for a period")
    add_common(r)
    r.add_argument("--since", metavar="WHEN", help=f"default: {DEFAULT_PERIOD.days} days before --until")
    r.add_argument("--until", metavar="WHEN", help="default: now")
    r.add_argument("--format", choices=("table", "json", "csv"), default="table")
    add_weekly_parser(rsub)

    add_reps_parser(command("reps", "the team roster: list reps (the default), add, set or import them"))
    add_route_parser(
        command("route", "route leads nobody owns ([routing] in policy.toml); escalate breaches")
    )

    add_pg_parser(command("pg", "a PostgreSQL team store: give reps roles the database holds to their leads"))

    p = command("policy", "show or check the team policy")
    psub = p.add_subparsers(dest="policy_cmd", metavar="ACTION", required=True)
    r = psub.add_parser("show", help="print the effective policy as TOML")
    add_common(r)
    r = psub.add_parser("check", help="validate a policy file")
    add_common(r)
    r.add_argument("file", type=Path, metavar="FILE")
    return parser


def add_reps_parser(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: `reps --format json` and `reps list --format json` both reach the handler.
    formats = {"choices": ("table", "json", "csv"), "default": argparse.SUPPRESS}
    p.add_argument("--format", **formats)
    sub = p.add_subparsers(dest="reps_cmd", metavar="ACTION")
    r = sub.add_parser("list", help="print the roster (the default)")
    add_common(r)
    r.add_argument("--format", **formats)
    for action, help_text in (("add", "add a rep"), ("set", "change a rep (the fields given)")):
        r = sub.add_parser(action, help=help_text, description=help_text)
        add_common(r)
        if action == "add":
            r.add_argument(
                "key", metavar="KEY", help="lower-case letters (any script), digits, '.', '_', '-'"
            )
        else:
            r.add_argument("key", metavar="REP", help="the rep's key, email, name or alias")
        r.add_argument("--name")
        r.add_argument("--email")
        r.add_argument("--zone", metavar="IANA", help="e.g. Europe/Berlin; 'team' or '' for the team's zone")
        r.add_argument("--role", metavar="rep|lead", help="default: rep" if action == "add" else None)
        more = " (replaces the list; '' empties it)" if action == "set" else ""
        r.add_argument(
            "--crm-id",
            dest="crm_ids",
            action="append",
            metavar="ID",
            help=f"the rep's owner id in a CRM{more}",
        )
        r.add_argument(
            "--alias", dest="aliases", action="append", metavar="TEXT", help=f"another name for the rep{more}"
        )
        r.add_argument(
            "--sync-key",
            metavar="KEY",
            help="the key the rep's store signs with (`leadqueue sync --show-key` there; '' clears it)",
        )
        add_routing_options(r)
    r = sub.add_parser("import", help="add or update reps from a CSV or JSON-lines file")
    add_common(r)
    r.add_argument("file", type=Path, metavar="FILE")
    r.add_argument("--encoding", metavar="NAME", help="file encoding (default: UTF-8, else Windows-1252)")


def clock_from_env() -> Clock:
    """LEADQUEUE_NOW=2026-11-20T15:00:00Z freezes time (scripts, tests, demos)."""
    frozen = os.environ.get("LEADQUEUE_NOW")
    if frozen:
        return FixedClock(datetime.fromisoformat(frozen.replace("Z", "+00:00")))
    return SystemClock()


# Options naming a file or folder: any bytes the file system allows (a name copied
# from an old share may be Latin-1); Python passes them through to open().
_PATH_OPTIONS = frozenset({"db", "policy", "export_dir"})


def _not_utf8(args: argparse.Namespace) -> str | None:
    """The first text argument holding bytes that are no UTF-8 (Python keeps them as
    lone surrogates, which no store, outbox or terminal write accepts), as typed."""
    for name, value in vars(args).items():
        if name in _PATH_OPTIONS:
            continue
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and any("\udc80" <= ch <= "\udcff" for ch in text):
                return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    bad = _not_utf8(args)
    if bad is not None:
        say(f"leadqueue: error: argument '{bad}' is not valid UTF-8 text", err=True)
        return 2
    try:
        clock = clock_from_env()
    except ValueError:
        say("leadqueue: error: LEADQUEUE_NOW is not an ISO 8601 instant", err=True)
        return 2
    try:
        if args.command == "route":
            return run_route(args, clock)
        if args.command == "pg":
            return run_pg(args, clock)
        return commands.dispatch(args, clock)
    except DecisionError as exc:  # named by the option that gives the field
        option = "OUTCOME" if exc.field == "outcome" else "--" + exc.field.replace("_", "-")
        say(f"leadqueue: error: {option}: {exc.message}", err=True)
        return 1
    except commands.USER_ERRORS as exc:
        say(f"leadqueue: error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        say("leadqueue: interrupted", err=True)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`| head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception:
        log_path = commands.log_exception()
        say(f"leadqueue: unexpected error; details in {log_path}", err=True)
        logging.shutdown()
        return 3
