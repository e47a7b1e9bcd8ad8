"""Values read from lead files: ids, timestamps, owners, seniority, domains,
regions, whole numbers as spreadsheets in any locale write them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from leadqueue.io.people import domain_of, infer_seniority
from leadqueue.io.reader import read_leads
from leadqueue.io.regions import region_of
from leadqueue.io.timestamps import TimestampParser
from tests.test_reader import NY, SF_HEADER, by_id, utc, write

# ---------------------------------------------------------------- values


def test_ids_stay_text_with_leading_zeros(tmp_path: Path) -> None:
    text = "Record ID,Email\n000123,a@acme.com\n 0045 ,b@acme.com\n"
    hubspot = read_leads(write(tmp_path, text, "h.csv"), NY)
    assert [r.profile.crm_id for r in hubspot.rows] == ["000123", "0045"]
    sf = read_leads(write(tmp_path, "Lead ID,Email\n00Q5g00000AbCdEEAV,a@acme.com\n", "s.csv"), NY)
    assert sf.rows[0].profile.crm_id == "00Q5g00000AbCdEEAV"
    jsonl = read_leads(write(tmp_path, '{"crm_id": "0007", "email": "c@acme.com"}\n', "j.jsonl"), NY)
    assert jsonl.rows[0].profile.crm_id == "0007"


def test_timestamp_without_offset_is_read_in_team_zone(tmp_path: Path) -> None:
    text = "crm_id,email,assigned_at,created_at\nA1,a@acme.com,2026-11-20 09:00,2026-07-01T09:00:00\n"
    row = read_leads(write(tmp_path, text), NY).rows[0]
    assert row.assigned_at == utc(2026, 11, 20, 14, 0)  # EST, UTC-5
    assert row.profile.created_at == utc(2026, 7, 1, 13, 0)  # EDT, UTC-4
    berlin = read_leads(write(tmp_path, text), ZoneInfo("Europe/Berlin")).rows[0]
    assert berlin.assigned_at == utc(2026, 11, 20, 8, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T14:03:00.000Z", utc(2026, 11, 20, 14, 3)),
        ("2026-11-20T14:03:00.000+0000", utc(2026, 11, 20, 14, 3)),
        ("2026-11-20T14:03:00+01:00", utc(2026, 11, 20, 13, 3)),
        ("2026-11-20T09:03:00", utc(2026, 11, 20, 14, 3)),
        ("11/20/2026 2:03 PM", utc(2026, 11, 20, 19, 3)),
        ("11/20/2026 12:15 AM", utc(2026, 11, 20, 5, 15)),
        ("11/20/2026 14:03", utc(2026, 11, 20, 19, 3)),
        ("11/20/2026", utc(2026, 11, 20, 5, 0)),
        ("3/5/2026 9:30 am", utc(2026, 3, 5, 14, 30)),  # US order: March 5
        ("2026-11-20 14:03", utc(2026, 11, 20, 19, 3)),
        ("2026-11-20 14:03:05", utc(2026, 11, 20, 19, 3, 5)),
        ("2026-11-20", utc(2026, 11, 20, 5, 0)),
    ],
)
def test_crm_timestamp_styles(text: str, expected: datetime) -> None:
    value = TimestampParser(NY)(text)
    assert value == expected
    assert value.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-30", "impossible date '2026-02-30': day is out of range for month"),
        (
            "13/01/2026",
            "impossible date '13/01/2026': month 13 does not exist (dates are read month-first, mdy)",
        ),
        ("11/20/2026 13:00 PM", "impossible date '11/20/2026 13:00 PM': hour 13 on a 12-hour clock"),
        ("2026-11-20 25:00", "impossible date '2026-11-20 25:00': hour must be in 0..23"),
    ],
)
def test_impossible_timestamps(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        TimestampParser(NY)(text)
    assert str(info.value) == reason


def test_assigned_at_is_the_assignment_column_only(tmp_path: Path) -> None:
    """Without one, the importer starts the clock at the import (not the create date)."""
    text = (
        f"{SF_HEADER}\n00Q1,Ana,Lima,a@acme.com,Maria,2026-11-19T10:00:00Z,2026-11-20T10:00:00Z,\n"
        "00Q2,Bo,Ek,b@acme.com,Maria,2026-11-19T11:00:00Z,,\n00Q3,Cy,Ho,c@acme.com,Maria,,,\n"
    )
    rows = by_id(read_leads(write(tmp_path, text), NY))
    assert rows["00Q1"].assigned_at == utc(2026, 11, 20, 10)
    assert rows["00Q1"].profile.created_at == utc(2026, 11, 19, 10)
    assert (rows["00Q2"].assigned_at, rows["00Q2"].profile.created_at) == (None, utc(2026, 11, 19, 11))
    assert (rows["00Q3"].assigned_at, rows["00Q3"].profile.created_at) == (None, None)
    no_columns = read_leads(write(tmp_path, "crm_id,email\nZ1,z@acme.com\n", "bare.csv"), NY)
    assert no_columns.rows[0].assigned_at is None


def test_owner_from_file_wins_over_default_rep(tmp_path: Path) -> None:
    text = "Record ID,Email,Contact owner\n1,a@acme.com,Maria Santos\n2,b@acme.com,\n"
    result = read_leads(write(tmp_path, text), NY, default_rep="james")
    assert [r.rep for r in result.rows] == ["Maria Santos", "james"]
    assert [r.rep for r in read_leads(write(tmp_path, text), NY).rows] == ["Maria Santos", None]


@pytest.mark.parametrize(
    ("title", "seniority"),
    [
        ("Chief Revenue Officer", "c_level"),
        ("CEO", "c_level"),
        ("Co-Founder", "c_level"),
        ("Owner", "c_level"),
        ("President", "c_level"),
        ("Vice President, Sales", "vp"),
        ("SVP Finance", "vp"),
        ("VP Marketing", "vp"),
        ("Director of IT", "director"),
        ("Head of Growth", "director"),
        ("Sales Manager", "manager"),
        ("Team Lead", "manager"),
        ("Marketing Intern", "student"),
        ("PhD Student", "student"),
        ("Account Executive", "individual"),
        ("Product Owner", "individual"),
        ("", ""),
    ],
)
def test_infer_seniority(title: str, seniority: str) -> None:
    assert infer_seniority(title) == seniority


def test_seniority_column_is_not_overridden(tmp_path: Path) -> None:
    text = "crm_id,email,title,seniority\nA1,a@acme.com,CEO,\nA2,b@acme.com,CEO,Manager\n"
    result = read_leads(write(tmp_path, text), NY)
    assert [r.profile.seniority for r in result.rows] == ["", "manager"]


def test_extra_columns_are_kept(tmp_path: Path) -> None:
    text = "Record ID,Email,Lifecycle Stage,Favourite Colour,Blank Column,\n1,a@acme.com,Lead, teal ,,\n"
    row = read_leads(write(tmp_path, text), NY).rows[0]
    assert row.profile.extra == {"Lifecycle Stage": "Lead", "Favourite Colour": "teal"}
    assert row.raw["Favourite Colour"] == " teal "


def test_domain_from_website_or_work_email(tmp_path: Path) -> None:
    text = (
        "Lead ID,Email,Website\n1,a@acme.com,https://www.Northwind.example:443/about?x=1\n"
        "2,b@globex.example,\n3,c@gmail.com,\n4,d@yahoo.com,WWW.Initech.example/\n"
    )
    rows = read_leads(write(tmp_path, text), NY).rows
    assert [r.profile.domain for r in rows] == ["northwind.example", "globex.example", "", "initech.example"]
    assert domain_of("http://sub.acme.co.uk/path") == "sub.acme.co.uk"


@pytest.mark.parametrize(
    ("country", "region", "state", "expected"),
    [
        ("United States", "", "", "NA"),
        ("DE", "", "", "EMEA"),
        ("japan", "", "", "APAC"),
        ("Brasil", "", "", "LATAM"),
        ("", "Europe", "", "EMEA"),
        ("", "", "TX", "NA"),
        ("Narnia", "EMEA", "", "EMEA"),
        ("Germany", "APAC", "", "APAC"),  # the file's own region says where the team sells to it
        ("Narnia", "", "", "Narnia"),
        ("", "Somewhere", "", "Somewhere"),
        ("", "", "Bavaria", ""),
    ],
)
def test_region_mapping(country: str, region: str, state: str, expected: str) -> None:
    assert region_of(country, region, state) == expected


# Where the decimal mark is a comma, Excel separates cells with ';': there dots group.
COMMA_FILE = 'Lead ID,Last Name,No. of Employees\n00Q7,Lind,"{cell}"\n'
SEMICOLON_FILE = 'Lead ID;Last Name;No. of Employees\n00Q7;Lind;"{cell}"\n'


@pytest.mark.parametrize(
    ("layout", "cell", "employees"),
    [(COMMA_FILE, "1,234", 1234), (COMMA_FILE, "1 234", 1234), (COMMA_FILE, "1\u00a0234", 1234),
     (COMMA_FILE, "1'234", 1234), (COMMA_FILE, "740.0", 740), (COMMA_FILE, "85.000", 85),
     (SEMICOLON_FILE, "1.234", 1234), (SEMICOLON_FILE, "12.345.678", 12345678),
     (SEMICOLON_FILE, "1 234", 1234), (SEMICOLON_FILE, "740,0", 740), (SEMICOLON_FILE, "740", 740)],
)  # fmt: skip
def test_employees_grouped_as_the_files_locale_writes_them(
    tmp_path: Path, layout: str, cell: str, employees: int
) -> None:
    path = write(tmp_path, layout.format(cell=cell))
    assert read_leads(path, NY).rows[0].profile.employees == employees


@pytest.mark.parametrize(
    ("layout", "cell"),
    [(COMMA_FILE, "1.234"), (COMMA_FILE, "1.5"), (COMMA_FILE, "7.500"), (SEMICOLON_FILE, "1,5"),
     (SEMICOLON_FILE, "1,234"), (SEMICOLON_FILE, "1.234,5")],
)  # fmt: skip
def test_a_fraction_of_a_person_is_still_a_row_error(tmp_path: Path, layout: str, cell: str) -> None:
    path = write(tmp_path, layout.format(cell=cell))
    assert [(e.column, e.reason) for e in read_leads(path, NY).errors] == [
        ("No. of Employees", f"not a whole number: {cell!r}")
    ]


@pytest.mark.parametrize(
    ("cell", "titles"),
    [
        ("[Webinar] Q4 recap;Pricing FAQ", ("[Webinar] Q4 recap", "Pricing FAQ")),  # a title in brackets
        ("{Draft} Pricing;FAQ", ("{Draft} Pricing", "FAQ")),
        ('["ROI Guide", "FAQ"]', ("ROI Guide", "FAQ")),  # a JSON array of titles
        ('[{"title": "ROI Guide", "stage": "mofu"}]', ("ROI Guide",)),
        ("[]", ()),
    ],
)
def test_content_is_titles_unless_it_is_json(tmp_path: Path, cell: str, titles: tuple[str, ...]) -> None:
    quoted = '"' + cell.replace('"', '""') + '"'
    result = read_leads(write(tmp_path, f"crm_id,last_name,rep,content\nC-1,Lovelace,ana,{quoted}\n"), NY)
    assert result.errors == []
    assert tuple(c.title for c in result.rows[0].profile.content) == titles


def test_a_broken_json_array_of_content_is_still_a_row_error(tmp_path: Path) -> None:
    result = read_leads(
        write(tmp_path, 'crm_id,last_name,rep,content\nC-1,Lovelace,ana,"[{""title"": }]"\n'), NY
    )
    assert [(e.column, e.reason.split(":")[0]) for e in result.errors] == [("content", "invalid JSON")]
