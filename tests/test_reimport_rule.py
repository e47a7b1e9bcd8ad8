"""The re-import rule on its own (domain/reimport.py): what the CRM's news about a
stored lead adds to its history. The import tests cover it through files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from leadqueue.domain.events import EventKind
from leadqueue.domain.lifecycle import LeadState
from leadqueue.domain.reimport import (
    IMPORT_ACTOR,
    CrmModified,
    CrmNews,
    StoredLead,
    modified_after_import,
    older_than_stored,
    reimport_events,
)

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
EARLIER = NOW - timedelta(days=2)


def stored(
    state: LeadState | None = LeadState.NEW, owner: str = "maria", crm_owner: str | None = "maria"
) -> StoredLead:
    return StoredLead(state=state, owner=owner, crm_owner=crm_owner, last_event_at=EARLIER)


def news(
    owner: str | None = "maria",
    closed: bool = False,
    new_data: bool = False,
    assigned_at: datetime | None = None,
) -> CrmNews:
    return CrmNews(owner=owner, status="Open", closed=closed, new_data=new_data, assigned_at=assigned_at)


def kinds(lead: StoredLead, crm: CrmNews) -> list[EventKind]:
    return [e.kind for e in reimport_events(lead, crm, NOW)]


def test_nothing_new_records_nothing() -> None:
    assert reimport_events(stored(), news(), NOW) == []


def test_the_crm_closing_a_live_lead_takes_it_out_with_the_crm_status() -> None:
    (event,) = reimport_events(stored(), CrmNews("maria", "Closed - Not Converted", True, False, None), NOW)
    assert (event.kind, event.actor, event.at) == (EventKind.CLOSED_IN_CRM, IMPORT_ACTOR, NOW)
    assert event.payload == {"status": "Closed - Not Converted"}


def test_a_lead_already_decided_here_is_not_closed_again() -> None:
    assert kinds(stored(state=LeadState.REJECTED), news(closed=True)) == []
    assert kinds(stored(state=LeadState.CLOSED_IN_CRM), news(closed=True)) == []


def test_new_data_brings_a_needs_info_lead_back_and_only_that_one() -> None:
    assert kinds(stored(state=LeadState.NEEDS_INFO), news(new_data=True)) == [
        EventKind.RETURNED_FROM_MARKETING
    ]
    assert kinds(stored(state=LeadState.NEEDS_INFO), news()) == []
    assert kinds(stored(state=LeadState.NEW), news(new_data=True)) == []


def test_a_reassignment_made_here_stands_while_the_crm_names_the_same_owner() -> None:
    # a team lead gave maria's lead to omar; the CRM still says maria
    assert kinds(stored(owner="omar", crm_owner="maria"), news(owner="maria")) == []


def test_a_new_owner_in_the_crm_moves_the_lead() -> None:
    (event,) = reimport_events(stored(owner="omar", crm_owner="maria"), news(owner="lena"), NOW)
    assert event.kind is EventKind.REASSIGNED
    assert event.payload == {"from": "omar", "to": "lena"}
    assert event.at == NOW  # the file does not say when


def test_the_crm_naming_the_owner_it_already_has_here_records_nothing() -> None:
    assert kinds(stored(owner="omar", crm_owner="maria"), news(owner="omar")) == []


def test_a_closed_lead_is_not_reassigned() -> None:
    assert kinds(stored(), news(owner="lena", closed=True)) == [EventKind.CLOSED_IN_CRM]
    assert kinds(stored(state=LeadState.ACCEPTED), news(owner="lena")) == [EventKind.REASSIGNED]
    assert kinds(stored(state=LeadState.REJECTED), news(owner="lena")) == []


def test_a_needs_info_lead_back_with_a_new_owner_is_returned_then_moved() -> None:
    assert kinds(stored(state=LeadState.NEEDS_INFO), news(owner="lena", new_data=True)) == [
        EventKind.RETURNED_FROM_MARKETING,
        EventKind.REASSIGNED,
    ]


@given(offset=st.integers(min_value=-5 * 86400, max_value=5 * 86400))
def test_the_new_owners_clock_starts_at_the_crms_date_only_between_the_history_and_now(
    offset: int,
) -> None:
    assigned_at = NOW + timedelta(seconds=offset)
    (event,) = reimport_events(stored(), news(owner="lena", assigned_at=assigned_at), NOW)
    expected = assigned_at if EARLIER < assigned_at < NOW else NOW
    assert event.at == expected


SECOND, DAY = timedelta(seconds=1), timedelta(days=1)


def test_only_a_row_dated_before_the_stored_date_is_older() -> None:
    assert older_than_stored(CrmModified(EARLIER, SECOND), NOW)
    assert not older_than_stored(CrmModified(NOW, SECOND), NOW)  # the same export again: its cells decide
    assert not older_than_stored(CrmModified(NOW, SECOND), EARLIER)
    # without both dates nothing tells which export is older: the row is taken
    assert not older_than_stored(None, NOW)
    assert not older_than_stored(CrmModified(EARLIER, SECOND), None)


def test_a_date_alone_is_older_only_when_its_whole_day_is() -> None:
    midnight = datetime(2026, 11, 16, tzinfo=UTC)
    stored = midnight + timedelta(hours=15, minutes=10, seconds=44)  # an API export's instant
    assert not older_than_stored(CrmModified(midnight, DAY), stored)  # that day: maybe later
    assert older_than_stored(CrmModified(midnight - DAY, DAY), stored)
    # a minute said as 15:10 may be 15:10:59, after the stored 15:10:44
    assert not older_than_stored(CrmModified(stored.replace(second=0), timedelta(minutes=1)), stored)


def test_the_date_kept_never_moves_back() -> None:
    assert modified_after_import(CrmModified(NOW, DAY), EARLIER) == NOW
    assert modified_after_import(CrmModified(EARLIER, DAY), NOW) == NOW  # a date alone on the day
    assert modified_after_import(None, NOW) == NOW  # a file without the column
    assert modified_after_import(CrmModified(EARLIER, SECOND), None) == EARLIER
