"""Where a lead is, in time, and where it is in the CRM (issue 23, point 6): the
lead's zone from a time zone column or a country that keeps one time, never a
guess for a country with several; `crm_url` is a web address with `{id}`."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from leadqueue.domain.lead_zone import LeadZone, lead_zone, zone_from_text, zone_of_country
from leadqueue.domain.policy import Policy

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("country", "zone"),
    [
        ("Germany", "Europe/Berlin"),
        ("DE", "Europe/Berlin"),
        ("deu", "Europe/Berlin"),
        ("U.K.", "Europe/London"),
        ("Côte d'Ivoire", "Africa/Abidjan"),
        ("Cote d'Ivoire", "Africa/Abidjan"),
        ("Trinidad & Tobago", "America/Port_of_Spain"),
        ("Japan", "Asia/Tokyo"),
        ("Argentina", "America/Argentina/Buenos_Aires"),  # several names in the tz database, one time
    ],
)
def test_a_country_that_keeps_one_time_has_its_zone(country: str, zone: str) -> None:
    assert zone_of_country(country) == zone


@pytest.mark.parametrize(
    "country", ["United States", "US", "Canada", "Brazil", "Australia", "Russia", "Spain", "Mexico", "NA", ""]
)
def test_a_country_with_several_zones_or_none_known_has_none(country: str) -> None:
    # "NA" in a country column means "not available" (or North America) far more often than Namibia.
    assert zone_of_country(country) is None


@pytest.mark.parametrize(
    ("cell", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe_slash_berlin", "Europe/Berlin"),  # HubSpot's internal value
        ("america_slash_port-au-prince", "America/Port-au-Prince"),
        ("(GMT+01:00) Central European Time (Europe/Berlin)", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("UTC", "UTC"),
    ],
)
def test_a_time_zone_cell_names_its_zone(cell: str, zone: str) -> None:
    assert zone_from_text(cell) == zone


@pytest.mark.parametrize("cell", ["EST", "Etc/GMT+5", "(GMT-05:00) Eastern Time (US & Canada)", "Mars", ""])
def test_a_cell_that_names_no_zone_with_daylight_saving_gives_none(cell: str) -> None:
    assert zone_from_text(cell) is None


def test_the_time_zone_column_wins_over_the_country() -> None:
    extra = {"Country": "Germany", "Time Zone": "Asia/Tokyo"}
    assert lead_zone(extra) == LeadZone("Asia/Tokyo", "time zone column")
    assert lead_zone({"country/region": "Japan"}) == LeadZone("Asia/Tokyo", "country")
    # A region the import could not place is the country as written; a sales region is none.
    assert lead_zone({}, "Nepal") == LeadZone("Asia/Kathmandu", "country")
    assert lead_zone({}, "NA") is None and lead_zone({}, "EMEA") is None


def test_local_time_says_the_day_when_it_is_not_the_reps() -> None:
    friday_evening_in_new_york = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    assert LeadZone("Europe/Berlin", "country").local_time(friday_evening_in_new_york, NEW_YORK) == (
        "21:00 CET (Berlin)"
    )
    assert LeadZone("Asia/Tokyo", "country").local_time(friday_evening_in_new_york, NEW_YORK) == (
        "Sat 05:00 JST (Tokyo)"
    )
    assert (
        LeadZone("America/Argentina/Buenos_Aires", "country")
        .local_time(friday_evening_in_new_york, NEW_YORK)
        .endswith("(Buenos Aires)")
    )


def test_crm_url_puts_the_quoted_id_in_the_template() -> None:
    policy = Policy(crm_url="https://example.my.salesforce.com/{id}")
    assert policy.crm_link("00Q5g00000AbCdEAAX") == "https://example.my.salesforce.com/00Q5g00000AbCdEAAX"
    assert policy.crm_link("a/b c?d#e") == "https://example.my.salesforce.com/a%2Fb%20c%3Fd%23e"
    assert Policy().crm_link("00Q5g00000AbCdE") is None
    assert Policy(crm_url="  ").crm_url is None


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ("https://example.my.salesforce.com/", "has no {id}"),
        ("javascript:alert(1)//{id}", "must start with https://"),
        ("file:///home/{id}", "must start with https://"),
        ("https:///{id}", "must start with https://"),
        ("https://{id}.example.com/lead", "not the host name"),
        ("https://example.com/{id}\x1b]52;c;eA==\x07", "no spaces or control characters"),
    ],
)
def test_a_crm_url_that_is_no_web_address_for_the_lead_is_refused(template: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why.replace("{", r"\{").replace("}", r"\}")):
        Policy(crm_url=template)
