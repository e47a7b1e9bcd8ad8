"""What every command resolves first: config, policy, store, actor, clock."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from leadqueue.domain.clock import Clock, SystemClock
from leadqueue.services.context import Services
from leadqueue.services.maintenance import refresh_stale_projections
from leadqueue.services.store_access import Store, StoreError, open_store, writes_only_own_leads
from leadqueue.settings import paths
from leadqueue.settings.config import UserConfig, load_config
from leadqueue.settings.policy_file import load_policy


def add_common(parser: argparse.ArgumentParser) -> None:
    """--db, --policy and --as, accepted before or after the subcommand.

    Defaults are SUPPRESSed so a value given after the subcommand is not
    overwritten by the top-level parser's default, and vice versa.
    """
    parser.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="PATH|URL",
        help="store: a SQLite file or a SQLAlchemy URL (default: config, then the data dir)",
    )
    parser.add_argument(
        "--policy",
        default=argparse.SUPPRESS,
        metavar="FILE",
        type=Path,
        help="team policy TOML (default: policy.toml in the config dir)",
    )
    parser.add_argument(
        "--as",
        dest="actor",
        default=argparse.SUPPRESS,
        metavar="REP",
        help="who acts (default: rep in the config file)",
    )


@dataclass
class Context:
    config: UserConfig
    services: Services
    actor: str | None

    def rep_key(self, required: bool = True) -> str | None:
        """The acting rep's key: the roster rep `--as` (or the config) names, an
        error naming the known reps if it names none; on a PostgreSQL team store,
        the rep whose role this connection is (services.acting)."""
        from leadqueue.services.acting import acting_key

        return acting_key(self.services, self.actor, required)


def store_target(args: argparse.Namespace, config: UserConfig, db: str | None = None) -> str:
    """The store a command works on: `db`, else --db, else the config's, else the data dir's."""
    target = db or getattr(args, "db", None) or config.store
    return target if target is not None else str(paths.default_store())


def open_target(target: str, create: bool) -> Store:
    if create and target == str(paths.default_store()):
        paths.default_store().parent.mkdir(parents=True, exist_ok=True)
    return open_store(target, create=create)


def build_context(
    args: argparse.Namespace, clock: Clock | None = None, db: str | None = None, create: bool = False
) -> Context:
    """Config, policy and store for a command. Only a command that writes what it
    brings in (an import, a new rep, a sync) passes `create`: every other one
    needs an existing store, so a mistyped --db is an error, not a new empty store."""
    from leadqueue.cli.output import say

    config = load_config()
    for warning in config.warnings:
        say(f"leadqueue: warning: {warning}", err=True)
    policy_path = getattr(args, "policy", None) or (Path(config.policy) if config.policy else None)
    policy = load_policy(policy_path)
    store = open_target(store_target(args, config, db), create)
    actor = getattr(args, "actor", None) or config.rep
    services = Services(store=store, policy=policy, clock=clock or SystemClock())
    from leadqueue.cli.progress import progress_bar

    with progress_bar("recomputing the SLA clocks of every lead") as progress:
        try:
            refresh_stale_projections(services, progress)
        except StoreError:
            if store.read_only:
                why = "is read-only"
            elif writes_only_own_leads(store):
                why = "may not be rewritten by this PostgreSQL role (its owner can)"
            else:
                raise
            # Reading is still worth it; the reader is told what it reads.
            say(
                f"leadqueue: warning: store {store.label} {why}: its SLA clocks were computed "
                "with another policy (or an older leadqueue) and are shown as stored",
                err=True,
            )
    return Context(config=config, services=services, actor=actor)
