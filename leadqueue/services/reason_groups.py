"""The period's written-out (OTHER) rejection reasons grouped by similarity, so a
team sees which recur and can make them codes (docs/domain.md: "reviewed
monthly; recurring ones become codes").

Similarity is rapidfuzz's token-set ratio (a maintained C++ library, not a
string distance of our own) over the words that carry meaning: the
reasons are short notes in which "asked", "their", "us" would otherwise make
unrelated notes look alike. Grouping is by leader: the notes, most frequent
first, each join the group whose first note they match best at or above
THRESHOLD, or start a group. Each group is labelled by its most frequent
wording (of equals, the one most like the others) and its most common words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz, process, utils

THRESHOLD = 65.0  # token-set ratio, 0-100; measured on notes of one meaning written apart
_CENTRAL_SAMPLE = 60  # members compared to find the most central (a group may be large)
_WORDS = 3  # common words in a label

# Words that carry no reason on their own (English: the team's notes are).
_STOP_TEXT = """a an and are as at be been being but by can did do does for from had has have he her his
    i if in into is it its just me my no not of on only or our out over she so than that the
    their them then there they this to too up us via was we were what when which who will with
    would you your asked ask said says wants want wanted lead contact contacted"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def _key(note: str) -> str:
    """A note as it is compared: lower case, punctuation gone, stop words out (kept
    whole when it has nothing else)."""
    words = utils.default_process(note).split()
    kept = [w for w in words if w not in STOP_WORDS]
    return " ".join(kept or words)


def group_notes(items: Sequence[dict[str, Any]], note_field: str = "note") -> list[dict[str, Any]]:
    """`items` (each with a written note) in groups of alike notes, largest first:
    {label, common_words, count, items}. Items without a note form no group."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        note = str(item.get(note_field) or "").strip()
        if note:
            by_key.setdefault(_key(note), []).append(item)
    # most frequent first, so a recurring wording leads its group; ties by text for a stable order
    keys = sorted(by_key, key=lambda k: (-len(by_key[k]), k))
    leaders: list[str] = []
    members: list[list[str]] = []
    for key in keys:
        match = process.extractOne(key, leaders, scorer=fuzz.token_set_ratio, score_cutoff=THRESHOLD)
        if match is None:
            leaders.append(key)
            members.append([key])
        else:
            members[match[2]].append(key)
    groups = []
    for keys_in in members:
        grouped = [item for k in keys_in for item in by_key[k]]
        notes = [str(item[note_field]).strip() for item in grouped]
        groups.append(
            {
                "label": _central(notes),
                "common_words": _common_words(keys_in, by_key),
                "count": len(grouped),
                "items": grouped,
            }
        )
    groups.sort(key=lambda g: (-g["count"], g["label"].casefold()))
    return groups


def _central(notes: list[str]) -> str:
    """The group's label: its most frequent wording, and among wordings as frequent,
    the one most like the others (a real note, as written)."""
    distinct = sorted(Counter(notes).items(), key=lambda kv: (-kv[1], kv[0]))[:_CENTRAL_SAMPLE]
    top = [i for i, (_, n) in enumerate(distinct) if n == distinct[0][1]]
    if len(top) == 1:
        return distinct[0][0]
    keys = [_key(n) for n, _ in distinct]

    def closeness(i: int) -> float:
        return sum(
            fuzz.token_set_ratio(keys[i], keys[j]) * distinct[j][1] for j in range(len(keys)) if j != i
        )

    return distinct[max(top, key=lambda i: (closeness(i), -i))][0]


def _common_words(keys: list[str], by_key: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The words most of the group's notes use (each note counted once per word)."""
    counts: Counter[str] = Counter()
    for key in keys:
        for word in set(key.split()):
            counts[word] += len(by_key[key])
    return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:_WORDS]]
