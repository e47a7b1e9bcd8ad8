"""Next steps still owed, from the projected next_step_* columns of accepted leads."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, select

from leadqueue.store.schema import leads


class StepRow(NamedTuple):
    crm_id: str
    owner: str | None
    name: str
    company: str
    kind: str
    due: datetime
    note: str


def owed_before(conn: Connection, owner: str | None, until: datetime, limit: int) -> list[StepRow]:
    """Up to `limit` steps not yet done that fall due before `until` (overdue ones
    included), earliest first: the most overdue leads the list. `owner` None: every rep's."""
    c = leads.c
    q = (
        select(
            c.crm_id,
            c.owner,
            c.first_name,
            c.last_name,
            c.email,
            c.company,
            c.next_step_kind,
            c.next_step_due,
            c.next_step_note,
        )
        .where(
            c.state == "accepted",
            c.next_step_done_at.is_(None),
            c.next_step_due.is_not(None),
            c.next_step_due < until,
        )
        .order_by(c.next_step_due, c.id)
        .limit(limit)
    )
    if owner is not None:
        q = q.where(c.owner == owner)
    return [
        StepRow(
            r.crm_id,
            r.owner,
            # named as the queue names a lead: the person, else the email, else the id
            f"{r.first_name} {r.last_name}".strip() or r.email or r.crm_id,
            r.company,
            r.next_step_kind or "",
            r.next_step_due,
            r.next_step_note or "",
        )
        for r in conn.execute(q)
    ]
