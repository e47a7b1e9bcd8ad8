"""Keyset paging walks the whole queue in its order, forwards and backwards,
with and without a search or filters, whatever the page size and however
deadlines tie, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, delete, insert

from leadqueue.domain.duplicates import fold_text
from leadqueue.store import queue_query as qq
from leadqueue.store import repository as repo
from leadqueue.store.engine import Store
from leadqueue.store.schema import leads
from leadqueue.tui.format import clock_state

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
WORDS = ["ab", "abc", "bc", "cab", "zz"]

a_lead = st.tuples(
    st.integers(-30, 30),  # due, minutes from now: a narrow range, so deadlines tie
    st.integers(0, 40),  # at risk this many minutes before it is due
    st.sampled_from(["ana", "ben"]),
    st.sampled_from(["new", "accepted"]),
    st.sampled_from(WORDS),
    st.sampled_from(["hot", "standard", "low"]),
    st.sampled_from(["webinar", "demo_request"]),
)


def _walk(conn: Connection, f: qq.QueueFilter, limit: int, backwards: bool = False) -> list[int]:
    """Every id, page by page from one end (`page_before` from the last), in queue order."""
    seen: list[int] = []
    cursor = None
    while rows := (qq.page_before if backwards else qq.page_after)(conn, f, NOW, cursor, limit):
        assert len(rows) <= limit
        assert not {r.id for r in rows} & set(seen), "a page repeated a row: the walk would never end"
        ids = [r.id for r in rows]
        seen = ids + seen if backwards else seen + ids
        cursor = (rows[0] if backwards else rows[-1]).cursor
    return seen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(a_lead, max_size=30),
    search=st.sampled_from(["", "ab", "b", "ca", "nothing", "a%", "b_"]),
    section=st.sampled_from(["decide", "follow_up"]),
    tiers=st.sampled_from([frozenset(), frozenset({"hot"}), frozenset({"hot", "low"})]),
    source=st.sampled_from(["", "webinar"]),
    state=st.sampled_from(["", "running", "at_risk", "breached"]),
    limit=st.integers(1, 7),
)
def test_pages_walk_the_queue_in_order_both_ways(
    store: Store,
    rows: list[tuple[int, int, str, str, str, str, str]],
    search: str,
    section: str,
    tiers: frozenset[str],
    source: str,
    state: str,
    limit: int,
) -> None:
    expected: list[tuple[int, datetime, int]] = []
    with store.write() as conn:
        conn.execute(delete(leads))  # the store is shared by every example
        repo.ensure_reps(conn, {"ana": "Ana", "ben": "Ben"})
        for n, (due_in, risk, owner, lead_state, word, tier, lead_source) in enumerate(rows, start=1):
            due = NOW + timedelta(minutes=due_in)
            at_risk = due - timedelta(minutes=risk)
            conn.execute(
                insert(leads).values(
                    id=n,
                    crm_id=f"L{n}",
                    owner=owner,
                    state=lead_state,
                    tier=tier,
                    source=lead_source,
                    is_open=True,
                    due_at=due,
                    at_risk_at=at_risk,
                    search_text=f"lead {n} {word}",
                )
            )
            wanted = (
                owner == "ana"
                and lead_state == qq.SECTIONS[section]
                and fold_text(search) in f"lead {n} {word}"  # searched as the rep's words fold
                and (not tiers or tier in tiers)
                and (not source or lead_source == source)
                and (not state or clock_state(due, at_risk, NOW) == state)
            )
            if wanted:
                expected.append((0 if at_risk <= NOW else 1, due, n))
    order = [n for *_, n in sorted(expected)]
    f = qq.QueueFilter(
        owner="ana", section=section, search=search, tiers=tiers, source=source, clock_state=state
    )
    with store.read() as conn:
        forward = _walk(conn, f, limit)
        backward = _walk(conn, f, limit, backwards=True)
    assert forward == order
    assert backward == order
