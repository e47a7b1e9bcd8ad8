"""A CRM's own user list (Salesforce users, HubSpot users or owners) as roster changes.

Each active user updates the rep it already is, found by CRM user id, else
email, else by name when the only rep of that name is one a lead import made
(a name and nothing else), or else becomes a new rep. An update adds the
user's ids to the rep's CRM ids, takes the user's zone when the file gives
one, fills a blank email, and keeps the CRM's spelling of the name (or a
second email) as an alias, so that lead files naming the owner that way
still find the rep. Inactive users make no rep; the plan lists what names
them (ids, email, name), so that a lead file naming one says so rather than
making a rep of a person who has left.

Pure: the service reads the file, loads the reps, and writes the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from leadqueue.domain.owners import (
    OwnerMatcher,
    crm_id_key,
    inactive_who,
    is_salesforce_id,
    name_from_email,
    salesforce_id18,
)
from leadqueue.domain.roster import (
    InvalidRep,
    Problem,
    Rep,
    clashes,
    fold,
    new_rep,
    parse_zone,
    revise,
    unique_key,
)


@dataclass(frozen=True)
class CrmUser:
    where: str  # "row 3"
    crm: str  # "Salesforce" | "HubSpot"
    ids: tuple[str, ...]  # the user id (and a HubSpot owner id), as in the file
    name: str  # "" when the file has none
    email: str
    zone: str  # the zone cell; "" when the file gives none
    active: bool


@dataclass(frozen=True)
class PlannedRep:
    where: str
    before: Rep | None  # None: a new rep
    after: Rep


@dataclass
class UserImportPlan:
    changes: list[PlannedRep] = field(default_factory=list)
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (where, problem)
    inactive: dict[str, str] = field(default_factory=dict)  # what names an inactive user -> who
    active: set[str] = field(default_factory=set)  # what names an active user of this list
    inactive_users: int = 0  # two with the same name are two


def plan_user_import(
    current: Sequence[Rep], users: Iterable[CrmUser], imported_on: str = ""
) -> UserImportPlan:
    """`imported_on` (a date) goes into what the plan says of each inactive user, so a lead
    file naming one later says which list made them inactive."""
    plan = UserImportPlan()
    matcher = OwnerMatcher(current)
    claimed: dict[str, str] = {}  # rep key -> the row that changes it
    seen_ids: dict[str, str] = {}  # crm_id_key -> the row that has it
    for user in users:
        if not user.active:
            who = inactive_who(user.name or user.email or user.ids[0], user.crm, imported_on)
            plan.inactive.update(dict.fromkeys(user_identifiers(user), who))
            plan.inactive_users += 1
            continue
        plan.active.update(user_identifiers(user))
        problems = _repeated_ids(user, seen_ids)
        repeated = bool(problems)  # then it is the same rep as that row's, said once
        try:
            zone = parse_zone(user.zone) if user.zone else None
        except ValueError as exc:
            problems.append(Problem("zone", str(exc)))
        found, column, why = _find(matcher, user)
        if why:
            problems.append(why)
        elif found is not None and found.key in claimed and not repeated:
            reason = f"this user is rep {found.key!r}, as the user on {claimed[found.key]} of this file is"
            problems.append(Problem(column, reason))
        if problems:
            plan.problems += [(user.where, p) for p in problems]
            continue
        try:
            after = _updated(found, user, zone, matcher) if found else _new(user, zone, matcher)
        except InvalidRep as exc:
            plan.problems += [(user.where, p) for p in exc.problems]
            continue
        claimed[after.key] = user.where
        matcher.add(after)
        plan.changes.append(PlannedRep(user.where, found, after))
    final = {r.key: r for r in current} | {c.after.key: c.after for c in plan.changes}
    for change in plan.changes:
        if change.after != change.before:
            plan.problems += [(change.where, p) for p in clashes(change.after, final.values())]
    return plan


def user_identifiers(user: CrmUser) -> list[str]:
    """What an owner cell naming this user may say, compared as the owner matcher compares."""
    texts = [crm_id_key(i) for i in user.ids if i.strip()]
    return texts + [fold(t) for t in (user.email, user.name) if fold(t)]


def _repeated_ids(user: CrmUser, seen: dict[str, str]) -> list[Problem]:
    problems = []
    for crm_id in user.ids:
        token = crm_id_key(crm_id)
        if token in seen:
            problems.append(
                Problem("crm_ids", f"user id {crm_id!r} is already on {seen[token]} of this file")
            )
        else:
            seen[token] = user.where
    return problems


def _find(matcher: OwnerMatcher, user: CrmUser) -> tuple[Rep | None, str, Problem | None]:
    """The rep this user is: by CRM id, else email (or an alias), else a rep known by this name
    alone; with the field that found them."""
    stages: list[tuple[str, list[Rep]]] = [
        ("crm_ids", [r for crm_id in user.ids for r in matcher.by_crm_id(crm_id)]),
        ("email", matcher.by_text(user.email) if user.email else []),
        ("name", [r for r in matcher.by_text(user.name) if _known_by_name_only(r, user.name)]),
    ]
    for column, reps in stages:
        keys = sorted({r.key for r in reps})
        if len(keys) > 1:
            return None, column, Problem(column, f"this user could be any of the reps {', '.join(keys)}")
        if keys:
            by_email = {r.key for r in stages[1][1]}
            if column == "crm_ids" and by_email and by_email != {keys[0]}:
                # updating the id's rep would give them the other rep's zone, and drop the email
                (other,) = by_email
                reason = (
                    f"the user id is rep {keys[0]!r} but the email {user.email!r} is rep {other!r}:"
                    " one user cannot be two reps (is the id or the email wrong?)"
                )
                return None, "email", Problem("email", reason)
            return reps[0], column, None
    return None, "", None


def _known_by_name_only(rep: Rep, name: str) -> bool:
    # A rep a lead import made from an owner's name: nothing else to tell two people apart.
    return bool(name) and fold(rep.name) == fold(name) and not rep.email and not rep.crm_ids


def _stored_ids(user: CrmUser) -> list[str]:
    # A Salesforce id is kept in its 18-character form: it compares case-insensitively,
    # as every CRM id on the roster does, and a 15-character owner id still finds it.
    return [salesforce_id18(i) if is_salesforce_id(i) else i for i in user.ids]


def _new(user: CrmUser, zone: str | None, matcher: OwnerMatcher) -> Rep:
    name = user.name or (name_from_email(user.email) if user.email else "")
    if not name:
        raise InvalidRep([Problem("name", "the user has no name and no email")])
    values = {"name": name, "email": user.email, "zone": zone or "", "crm_ids": _stored_ids(user)}
    return new_rep({"key": unique_key(name, matcher.taken()), **values})


def _updated(rep: Rep, user: CrmUser, zone: str | None, matcher: OwnerMatcher) -> Rep:
    known = {crm_id_key(c) for c in rep.crm_ids}
    crm_ids = [*rep.crm_ids, *(c for c in _stored_ids(user) if crm_id_key(c) not in known)]
    email, aliases = rep.email or user.email, list(rep.aliases)
    extra = [user.email] if user.email and fold(user.email) != fold(email) else []
    if user.name and fold(user.name) != fold(rep.name):
        extra.append(user.name)
    for text in extra:
        # An alias that is already another rep's name or email would be a clash: leave it out.
        if {r.key for r in matcher.by_text(text)} <= {rep.key}:
            aliases.append(text)
    changes: dict[str, Any] = {"email": email, "crm_ids": crm_ids, "aliases": aliases}
    if zone:
        changes["zone"] = zone
    return revise(rep, changes)
