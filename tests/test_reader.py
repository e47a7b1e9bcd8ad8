"""Parsing CRM lead files: formats, encodings, CSV shape, whole-file and row errors
(the values read are in test_reader_values.py).

The fixtures in tests/data/import/ are realistic exports. windows1252.csv was written as
cp1252 bytes by a snippet like:

    text = "Lead ID,First Name,...\\r\\n00Q5g00000WxYz1,José,Müller,...\\r\\n"
    Path("tests/data/import/windows1252.csv").write_bytes(text.encode("cp1252"))
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from leadqueue.domain.lead import ContentItem, ScoreItem, Touchpoint
from leadqueue.io.reader import ImportFileError, ParsedRow, ReadResult, read_leads

DATA = Path(__file__).parent / "data" / "import"
NY = ZoneInfo("America/New_York")
SF_HEADER = "Lead ID,First Name,Last Name,Email,Lead Owner,Create Date,Owner Assigned Date,Lead Score"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def write(tmp_path: Path, text: str, name: str = "leads.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def by_id(result: ReadResult) -> dict[str, ParsedRow]:
    return {r.profile.crm_id: r for r in result.rows}


# ---------------------------------------------------------------- fixture files, one per format


def test_salesforce_export_is_detected_and_mapped() -> None:
    result = read_leads(DATA / "salesforce_leads.csv", NY)
    assert (result.format, result.encoding, result.errors) == ("salesforce-report", "utf-8", [])
    assert [r.row for r in result.rows] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert result.header[:3] == ["Lead ID", "First Name", "Last Name"]

    dana = result.rows[0]
    p = dana.profile
    assert (p.crm_id, p.first_name, p.last_name, p.title, p.seniority) == (
        "00Q5g00000AbCdEEAV",  # the 18-character form of the 15-character id
        "Dana",
        "Whitfield",
        "VP Operations",
        "vp",
    )
    assert (p.company, p.email, p.phone) == (
        "Northwind Logistics",
        "dana.whitfield@northwind-logistics.com",
        "(617) 555-0142",
    )
    assert (p.domain, p.region, p.industry, p.employees, p.score) == (
        "northwind-logistics.com",
        "NA",
        "Logistics",
        1200,
        82,
    )
    assert (p.source, p.crm_status, p.campaign) == (
        "Webinar",
        "Open - Not Contacted",
        "Q4 Route Optimization Webinar",
    )
    assert p.profile_url == "https://www.linkedin.com/in/danawhitfield"
    assert p.source_system == "salesforce"
    assert dana.rep == "Maria Santos"
    assert p.created_at == utc(2026, 11, 20, 19, 3)  # 11/20/2026 2:03 PM in New York
    assert dana.assigned_at == utc(2026, 11, 20, 19, 5)
    # the Description cell holds a quoted newline
    assert p.extra == {
        "Rating": "Hot",
        "country": "United States",
        "description": "Attended the webinar, asked about\nSSO and volume pricing",
    }
    assert p.talk_track == "Attended the webinar, asked about\nSSO and volume pricing"
    assert "Email Opt Out" not in p.extra
    assert dana.raw["Lead ID"] == "00Q5g00000AbCdE"

    rows = by_id(result)
    priya = rows["00Q5g00000AbCdFEAV"]
    assert priya.profile.phone == "+44 7700 900123"  # Mobile, as Phone is blank
    assert priya.profile.created_at == utc(2026, 11, 19, 9, 30)  # .000Z
    assert priya.assigned_at is None  # no assignment date: the importer decides
    assert priya.profile.region == "EMEA"
    tom = rows["00Q5g00000AbCdGEAV"]
    assert tom.profile.created_at == utc(2026, 11, 18, 16, 45)  # .000+0000
    assert (tom.profile.seniority, tom.profile.region) == ("c_level", "NA")
    lena = rows["00Q5g00000AbCdHEAV"]
    assert lena.profile.created_at == utc(2026, 11, 17, 13, 15)  # 11/17/2026 08:15 in New York
    assert (lena.profile.domain, lena.profile.seniority, lena.profile.region) == (
        "kraft-maschinenbau.de",
        "director",
        "EMEA",
    )
    carlos = rows["00Q5g00000AbCdIEAV"]
    assert carlos.rep is None  # blank Lead Owner is not an error here
    assert (carlos.profile.region, carlos.profile.domain) == ("LATAM", "lumenpay.com.br")
    aiko = rows["00Q5g00000AbCdJEAV"]
    assert (aiko.profile.domain, aiko.profile.seniority, aiko.profile.region) == ("", "student", "APAC")
    assert aiko.profile.created_at == utc(2026, 11, 16, 5, 0)  # 11/16/2026: midnight in New York
    sam = rows["00Q5g00000AbCdKEAV"]
    assert (sam.profile.region, sam.profile.domain, sam.profile.seniority) == (
        "Curaçao",
        "ridgeway.cw",
        "individual",
    )
    grace = rows["00Q5g00000AbCdLEAV"]
    assert (grace.profile.employees, grace.profile.score) == (1500, None)
    assert (grace.profile.region, grace.profile.seniority) == ("NA", "c_level")  # from State WA


def test_hubspot_export_is_detected_and_mapped() -> None:
    result = read_leads(DATA / "hubspot_contacts.csv", NY, default_rep="maria")
    assert (result.format, result.encoding, result.errors) == ("hubspot", "utf-8-sig", [])
    assert result.header[0] == "Record ID"  # BOM stripped
    assert len(result.rows) == 8

    rows = by_id(result)
    jordan = rows["51234567801"]
    p = jordan.profile
    assert (p.first_name, p.last_name, p.email) == ("Jordan", "Reyes", "jordan.reyes@cobaltcloud.io")
    assert (p.title, p.seniority, p.company) == ("Head of Revenue Operations", "director", "Cobalt Cloud")
    assert (p.crm_status, p.source, p.campaign, p.score) == ("NEW", "Paid Social", "linkedin_q4_revops", 78)
    assert (p.phone, p.industry, p.employees, p.region) == ("+1 512 555 0110", "Software", 240, "NA")
    assert (p.domain, p.profile_url) == ("cobaltcloud.io", "https://www.linkedin.com/in/jordanreyes")
    assert p.source_system == "hubspot"
    assert p.extra == {
        "country": "United States",  # kept beside the region it maps to
        "Lifecycle Stage": "Marketing Qualified Lead",
        "Marketing contact status": "Marketing contact",
    }
    assert jordan.rep == "Maria Santos"
    assert jordan.assigned_at == utc(2026, 11, 20, 19, 3)  # 2026-11-20 14:03 New York
    assert p.created_at == utc(2026, 11, 20, 18, 58)

    sofia = rows["51234567802"]
    assert sofia.profile.created_at == utc(2026, 11, 19, 13, 12, 45)  # with seconds
    assert sofia.assigned_at is None  # no assignment date: the importer starts the clock
    assert (sofia.profile.region, sofia.profile.seniority) == ("EMEA", "manager")
    wei = rows["51234567803"]
    assert (wei.assigned_at, wei.profile.created_at) == (utc(2026, 11, 18, 5), utc(2026, 11, 17, 5))
    assert (wei.profile.region, wei.profile.domain, wei.profile.phone) == ("APAC", "pacificmed.sg", "")
    assert rows["51234567804"].rep == "maria"  # no Contact owner: default_rep
    hannah = rows["51234567806"]
    assert (hannah.assigned_at, hannah.profile.created_at, hannah.profile.employees) == (None, None, None)
    assert (hannah.profile.domain, hannah.profile.seniority, hannah.profile.region) == ("", "student", "NA")
    assert rows["51234567807"].profile.last_name == "Fernández"


def test_leadqueue_csv_with_json_cells() -> None:
    result = read_leads(DATA / "leadqueue_leads.csv", NY)
    assert (result.format, result.encoding, result.errors) == ("leadqueue", "utf-8", [])
    rows = by_id(result)
    assert list(rows) == ["LQ-0001", "LQ-0002", "LQ-0003", "LQ-0004", "00042"]

    dana = rows["LQ-0001"]
    p = dana.profile
    assert (p.seniority, p.email_verified, p.region, p.employees, p.score) == ("vp", True, "NA", 1200, 82)
    assert p.tech_stack == ("Salesforce", "Snowflake", "Samsara")
    assert p.growth_signals == ("hiring SDRs", "opened Denver DC")
    assert p.score_breakdown == (
        ScoreItem("VP title", 15, "fit", None),
        ScoreItem("Pricing page x3", 20, "behavior", utc(2026, 11, 18, 15, 2)),
    )
    assert p.touchpoints == (
        Touchpoint(utc(2026, 11, 17, 14), "webinar_attended", "Q4 Route Optimization Webinar", 10, False),
        Touchpoint(utc(2026, 11, 18, 15, 2), "pricing_visit", "Pricing page", 20, True),
    )
    assert p.content == (
        ContentItem("Route Optimization ROI Guide", "mofu"),
        ContentItem("Q4 Webinar", "tofu"),
    )
    assert p.intent_signals == ("pricing_visit", "webinar_attended")
    assert p.third_party_intent == ("route optimization", "fleet telematics")
    assert (p.channel, p.talk_track) == ("webinar", "Ask how they plan routes for the new Denver DC")
    assert (dana.rep, p.source_system, p.extra) == ("maria", "leadqueue", {})
    assert dana.assigned_at == utc(2026, 11, 20, 14)  # no offset: team zone
    assert p.created_at == utc(2026, 11, 19, 16, 40)

    priya = rows["LQ-0002"].profile
    assert (priya.email_verified, priya.score_breakdown) == (False, ())
    assert priya.content == (ContentItem("CFO Benchmark Report"), ContentItem("Pricing FAQ"))
    tom = rows["LQ-0003"].profile
    assert (tom.email_verified, tom.account_status, tom.seniority) == (None, "customer", "c_level")
    lena = rows["LQ-0004"]
    assert (lena.profile.email_verified, lena.rep, lena.assigned_at) == (True, None, None)
    carlos = rows["00042"]
    assert (carlos.profile.email_verified, carlos.profile.region) == (False, "LATAM")
    assert carlos.assigned_at == utc(2026, 11, 16, 13, 5)


def test_json_lines() -> None:
    result = read_leads(DATA / "leads.jsonl", NY)
    assert (result.format, result.encoding, result.errors) == ("jsonl", "utf-8", [])
    assert [r.row for r in result.rows] == [1, 2, 3]  # line numbers
    assert result.header[:3] == ["crm_id", "first_name", "last_name"]
    noor, ben, ania = result.rows
    assert (noor.profile.crm_id, noor.profile.email_verified, noor.profile.employees) == ("J-100", True, 700)
    assert (noor.profile.region, noor.profile.seniority, noor.profile.domain) == (
        "EMEA",
        "director",
        "gulfline.ae",
    )
    assert noor.profile.tech_stack == ("Azure", "Dynamics 365")
    assert noor.profile.touchpoints == (
        Touchpoint(utc(2026, 11, 19, 7), "demo_request", "Demo request form", 30, True),
    )
    assert noor.profile.extra == {"fleet_size": 140}
    assert noor.raw["fleet_size"] == "140"
    assert (ben.profile.employees, ben.profile.seniority, ben.rep) == (55, "manager", None)
    assert ben.profile.content == (ContentItem("Fleet Cost Calculator"),)
    assert ben.profile.created_at == utc(2026, 11, 19, 3, 15)  # 2026-11-18 22:15 New York
    assert (ania.profile.crm_id, ania.profile.score, ania.profile.region) == ("1020", 52, "EMEA")
    assert (ania.rep, ania.assigned_at, ania.profile.created_at) == ("james", utc(2026, 11, 20, 7), None)


def test_jsonl_bad_lines_are_row_errors(tmp_path: Path) -> None:
    lines = [
        json.dumps({"crm_id": "A1", "email": "a@acme.com"}),
        "[1, 2]",
        "",
        "{not json",
        json.dumps({"crm_id": "A2", "email": "b@acme.com", "email_verified": "sometimes"}),
    ]
    result = read_leads(write(tmp_path, "\n".join(lines) + "\n", "leads.ndjson"), NY)
    assert [r.profile.crm_id for r in result.rows] == ["A1"]
    assert [(e.row, e.column) for e in result.errors] == [(2, ""), (4, ""), (5, "email_verified")]
    assert result.errors[0].reason == "not a JSON object (found a JSON array)"
    assert result.errors[1].reason.startswith("invalid JSON: ")
    assert result.errors[1].raw == {"line": "{not json"}
    assert result.errors[2].reason == "not true/false: 'sometimes' (use true/false, yes/no or 1/0)"


def test_a_json_line_that_is_no_object_says_what_it_is(tmp_path: Path) -> None:
    lines = ["42", '"text"', "null", "true"]
    result = read_leads(write(tmp_path, "\n".join(lines) + "\n", "leads.ndjson"), NY)
    assert [e.reason for e in result.errors] == [
        f"not a JSON object (found {kind})" for kind in ("a number", "text", "null", "true/false")
    ]


def test_first_char_brace_means_json_lines(tmp_path: Path) -> None:
    path = write(tmp_path, '{"crm_id": "007", "last_name": "Bond"}\n', "leads.txt")
    result = read_leads(path, NY)
    assert (result.format, result.rows[0].profile.crm_id, result.rows[0].profile.last_name) == (
        "jsonl",
        "007",
        "Bond",
    )


# ---------------------------------------------------------------- encodings


def test_windows1252_is_detected() -> None:
    result = read_leads(DATA / "windows1252.csv", NY)
    assert (result.format, result.encoding, result.errors) == ("salesforce-report", "cp1252", [])
    jose, zoe = result.rows
    assert (jose.profile.first_name, jose.profile.last_name) == ("José", "Müller")
    assert (jose.profile.company, jose.rep) == ("Café Señorial S.A.", "María Núñez")
    assert (zoe.profile.first_name, zoe.profile.last_name, zoe.profile.title) == (
        "Zoë",
        "Brontë",
        "Head of Ops – EMEA",
    )
    assert zoe.profile.created_at == utc(2026, 11, 19, 15, 30)


def test_bom_and_no_bom_read_the_same(tmp_path: Path) -> None:
    text = f"{SF_HEADER}\r\n00Q1,Ana,Lima,ana@acme.com,Maria,2026-11-20 09:00,,70\r\n"
    with_bom = read_leads(write(tmp_path, text, "bom.csv", "utf-8-sig"), NY)
    without = read_leads(write(tmp_path, text, "plain.csv", "utf-8"), NY)
    assert (with_bom.encoding, without.encoding) == ("utf-8-sig", "utf-8")
    assert with_bom.header == without.header == SF_HEADER.split(",")
    assert with_bom.rows[0].profile == without.rows[0].profile
    assert with_bom.rows[0].profile.crm_id == "00Q1"


def test_encoding_override(tmp_path: Path) -> None:
    path = write(tmp_path, "crm_id,last_name\nX1,Müller\n", "utf8.csv", "utf-8")
    forced = read_leads(path, NY, encoding="cp1252")
    assert (forced.encoding, forced.rows[0].profile.last_name) == ("cp1252", "MÃ¼ller")
    latin = write(tmp_path, "crm_id,last_name\nX2,Müller\n", "latin.csv", "latin-1")
    assert read_leads(latin, NY, encoding="latin-1").rows[0].profile.last_name == "Müller"


def test_encoding_override_that_cannot_decode_names_the_byte_and_line() -> None:
    data = (DATA / "windows1252.csv").read_bytes()
    line = data[: data.index("é".encode("cp1252"))].count(b"\n") + 1
    with pytest.raises(ImportFileError) as info:
        read_leads(DATA / "windows1252.csv", NY, encoding="utf-8")
    message = str(info.value)
    assert "windows1252.csv" in message
    assert f"byte 0xe9 near line {line}" in message


def test_unknown_encoding_name(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="unknown encoding 'klingon'"):
        read_leads(write(tmp_path, "crm_id,email\n1,a@b.com\n"), NY, encoding="klingon")


# ---------------------------------------------------------------- CSV shape


def test_quoted_newline_in_a_cell_keeps_spreadsheet_row_numbers(tmp_path: Path) -> None:
    text = 'crm_id,last_name,talk_track,score\nA1,Lee,"first line\nsecond line",10\nA2,Kim,plain,lots\n'
    result = read_leads(write(tmp_path, text), NY)
    assert result.rows[0].profile.talk_track == "first line\nsecond line"
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (3, "score", "not a whole number: 'lots'")
    ]


def test_semicolon_delimited_file(tmp_path: Path) -> None:
    text = "Record ID;First Name;Last Name;Email;Number of Employees\n0099;Eva;Berg;eva@berg.no;1200\n"
    result = read_leads(write(tmp_path, text), NY)
    row = result.rows[0].profile
    assert (result.format, row.crm_id, row.last_name, row.employees, row.domain) == (
        "hubspot",
        "0099",
        "Berg",
        1200,
        "berg.no",
    )


def test_header_matching_ignores_case_and_spaces(tmp_path: Path) -> None:
    text = " lead id , FIRST NAME,last name ,EMAIL\n00Q9,Ida,Holm,ida@holm.dk\n"
    result = read_leads(write(tmp_path, text), NY)
    assert result.format == "salesforce-report"
    assert result.header == ["lead id", "FIRST NAME", "last name", "EMAIL"]
    p = result.rows[0].profile
    assert (p.crm_id, p.first_name, p.last_name, p.email) == ("00Q9", "Ida", "Holm", "ida@holm.dk")


def test_too_many_cells_is_a_row_error(tmp_path: Path) -> None:
    text = "crm_id,last_name,email\nA1,Lee,lee@acme.com,oops\nA2,Kim,kim@acme.com,,\n"
    result = read_leads(write(tmp_path, text), NY)
    assert [r.profile.crm_id for r in result.rows] == ["A2"]  # blank trailing cells are harmless
    (error,) = result.errors
    assert (error.row, error.column) == (2, "")
    assert error.reason.startswith("4 cells but the header has 3 columns")
    assert error.raw == {
        "crm_id": "A1",
        "last_name": "Lee",
        "email": "lee@acme.com",
        "(extra cell 1)": "oops",
    }


def test_short_rows_are_errors_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    text = "crm_id,last_name,email\nA1,Lee\n\n,,\nA2,Kim,kim@acme.com\n"
    result = read_leads(write(tmp_path, text), NY)
    assert [(r.row, r.profile.crm_id, r.profile.email) for r in result.rows] == [(5, "A2", "kim@acme.com")]
    assert [(e.row, e.reason) for e in result.errors] == [
        (
            2,
            "2 cells but the header has 3 columns"
            " (a cell left out, or a line break or quote in a cell that was not quoted?)",
        )
    ]
    assert result.errors[0].raw == {"crm_id": "A1", "last_name": "Lee", "email": ""}


def test_excel_unicode_text_utf16_tab_delimited(tmp_path: Path) -> None:
    text = "Lead ID\tLast Name\tEmail\r\n00Q7\tØdegaard\tmo@odegaard.no\r\n"
    result = read_leads(write(tmp_path, text, "unicode.txt", "utf-16"), NY)
    assert (result.format, result.encoding) == ("salesforce-report", "utf-16")
    assert (result.rows[0].profile.crm_id, result.rows[0].profile.last_name) == ("00Q7", "Ødegaard")


# ---------------------------------------------------------------- whole-file errors


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "Lead ID,First Name,Company\n00Q1,Ana,Acme\n")
    with pytest.raises(ImportFileError) as info:
        read_leads(path, NY)
    assert str(info.value) == (
        f"{path}: this Salesforce report export is missing required column(s): 'Email' or 'Last Name'"
    )


def test_missing_id_column_in_a_recognisable_export(tmp_path: Path) -> None:
    path = write(tmp_path, "First Name,Last Name,Email,Lead Owner,Lead Source\nAna,Lima,a@acme.com,M,Web\n")
    with pytest.raises(ImportFileError) as info:
        read_leads(path, NY)
    assert str(info.value) == (
        f"{path}: this looks like a Salesforce report export without its 'Lead ID' column: "
        "in the report, add the 'Lead ID' field to the columns (Edit > Columns > Lead ID), "
        "run it and export Details again"
    )


def test_unknown_format_lists_the_id_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Phone\nAna,555\n")
    with pytest.raises(ImportFileError) as info:
        read_leads(path, NY)
    message = str(info.value)
    assert message.startswith(f"{path}: unknown format: the header has no id column")
    assert "'Lead ID' (Salesforce report export)" in message
    assert "'Id' (Salesforce export (API field names))" in message
    assert "'Record Id' (Zoho CRM leads export)" in message
    assert "'Record ID' (HubSpot contacts export)" in message
    assert "'crm_id' (leadqueue lead file)" in message


def test_unclosed_quote_does_not_swallow_the_rest_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'crm_id,email\nA1,a@acme.com\nA2,"b@acme.com\nA3,c@acme.com\n')
    with pytest.raises(ImportFileError) as info:
        read_leads(path, NY)
    assert str(info.value) == (
        f"{path}: malformed CSV in the record starting at line 3: "
        "unexpected end of data (a quote that is never closed?)"
    )


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n  \n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as info:
        read_leads(path, NY)
    assert str(info.value) == f"{path} is empty: no header row"


def test_header_only_gives_zero_rows(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    path = write(tmp_path, SF_HEADER + "\r\n")
    result = read_leads(path, NY, progress=lambda d, t: calls.append((d, t)))
    assert (result.format, result.rows, result.errors) == ("salesforce-report", [], [])
    assert result.header == SF_HEADER.split(",")
    size = path.stat().st_size
    assert calls == [(size, size)]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(ImportFileError) as info:
        read_leads(missing, NY)
    assert str(info.value) == f"{missing}: no such file"
    with pytest.raises(ImportFileError) as info:
        read_leads(tmp_path, NY)
    assert str(info.value) == f"{tmp_path} is a directory, not a file to import"


@pytest.mark.parametrize("dates", [True, False], ids=["with a date column", "without"])
def test_an_unclosed_quote_names_the_line_its_record_starts_on(tmp_path: Path, dates: bool) -> None:
    date = ",created_at" if dates else ""
    cell = ",2026-11-01" if dates else ""
    rows = [f"crm_id,last_name,email{date}", f"U1,A,a@u.example{cell}", f'U3,"C,c@u.example{cell}']
    text = "\n\n" + "\n".join([*rows, f"U4,D,d@u.example{cell}"]) + "\n"
    with pytest.raises(ImportFileError, match="in the record starting at line 5: unexpected end of data"):
        read_leads(write(tmp_path, text), NY)


# ---------------------------------------------------------------- row errors


def test_duplicate_ids_name_the_first_row(tmp_path: Path) -> None:
    text = (
        f"{SF_HEADER}\n00Q1,Ana,Lima,ana@acme.com,,,,\n00Q2,Bo,Ek,bo@acme.com,,,,\n"
        "00Q1,Ana,Lima,ana2@acme.com,,,,\n00Q1,Ana,Lima,ana3@acme.com,,,,\n"
    )
    result = read_leads(write(tmp_path, text), NY)
    assert [r.row for r in result.rows] == [2, 3]
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (4, "Lead ID", "duplicate of row 2 (id 00Q1)"),
        (5, "Lead ID", "duplicate of row 2 (id 00Q1)"),
    ]
    assert result.errors[0].raw["Email"] == "ana2@acme.com"


def test_missing_id(tmp_path: Path) -> None:
    result = read_leads(write(tmp_path, "crm_id,email\n  ,a@acme.com\nB2,b@acme.com\n"), NY)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [(2, "crm_id", "missing id")]
    assert [r.profile.crm_id for r in result.rows] == ["B2"]


def test_impossible_and_unreadable_dates_name_the_column(tmp_path: Path) -> None:
    text = (
        f"{SF_HEADER}\n00Q1,Ana,Lima,ana@acme.com,,2026-02-30,,\n"
        "00Q2,Bo,Ek,bo@acme.com,,02/30/2026 9:00 AM,,\n00Q3,Cy,Ho,cy@acme.com,,,next tuesday,\n"
    )
    result = read_leads(write(tmp_path, text), NY)
    assert result.rows == []
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "Create Date"),
        (3, "Create Date"),
        (4, "Owner Assigned Date"),
    ]
    assert result.errors[0].reason == "impossible date '2026-02-30': day is out of range for month"
    assert result.errors[1].reason == "impossible date '02/30/2026 9:00 AM': day is out of range for month"
    assert result.errors[2].reason.startswith("unreadable date 'next tuesday': expected e.g. ")


def test_bad_numbers_and_several_errors_in_one_row(tmp_path: Path) -> None:
    text = (
        "Lead ID,Last Name,Lead Score,No. of Employees\n"
        '00Q1,Lima,high,51-200\n00Q2,Ek,85.5,-3\n00Q3,Ho,85.0,"2,300"\n'
    )
    result = read_leads(write(tmp_path, text), NY)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, "Lead Score", "not a whole number: 'high'"),
        (2, "No. of Employees", "not a whole number: '51-200'"),
        (3, "Lead Score", "not a whole number: '85.5'"),
        (3, "No. of Employees", "must not be negative: '-3'"),
    ]
    (row,) = result.rows
    assert (row.row, row.profile.score, row.profile.employees) == (4, 85, 2300)


def test_bad_json_cells_in_leadqueue_format(tmp_path: Path) -> None:
    rows = [
        ["crm_id", "email", "score_breakdown", "touchpoints", "content", "email_verified"],
        ["A1", "a@acme.com", '[{"label": "VP", "points": 5', "", "", ""],
        ["A2", "b@acme.com", "", '[{"kind": "download"}]', '{"title": "x"}', "maybe"],
        ["A3", "c@acme.com", '[{"label": "VP", "points": "ten"}]', "", "", ""],
        ["A4", "d@acme.com", "", "", '["Guide", {"title": "Demo", "stage": "BOFU"}]', "YES"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    result = read_leads(write(tmp_path, buffer.getvalue()), NY)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, "score_breakdown", "invalid JSON: Expecting ',' delimiter at character 29"),
        (3, "touchpoints", "item 1: 'at' is missing"),
        (3, "content", "expected a JSON array, found a JSON object"),
        (3, "email_verified", "not true/false: 'maybe' (use true/false, yes/no or 1/0)"),
        (4, "score_breakdown", "item 1: 'points': not a whole number: 'ten'"),
    ]
    (good,) = result.rows
    assert (good.row, good.profile.crm_id, good.profile.email_verified) == (5, "A4", True)
    assert good.profile.content == (ContentItem("Guide", "tofu"), ContentItem("Demo", "bofu"))


def test_spreadsheet_mangled_id_is_rejected(tmp_path: Path) -> None:
    result = read_leads(write(tmp_path, "Record ID,Email\n5.12346E+10,a@acme.com\n"), NY)
    (error,) = result.errors
    assert (error.row, error.column) == (2, "Record ID")
    assert error.reason.startswith("id '5.12346E+10' was turned into a number by a spreadsheet")


# ---------------------------------------------------------------- progress and speed


def test_progress_in_bytes_every_thousand_rows_and_at_the_end(tmp_path: Path) -> None:
    lines = ["crm_id,email"] + [f"L{i:04d},l{i:04d}@acme.com" for i in range(2500)]
    calls: list[tuple[int, int]] = []
    path = write(tmp_path, "\n".join(lines) + "\n")
    result = read_leads(path, NY, progress=lambda done, total: calls.append((done, total)))
    assert len(result.rows) == 2500
    size = path.stat().st_size
    line = len("L0000,l0000@acme.com\n")
    header = len("crm_id,email\n")
    assert calls == [(header + 1000 * line, size), (header + 2000 * line, size), (size, size)]
