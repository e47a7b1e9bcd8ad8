"""Which rep a CRM file's owner cell means.

An owner is matched against the roster by CRM user id (a rep's `crm_ids`),
email, name, key or alias, case aside; failing that, by name, key or alias
without accents (`Maria Santos` is `María Santos`), and then with a two-part
name the other way round (`Okafor, James`, `Okafor James`). A text that names
two reps at the first of these that finds any is ambiguous and never guessed.
An unknown owner that looks like a CRM user id cannot be turned into a rep
(the id says nothing about who it is). An unknown name, once the store has
the user list of the file's CRM, is not a person (a queue, say): the row names
no owner. Otherwise an unknown name or email becomes a new rep.

Pure: the service that holds the store loads the reps and writes the new ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from leadqueue.domain.roster import (
    AmbiguousRep,
    InvalidRep,
    Rep,
    RosterError,
    fold,
    loose,
    new_rep,
    parse_email,
    reordered,
    unique_key,
)

# A Salesforce record id: a 3-character key prefix (`005` a user, `00G` a queue) and
# 12 more, case-sensitive (15), or those and a 3-character case checksum (18).
_SALESFORCE_ID = re.compile(r"0[0-9A-Za-z]{14}(?:[0-9A-Za-z]{3})?\Z")
_SALESFORCE_USER = re.compile(r"005[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?\Z")
# The 18-character id's last 3 characters: for each 5-character chunk, which are upper case.
_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ZOHO_USER = re.compile(r"zcrm_\d+\Z", re.IGNORECASE)
# Zoho's numeric ids are 15 digits and more; HubSpot owner and user ids are shorter.
_ZOHO_DIGITS = 15
_HUBSPOT_DIGITS = 5


def is_salesforce_id(text: str) -> bool:
    if not _SALESFORCE_ID.match(text) or text.isdigit():
        return False
    return len(text) == 15 or all(c in _CHECKSUM for c in text[15:].upper())


def salesforce_id15(text: str) -> str:
    """The case-sensitive 15-character id. An 18-character id's checksum says which of the
    first 15 characters are upper case, so one that a tool lower-cased is read right too."""
    head = text[:15]
    if len(text) != 18 or any(c not in _CHECKSUM for c in text[15:].upper()):
        return head
    chars = list(head)
    for chunk, flag in enumerate(text[15:].upper()):
        bits = _CHECKSUM.index(flag)
        for i in range(5):
            at = chunk * 5 + i
            chars[at] = chars[at].upper() if bits >> i & 1 else chars[at].lower()
    return "".join(chars)


def salesforce_id18(text: str) -> str:
    """The 18-character form of a Salesforce id: two ids that differ only in case differ
    here in more than case, so it can be compared, and stored, case-insensitively."""
    head = salesforce_id15(text)
    flags = ""
    for chunk in range(3):
        bits = sum(1 << i for i, c in enumerate(head[chunk * 5 : chunk * 5 + 5]) if "A" <= c <= "Z")
        flags += _CHECKSUM[bits]
    return head + flags


def salesforce_suffix_problem(text: str) -> str | None:
    """Why an 18-character Salesforce id's last 3 characters cannot be its own, else None.
    A body in one case lost its case (a spreadsheet, a tool): the suffix restores it, and
    must be one a body could have; a body in mixed case kept it, so the suffix must match."""
    if len(text) != 18:
        return None
    body, suffix = text[:15], text[15:].upper()
    if body.lower() == body or body.upper() == body:
        if salesforce_id18(text)[15:] == suffix:
            return None
        return "its last 3 characters cannot belong to its first 15 (was the id retyped?)"
    expected = salesforce_id18(body)[15:]
    if suffix != expected:
        return f"its last 3 characters should be {expected!r} (was the id retyped?)"
    return None


def crm_id_key(text: str) -> str:
    """How two CRM ids compare: Salesforce ids on their case-sensitive first 15 characters
    (a 15- and an 18-character id of one user are the same user), others case-insensitively."""
    text = text.strip()
    return "sf:" + salesforce_id15(text) if is_salesforce_id(text) else fold(text)


def looks_like_crm_user_id(text: str) -> str | None:
    """The CRM whose user ids look like this text ("Salesforce", "HubSpot", "Zoho"), else None."""
    text = text.strip()
    if _SALESFORCE_USER.match(text):
        return "Salesforce"
    if _ZOHO_USER.match(text) or (text.isascii() and text.isdigit() and len(text) >= _ZOHO_DIGITS):
        return "Zoho"
    if text.isascii() and text.isdigit() and len(text) >= _HUBSPOT_DIGITS:
        return "HubSpot"
    return None


def unknown_id_reason(owner: str, crm: str) -> str:
    where = f"owner {owner.strip()!r} looks like a {crm} user id and is not in the roster"
    if crm == "Zoho":  # no Zoho user list import (yet): the id goes on the rep by hand
        return f"{where}: give it to its rep with `leadqueue reps set REP --crm-id {owner.strip()}`"
    return f"{where}: import your {crm} user list with `leadqueue reps import USERS.csv`"


class OwnerMatcher:
    """The roster indexed by every text an owner cell may use for a rep."""

    def __init__(self, reps: Iterable[Rep]) -> None:
        self._reps: dict[str, Rep] = {}
        self._by_id: dict[str, set[str]] = {}  # crm_id_key -> rep keys
        self._by_text: dict[str, set[str]] = {}  # folded key, email, name or alias -> rep keys
        self._by_loose: dict[str, set[str]] = {}  # key, name or alias without accents -> rep keys
        for rep in reps:
            self.add(rep)

    def add(self, rep: Rep) -> None:
        """Index a rep (a new one, or a new version of one already indexed)."""
        old = self._reps.get(rep.key)
        if old is not None:
            self._unindex(old)
        self._reps[rep.key] = rep
        for index, token in self._tokens(rep):
            index.setdefault(token, set()).add(rep.key)

    def _unindex(self, rep: Rep) -> None:
        for index, token in self._tokens(rep):
            index.get(token, set()).discard(rep.key)

    def _tokens(self, rep: Rep) -> list[tuple[dict[str, set[str]], str]]:
        out = []
        for folded, kind, text in rep.identifiers():
            if kind == "crm_ids":
                out.append((self._by_id, crm_id_key(text)))
                continue
            out.append((self._by_text, folded))
            if kind in ("key", "name", "aliases"):
                out.append((self._by_loose, loose(text)))
                natural = reordered(text) if "," in text else None  # a roster name as `Last, First`
                if natural:
                    out.append((self._by_loose, loose(natural)))
        return out

    def by_crm_id(self, crm_id: str) -> list[Rep]:
        return self._sorted(self._by_id.get(crm_id_key(crm_id), set()))

    def by_text(self, text: str) -> list[Rep]:
        """Reps with this text as key, email, name or alias."""
        return self._sorted(self._by_text.get(fold(text), set()))

    def candidates(self, owner: str) -> list[Rep]:
        """Every rep the owner text names, by any identifier."""
        if not fold(owner):
            return []
        keys = self._by_id.get(crm_id_key(owner), set()) | self._by_text.get(fold(owner), set())
        return self._sorted(keys)

    def loose_candidates(self, owner: str) -> list[Rep]:
        """The reps whose name, key or alias is the owner text without accents, else
        those the text names with its two parts the other way round."""
        for text in (owner, reordered(owner)):
            keys = self._by_loose.get(loose(text), set()) if text else set()
            if keys:
                return self._sorted(keys)
        return []

    def match(self, owner: str) -> Rep | None:
        """The one rep the owner text names; None for nobody; AmbiguousRep for several.
        The exact text first: a looser spelling only when no rep has that one."""
        found = self.candidates(owner) or (self.loose_candidates(owner) if fold(owner) else [])
        if len(found) > 1:
            keys = ", ".join(r.key for r in found)
            raise AmbiguousRep(
                f"owner {owner.strip()!r} names {len(found)} reps ({keys}): give the owner's CRM user id"
                " or email in the file, or tell the reps apart with `leadqueue reps set`"
            )
        return found[0] if found else None

    def taken(self) -> set[str]:
        """Every folded identifier some rep has: what a new key must not be."""
        return {folded for rep in self._reps.values() for folded, _, _ in rep.identifiers()}

    def _sorted(self, keys: set[str]) -> list[Rep]:
        return [self._reps[k] for k in sorted(keys)]


def name_from_email(email: str) -> str:
    """`maria.santos@x.com` -> "Maria Santos": the local part's words, title-cased."""
    local = email.rsplit("@", 1)[0].split("+", 1)[0]
    words = [w for w in re.split(r"[._\-\s]+", local) if w]
    return " ".join(w[:1].upper() + w[1:] for w in words) or email


@dataclass
class OwnerResolution:
    """Every owner text given ends in `keys` or in `errors`, never both."""

    keys: dict[str, str] = field(default_factory=dict)  # owner text as in the file -> rep key
    created: list[Rep] = field(default_factory=list)  # new reps made from names and emails
    errors: dict[str, str] = field(default_factory=dict)  # owner text -> why it names no rep
    # Owner texts that are no user of the CRM's imported user list (a queue): the rows name
    # no owner, so --rep or routing may fill them. Each is in `errors` too, with the reason
    # for an import that fills no owner.
    not_users: dict[str, str] = field(default_factory=dict)

    def created_line(self) -> str:
        """The new reps, for an import's summary: `лена-фишер (Лена Фишер), ...`."""
        return ", ".join(f"{r.key} ({r.name}{f' <{r.email}>' if r.email else ''})" for r in self.created)


def resolve(
    reps: Iterable[Rep],
    owners: Iterable[str],
    inactive: Mapping[str, str] | None = None,
    user_list: str | None = None,
) -> OwnerResolution:
    """Match every distinct owner text; make a new rep for each unknown name or email.

    Known owners are matched first, then unknown emails become reps, then unknown
    names: a name the file also gives as an email (`Maria Santos` and
    `maria.santos@x.com`) then means the rep that email made, not a second rep.
    An owner that names no rep but an inactive CRM user (`inactive`: what names
    each, as `crm_users.user_identifiers` gives it) is an error, not a new rep.
    With `user_list` (the file's CRM's user list the store has, as `user_lists`
    describes it) a name that is no rep and no user of it is not a person either.
    """
    inactive_users = _InactiveUsers(inactive or {})
    matcher = OwnerMatcher(reps)
    out = OwnerResolution()
    unknown: list[str] = []
    for owner in dict.fromkeys(owners):
        if not fold(owner):
            out.errors[owner] = "no owner: the cell is blank"
            continue
        try:
            rep = matcher.match(owner)
        except RosterError as exc:
            out.errors[owner] = str(exc)
            continue
        if rep is not None:
            out.keys[owner] = rep.key
            continue
        crm = looks_like_crm_user_id(owner)
        who = inactive_users.who(owner, by_id=crm is not None)
        if who is not None:
            hand_over = f"--crm-id {owner.strip()}" if crm else f"--alias {owner.strip()!r}"
            out.errors[owner] = (
                f"{inactive_reason(owner, who)}: reassign the lead in the CRM,"
                f" or hand their leads to an active rep (`leadqueue reps set REP {hand_over}`)"
            )
        elif crm is not None:
            out.errors[owner] = unknown_id_reason(owner, crm)
        elif user_list is not None and "@" not in owner:
            out.errors[owner] = out.not_users[owner] = (
                f"no owner for this row: {owner.strip()!r} is not a user in {user_list}"
                " (a queue, or someone added to the CRM since): pass --rep REP, or import the"
                " current user list with `leadqueue reps import USERS.csv`"
            )
        else:
            unknown.append(owner)
    # Emails first, each group in a fixed order, so the same file always gives the same reps.
    for owner in sorted(unknown, key=lambda o: ("@" not in o, fold(o), o)):
        try:
            rep = matcher.match(owner)  # a rep made from an earlier text of this file
            if rep is None:
                rep = _new_rep(owner, matcher)
                matcher.add(rep)
                out.created.append(rep)
        except (RosterError, ValueError) as exc:
            out.errors[owner] = f"owner {owner.strip()!r}: {exc}"
            continue
        out.keys[owner] = rep.key
    return out


class _InactiveUsers:
    """What names an inactive CRM user, matched as owners are: ids exactly, names also
    without accents and the other way round."""

    def __init__(self, inactive: Mapping[str, str]) -> None:
        self._exact = inactive
        self._loose: dict[str, str] = {}
        for token, who in inactive.items():
            self._loose.setdefault(loose(token), who)

    def who(self, owner: str, by_id: bool) -> str | None:
        if by_id:
            return self._exact.get(crm_id_key(owner))
        found = self._exact.get(fold(owner))
        for text in (owner, reordered(owner)):
            if found is None and text:
                found = self._loose.get(loose(text))
        return found


# What `inactive_who` writes, and what versions before it wrote: `Derek Whitcombe (Salesforce, row 5)`.
_WHO = re.compile(
    r"(?P<name>.+) \((?P<crm>[A-Za-z]+)(?:, (?:row|line) \d+| user list(?: imported on (?P<on>[^()]+))?)\)\Z"
)


def inactive_who(name: str, crm: str, imported_on: str = "") -> str:
    """How the store records an inactive user for later messages: who, and which list said so."""
    return f"{name} ({crm} user list{f' imported on {imported_on}' if imported_on else ''})"


def _user_list(crm: str, imported_on: str | None) -> str:
    return (
        f"the {crm} user list imported on {imported_on}" if imported_on else f"the imported {crm} user list"
    )


def inactive_reason(owner: str, who: str) -> str:
    """`owner 'Derek Whitcombe' is inactive in the Salesforce user list imported on 2024-11-20`."""
    parsed = _WHO.match(who)
    if parsed is None:
        return f"owner {owner.strip()!r} is an inactive CRM user, {who}"
    name, where = parsed["name"], _user_list(parsed["crm"], parsed["on"])
    same = loose(name) in {loose(owner), loose(reordered(owner) or "")}
    return f"owner {owner.strip()!r} is {'' if same else f'{name}, '}inactive in {where}"


# A lead file's source system -> the CRM whose user list names its owners.
_CRMS = {"salesforce": "Salesforce", "hubspot": "HubSpot", "zoho": "Zoho"}


def crm_of(source_system: str | None) -> str | None:
    """`salesforce` (a lead's source system) -> "Salesforce"; None for a system with no user list."""
    return _CRMS.get((source_system or "").strip().casefold())


def user_lists(
    reps: Iterable[Rep], inactive: Mapping[str, str], recorded: Mapping[str, str]
) -> dict[str, str]:
    """Each CRM whose users the store knows -> its user list, for messages: one recorded
    as imported (`recorded`: CRM -> the date), or, for lists imported before the store
    recorded that, one whose user ids reps carry or whose inactive users it has."""
    out = {crm: _user_list(crm, on) for crm, on in recorded.items()}
    for rep in reps:
        for crm_id in rep.crm_ids:
            crm = looks_like_crm_user_id(crm_id)
            if crm is not None and crm not in out:
                out[crm] = _user_list(crm, None)
    for who in inactive.values():
        parsed = _WHO.match(who)
        if parsed is not None and parsed["crm"] not in out:
            out[parsed["crm"]] = _user_list(parsed["crm"], parsed["on"])
    return out


def _new_rep(owner: str, matcher: OwnerMatcher) -> Rep:
    text = " ".join(owner.split())
    taken = matcher.taken()
    if "@" in text:
        email = parse_email(text)  # `maria@x` is refused rather than made a rep called that
        name = name_from_email(email)
        # A name another rep already goes by would make that name mean two reps: keep the email.
        if fold(name) in taken:
            name = email
        return _valid({"key": unique_key(email, taken), "name": name, "email": email})
    return _valid({"key": unique_key(text, taken), "name": text})


def _valid(values: dict[str, str]) -> Rep:
    try:
        return new_rep(values)
    except InvalidRep as exc:
        raise ValueError(str(exc)) from None
