"""The queue as keyset pages: most urgent first, never an OFFSET scan.

Order: leads whose clock is at risk or breached (at_risk_at <= now) by
deadline, then the rest by deadline. Each of the two segments is a range
walk on (owner, state, due_at, id); a cursor is (segment, due_at, id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, case, func, or_, select

from leadqueue.domain.duplicates import fold_text
from leadqueue.store.schema import leads

Cursor = tuple[int, datetime, int]

SECTIONS = {"decide": "new", "follow_up": "accepted"}


class QueueRow(NamedTuple):
    """One line of the queue. A named tuple: a page makes one per row, and a
    frozen dataclass cost several times as much to build."""

    id: int
    crm_id: str
    owner: str | None
    tier: str
    name: str
    title: str
    company: str
    email: str
    source: str
    score: int | None
    clock: str | None
    due_at: datetime
    at_risk_at: datetime | None
    segment: int

    @property
    def cursor(self) -> Cursor:
        return (self.segment, self.due_at, self.id)


@dataclass(frozen=True)
class QueueFilter:
    owner: str | None = None  # None: every rep
    section: str = "decide"
    tiers: frozenset[str] = frozenset()
    clock_state: str = ""  # "", running, at_risk, breached
    source: str = ""
    search: str = ""
    exclude: frozenset[int] = field(default_factory=frozenset)


_COLUMNS = (
    leads.c.id,
    leads.c.crm_id,
    leads.c.owner,
    leads.c.tier,
    leads.c.first_name,
    leads.c.last_name,
    leads.c.title,
    leads.c.company,
    leads.c.email,
    leads.c.source,
    leads.c.score,
    leads.c.due_clock,
    leads.c.due_at,
    leads.c.at_risk_at,
)


def _where(f: QueueFilter, now: datetime) -> list[Any]:
    conds: list[Any] = [leads.c.state == SECTIONS[f.section], leads.c.due_at.is_not(None)]
    if f.owner is not None:
        conds.append(leads.c.owner == f.owner)
    if f.tiers:
        conds.append(leads.c.tier.in_(sorted(f.tiers)))
    if f.source:
        conds.append(leads.c.source == f.source)
    if f.clock_state == "breached":
        conds.append(leads.c.due_at <= now)
    elif f.clock_state == "at_risk":
        conds.extend([leads.c.at_risk_at <= now, leads.c.due_at > now])
    elif f.clock_state == "running":
        conds.append(leads.c.at_risk_at > now)
    needle = fold_text(f.search)
    if needle:
        # Folded like search_text, so "jose" finds José; % and _ typed by the rep are literal.
        escaped = needle.replace("%", "\\%").replace("_", "\\_")
        conds.append(leads.c.search_text.like(f"%{escaped}%", escape="\\"))
    return conds


def _segment(segment: int, now: datetime) -> Any:
    return leads.c.at_risk_at <= now if segment == 0 else leads.c.at_risk_at > now


def _to_rows(result: Any, segment: int) -> list[QueueRow]:
    # Rows come in _COLUMNS order: id, crm_id, owner, tier, first and last name,
    # then title .. at_risk_at as QueueRow has them; the two names become one.
    return [QueueRow(*r[:4], f"{r[4]} {r[5]}".strip() or r[8] or r[1], *r[6:], segment) for r in result]


def _page(
    conn: Connection,
    f: QueueFilter,
    now: datetime,
    segment: int,
    edge: tuple[datetime, int] | None,
    limit: int,
    backwards: bool = False,
) -> list[QueueRow]:
    """Up to `limit` rows of one segment in queue order: the first ones after
    `edge` (due_at, id), or, `backwards`, the last ones before it; without an
    edge, from the segment's start or end."""
    conds = [*_where(f, now), _segment(segment, now)]
    if edge is not None:
        due, lead_id = edge
        if backwards:
            conds.append(or_(leads.c.due_at < due, and_(leads.c.due_at == due, leads.c.id < lead_id)))
        else:
            conds.append(or_(leads.c.due_at > due, and_(leads.c.due_at == due, leads.c.id > lead_id)))
    order = (leads.c.due_at.desc(), leads.c.id.desc()) if backwards else (leads.c.due_at, leads.c.id)
    if fold_text(f.search):
        # A search walks the rep's queue until it has a page of matches, and a rare
        # term walks all of it. The planner walks (owner, state, due_at, id) and
        # looks up every row to test its text (0.3 s for no match in 100,000
        # leads, 2 s cold); asking for the ids alone lets it walk ix_leads_search,
        # which holds the text, and fetch only the page's rows (about 12 ms a walk).
        ids = select(leads.c.id).where(*conds).order_by(*order).limit(limit).scalar_subquery()
        q = select(*_COLUMNS).where(leads.c.id.in_(ids))
    else:
        q = select(*_COLUMNS).where(*conds)
    rows = _to_rows(conn.execute(q.order_by(*order).limit(limit)), segment)
    return rows[::-1] if backwards else rows


def page_after(
    conn: Connection, f: QueueFilter, now: datetime, cursor: Cursor | None, limit: int
) -> list[QueueRow]:
    """Up to `limit` rows after `cursor` (from the top when None)."""
    if cursor is not None and cursor[0] == 1:
        return _page(conn, f, now, 1, (cursor[1], cursor[2]), limit)
    rows = _page(conn, f, now, 0, None if cursor is None else (cursor[1], cursor[2]), limit)
    if len(rows) < limit:
        rows += _page(conn, f, now, 1, None, limit - len(rows))
    return rows


def page_before(
    conn: Connection, f: QueueFilter, now: datetime, cursor: Cursor | None, limit: int
) -> list[QueueRow]:
    """Up to `limit` rows before `cursor` (the last rows when None), in queue order."""
    if cursor is not None and cursor[0] == 0:
        return _page(conn, f, now, 0, (cursor[1], cursor[2]), limit, backwards=True)
    rows = _page(conn, f, now, 1, None if cursor is None else (cursor[1], cursor[2]), limit, backwards=True)
    if len(rows) < limit:
        rows = _page(conn, f, now, 0, None, limit - len(rows), backwards=True) + rows
    return rows


@dataclass(frozen=True)
class QueueCounts:
    open: int
    at_risk: int
    breached: int
    decide: int
    follow_up: int


def counts(conn: Connection, owner: str | None, now: datetime) -> QueueCounts:
    q = select(
        func.count(),
        func.sum(case((and_(leads.c.at_risk_at <= now, leads.c.due_at > now), 1), else_=0)),
        func.sum(case((leads.c.due_at <= now, 1), else_=0)),
        func.sum(case((leads.c.state == "new", 1), else_=0)),
    ).where(leads.c.is_open.is_(True))
    if owner is not None:
        q = q.where(leads.c.owner == owner)
    total, at_risk, breached, decide = conn.execute(q).one()
    total = int(total or 0)
    return QueueCounts(
        total, int(at_risk or 0), int(breached or 0), int(decide or 0), total - int(decide or 0)
    )


def sources(conn: Connection, owner: str | None) -> Sequence[str]:
    q = select(leads.c.source).where(leads.c.is_open.is_(True)).distinct().order_by(leads.c.source)
    if owner is not None:
        q = q.where(leads.c.owner == owner)
    return [s for (s,) in conn.execute(q) if s]
