"""The team roster: who may act, in which zone their clocks run, and the other
names a person or a CRM file may use for them.

Pure validation and matching; whether a key or a name is already taken is
decided against the other reps by the service that holds the store.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from leadqueue.domain.zones import check_zone

ROLES = ("rep", "lead")
FIELDS = ("key", "name", "email", "zone", "role", "crm_ids", "aliases")
LIST_FIELDS = ("crm_ids", "aliases")
# What routing knows of a rep (domain.routing); set with `reps set`, not a roster file's columns.
ROUTING_FIELDS = ("team", "reports_to", "max_undecided", "away_until")
SEPARATOR = ";"
# `--zone team` (or a blank cell) puts a rep back on the team's zone.
TEAM_ZONE_WORD = "team"

# A key is lowercase letters (of any script), digits, '.', '_' and '-': `лена-фишер` is a
# key, so reps named in Cyrillic or Greek keep keys that tell them apart.
_KEY_PUNCTUATION = "._-"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+\Z")
# Column widths of the `reps` table: longer text would fail on PostgreSQL only.
_MAX = {"key": 120, "name": 200, "email": 320, "zone": 64, "team": 60}
_ITEM_MAX = 200


class RosterError(ValueError):
    """A roster change that cannot be made; the message says what is wrong and where."""


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class InvalidRep(RosterError):
    """Every bad field of one rep, so one attempt shows them all."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = tuple(problems)


class AmbiguousRep(RosterError):
    """A text that names more than one rep: acting as either would be a guess."""


@dataclass(frozen=True)
class Rep:
    key: str
    name: str
    email: str = ""
    zone: str | None = None  # None: the team's zone
    role: str = "rep"
    crm_ids: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    # The PostgreSQL role this rep connects to a team store as (`leadqueue pg grant`):
    # there the database user, not `--as`, says who acts. None: no role of their own.
    pg_role: str | None = None
    # The public key this rep's store signs its sync segments with (`leadqueue sync
    # --show-key`): other stores take in only what that key signed as this rep.
    sync_key: str | None = None
    # Routing: the team a rule may name (`team = "emea"`), the team lead (a rep key) an
    # escalation of this rep's breach goes to, the undecided leads the rep takes at most,
    # and until when the rep is away (no lead is routed to them before).
    team: str | None = None
    reports_to: str | None = None
    max_undecided: int | None = None
    away_until: datetime | None = None

    def handles(self) -> set[str]:
        """What a person may type to mean this rep (`--as`, `--to`), folded."""
        texts = [self.key, self.email, self.name, *self.aliases]
        return {fold(t) for t in texts if fold(t)}

    def identifiers(self) -> list[tuple[str, str, str]]:
        """(folded text, field, text as stored) for every name of this rep, CRM ids included."""
        pairs = [("key", self.key), ("email", self.email), ("name", self.name)]
        pairs += [("aliases", a) for a in self.aliases] + [("crm_ids", c) for c in self.crm_ids]
        return [(fold(text), field, text) for field, text in pairs if fold(text)]

    def record(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "email": self.email,
            "zone": self.zone,
            "role": self.role,
            "crm_ids": list(self.crm_ids),
            "aliases": list(self.aliases),
        }


def fold(text: str) -> str:
    """Case, surrounding and repeated spaces make no difference to who is meant, nor
    whether an accent was typed as one character or as a letter and a combining mark,
    nor compatibility forms (full-width letters, ligatures) a spreadsheet may leave."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


# Letters NFKD leaves whole that a spreadsheet or a CRM often writes without their stroke.
_BARE_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe"})


def loose(text: str) -> str:
    """A name as a looser comparison sees it: folded, and without accents (Unicode
    NFKD, combining marks dropped), so `María` is `Maria`. Only for comparing:
    keys and names keep every letter."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.translate(_BARE_LETTERS).casefold().split())


def reordered(text: str) -> str | None:
    """A two-part name the other way round: `Okafor, James` and `Okafor James` are
    `James Okafor`. None for anything else (an email, one word, three or more words)."""
    if "@" in text:
        return None
    if "," in text:
        last, _, first = text.partition(",")
        if "," in first or not last.split() or not first.split():
            return None
        return " ".join([*first.split(), *last.split()])
    words = text.split()
    return f"{words[1]} {words[0]}" if len(words) == 2 else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    # A JSON line may carry a number where text is meant (a numeric owner id).
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value.strip()


def _fits(field: str, text: str) -> str:
    if len(text) > _MAX[field]:
        raise ValueError(f"{text[:20]!r}... is {len(text)} characters long; at most {_MAX[field]}")
    return text


def _key_char(char: str) -> bool:
    # Combining marks too: an accent typed as a letter and a mark stays part of its letter.
    return char.isalnum() or char in _KEY_PUNCTUATION or unicodedata.category(char).startswith("M")


def is_key(text: str) -> bool:
    return bool(text[:1].isalnum()) and text == text.lower() and all(_key_char(c) for c in text)


def suggest_key(text: str) -> str:
    """A key for a name or an email: lowercased, letters of any script kept, every run of
    other characters one '-' (`Лена Фишер` -> `лена-фишер`, `Ana Silva` -> `ana-silva`).
    An email suggests its local part (`maria.santos@x.com` -> `maria.santos`): shorter,
    and the domain is the same for the whole team."""
    text = unicodedata.normalize("NFC", text.strip())
    if _EMAIL.match(text):
        text = text.rsplit("@", 1)[0]
    # lower(), not casefold(): casefold spells `ß` as `ss`, and the key should keep the letter.
    # Each run of other characters (spaces, punctuation) becomes one '-'.
    key = "".join("".join(run) if kept else "-" for kept, run in groupby(text.lower(), key=_key_char))
    while key and not key[0].isalnum():  # a key starts with a letter or a digit
        key = key[1:]
    return key.rstrip(_KEY_PUNCTUATION) or "rep"


def unique_key(text: str, taken: Collection[str]) -> str:
    """The key suggested for text, with -2, -3... added while it is one of the taken
    (folded) identifiers: by the clash rules a key may not be another rep's key, email,
    name, alias or CRM id."""
    base = suggest_key(text)[: _MAX["key"] - 10].rstrip(_KEY_PUNCTUATION) or "rep"
    key, n = base, 1
    while fold(key) in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def parse_key(value: Any) -> str:
    text = _text(value)
    if not text:
        raise ValueError("a key is required")
    if not is_key(text):
        raise ValueError(
            f"{text!r} is not a key: use lowercase letters (of any script), digits, '.', '_' and '-'"
            f" (e.g. {suggest_key(text)!r})"
        )
    return _fits("key", text)


def parse_name(value: Any) -> str:
    text = " ".join(_text(value).split())
    if not text:
        raise ValueError("a name is required")
    return _fits("name", text)


def parse_email(value: Any) -> str:
    text = _text(value)
    if text and not _EMAIL.match(text):
        raise ValueError(f"{text!r} is not an email address")
    return _fits("email", text)


def parse_zone(value: Any) -> str | None:
    text = _text(value)
    if not text or text.casefold() == TEAM_ZONE_WORD:
        return None
    return _fits("zone", check_zone(text))


# PostgreSQL cuts identifiers at 63 bytes: a longer name would silently become another.
PG_ROLE_MAX_BYTES = 63


def parse_pg_role(value: Any) -> str | None:
    text = _text(value)
    if not text:
        return None
    if len(text.encode("utf-8")) > PG_ROLE_MAX_BYTES or "\x00" in text:
        raise ValueError(f"{text[:20]!r} is not a PostgreSQL role name: at most {PG_ROLE_MAX_BYTES} bytes")
    return text


SYNC_KEY_BYTES = 32  # an Ed25519 public key


def parse_sync_key(value: Any) -> str | None:
    """A store's public signing key as `leadqueue sync --show-key` prints it (base64)."""
    text = _text(value)
    if not text:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != SYNC_KEY_BYTES:
        raise ValueError(f"{text[:20]!r} is not a sync key: paste what `leadqueue sync --show-key` prints")
    return base64.b64encode(raw).decode("ascii")


def parse_team(value: Any) -> str | None:
    text = " ".join(_text(value).split())
    return _fits("team", text) if text else None


def parse_reports_to(value: Any) -> str | None:
    text = _text(value)
    return parse_key(text) if text else None


def parse_max_undecided(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(value) if not isinstance(value, bool | float) else None
    except ValueError:
        number = None
    if number is None or number < 0:
        raise ValueError(f"{value!r} is not a whole number of leads (0 or more; '' for no limit)")
    return number


def parse_away_until(value: Any) -> datetime | None:
    """An instant (the command line has read `--away-until WHEN` in the rep's zone), or ISO text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not a date and time") from None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"{value!r} is not a date and time with a zone")
    return value.astimezone(UTC)


def parse_role(value: Any) -> str:
    text = _text(value).casefold() or ROLES[0]
    if text not in ROLES:
        raise ValueError(f"{text!r} is not a role: use {' or '.join(ROLES)}")
    return text


def split_list(value: Any) -> tuple[str, ...]:
    """`a;b` or a list of items (`--alias` given twice, a JSON array) -> distinct items, in order.

    A `;` inside a list item is refused rather than split: the item could not
    be written back to a file and read the same.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = value.split(SEPARATOR)
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValueError(f"{value!r} is not a list: separate items with {SEPARATOR!r}")
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        text = " ".join(_text(item).split())
        if SEPARATOR in text:
            raise ValueError(f"{text!r}: an item may not contain {SEPARATOR!r} (it separates items)")
        if len(text) > _ITEM_MAX:
            raise ValueError(f"{text[:20]!r}... is {len(text)} characters long; at most {_ITEM_MAX}")
        if text and fold(text) not in seen:
            seen.add(fold(text))
            out.append(text)
    return tuple(out)


_PARSERS: dict[str, Any] = {
    "key": parse_key,
    "name": parse_name,
    "email": parse_email,
    "zone": parse_zone,
    "role": parse_role,
    "crm_ids": split_list,
    "aliases": split_list,
    "sync_key": parse_sync_key,
    "team": parse_team,
    "reports_to": parse_reports_to,
    "max_undecided": parse_max_undecided,
    "away_until": parse_away_until,
}


def _parse_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    problems = []
    # In the order of the fields, whatever order a command line or a file gave them in.
    for field in sorted(values, key=lambda f: FIELDS.index(f) if f in FIELDS else len(FIELDS)):
        value = values[field]
        if field not in _PARSERS:
            problems.append(Problem(field, f"unknown field; the fields are {', '.join(FIELDS)}"))
            continue
        try:
            parsed[field] = _PARSERS[field](value)
        except ValueError as exc:
            problems.append(Problem(field, str(exc)))
    if problems:
        raise InvalidRep(problems)
    return parsed


def new_rep(values: Mapping[str, Any]) -> Rep:
    """A rep from raw values (command options, a file's cells); every bad field is reported.

    A missing field takes its default; `key` and `name` are required.
    """
    parsed = _parse_fields({"name": None, **values, "key": values.get("key")})
    return Rep(**parsed)


def revise(rep: Rep, changes: Mapping[str, Any]) -> Rep:
    """The rep with some fields changed; the key names the rep and never changes,
    since every event and clock run refers to it."""
    if "key" in changes and _text(changes["key"]) != rep.key:
        raise InvalidRep([Problem("key", f"a rep's key cannot change (it is {rep.key!r})")])
    parsed = _parse_fields({f: v for f, v in changes.items() if f != "key"})
    return replace(rep, **parsed)


def clashes(rep: Rep, others: Iterable[Rep]) -> list[Problem]:
    """Where rep would share a key, email, alias or CRM id with another rep, so
    that `--as` or a CRM owner could mean either. Two reps may share a display
    name: their keys tell them apart, and the name alone is refused as ambiguous."""
    others = list(others)
    mine = rep.identifiers()
    problems = []
    for other in others:
        if other.key == rep.key:
            continue
        theirs = {folded: field for folded, field, _ in other.identifiers()}
        for folded, field, text in mine:
            their_field = theirs.get(folded)
            if their_field is None or (field == "name" and their_field == "name"):
                continue
            problems.append(
                Problem(field, f"{text!r} is already {_DESCRIBE[their_field]} of rep {other.key!r}")
            )
        if rep.sync_key and rep.sync_key == other.sync_key:  # a key signs for one rep
            problems.append(Problem("sync_key", f"that key is already the sync key of rep {other.key!r}"))
    return problems + _reports_to_problems(rep, others)


def _reports_to_problems(rep: Rep, others: Iterable[Rep]) -> list[Problem]:
    """An escalation must reach someone: the team lead is another rep on the roster."""
    if rep.reports_to is None:
        return []
    if rep.reports_to == rep.key:
        return [Problem("reports_to", f"{rep.key!r} cannot report to themselves")]
    if not any(o.key == rep.reports_to for o in others):
        return [Problem("reports_to", f"{rep.reports_to!r} is not a rep's key on the roster")]
    return []


_DESCRIBE = {
    "key": "the key",
    "email": "the email",
    "name": "the name",
    "aliases": "an alias",
    "crm_ids": "a CRM id",
}


def matching(reps: Iterable[Rep], text: str) -> list[Rep]:
    """Every rep the text names by key, email, name or alias."""
    needle = fold(text)
    return [r for r in reps if needle in r.handles()] if needle else []


def pick(reps: Iterable[Rep], text: str) -> Rep | None:
    """The one rep the text names; None for nobody, an error for several."""
    found = matching(reps, text)
    if len(found) > 1:
        keys = ", ".join(r.key for r in found)
        raise AmbiguousRep(f"{text.strip()!r} names {len(found)} reps ({keys}): use the rep's key")
    return found[0] if found else None
