"""`leadqueue sync`: publish and pull through the shared folder; `--show-key`
prints the key this store signs with, for the others' roster."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

from leadqueue.cli.common import Context
from leadqueue.cli.errors import CommandError
from leadqueue.cli.output import say
from leadqueue.cli.progress import progress_bar


def show_key(ctx: Context) -> int:
    from leadqueue.sync.service import show_key  # deferred: cryptography (~40 modules), for sync only

    key, note = show_key(ctx.services)
    if note:
        say(f"leadqueue: warning: {note}", err=True)
    say(key)
    return 0


def run_sync(ctx: Context, a: argparse.Namespace, export_dir: Path) -> int:
    from leadqueue.sync.service import SyncService  # deferred: cryptography (~40 modules), for sync only

    try:
        rep = ctx.rep_key(required=False)  # who this store writes as, if its first segment is still to come
    except LookupError as exc:
        from leadqueue.services.roster import RosterService  # deferred: the roster file readers

        if RosterService(ctx.services).list():
            raise CommandError(str(exc)) from None
        # No roster yet: a sync may be what brings the team in. The store then
        # writes as the rep of its first published event.
        rep = None
    hint = rep or ctx.actor or socket.gethostname()  # only names the writer's folder
    with progress_bar("syncing") as progress:
        summary = SyncService(ctx.services, export_dir, hint, a.segment_events, progress, rep=rep).run()
    for problem in summary.problems(with_refusal=False):
        say(f"leadqueue: warning: {problem}", err=True)
    say(summary.line())
    if summary.publish_refused:
        # The others' events were taken in, but this store's did not go out: a failed sync.
        raise CommandError(summary.publish_refused)
    return 0
