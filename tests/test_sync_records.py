"""A pulled record says only what its writer may say (issue 19, point 2): checked
like a local decision, and a bad one is skipped and reported with its file and
line, never stopping the rest of its file, the other writers, or a later sync.
On SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from leadqueue.services.context import Services
from leadqueue.sync.summary import SyncSummary
from tests.conftest import NOW
from tests.pg import pg_schema
from tests.sync_helpers import (
    ANA_LEADS,
    BEN_LEADS,
    Writer,
    accepted,
    event_ids,
    owner,
    record,
    rejected,
    state,
    sync,
)
from tests.sync_helpers import reader as make_reader


@pytest.fixture(params=["sqlite", "postgresql"])
def team(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    """The store that pulls: a team store on SQLite, or on PostgreSQL."""
    if request.param == "sqlite":
        services = make_reader(tmp_path / "team.db")
        yield services
        services.store.dispose()
        return
    with pg_schema() as url:
        services = make_reader(url)
        yield services
        services.store.dispose()


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


def skipped(summary: SyncSummary, path: Path, line: int, reason: str) -> bool:
    return any(p.startswith(f"{path}: line {line}: ") and reason in p for p in summary.bad_records)


def test_a_record_in_another_reps_name_is_skipped_and_the_rest_of_its_file_taken_in(
    team: Services, share: Path
) -> None:
    ana = Writer(share, "ana-1111111111", "ana")
    forged = accepted(BEN_LEADS[0], "ben")  # ana's writer, speaking as ben
    path = ana.publish([accepted(ANA_LEADS[0], "ana"), forged, accepted(ANA_LEADS[1], "ana")])
    summary = sync(team, share)
    assert summary.received == 2
    assert skipped(summary, path, 3, "actor 'ben' is not ana, the rep its writer writes as")
    assert state(team, BEN_LEADS[0]) == "new" and forged["event_id"] not in event_ids(team)
    assert [state(team, crm) for crm in ANA_LEADS[:2]] == ["accepted", "accepted"]


def test_a_copied_event_id_with_other_content_is_a_conflict_never_applied(
    team: Services, share: Path
) -> None:
    real = accepted(BEN_LEADS[0], "ben")
    Writer(share, "ben-2222222222", "ben").publish([real])
    assert sync(team, share).received == 1
    # ana copies ben's event id onto a decision of her own, in a folder that sorts first
    copy = rejected(ANA_LEADS[0], "ana", event_id=real["event_id"])
    path = Writer(share, "aaa-1111111111", "ana").publish([copy, accepted(ANA_LEADS[1], "ana")])
    summary = sync(team, share)
    assert summary.received == 1
    assert any(
        c.startswith(f"{path}: line 2: ") and f"event id {real['event_id']} is already in this store" in c
        for c in summary.id_conflicts
    )
    assert "claimed with other content" in summary.line()
    assert state(team, ANA_LEADS[0]) == "new" and state(team, BEN_LEADS[0]) == "accepted"


def test_the_same_event_twice_is_already_present_not_a_conflict(team: Services, share: Path) -> None:
    same = accepted(ANA_LEADS[0], "ana")
    ana = Writer(share, "ana-1111111111", "ana")
    ana.publish([same])
    assert sync(team, share).received == 1
    ana.publish([same])  # published again (a store restored from a backup)
    again = sync(team, share)
    assert (again.received, again.already_present, again.id_conflicts) == (0, 1, [])


POISON: list[tuple[str, str, dict[str, Any], str]] = [
    ("lee", "lee-3333333333", record("reassigned", ANA_LEADS[0], "lee"), "reassigned needs field 'to'"),
    ("ana", "ana-1111111111", record("undone", ANA_LEADS[0], "ana"), "undone needs field 'target'"),
    (
        "ana",
        "ana-1111111111",
        accepted(ANA_LEADS[0], "ana", at=NOW.replace(year=9999)),
        "outside the years 1900-2200",
    ),
    (
        "ana",
        "ana-1111111111",
        accepted(ANA_LEADS[0], "ana", event_id="e" * 37),
        "field 'event_id' is 37 characters long; at most 36",
    ),
    (
        "ana",
        "ana-1111111111",
        rejected(ANA_LEADS[0], "ana", reason="NOT-A-CODE"),
        "'NOT-A-CODE' is not a reason code of the policy",
    ),
    ("ana", "ana-1111111111", accepted("L" * 65, "ana"), "field 'lead_id' is 65 characters long"),
    (
        "ana",
        "ana-1111111111",
        record("accepted", ANA_LEADS[0], "ana", next_step="call", due="9999-01-01T00:00:00+00:00", note="x"),
        "field 'due'",
    ),
    ("ana", "ana-1111111111", record("touched", ANA_LEADS[0], "ana", channel="pigeon"), "field 'channel'"),
    ("ana", "ana-1111111111", record("teleported", ANA_LEADS[0], "ana"), "unknown event kind"),
    ("ana", "ana-1111111111", record("assigned", ANA_LEADS[0], "ana", rep="ana"), "a lead import records"),
    (
        "ana",
        "ana-1111111111",
        rejected(ANA_LEADS[0], "ana", reason="OTHER"),
        "reason OTHER needs field 'note'",
    ),
]


@pytest.mark.parametrize(
    ("rep", "writer", "poison", "reason"), POISON, ids=[reason[:30] for _, _, _, reason in POISON]
)
def test_a_poison_record_is_skipped_and_reported_and_stops_nothing(
    team: Services, share: Path, rep: str, writer: str, poison: dict[str, Any], reason: str
) -> None:
    # The writer's own good records around the poison, on a lead its rep may act on.
    good_lead = ANA_LEADS[1] if rep == "ana" else BEN_LEADS[0]
    good = [record("escalated", good_lead, rep)] if rep == "lee" else [accepted(good_lead, rep)]
    after = [record("acknowledged", good_lead, rep)] if rep == "lee" else [record("viewed", good_lead, rep)]
    path = Writer(share, writer, rep).publish([*good, poison, *after])
    ben = Writer(share, "ben-2222222222", "ben")
    ben.publish([accepted(BEN_LEADS[1], "ben")])  # another writer
    summary = sync(team, share)
    assert skipped(summary, path, 3, reason), summary.bad_records
    assert summary.received == 3
    assert poison["event_id"] not in event_ids(team)
    assert state(team, BEN_LEADS[1]) == "accepted"
    # later syncs go on: more from the same writer comes in
    ben.publish([accepted(BEN_LEADS[2], "ben")])
    again = sync(team, share)
    assert again.received == 1 and not again.bad_records
    assert state(team, BEN_LEADS[2]) == "accepted"


def test_a_line_that_is_not_json_is_one_bad_record(team: Services, share: Path) -> None:
    path = Writer(share, "ana-1111111111", "ana").publish(
        [accepted(ANA_LEADS[0], "ana"), '{"event_id": "half', "[1, 2]", accepted(ANA_LEADS[1], "ana")]
    )
    summary = sync(team, share)
    assert summary.received == 2
    assert skipped(summary, path, 3, "not JSON") and skipped(summary, path, 4, "not a JSON object")


def test_an_undo_past_its_grace_is_refused_as_it_is_locally(team: Services, share: Path) -> None:
    ana = Writer(share, "ana-1111111111", "ana")
    old = rejected(ANA_LEADS[0], "ana", at=NOW - timedelta(days=5))
    recent = rejected(ANA_LEADS[1], "ana", at=NOW - timedelta(minutes=3))
    ana.publish([old, recent])
    sync(team, share)
    undo_old = record("undone", ANA_LEADS[0], "ana", target=old["event_id"], target_kind="rejected")
    undo_recent = record("undone", ANA_LEADS[1], "ana", target=recent["event_id"], target_kind="rejected")
    path = ana.publish([undo_old, undo_recent])
    summary = sync(team, share)
    assert skipped(summary, path, 2, "undo is only possible within 10 min")
    assert state(team, ANA_LEADS[0]) == "rejected"  # the 5-day-old rejection stands
    assert state(team, ANA_LEADS[1]) == "new"  # the 3-minute-old one was taken back


def test_an_undo_of_an_event_that_is_not_there_is_refused(team: Services, share: Path) -> None:
    undo = record("undone", ANA_LEADS[0], "ana", target="no-such-event", target_kind="accepted")
    path = Writer(share, "ana-1111111111", "ana").publish([undo])
    summary = sync(team, share)
    assert skipped(summary, path, 2, "undoes event no-such-event, which this lead does not have")
    assert undo["event_id"] not in event_ids(team)


def test_a_rep_deciding_on_another_reps_lead_or_reassigning_is_refused(team: Services, share: Path) -> None:
    path = Writer(share, "ben-2222222222", "ben").publish(
        [accepted(ANA_LEADS[0], "ben"), record("reassigned", BEN_LEADS[0], "ben", to="ana")]
    )
    summary = sync(team, share)
    assert summary.received == 0
    assert skipped(summary, path, 2, "ben may not accept ana's lead: only its owner may")
    assert skipped(summary, path, 3, "ben may not reassign: that needs role lead")
    assert state(team, ANA_LEADS[0]) == "new" and owner(team, BEN_LEADS[0]) == "ben"


def test_an_owners_decision_read_before_the_reassignment_that_made_them_owner_is_taken_in(
    team: Services, share: Path
) -> None:
    """ben's folder sorts before lee's: his acceptance is read first, and waits for the reassignment."""
    move = record(
        "reassigned", ANA_LEADS[0], "lee", at=NOW - timedelta(minutes=5), to="ben", **{"from": "ana"}
    )
    Writer(share, "lee-3333333333", "lee").publish([move])
    Writer(share, "ben-2222222222", "ben").publish([accepted(ANA_LEADS[0], "ben")])
    summary = sync(team, share)
    assert (summary.received, summary.bad_records, summary.waiting_for_lead) == (2, [], 0)
    assert owner(team, ANA_LEADS[0]) == "ben" and state(team, ANA_LEADS[0]) == "accepted"


def test_a_record_for_a_lead_not_here_yet_is_checked_when_the_lead_arrives(
    team: Services, share: Path
) -> None:
    from tests.factories import add_lead

    path = Writer(share, "ben-2222222222", "ben").publish([accepted("00Q0000000000NEW", "ben")])
    first = sync(team, share)
    assert first.waiting_for_lead == 1 and not first.bad_records
    add_lead(team, "00Q0000000000NEW", rep="ana")  # it is ana's, not ben's
    later = sync(team, share)
    assert later.waiting_for_lead == 0 and later.received == 0
    assert skipped(later, path, 2, "ben may not accept ana's lead")
