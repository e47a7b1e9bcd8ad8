"""Several processes deciding on the same leads at once, on SQLite and on
PostgreSQL: each lead ends with exactly one decision, and every loser was
told why."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.store.engine import open_store
from leadqueue.store.schema import events, leads
from tests.conftest import NOW
from tests.factories import add_lead
from tests.pg import pg_schema

LEADS = 40
WORKERS = 6

# Each worker walks every lead in its own order and tries to decide on it: the
# leads' owner at six terminals (only a lead's owner decides on it), each
# worker's decisions noted with its number.
WORKER = """
import json, random, sys
from datetime import datetime, timedelta
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Reject
from leadqueue.domain.lifecycle import IllegalTransition
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.store.engine import open_store

url, rep, seed, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
now = datetime.fromisoformat(sys.argv[5])
svc = DecisionService(Services(store=open_store(url), clock=FixedClock(now)))
rng = random.Random(seed)
ids = [f"C{i:04d}" for i in range(n)]
rng.shuffle(ids)
won, lost = [], []
for crm_id in ids:
    try:
        if rng.random() < 0.5:
            svc.accept(crm_id, rep, Accept("call", now + timedelta(hours=2), f"worker {seed}"))
        else:
            svc.reject(crm_id, rep, Reject("R3", f"worker {seed}"))
        won.append(crm_id)
    except IllegalTransition as exc:
        lost.append([crm_id, str(exc)])
print(json.dumps({"won": won, "lost": lost}))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "team.db")
    else:
        with pg_schema() as url:
            yield url


def test_racing_decisions_leave_one_decision_per_lead(store_url: str) -> None:
    services = Services(store=open_store(store_url), policy=Policy(), clock=FixedClock(NOW))
    for i in range(LEADS):
        add_lead(services, f"C{i:04d}", rep="ana", assigned_at=NOW - timedelta(hours=1))
    services.store.dispose()

    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, store_url, "ana", str(w), str(LEADS), NOW.isoformat()],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WORKERS)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out))

    won = Counter(crm_id for r in results for crm_id in r["won"])
    assert sorted(won) == [f"C{i:04d}" for i in range(LEADS)] and set(won.values()) == {1}
    for r in results:
        for _crm_id, message in r["lost"]:
            assert message.startswith("cannot ") and ("accepted" in message or "rejected" in message)
    assert sum(len(r["won"]) + len(r["lost"]) for r in results) == LEADS * WORKERS

    check = Services(store=open_store(store_url), policy=Policy(), clock=FixedClock(NOW))
    with check.store.read() as conn:
        q = (
            select(leads.c.crm_id, events.c.kind, events.c.actor, events.c.payload, leads.c.state)
            .join(leads, leads.c.id == events.c.lead_id)
            .where(events.c.kind.in_(["accepted", "rejected"]))
        )
        decided = list(conn.execute(q))
    check.store.dispose()
    assert len(decided) == LEADS  # no second decision was ever written
    winner = {crm_id: f"worker {w}" for w, r in enumerate(results) for crm_id in r["won"]}
    for crm_id, kind, actor, payload, state in decided:
        assert actor == "ana" and payload["note"] == winner[crm_id]
        assert state == kind  # the projection shows the winner's decision
