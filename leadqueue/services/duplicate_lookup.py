"""The record a rejected lead duplicates (reason R5): the candidates to pick
from, a search by name, email or id, and the check of the record chosen.

A rep names the record the lead duplicates. Typed from memory, an id may name
no lead, the lead itself, or someone else entirely: the Reject form checks it
here before it closes, so that a mistake is shown on the field instead of
failing after the form (and what was typed in it) is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, or_, select

from leadqueue.domain.duplicates import fold_text, normalise_email
from leadqueue.services.context import Services
from leadqueue.store import repository as repo
from leadqueue.store.schema import leads

# Enough to pick from in a form; a search that finds more asks for more letters.
SEARCH_LIMIT = 8
MIN_SEARCH = 2

# Why a lead is offered, in the order the form lists them.
SAME_EMAIL = "same email"
SAME_NAME = "same name"
SAME_ACCOUNT = "same account"
FOUND = "found"
OTHER_PERSON = "other person"

_PERSON_COLUMNS = (
    leads.c.crm_id,
    leads.c.first_name,
    leads.c.last_name,
    leads.c.email,
    leads.c.company,
    leads.c.state,
)


@dataclass(frozen=True)
class Person:
    """Who a lead is, as far as telling two people apart goes."""

    crm_id: str
    name: str
    email: str
    company: str = ""
    state: str = ""

    @property
    def label(self) -> str:
        """`Name <email>`, or what there is of it, else the id."""
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or self.crm_id


def same_person(a: Person, b: Person) -> bool | None:
    """Whether two leads are one person: the same address (tags and case aside)
    or the same name (case, accents and punctuation aside). None when there is
    nothing to compare: no address and no name on one side."""
    email_a, email_b = normalise_email(a.email), normalise_email(b.email)
    if email_a and email_a == email_b:
        return True
    name_a, name_b = fold_text(a.name), fold_text(b.name)
    if name_a and name_a == name_b:
        return True
    if (email_a and email_b) or (name_a and name_b):
        return False
    return None


@dataclass(frozen=True)
class Candidate:
    person: Person
    why: str  # SAME_EMAIL, SAME_NAME, SAME_ACCOUNT, FOUND or OTHER_PERSON
    # Whether it is the person being rejected (each of them, for several leads).
    matches: bool | None

    @property
    def detected(self) -> bool:
        """Found by the duplicate keys, not merely at the same company."""
        return self.why in (SAME_EMAIL, SAME_NAME)


@dataclass(frozen=True)
class DuplicateCheck:
    """The record an R5 names, or why it cannot be the one."""

    record: Person | None
    problem: str = ""  # shown on the field; the form stays open
    # The leads being rejected that are another person than `record`: asked about.
    others: tuple[Person, ...] = ()


def _person(row: Any) -> Person:
    name = f"{row.first_name} {row.last_name}".strip()
    return Person(row.crm_id, name, row.email, row.company, row.state)


def _people(conn: Connection, crm_ids: Sequence[str]) -> list[Person]:
    if not crm_ids:
        return []
    rows = conn.execute(select(*_PERSON_COLUMNS).where(leads.c.crm_id.in_(list(crm_ids))))
    found = {r.crm_id: _person(r) for r in rows}
    return [found[i] for i in crm_ids if i in found]


def _matches(person: Person, targets: Sequence[Person]) -> bool | None:
    verdicts = [same_person(person, t) for t in targets]
    if any(v is False for v in verdicts):
        return False
    return True if verdicts and all(v for v in verdicts) else None


def _why(person: Person, targets: Sequence[Person], fallback: str) -> str:
    for t in targets:
        email = normalise_email(t.email)
        if email and email == normalise_email(person.email):
            return SAME_EMAIL
    if any(same_person(person, t) for t in targets):
        return SAME_NAME
    return fallback


class DuplicateLookup:
    """Reads for the Reject form's R5 field; each call is one read transaction."""

    def __init__(self, services: Services) -> None:
        self.s = services

    def candidates(self, targets: Sequence[str], limit: int = 30) -> list[Candidate]:
        """The detected duplicates of the leads being rejected, then the other
        contacts of their accounts, without the leads themselves."""
        with self.s.store.read() as conn:
            rows = [r for r in (repo.find_lead(conn, t) for t in targets) if r is not None]
            wanted = {r.crm_id for r in rows}
            duplicates: list[str] = []
            contacts: list[str] = []
            for row in rows:
                duplicates += [d.crm_id for d in repo.possible_duplicates(conn, row)]
                contacts += [c.crm_id for c in repo.account_contacts(conn, row)]
            ids = list(dict.fromkeys(i for i in duplicates + contacts if i not in wanted))[:limit]
            people = _people(conn, ids)
            mine = _people(conn, [r.crm_id for r in rows])
        detected = set(duplicates)
        found = [
            Candidate(
                p, _why(p, mine, SAME_NAME if p.crm_id in detected else SAME_ACCOUNT), _matches(p, mine)
            )
            for p in people
        ]
        # Detected duplicates first, as the form highlights the first of them.
        return sorted(found, key=lambda c: not c.detected)

    def search(self, text: str, targets: Sequence[str], limit: int = SEARCH_LIMIT) -> list[Candidate]:
        """Leads whose id is `text` or starts with it, or whose name, company or
        email holds it (folded as the queue's search is), any rep's: the exact
        id first. Fewer than MIN_SEARCH letters find nothing but an exact id."""
        with self.s.store.read() as conn:
            ids = _search(conn, text, targets, limit)
            people = _people(conn, ids)
            mine = _people(conn, list(targets))
        found = []
        for p in people:
            matches = _matches(p, mine)
            found.append(Candidate(p, _why(p, mine, OTHER_PERSON if matches is False else FOUND), matches))
        return found

    def check(self, targets: Sequence[str], typed: str, picked: str | None = None) -> DuplicateCheck:
        """The record `picked` from the form's list, else the one `typed` names:
        by id (a Salesforce id's 15-character form too), else the one lead whose
        name or email matches. A problem when it names none, several, or a lead
        being rejected; `others` when it is another person."""
        wanted = (picked or typed).strip()
        if not wanted:
            return DuplicateCheck(None, "type the id of the record it duplicates, or a name or email")
        with self.s.store.read() as conn:
            row = repo.find_lead(conn, wanted)
            # A pick from the list is an id; typed text may be a name or an email too.
            found = (
                [row.crm_id] if row is not None else _search(conn, wanted, targets, 2) if not picked else []
            )
            record = _people(conn, found[:1])
            mine = _people(conn, list(targets))
        if len(found) > 1:
            return DuplicateCheck(None, f"several leads match {wanted!r}: pick one with ↑↓")
        if not record:
            return DuplicateCheck(None, f"no lead has the id {wanted!r}, nor that name or email")
        person = record[0]
        if person.crm_id in set(targets):
            which = "the lead" if len(targets) == 1 else "one of the leads"
            return DuplicateCheck(
                None, f"{person.crm_id} is {which} being rejected: it cannot duplicate itself"
            )
        others = tuple(t for t in mine if same_person(person, t) is False)
        return DuplicateCheck(person, "", others)


def _escape_like(text: str) -> str:
    # What the rep typed is literal: % and _ match themselves.
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search(conn: Connection, text: str, targets: Sequence[str], limit: int) -> list[str]:
    typed = text.strip()
    if not typed:
        return []
    exact = repo.find_lead(conn, typed)
    ids = [exact.crm_id] if exact is not None else []
    needle = fold_text(typed)
    if len(typed) >= MIN_SEARCH:
        conds = [leads.c.crm_id.like(_escape_like(typed) + "%", escape="\\")]
        if len(needle) >= MIN_SEARCH:
            conds.append(leads.c.search_text.like(f"%{_escape_like(needle)}%", escape="\\"))
        q = select(leads.c.crm_id).where(or_(*conds)).order_by(leads.c.id).limit(limit + len(targets) + 1)
        ids += [r.crm_id for r in conn.execute(q)]
    excluded = set(targets)
    return [i for i in dict.fromkeys(ids) if i not in excluded][:limit]
