"""A lead file's owners are the roster's people however the CRM spells them, a CRM
queue is nobody, and what an import says about owners is true (hostile import
findings on issue 17, point 2)."""

from __future__ import annotations

import pytest

from leadqueue.domain.owners import OwnerMatcher, resolve
from leadqueue.domain.roster import AmbiguousRep, Rep

TOMAS = Rep(key="tomas", name="Tomás Herrera", email="tomas@leadqueue.example")
MARIA = Rep(key="maria-santos", name="Maria Santos", crm_ids=("005Dn000001mQx2IAE",))
JAMES = Rep(key="james-okafor", name="James Okafor", aliases=("J. Okafor",))
ROSTER = [TOMAS, MARIA, JAMES]


# -- another spelling of a rep's name is that rep ----------------------------------------------


@pytest.mark.parametrize(
    ("owner", "key"),
    [
        ("Tomas Herrera", "tomas"),  # the accent dropped
        ("TOMÁS  HERRERA", "tomas"),
        ("Tomás Herrera", "tomas"),  # with the accent as a letter and a combining mark
        ("Herrera Tomás", "tomas"),  # last name first
        ("Herrera, Tomas", "tomas"),  # "Last, First"
        ("María Santos", "maria-santos"),  # an accent the roster does not have
        ("Okafor, James", "james-okafor"),
        ("okafor james", "james-okafor"),
        ("Tomás", "tomas"),  # the key, accented
    ],
)
def test_an_owner_spelled_otherwise_is_the_roster_rep(owner: str, key: str) -> None:
    rep = OwnerMatcher(ROSTER).match(owner)
    assert rep is not None and rep.key == key


@pytest.mark.parametrize(
    "owner", ["Tomas Herrero", "Herrera Tomás Luis", "Santos Maria Luisa", "Tom Herrera"]
)
def test_a_name_that_differs_in_more_than_accents_and_order_is_nobody(owner: str) -> None:
    assert OwnerMatcher(ROSTER).match(owner) is None


def test_an_exact_spelling_wins_over_a_looser_one_and_two_loose_matches_are_ambiguous() -> None:
    accented = Rep(key="jose-a", name="José Ruiz")
    plain = Rep(key="jose-b", name="Jose Ruiz")
    matcher = OwnerMatcher([accented, plain])
    assert matcher.match("JOSÉ RUIZ") == accented
    assert matcher.match("jose ruiz") == plain
    with pytest.raises(AmbiguousRep, match=r"owner 'Josè Ruiz' names 2 reps \(jose-a, jose-b\)"):
        matcher.match("Josè Ruiz")
    with pytest.raises(AmbiguousRep, match="names 2 reps"):
        matcher.match("Ruiz, Jose")


def test_resolve_makes_no_rep_of_another_spelling_of_a_rep() -> None:
    owners = ["Tomas Herrera", "Herrera Tomás", "tomás herrera", "María Santos", "Okafor, James"]
    out = resolve(ROSTER, owners)
    assert out.created == [] and out.errors == {}
    assert out.keys == dict.fromkeys(owners[:3], "tomas") | {
        "María Santos": "maria-santos",
        "Okafor, James": "james-okafor",
    }


def test_new_reps_keep_their_letters_and_one_person_is_one_rep() -> None:
    out = resolve([], ["Лена Фишер", "Ольга Смирнова", "Tomás Herrera", "Herrera Tomas", "лена  фишер"])
    assert [(r.key, r.name) for r in out.created] == [
        ("herrera-tomas", "Herrera Tomas"),
        ("лена-фишер", "Лена Фишер"),
        ("ольга-смирнова", "Ольга Смирнова"),
    ]
    assert out.keys["Tomás Herrera"] == out.keys["Herrera Tomas"] == "herrera-tomas"


def test_an_inactive_user_spelled_otherwise_is_still_inactive() -> None:
    inactive = {"derek whitcombe": "Derek Whitcombe (Salesforce, row 5)"}
    out = resolve(ROSTER, ["Whitcombe, Dérek", "DEREK WHITCOMBE"], inactive)
    assert out.created == [] and set(out.errors) == {"Whitcombe, Dérek", "DEREK WHITCOMBE"}
