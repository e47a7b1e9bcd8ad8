"""`leadqueue route`: route the leads nobody owns, escalate and re-route breaches.

Light to import: the parser is built for every command, the work only for this one.
"""

from __future__ import annotations

import argparse
from typing import Any

from leadqueue.cli.common import build_context
from leadqueue.cli.errors import CommandError
from leadqueue.cli.output import emit_json, say
from leadqueue.domain.clock import Clock
from leadqueue.services.routing import RoutingRefused, RoutingService

UNROUTED_SHOWN = 200


def add_route_parser(p: argparse.ArgumentParser) -> None:
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--once",
        action="store_true",
        help="do everything due now, once (idempotent: safe from cron or a systemd timer)",
    )
    what.add_argument("--list-unrouted", action="store_true", help="the leads no rule gave to a rep")
    p.add_argument("--format", choices=("table", "json"), default="table")


def add_routing_options(p: argparse.ArgumentParser) -> None:
    """What routing reads of a rep (`reps add` and `reps set`); '' clears each."""
    p.add_argument("--team", metavar="NAME", help="the rep's team, which a routing rule may name")
    p.add_argument(
        "--reports-to", metavar="KEY", help="the team lead an escalation of the rep's breach goes to"
    )
    p.add_argument("--max-undecided", metavar="N", help="route no lead to the rep while N are undecided")
    p.add_argument("--away-until", metavar="WHEN", help="route no lead to the rep before WHEN ('' clears it)")


def run_route(args: argparse.Namespace, clock: Clock) -> int:
    ctx = build_context(args, clock, create=False)
    service = RoutingService(ctx.services)
    if args.list_unrouted:
        rows, total = service.unrouted(None if args.format == "json" else UNROUTED_SHOWN)
        _print_unrouted(rows, total, args.format)
        return 0
    try:
        summary = service.route_once()
    except RoutingRefused as exc:
        raise CommandError(str(exc)) from exc
    if args.format == "json":
        emit_json(
            {
                "routed": dict(summary.by_rep),
                "by_rule": dict(summary.by_rule),
                "unrouted": summary.unrouted,
                "escalated": dict(summary.escalated),
                "rerouted": summary.rerouted,
                "stuck": summary.stuck,
                "warnings": summary.warnings,
            }
        )
        return 0
    for warning in summary.warnings:
        say(f"warning: {warning}", err=True)
    for line in summary.lines():
        say(line)
    return 0


def _print_unrouted(rows: list[Any], total: int, fmt: str) -> None:
    from leadqueue.cli.render import table  # deferred: rich, for --list-unrouted's table only

    records = [
        {
            "id": r.crm_id,
            "name": f"{r.first_name} {r.last_name}".strip(),
            "company": r.company,
            "region": r.region,
            "country": str((r.extra or {}).get("country") or "") if isinstance(r.extra, dict) else "",
            "industry": r.industry,
            "employees": r.employees,
            "source": r.source,
            "tier": r.tier,
            "score": r.score,
            "imported_at": r.imported_at.isoformat() if r.imported_at else None,
        }
        for r in rows
    ]
    if fmt == "json":
        emit_json({"total": total, "leads": records})
        return
    if not total:
        say("no unrouted leads: every lead has a rep")
        return
    say(f"{total} unrouted lead(s): no rule matches them and there is no fallback, or no rep may take them")
    fields = [
        "id",
        "name",
        "company",
        "region",
        "country",
        "industry",
        "employees",
        "source",
        "tier",
        "score",
    ]
    say(table(records, fields))
    if total > len(records):
        say(f"... and {total - len(records)} more (--format json lists them all)")
