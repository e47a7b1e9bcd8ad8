"""`leadqueue report weekly`: the weekly report leadership reads, written to a file.

    leadqueue report weekly [--week 2026-W48 | --since WHEN --until WHEN] --out FILE
                            [--format html|md|json]

Without a period it is the last whole week (Monday to Monday in the team's
zone). Every file is written whole or not at all (a temporary file, then a
rename); Markdown writes its charts as SVG files beside it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from leadqueue.cli.common import Context, add_common
from leadqueue.cli.errors import CommandError
from leadqueue.cli.output import say
from leadqueue.domain.when import parse_when
from leadqueue.export.weekly_html import html_report
from leadqueue.export.weekly_markdown import json_report, markdown_report

FORMATS = ("html", "md", "json")


class WeeklyError(CommandError):
    """A user error of this command (one line on stderr, non-zero exit)."""


def add_weekly_parser(reports: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    r = reports.add_parser(
        "weekly",
        help="the weekly report for leadership: one HTML file with charts (or Markdown, JSON)",
        description="The team's numbers for a week beside the week before, with charts, in one file.",
    )
    add_common(r)
    r.add_argument(
        "--week", metavar="YYYY-Www", help="an ISO week, e.g. 2026-W48 (default: the last whole week)"
    )
    r.add_argument("--since", metavar="WHEN", help="instead of --week: the period's start")
    r.add_argument("--until", metavar="WHEN", help="instead of --week: the period's end (default: now)")
    r.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="the file to write ('-' for stdout)"
    )
    r.add_argument(
        "--format", choices=FORMATS, default=None, help="default: from FILE's extension, else html"
    )


def run_weekly(ctx: Context, a: argparse.Namespace) -> int:
    # deferred: rapidfuzz (~50 modules), for this report only
    from leadqueue.services import weekly_report as wr

    services = ctx.services
    now, zone = services.clock.now(), services.policy.zone
    fmt = a.format or _format_of(a.out)
    if a.week and (a.since or a.until):
        raise WeeklyError("give --week or --since/--until, not both")
    try:
        if a.week:
            period = wr.week_period(a.week, now, zone)
        elif a.since or a.until:
            if not a.since:
                raise WeeklyError("--until needs --since (or give --week)")
            until = parse_when(a.until, now, zone) if a.until else now
            period = wr.period_of(parse_when(a.since, now, zone), until, zone)
        else:
            period = wr.last_full_week(now, zone)
    except wr.PeriodError as exc:
        raise WeeklyError(str(exc)) from None
    if fmt == "md" and str(a.out) == "-":
        raise WeeklyError("--format md writes its charts beside the file: give --out FILE.md")
    report = wr.weekly_report(services, period)
    written = write_report(report, fmt, a.out)
    if str(a.out) != "-":
        charts = f" and {len(written) - 1} chart file(s)" if fmt == "md" else ""
        say(f"weekly report {period.label} written to {written[0]}{charts}")
    return 0


def _format_of(out: Path) -> str:
    suffix = out.suffix.lower().lstrip(".")
    return {"md": "md", "markdown": "md", "json": "json"}.get(suffix, "html")


def write_report(report: dict[str, object], fmt: str, out: Path) -> list[Path]:
    """Render and write; the files written, the report's own first."""
    if fmt == "md":
        stem = out.name[: -len(out.suffix)] if out.suffix else out.name
        content, charts = markdown_report(report, stem)
        files = {out: content} | {out.with_name(name): svg for name, svg in charts.items()}
    else:
        files = {out: html_report(report) if fmt == "html" else json_report(report)}
    if str(out) == "-":
        sys.stdout.write(files[out])
        sys.stdout.flush()
        return [out]
    # Charts first, the report last: a report on disk always has its charts beside it.
    for path, content in reversed(files.items()):
        _write_whole(path, content)
    return list(files)


def _write_whole(path: Path, content: str) -> None:
    path = path.expanduser()
    if not path.parent.is_dir():
        raise WeeklyError(f"cannot write {path}: folder {path.parent} does not exist")
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise WeeklyError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp's 0600 would keep a file meant for sharing from others: the user's umask instead
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise WeeklyError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
