"""`leadqueue demo`: a fresh, time-shifted copy of the bundled sample store."""

from __future__ import annotations

import argparse
import shutil
from datetime import timedelta
from pathlib import Path

import leadqueue
from leadqueue.cli.commands import run_app
from leadqueue.cli.common import build_context
from leadqueue.cli.errors import CommandError
from leadqueue.cli.output import say
from leadqueue.cli.progress import progress_bar
from leadqueue.cli.render import print_queue
from leadqueue.demo.generator import REFERENCE, generate
from leadqueue.domain.clock import Clock
from leadqueue.services.context import Services
from leadqueue.services.maintenance import demo_reference, shift_store
from leadqueue.services.store_access import open_store
from leadqueue.settings import paths

DEMO_REP = "ana"


def bundled_sample() -> Path | None:
    """sample.db beside the package (a source checkout or an editable install)."""
    candidate = Path(leadqueue.__file__).resolve().parent.parent / "sample.db"
    return candidate if candidate.is_file() else None


def fresh_demo_copy(clock: Clock, target: Path | None = None) -> Path:
    """Copy (or, without a bundled file, generate) the sample and shift it to now."""
    target = target or paths.data_dir() / "demo.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source = bundled_sample()
    if source is not None:
        shutil.copyfile(source, target)
    else:
        generate(target)
    store = open_store(target)
    try:
        services = Services(store=store, clock=clock)
        with store.read() as conn:
            reference = demo_reference(conn) or REFERENCE
        # Whole minutes keep the shifted times tidy.
        delta = timedelta(minutes=int((clock.now() - reference).total_seconds() // 60))
        shift_store(services, delta)
    finally:
        store.dispose()
    return target


def _demo_target(db: str | None) -> Path | None:
    """Where --db puts the demo's copy: a new file, never a store already there."""
    if db is None:
        return None
    if "://" in db:
        raise CommandError(f"--db {db}: the demo is a SQLite file; give a path for its copy")
    target = Path(db).expanduser()
    if target.exists():
        raise CommandError(
            f"--db {db}: a file is there already, and the demo writes a fresh copy of the sample:"
            " remove it or name a new file"
        )
    return target


def run_demo(args: argparse.Namespace, clock: Clock) -> int:
    if args.generate:
        out = args.out or Path("sample.db")
        with progress_bar(f"generating {out.name}") as progress:
            made = generate(
                out,
                n_leads=args.leads,
                n_reps=args.reps,
                seed=args.seed,
                open_share=args.open_share,
                history_leads=args.history,
                progress=progress,
            )
        say(f"wrote {made.path}: {made.leads} leads, {made.events} events, {made.reps} reps")
        return 0
    path = fresh_demo_copy(clock, _demo_target(getattr(args, "db", None)))
    ctx = build_context(args, clock, db=str(path))
    if not ctx.actor:
        ctx.actor = DEMO_REP  # the demo needs someone to decide as
    if args.print_only:
        say(f"demo store: {path} (a fresh copy; the bundled sample is untouched)")
        print_queue(ctx.services, ctx.rep_key(required=False), 40)
        return 0
    return run_app(ctx)
