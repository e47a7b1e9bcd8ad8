"""A re-import of a changed cell stores what a first import of the new file
stores, for every field a mapping may name: the fields a re-import counts as said
by a column (reimport_fields.py) are the fields the parser sets from it
(row_parser.DERIVED_FROM), so a field derived from another column cannot be
left stale by a re-import."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.import_mapping import MAPPABLE_FIELDS, ImportMapping
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.importing import ImportOptions, import_file
from leadqueue.store.engine import open_store
from leadqueue.store.schema import leads

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)

# Two values of each field, each read without error; the second differs in what it sets.
VALUES: dict[str, tuple[str, str]] = {
    "first_name": ("Ada", "Grace"),
    "title": ("VP Sales", "Intern"),
    "seniority": ("vp", "ic"),
    "email": ("ada@first.example", "grace@second.example"),
    "email_verified": ("true", "false"),
    "phone": ("+1 555 0100", "+1 555 0199"),
    "mobile": ("+1 555 0111", "+1 555 0122"),
    "profile_url": ("https://example.com/in/ada", "https://example.com/in/grace"),
    "company": ("First Co", "Second Co"),
    "domain": ("first.example", "second.example"),
    "industry": ("Logistics", "Healthcare"),
    "employees": ("120", "4500"),
    "region": ("EMEA", "APAC"),
    "country": ("Germany", "Japan"),
    "tech_stack": ("Salesforce;Snowflake", "NetSuite"),
    "growth_signals": ("hiring SDRs", "new office"),
    "score": ("40", "90"),
    "score_breakdown": ('[{"label": "VP", "points": 15}]', '[{"label": "Intern", "points": 1}]'),
    "touchpoints": (
        '[{"at": "2026-11-17T14:00:00Z", "kind": "download", "label": "Guide"}]',
        '[{"at": "2026-11-18T14:00:00Z", "kind": "pricing_visit", "label": "Pricing"}]',
    ),
    "source": ("Webinar", "Content"),
    "campaign": ("Q4 Webinar", "CFO Report"),
    "channel": ("webinar", "organic"),
    "content": ('[{"title": "ROI Guide", "stage": "mofu"}]', '[{"title": "FAQ", "stage": "bofu"}]'),
    "talk_track": ("Ask about routes", "Ask about budgets"),
    "description": ("Came from the webinar", "Asked for pricing"),
    "intent_signals": ("pricing_visit", "download"),
    "third_party_intent": ("route optimization", "fleet telematics"),
    "account_status": ("customer", "competitor"),
    "crm_status": ("Open", "Working"),
    "created_at": ("2026-11-19T09:30:00Z", "2026-11-18T09:30:00Z"),
    # the second later: an earlier one leaves the lead alone (tests/test_reimport_older.py)
    "modified_at": ("2026-11-18T09:30:00Z", "2026-11-19T09:30:00Z"),
}
# Not a field the rows' data says: the key, the row's owner and its closing (the
# re-import rule's, tests/test_reimport_rule.py), the system, a column to skip.
# A US state or Canadian province gives the region NA whichever it is: no second value
# changes what is stored, so a state is no case here.
NOT_DATA = {"crm_id", "last_name", "rep", "assigned_at", "converted", "source_system", "ignore", "state"}


def test_every_mappable_field_has_values_here() -> None:
    assert set(MAPPABLE_FIELDS) - NOT_DATA == set(VALUES)


def _import(db: Path, source: Path, target: str) -> None:
    store = open_store(db)
    services = Services(store=store, policy=Policy(), clock=FixedClock(NOW))
    mapping = ImportMapping(columns={"Ref": "crm_id", "Surname": "last_name", "Cell": target})
    import_file(services, source, ImportOptions(rep="maria", mapping=mapping))
    store.dispose()


def _stored(db: Path) -> dict[str, Any]:
    """The lead's stored columns, but its row id and the hash of the row last imported
    (a row that changes nothing stored, a US state in the same region, keeps the old one)."""
    store = open_store(db)
    with store.engine.connect() as conn:
        (row,) = conn.execute(select(leads)).mappings().all()
    store.dispose()
    return {k: v for k, v in row.items() if k not in {"id", "content_hash"}}


@pytest.mark.parametrize("target", sorted(VALUES))
def test_a_reimport_stores_what_a_first_import_of_the_new_file_stores(tmp_path: Path, target: str) -> None:
    first, second = (tmp_path / "first.csv", tmp_path / "second.csv")
    for path, value in ((first, VALUES[target][0]), (second, VALUES[target][1])):
        cell = '"' + value.replace('"', '""') + '"'
        path.write_text(f"Ref,Surname,Cell\nR-1,Lovelace,{cell}\n", encoding="utf-8")
    _import(tmp_path / "before.db", first, target)
    _import(tmp_path / "reimported.db", first, target)
    _import(tmp_path / "reimported.db", second, target)
    _import(tmp_path / "fresh.db", second, target)
    reimported, fresh = _stored(tmp_path / "reimported.db"), _stored(tmp_path / "fresh.db")
    assert _stored(tmp_path / "before.db") != fresh  # the two values store differently: this can fail
    assert reimported == fresh
