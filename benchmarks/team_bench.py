"""Team screens at team scale: 50 reps and about 1.1 million events.

    python -m benchmarks.team_bench [--leads 100000] [--history 100000] [--reps 50] [--store PATH]

Builds the store with the core's generator (cached), then, each in its own
process (headless, Textual's test driver, 120x40), measures:

* the queue's first paint over every rep's open leads (the reference), from
  the store's opening (and the first page read before the UI starts, as
  `leadqueue` does) to the first frame composed with rows;
* the breaches screen (`b`) and the metrics screen (`m`): from the key to
  the first frame composed with their data (the breaches screen paints its
  first two screens of clocks, then loads everyone's; the metrics screen
  paints its top section, then each group of sections as its aggregates
  arrive: both times are printed);
* the SQL behind each screen on its own.

and prints each screen beside the queue's first paint as a ratio (target
<= 1.5x) and the 1-second ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks import frames
from benchmarks.store_cache import generated_store
from leadqueue.services.reports import METRIC_SECTIONS
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


def _record() -> None:
    from leadqueue.tui.screens.breaches import BreachesScreen
    from leadqueue.tui.screens.metrics import MetricsScreen
    from leadqueue.tui.screens.queue import QueueScreen

    frames.record_frames()
    frames.note_data("queue", QueueScreen, "_apply_page")
    frames.note_data("breaches", BreachesScreen, "_apply")
    frames.note_data("metrics", MetricsScreen, "_show_sections")  # the first sections to arrive
    frames.note_data("metrics_all", MetricsScreen, "_show")


async def _paint(store: str, screen: str) -> dict[str, Any]:
    from leadqueue.tui.app import LeadqueueApp
    from leadqueue.tui.screens.breaches import BreachesScreen
    from leadqueue.tui.screens.metrics import MetricsScreen
    from leadqueue.tui.screens.queue import read_first_page

    _record()
    first_sections: list[list[str]] = []
    show = MetricsScreen._show_sections

    def noted(self: Any, period: Any, sections: dict[str, Any]) -> None:
        first_sections.append(list(sections))
        show(self, period, sections)

    MetricsScreen._show_sections = noted  # type: ignore[method-assign]
    started = time.perf_counter()
    services = _services(store)
    # As `leadqueue` starts: the store opened and the queue's first page read, then the app made.
    page = read_first_page(services, None)
    app = LeadqueueApp(services, actor="lead", owner=None, persist=False, cursor_blink=False, first_page=page)
    async with app.run_test(size=(120, 40)) as pilot:
        queue_paint = await frames.painted("queue") - started
        if screen == "queue":
            return {"seconds": queue_paint}
        await app.workers.wait_for_complete()
        await pilot.pause()
        started = time.perf_counter()
        await pilot.press("b" if screen == "breaches" else "m")
        painted = await frames.painted(screen)
        await app.workers.wait_for_complete()
        complete = time.perf_counter()
        if screen == "breaches":
            assert isinstance(app.screen, BreachesScreen)
            rows, every = len(app.screen.first_rows), len(app.screen.all_rows)
        else:
            assert isinstance(app.screen, MetricsScreen) and app.screen.result is not None
            every = sum(len(v) for v in app.screen.result.values() if isinstance(v, list))
            rows = len(first_sections[0]) if first_sections else 0  # sections in the first paint
            complete = await frames.painted("metrics_all")
        return {"seconds": painted - started, "rows": rows, "complete": complete - started, "every": every}


def _sql(store: str) -> dict[str, float]:
    from leadqueue.services import reports

    services = _services(store)
    now = services.clock.now()
    out = {}
    for name, run in (
        ("breaches", lambda: reports.breaches(services)),
        ("metrics", lambda: reports.metrics(services, now - timedelta(days=28), now)),
    ):
        started = time.perf_counter()
        run()
        out[name] = time.perf_counter() - started
    return out


def _child(kind: str, store: str) -> None:
    result = _sql(store) if kind == "sql" else asyncio.run(_paint(store, kind))
    print(json.dumps(result))


def _run(kind: str, store: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.team_bench", "--child", kind, "--store", str(store)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


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
        _child(args.child, args.store)
        return
    name = f"leadqueue-team-{args.leads}-{args.history}-{args.reps}-v{SCHEMA_VERSION}.db"
    store = generated_store(
        Path(args.store or f"/tmp/{name}"),
        *("--leads", str(args.leads), "--history", str(args.history), "--reps", str(args.reps)),
    )
    import sqlite3

    with sqlite3.connect(store) as raw:
        n_events = raw.execute("SELECT count(*) FROM events").fetchone()[0]
        n_reps = raw.execute("SELECT count(*) FROM reps").fetchone()[0]
    runs: dict[str, list[float]] = {"queue": [], "breaches": [], "metrics": []}
    complete: dict[str, list[float]] = {"breaches": [], "metrics": []}
    rows: dict[str, int] = {}
    every: dict[str, int] = {}
    for _ in range(args.repeat):
        for kind in runs:
            result = _run(kind, store)
            runs[kind].append(result["seconds"])
            rows[kind], every[kind] = result.get("rows", 0), result.get("every", 0)
            if kind in complete:
                complete[kind].append(result["complete"])
    sql = _run("sql", store)
    queue = statistics.median(runs["queue"])
    print(f"store: {store} ({n_events:,} events, {n_reps} reps); median of {args.repeat} run(s), 120x40")
    print(f"{'':<34}{'seconds':>9}{'vs queue':>10}   target")
    print(f"{'queue first paint (every rep)':<34}{queue:>9.3f}{1.0:>9.2f}x   reference")
    for kind in ("breaches", "metrics"):
        seconds = statistics.median(runs[kind])
        print(
            f"{kind + ' screen, key to paint':<34}{seconds:>9.3f}{seconds / queue:>9.2f}x"
            f"   <= 1.5x and < 1 s"
            + (
                f"  ({rows[kind]:,} rows painted)"
                if kind == "breaches"
                else f"  ({rows[kind]} of {len(METRIC_SECTIONS) - 2} sections painted)"
            )
        )
    for kind, what in (("breaches", "every rep loaded"), ("metrics", "every section")):
        done = statistics.median(complete[kind])
        rows_note = f"({every[kind]:,} rows)"
        print(f"{'  ' + kind + ', ' + what:<34}{done:>9.3f}{done / queue:>9.2f}x   {rows_note}")
    for kind, seconds in sql.items():
        print(f"{'  of which the ' + kind + ' SQL':<34}{seconds:>9.3f}")


if __name__ == "__main__":
    main()
