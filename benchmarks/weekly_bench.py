"""The weekly report at team scale: 50 reps and about 1.1 million events.

    python -m benchmarks.weekly_bench [--leads 100000] [--history 100000] [--reps 50] [--repeat 3]

Uses the store team_bench builds (the core's generator, cached in /tmp), then,
each in its own process and for the same period (the last whole week before
the store's "now", and the week under way), measures:

* `report metrics` (team_metrics.metrics): the reference;
* the weekly report's numbers (services.weekly_report: that period's metrics,
  the previous period's, the 8-week trend, the routing share, OTHER grouped);
* rendering them as HTML (export.weekly_html) and as Markdown with its SVGs;
* both commands end to end (`leadqueue report metrics --format json` and
  `leadqueue report weekly --out FILE.html`), interpreter start included;

and prints each beside `report metrics` as a ratio. The report computes two
periods' metrics, so about twice the reference is its floor.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.store_cache import generated_store
from leadqueue.store.schema import SCHEMA_VERSION


def _services(store: str) -> Any:
    from leadqueue.demo.generator import REFERENCE
    from leadqueue.domain.clock import FixedClock
    from leadqueue.domain.policy import Policy
    from leadqueue.services.context import Services
    from leadqueue.store.engine import open_store

    return Services(
        store=open_store(store), policy=Policy(), clock=FixedClock(REFERENCE + timedelta(hours=1))
    )


def _periods(services: Any) -> dict[str, Any]:
    from leadqueue.services.weekly_report import last_full_week, period_of

    now, zone = services.clock.now(), services.policy.zone
    last = last_full_week(now, zone)
    under_way = period_of(last.until, now, zone)
    return {"last whole week": last, "week under way": under_way}


def _child(store: str, which: str) -> dict[str, Any]:
    """One process, one period: each step timed on its own (warm: one untimed report metrics first)."""
    from leadqueue.export.weekly_html import html_report
    from leadqueue.export.weekly_markdown import markdown_report
    from leadqueue.services.team_metrics import metrics
    from leadqueue.services.weekly_report import weekly_report

    services = _services(store)
    period = _periods(services)[which]
    # Untimed first: the store's pages come into the cache for both, not only for the second.
    metrics(services, period.since, period.until)
    out: dict[str, Any] = {
        "label": period.label,
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
    }
    started = time.perf_counter()
    reference = metrics(services, period.since, period.until)
    out["metrics"] = time.perf_counter() - started
    started = time.perf_counter()
    report = weekly_report(services, period)
    out["weekly_data"] = time.perf_counter() - started
    started = time.perf_counter()
    page = html_report(report)
    out["html"] = time.perf_counter() - started
    started = time.perf_counter()
    _, charts = markdown_report(report, "weekly")
    out["markdown"] = time.perf_counter() - started
    assert report["metrics"] == reference  # the same numbers, or the comparison means nothing
    out["html_bytes"] = len(page.encode())
    out["charts"] = page.count("<svg ")
    out["svg_files"] = len(charts)
    out["other_reasons"] = len(report["metrics"]["written_reasons"])
    out["other_groups"] = len(report["other_reason_groups"])
    out["decisions"] = sum(r["accepted"] + r["rejected"] for r in reference["acceptance_by_rep"])
    return out


def _run_child(store: Path, which: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.weekly_bench", "--child", which, "--store", str(store)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _command(store: Path, *argv: str) -> float:
    """A leadqueue command end to end, as a user runs it (a fresh interpreter)."""
    from leadqueue.demo.generator import REFERENCE

    env = dict(os.environ, LEADQUEUE_NOW=(REFERENCE + timedelta(hours=1)).isoformat())
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "leadqueue", "--db", str(store), *argv],
        check=True,
        capture_output=True,
        env=env,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000, help="open and recent leads")
    parser.add_argument("--history", type=int, default=100_000, help="closed leads behind them")
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store", default="")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.store, args.child)))
        return
    # team_bench's store: built once for both benchmarks
    name = f"leadqueue-team-{args.leads}-{args.history}-{args.reps}-v{SCHEMA_VERSION}.db"
    store = generated_store(
        Path(args.store or f"/tmp/{name}"),
        *("--leads", str(args.leads), "--history", str(args.history), "--reps", str(args.reps)),
    )
    import sqlite3

    with sqlite3.connect(store) as raw:
        n_events = raw.execute("SELECT count(*) FROM events").fetchone()[0]
        n_reps = raw.execute("SELECT count(*) FROM reps").fetchone()[0]
    print(f"store: {store} ({n_events:,} events, {n_reps} reps); median of {args.repeat} run(s)")
    steps = ("metrics", "weekly_data", "html", "markdown")
    for which in ("last whole week", "week under way"):
        runs = [_run_child(store, which) for _ in range(args.repeat)]
        first = runs[0]
        median = {k: statistics.median(r[k] for r in runs) for k in steps}
        print(
            f"\n{which}: {first['label']} ({first['decisions']:,} decisions, {first['other_reasons']} OTHER"
            f" reasons in {first['other_groups']} groups; {first['charts']} charts,"
            f" {first['html_bytes'] / 1024:.0f} KiB of HTML, {first['svg_files']} SVG files for Markdown)"
        )
        print(f"  {'':<44}{'seconds':>9}{'vs metrics':>12}")
        reference = median["metrics"]
        print(f"  {'report metrics (team_metrics.metrics)':<44}{reference:>9.3f}{1.0:>11.2f}x   reference")
        data = median["weekly_data"]
        ratio = data / reference
        print(f"  {'weekly report: its numbers':<44}{data:>9.3f}{ratio:>11.2f}x   two periods + trend")
        for step, label in (
            ("html", "  + rendered as HTML"),
            ("markdown", "  + rendered as Markdown and SVGs"),
        ):
            print(f"  {label:<44}{median[step]:>9.3f}{median[step] / reference:>11.2f}x")
        with tempfile.TemporaryDirectory() as tmp:
            week = ("--since", first["since"], "--until", first["until"])
            cli_metrics = statistics.median(
                _command(store, "report", "metrics", *week, "--format", "json") for _ in range(args.repeat)
            )
            out = str(Path(tmp) / "weekly.html")
            cli_weekly = statistics.median(
                _command(store, "report", "weekly", *week, "--out", out) for _ in range(args.repeat)
            )
        label = "`report metrics --format json`, end to end"
        print(f"  {label:<44}{cli_metrics:>9.3f}{1.0:>11.2f}x   command reference")
        print(
            f"  {'`report weekly --out FILE.html`':<44}{cli_weekly:>9.3f}{cli_weekly / cli_metrics:>11.2f}x"
            "   beside the command"
        )


if __name__ == "__main__":
    main()
