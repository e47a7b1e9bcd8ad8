"""What a hostile colleague tried against signed sync after issue 19, each as a
test: a stranger's key writing as this store's own rep, a genuine event id
copied with other content, and records dated out of range."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from leadqueue.cli.main import main
from leadqueue.services.context import Services
from leadqueue.services.roster import RosterService
from leadqueue.store.schema import sync_pins
from leadqueue.sync import keys
from leadqueue.sync.summary import SyncSummary
from leadqueue.sync.trust import short
from tests.conftest import NOW
from tests.sync_helpers import (
    ANA_LEADS,
    BEN_LEADS,
    Writer,
    accept,
    accepted,
    event_ids,
    record,
    rejected,
    state,
    sync,
)


def public_key(services: Services) -> str:
    with services.store.read() as conn:
        key = keys.current_key(conn)
    assert key is not None
    return key.public


def pinned(services: Services) -> dict[str, str]:
    with services.store.read() as conn:
        return dict(conn.execute(select(sync_pins.c.writer, sync_pins.c.public_key)).all())


def refusal(summary: SyncSummary, path: Path) -> str:
    (found,) = [r for r in summary.refused if r.startswith(f"{path}: ")]
    return found


# -- 1. a rep's key is one per rep ------------------------------------------------------------
def test_a_stranger_writing_as_this_stores_own_rep_is_refused_every_sync_and_never_pinned(
    pair: tuple[Services, Services], share: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ana, _ = pair
    accept(ana, ANA_LEADS[0])
    assert sync(ana, share, "ana").publishes_as == "ana"
    mallory = Writer(share, "ana-laptop", "ana")  # a folder of her own, writing as ana
    path = mallory.publish([rejected(ANA_LEADS[1], "ana", reason="R1")])
    own = public_key(ana)
    for _ in range(2):
        summary = sync(ana, share, "ana")
        assert summary.received == 0
        reason = refusal(summary, path)
        assert "rep ana" in reason and short(mallory.key.public) in reason and short(own) in reason
        assert "this store's own" in reason and "leadqueue reps set ana --sync-key KEY" in reason
    assert state(ana, ANA_LEADS[1]) == "new"
    assert "ana-laptop" not in pinned(ana)
    ana.store.dispose()
    assert main(["--db", ana.store.label, "--as", "ana", "sync", "--export-dir", str(share)]) == 0
    err = capsys.readouterr().err
    assert f"refused 1 file(s): {path}: signed by key {short(mallory.key.public)}" in err


def test_a_stranger_pinned_for_the_own_rep_before_its_first_publish_is_refused_after_it(
    pair: tuple[Services, Services], share: Path
) -> None:
    """A pin a stranger got for this store's rep while it had published nothing is
    overruled once the store publishes: refusals then name this store's key."""
    ana, _ = pair
    mallory = Writer(share, "ana-evil", "ana")
    mallory.publish([record("viewed", ANA_LEADS[2], "ana")])
    assert sync(ana, share, "ana").received == 1  # nothing says whose key ana's is yet
    accept(ana, ANA_LEADS[0])
    assert sync(ana, share, "ana").publishes_as == "ana"
    path = mallory.publish([rejected(ANA_LEADS[1], "ana", reason="R1")])
    summary = sync(ana, share, "ana")
    reason = refusal(summary, path)
    assert f"rep ana signs with {short(public_key(ana))}" in reason
    assert state(ana, ANA_LEADS[1]) == "new"


def test_a_rep_first_seen_from_one_writer_keeps_that_key_for_every_other_writer(
    pair: tuple[Services, Services], share: Path
) -> None:
    _, lead = pair
    real = Writer(share, "ben-1", "ben")
    real.publish([accepted(BEN_LEADS[0], "ben")])
    assert sync(lead, share, "lee").received == 1
    for name in ("aaa-ben", "ben-2"):  # sorting before or after the first writer
        path = Writer(share, name, "ben").publish([rejected(BEN_LEADS[1], "ben", reason="R1")])
        reason = refusal(sync(lead, share, "lee"), path)
        assert f"rep ben signs with {short(real.key.public)}" in reason and "writer ben-1" in reason
    assert state(lead, BEN_LEADS[1]) == "new"
    assert set(pinned(lead)) == {"ben-1"}


def test_a_rep_who_lost_their_key_is_trusted_again_through_the_roster(
    pair: tuple[Services, Services], share: Path
) -> None:
    """Lost key: the store says so and publishes as a new writer; the others refuse
    it until the roster names the new key, then take it in."""
    ana, lead = pair
    accept(ana, ANA_LEADS[0])
    sync(ana, share, "ana")
    assert sync(lead, share, "lee").received == 1
    for key_file in keys.key_dir().iterdir():
        key_file.unlink()
    accept(ana, ANA_LEADS[1])
    (notice,) = sync(ana, share, "ana").notices
    new_key = notice.rsplit("--sync-key ", 1)[1]
    refused = sync(lead, share, "lee")
    assert refused.received == 0 and "leadqueue reps set ana --sync-key KEY" in refused.refused[0]
    RosterService(lead).set("ana", {"sync_key": new_key})
    assert sync(lead, share, "lee").received == 1
    assert state(lead, ANA_LEADS[1]) == "accepted"
    # and ana's own store takes in nothing of its old folder again, nor refuses it
    again = sync(ana, share, "ana")
    assert (again.received, again.refused) == (0, [])


def test_only_a_rep_never_seen_before_is_trusted_on_first_use(
    pair: tuple[Services, Services], share: Path
) -> None:
    _, lead = pair
    first = Writer(share, "zzz-ben", "ben")
    first.publish([accepted(BEN_LEADS[0], "ben")])
    second = Writer(share, "aaa-ben", "ben")  # sorts first, same sync
    second.publish([accepted(BEN_LEADS[1], "ben")])
    summary = sync(lead, share, "lee")
    assert summary.received == 1 and len(summary.refused) == 1
    assert len(pinned(lead)) == 1


# -- 2. a copied event id -------------------------------------------------------------------
def test_an_event_id_claimed_with_other_content_by_two_writers_in_one_sync_is_applied_by_neither(
    pair: tuple[Services, Services], share: Path
) -> None:
    _, lead = pair
    genuine = record("touched", BEN_LEADS[0], "ben", channel="call")
    squat = record("viewed", ANA_LEADS[0], "ana", event_id=genuine["event_id"])
    ben_path = Writer(share, "zzz-ben", "ben").publish([genuine])
    ana_path = Writer(share, "aaa-ana", "ana").publish([accepted(ANA_LEADS[1], "ana"), squat])
    summary = sync(lead, share, "lee")
    assert genuine["event_id"] not in event_ids(lead)
    assert summary.received == 1  # ana's other record
    assert any(c.startswith(f"{ben_path}: line 2: ") for c in summary.id_conflicts)
    assert any(c.startswith(f"{ana_path}: line 3: ") for c in summary.id_conflicts)
    assert all(genuine["event_id"] in c and "neither is applied" for c in summary.id_conflicts)
    (ben_says,) = [c for c in summary.id_conflicts if c.startswith(f"{ben_path}: ")]
    assert f"{ana_path}: line 3" in ben_says


def test_the_same_record_in_two_writers_is_one_event_not_a_conflict(
    pair: tuple[Services, Services], share: Path
) -> None:
    _, lead = pair
    line = accepted(ANA_LEADS[0], "ana")
    key = Writer(share, "ana-1", "ana").key
    Writer(share, "ana-1", "ana", key=key).publish([line])
    Writer(share, "ana-2", "ana", key=key).publish([line])
    summary = sync(lead, share, "lee")
    assert (summary.received, summary.already_present, summary.id_conflicts) == (1, 1, [])


def test_a_genuine_record_after_a_squatter_of_an_earlier_sync_names_the_writer_holding_its_id(
    pair: tuple[Services, Services], share: Path
) -> None:
    _, lead = pair
    genuine = record("touched", BEN_LEADS[0], "ben", channel="call")
    Writer(share, "aaa-ana", "ana").publish(
        [record("viewed", ANA_LEADS[0], "ana", event_id=genuine["event_id"])]
    )
    assert sync(lead, share, "lee").received == 1
    path = Writer(share, "zzz-ben", "ben").publish([genuine])
    (conflict,) = sync(lead, share, "lee").id_conflicts
    assert conflict.startswith(f"{path}: line 2: ") and "writer aaa-ana" in conflict


# -- 3. instants out of range -----------------------------------------------------------------
def test_a_record_dated_in_the_future_is_refused_beyond_a_days_clock_skew(
    pair: tuple[Services, Services], share: Path
) -> None:
    _, lead = pair
    far = record("touched", BEN_LEADS[0], "ben", at=NOW.replace(year=2199), channel="call")
    soon = record("touched", BEN_LEADS[1], "ben", at=NOW + timedelta(hours=25), channel="call")
    skewed = record("touched", BEN_LEADS[2], "ben", at=NOW + timedelta(hours=5), channel="call")
    path = Writer(share, "ben-1", "ben").publish([far, soon, skewed])
    summary = sync(lead, share, "lee")
    assert summary.received == 1 and skewed["event_id"] in event_ids(lead)
    for line in (2, 3):
        (bad,) = [b for b in summary.bad_records if b.startswith(f"{path}: line {line}: ")]
        assert "dated in the future" in bad


def test_a_record_dated_before_the_leads_first_event_here_is_taken_in(
    pair: tuple[Services, Services], share: Path
) -> None:
    """Stores import at different times: an early record is no sign of forgery (and
    backdating under a writer's own key cannot be told without trusted time)."""
    _, lead = pair
    early = record("touched", BEN_LEADS[0], "ben", at=NOW - timedelta(days=30), channel="call")
    Writer(share, "ben-1", "ben").publish([early])
    assert sync(lead, share, "lee").received == 1
