"""What the weekly report reads beyond the team's numbers (team_queries): the
assignments of a period and the routing rule each names, from the events.

Routing (issue 21) records each assignment it makes as an `assigned` event
with actor `routing` and the rule and method in its payload. Both queries
are ranges of ix_events_kind_at.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, literal, select

from leadqueue.store.column_types import UTCDateTime
from leadqueue.store.schema import events

ROUTING_ACTOR = "routing"


def _assigned_in(since: datetime, until: datetime) -> Any:
    return (
        events.c.kind == "assigned",
        events.c.at >= literal(since, UTCDateTime()),
        events.c.at < literal(until, UTCDateTime()),
    )


def assignments(conn: Connection, since: datetime, until: datetime) -> int:
    """How many assignments the period's events record, whoever made them."""
    return int(conn.execute(select(func.count()).where(*_assigned_in(since, until))).scalar_one())


def routed_by_rule(conn: Connection, since: datetime, until: datetime) -> Counter[tuple[str, str]]:
    """(rule, method) -> how many of the period's assignments routing made by it.

    Counted here rather than in SQL: the payload is JSON, read differently by
    each database, and a week holds a few thousand assignments at most."""
    q = select(events.c.payload).where(*_assigned_in(since, until), events.c.actor == ROUTING_ACTOR)
    out: Counter[tuple[str, str]] = Counter()
    for (payload,) in conn.execute(q):
        payload = payload if isinstance(payload, dict) else {}
        out[(str(payload.get("rule") or "(no rule)"), str(payload.get("method") or ""))] += 1
    return out
