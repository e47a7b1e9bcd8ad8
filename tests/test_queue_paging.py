"""Keyset paging walks the whole queue in its order, forwards and backwards,
with and without a search, whatever the page size and however deadlines tie."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, insert

from leadqueue.store import queue_query as qq
from leadqueue.store import repository as repo
from leadqueue.store.engine import open_store
from leadqueue.store.schema import leads

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
WORDS = ["ab", "abc", "bc", "cab", "zz"]

a_lead = st.tuples(
    st.integers(-30, 30),  # due, minutes from now: a narrow range, so deadlines tie
    st.integers(0, 40),  # at risk this many minutes before it is due
    st.sampled_from(["ana", "ben"]),
    st.sampled_from(["new", "accepted"]),
    st.sampled_from(WORDS),
)


def _walk_forward(conn: Connection, f: qq.QueueFilter, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    while rows := qq.page_after(conn, f, NOW, cursor, limit):
        assert len(rows) <= limit
        seen += [r.id for r in rows]
        cursor = rows[-1].cursor
    return seen


def _walk_backward(conn: Connection, f: qq.QueueFilter, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    while rows := qq.page_before(conn, f, NOW, cursor, limit):
        assert len(rows) <= limit
        seen = [r.id for r in rows] + seen
        cursor = rows[0].cursor
    return seen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(a_lead, max_size=30),
    search=st.sampled_from(["", "ab", "b", "ca", "nothing"]),
    section=st.sampled_from(["decide", "follow_up"]),
    limit=st.integers(1, 7),
)
def test_pages_walk_the_queue_in_order_both_ways(
    tmp_path: Path, rows: list[tuple[int, int, str, str, str]], search: str, section: str, limit: int
) -> None:
    store = open_store(tmp_path / f"{uuid.uuid4().hex}.db")
    expected: list[tuple[int, datetime, int]] = []
    with store.write() as conn:
        repo.ensure_reps(conn, {"ana": "Ana", "ben": "Ben"})
        for n, (due_in, risk, owner, state, word) in enumerate(rows, start=1):
            due = NOW + timedelta(minutes=due_in)
            at_risk = due - timedelta(minutes=risk)
            conn.execute(
                insert(leads).values(
                    id=n,
                    crm_id=f"L{n}",
                    owner=owner,
                    state=state,
                    is_open=True,
                    due_at=due,
                    at_risk_at=at_risk,
                    search_text=f"lead {n} {word}",
                )
            )
            matches = not search or search in f"lead {n} {word}"
            if owner == "ana" and state == qq.SECTIONS[section] and matches:
                expected.append((0 if at_risk <= NOW else 1, due, n))
    order = [n for *_, n in sorted(expected)]
    f = qq.QueueFilter(owner="ana", section=section, search=search)
    with store.read() as conn:
        forward = _walk_forward(conn, f, limit)
        backward = _walk_backward(conn, f, limit)
    store.dispose()
    assert forward == order
    assert backward == order
