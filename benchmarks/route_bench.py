"""Routing benchmark.

    python -m benchmarks.route_bench [--unrouted 10000] [--reps 50] [--open 100000] [--runs 3]

Measures, each pass on a fresh copy of a cached store (SQLite):

* routing: one `route --once` pass that routes --unrouted leads nobody owns
  over --reps reps (five rules over teams of ten by region, one of them
  least open, with a fallback group), beside the import that brought the
  leads in;
* the steady state: one `route --once` pass over --open open leads (the
  core's generator, every lead undecided) with nothing due, after a first
  pass has escalated what was (that pass is printed too), beside the
  queue's first-page read on the same store (one rep's queue and every
  rep's), which is what a rep's app does at each poll.

Prints medians of --runs and each ratio to the first-page read.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.store_cache import cached_store, generated_store
from leadqueue.store.schema import SCHEMA_VERSION

REGIONS = ("EMEA", "NA", "APAC", "LATAM")
TEAMS = ("emea", "na", "apac", "latam", "global")


def _services(path: Path, routing: dict[str, Any] | None) -> Any:
    from leadqueue.demo.generator import REFERENCE
    from leadqueue.domain.clock import FixedClock
    from leadqueue.services.context import Services
    from leadqueue.settings.policy_file import parse_policy
    from leadqueue.store.engine import open_store

    policy = parse_policy({"routing": routing} if routing is not None else {})
    return Services(store=open_store(path), policy=policy, clock=FixedClock(REFERENCE + timedelta(hours=1)))


def _rules(n_reps: int) -> dict[str, Any]:
    per_team = max(1, n_reps // len(TEAMS))
    return {
        "fallback": [f"r{i:03d}" for i in range(per_team * (len(TEAMS) - 1), n_reps)],
        "rules": [
            {
                "name": f"{team}-rule",
                "match": {"region": [region], "employees": {"min": 50}},
                "team": team,
                "method": "least_open" if team == "na" else "round_robin",
                "max_undecided": 400,
            }
            for team, region in zip(TEAMS, REGIONS, strict=False)
        ],
    }


def _build_unrouted(path: Path, n_leads: int, n_reps: int) -> None:
    """A roster of n_reps in five teams and n_leads leads nobody owns (imported with
    a [routing] table that has no rule and no fallback: every lead unrouted)."""
    from leadqueue.services.importing import ImportOptions, import_file
    from leadqueue.services.roster import RosterService

    services = _services(path, {"fallback": []})
    per_team = max(1, n_reps // len(TEAMS))
    roster = RosterService(services)
    for i in range(n_reps):
        roster.add({"key": f"r{i:03d}", "name": f"Rep {i}"})
        roster.set(f"r{i:03d}", {"team": TEAMS[min(i // per_team, len(TEAMS) - 1)]})
    leads_csv = path.with_suffix(".csv")
    with leads_csv.open("w", encoding="utf-8") as fh:
        fh.write("crm_id,first_name,last_name,email,company,industry,employees,region,source,score\n")
        for i in range(n_leads):
            region = REGIONS[i % 5] if i % 5 < len(REGIONS) else "MEA"
            fh.write(f"U{i:06d},Ada,Lead{i},u{i}@x{i % 97}.com,Co {i % 997},Software,{(i * 37) % 5000},")
            fh.write(f"{region},Webinar,{(i * 13) % 100}\n")
    started = time.perf_counter()
    import_file(services, leads_csv, ImportOptions())
    print(f"  imported {n_leads:,} unrouted leads in {time.perf_counter() - started:.1f} s", flush=True)
    leads_csv.unlink()
    services.store.dispose()


def _timed_copy(source: Path, routing: dict[str, Any], before: Callable[[Any], None] | None = None) -> float:
    """Seconds of one `route --once` pass on a fresh copy of `source`."""
    from leadqueue.services.routing import RoutingService

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "s.db"
        shutil.copyfile(source, copy)
        services = _services(copy, routing)
        try:
            if before is not None:
                before(services)
            started = time.perf_counter()
            summary = RoutingService(services).route_once()
            seconds = time.perf_counter() - started
            print(f"    {seconds:.3f} s: {'; '.join(summary.lines())[:150]}", flush=True)
        finally:
            services.store.dispose()
    return seconds


def _first_page(source: Path, owner: str | None) -> float:
    from leadqueue.store import queue_query as qq

    services = _services(source, None)
    try:
        with services.store.read() as conn:  # the app has its connection open by the first page
            qq.counts(conn, owner, services.clock.now())
        started = time.perf_counter()
        with services.store.read() as conn:
            rows = qq.page_after(conn, qq.QueueFilter(owner=owner), services.clock.now(), None, 60)
        seconds = time.perf_counter() - started
        assert rows
    finally:
        services.store.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unrouted", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached stores")
    args = parser.parse_args()

    unrouted = cached_store(
        f"route-unrouted-{args.unrouted}-{args.reps}-v{SCHEMA_VERSION}.db",
        args.fresh,
        lambda p: _build_unrouted(p, args.unrouted, args.reps),
    )
    print(f"routing {args.unrouted:,} unassigned leads over {args.reps} reps ({unrouted}):")
    route = statistics.median(_timed_copy(unrouted, _rules(args.reps)) for _ in range(args.runs))

    name = f"leadqueue-route-open-{args.open}-{args.reps}-v{SCHEMA_VERSION}.db"
    open_store_path = generated_store(
        Path(tempfile.gettempdir()) / name,
        *("--leads", str(args.open), "--reps", str(args.reps), "--open-share", "1.0"),
    )
    print(f"one pass over {args.open:,} open leads ({open_store_path}), first pass, then nothing due:")

    def first_pass(services: Any) -> None:
        from leadqueue.services.routing import RoutingService

        started = time.perf_counter()
        summary = RoutingService(services).route_once()
        print(f"    first pass {time.perf_counter() - started:.3f} s: {'; '.join(summary.lines())[:120]}")

    idle = statistics.median(
        _timed_copy(open_store_path, {"fallback": []}, first_pass) for _ in range(args.runs)
    )
    rep = "ana"
    one = statistics.median(_first_page(open_store_path, rep) for _ in range(args.runs))
    every = statistics.median(_first_page(open_store_path, None) for _ in range(args.runs))

    print(f"\nmedian of {args.runs} run(s)")
    print(f"{'':<52}{'seconds':>9}{'vs page':>9}")
    print(f"{'queue first page (60 rows), ' + rep + chr(39) + 's queue':<52}{one:>9.4f}{1.0:>8.1f}x")
    print(f"{'queue first page (60 rows), every rep':<52}{every:>9.4f}{every / one:>8.1f}x")
    idle_label = f"route --once, {args.open:,} open leads, nothing due"
    print(f"{idle_label:<52}{idle:>9.4f}{idle / one:>8.1f}x")
    label = f"route --once, {args.unrouted:,} unassigned over {args.reps} reps"
    print(f"{label:<52}{route:>9.4f}{route / one:>8.1f}x   ({route / args.unrouted * 1e6:.0f} us a lead)")


if __name__ == "__main__":
    main()
