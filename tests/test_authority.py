"""Who may record which event on which lead (domain.authority)."""

from __future__ import annotations

import pytest

from leadqueue.domain.authority import (
    IMPORT_ONLY,
    LEAD_ONLY,
    OWNER_ONLY,
    OWNER_OR_LEAD,
    NotAllowed,
    allowed,
    check,
    why_not,
)
from leadqueue.domain.events import EventKind
from leadqueue.domain.roster import Rep

ANA = Rep(key="ana", name="Ana")
BEN = Rep(key="ben", name="Ben")
LEA = Rep(key="lea", name="Lea", role="lead")

DECISIONS = (
    EventKind.ACCEPTED,
    EventKind.REJECTED,
    EventKind.NEEDS_INFO,
    EventKind.TOUCHED,
    EventKind.CONVERSATION,
    EventKind.DISPOSED,
    EventKind.UNDONE,
)
TEAM_LEAD_ACTIONS = (EventKind.REASSIGNED, EventKind.ESCALATED, EventKind.ACKNOWLEDGED)


def test_every_kind_has_exactly_one_rule() -> None:
    groups = [OWNER_ONLY, LEAD_ONLY, OWNER_OR_LEAD, IMPORT_ONLY]
    for kind in EventKind:
        assert sum(kind in g for g in groups) == 1, kind


@pytest.mark.parametrize("kind", DECISIONS)
def test_a_rep_decides_touches_disposes_and_undoes_on_own_leads(kind: EventKind) -> None:
    check(ANA, kind, "ana")  # no error


@pytest.mark.parametrize("kind", DECISIONS)
def test_a_rep_may_not_act_on_another_reps_lead(kind: EventKind) -> None:
    with pytest.raises(NotAllowed) as refused:
        check(ANA, kind, "ben")
    message = str(refused.value)
    assert message.startswith("ana may not ") and "ben's lead: only its owner may" in message
    assert "\n" not in message


@pytest.mark.parametrize("kind", DECISIONS)
def test_a_team_lead_decides_only_on_leads_they_own_too(kind: EventKind) -> None:
    assert not allowed(LEA, kind, "ben")
    assert allowed(LEA, kind, "lea")


def test_the_messages_name_what_was_tried() -> None:
    assert why_not(ANA, EventKind.ACCEPTED, "ben") == "ana may not accept ben's lead: only its owner may"
    assert why_not(ANA, EventKind.UNDONE, None) == (
        "ana may not undo a decision on a lead with no owner: only its owner may"
    )


@pytest.mark.parametrize("kind", TEAM_LEAD_ACTIONS)
def test_team_lead_actions_need_role_lead(kind: EventKind) -> None:
    for owner in ("ana", "ben", "lea", None):
        check(LEA, kind, owner)  # any lead, their own or not
    # a rep may not, not even on a lead they own
    with pytest.raises(NotAllowed) as refused:
        check(ANA, kind, "ana")
    assert str(refused.value).endswith("that needs role lead (ana is a rep)")


def test_a_rep_may_not_reassign_their_own_lead_away() -> None:
    assert (
        why_not(BEN, EventKind.REASSIGNED, "ben")
        == "ben may not reassign: that needs role lead (ben is a rep)"
    )


def test_a_lead_back_from_marketing_resumes_by_its_owner_or_a_team_lead() -> None:
    kind = EventKind.RETURNED_FROM_MARKETING
    assert allowed(ANA, kind, "ana")
    assert allowed(LEA, kind, "ana")
    assert why_not(BEN, kind, "ana") == "ben may not resume ana's lead: only its owner or a team lead may"


@pytest.mark.parametrize("kind", sorted(EventKind))
def test_someone_not_on_the_roster_may_do_nothing(kind: EventKind) -> None:
    with pytest.raises(NotAllowed) as refused:
        check(None, kind, "ana", who="team-lead")
    assert str(refused.value) == "'team-lead' is not a rep on the roster: only the roster's reps may act"


@pytest.mark.parametrize("kind", sorted(IMPORT_ONLY))
def test_no_person_records_what_an_import_records(kind: EventKind) -> None:
    for actor in (ANA, LEA):
        with pytest.raises(NotAllowed, match="a lead import records"):
            check(actor, kind, actor.key)


def test_a_kind_given_as_text_is_read_as_the_kind() -> None:
    # a synced record carries its kind as text
    assert not allowed(ANA, EventKind("reassigned"), "ana")
    assert why_not(ANA, EventKind("accepted"), "ana") is None
