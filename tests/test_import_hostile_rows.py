"""Rows a hostile tester wrote to break the CRM import (issue 17, points 3 and 7).

Each fixture is written here, shaped like the CRMs' documented exports (see
tests/data/import/crm/SOURCES.md); ids are invented, suffixes computed by the
published 15-to-18 algorithm. Rows are spreadsheet rows: the header is row 1.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from leadqueue.io.reader import ReadResult, read_leads

NY = ZoneInfo("America/New_York")

# Salesforce Data Export / Data Loader: API field names, every cell quoted.
SF_API_HEADER = '"Id","FirstName","LastName","Company","Status","OwnerId","CreatedDate"\n'
SF_API_OWNER = "005Dn000001mQx2IAE"


def write(tmp_path: Path, text: str, name: str = "leads.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def sf_api_row(lead_id: str, last_name: str) -> str:
    cells = [
        lead_id,
        "Ann",
        last_name,
        "Tessaline",
        "Open - Not Contacted",
        SF_API_OWNER,
        "2024-01-31 19:03:00",
    ]
    return ",".join(f'"{c}"' for c in cells) + "\n"


def errors_of(result: ReadResult) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.reason) for e in result.errors]


# -- 1. a Salesforce id's suffix must agree with its body ----------------------------


def test_a_mixed_case_body_must_match_its_suffix(tmp_path: Path) -> None:
    # 00QDn00000Kq3xy's suffix is MAB: AAA would say every letter is lower case
    path = write(
        tmp_path,
        SF_API_HEADER
        + sf_api_row("00QDn00000Kq3xyAAA", "Wrong")
        + sf_api_row("00QDn00000Kq3xymab", "Right")  # a lower-cased suffix is still the suffix
        + sf_api_row("00QDn00000Kq3ab", "Fifteen"),
    )
    result = read_leads(path, NY)
    ((row, column, reason),) = errors_of(result)
    assert (row, column) == (2, "Id")
    assert "last 3 characters should be 'MAB'" in reason
    assert [r.crm_id for r in result.rows] == ["00QDn00000Kq3xyMAB", "00QDn00000Kq3abMAB"]


def test_a_body_whose_case_was_lost_gets_it_back_from_the_suffix(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        SF_API_HEADER
        + sf_api_row("00QDN00000KQ3XYMAB", "Upper")  # a spreadsheet's UPPER()
        + sf_api_row("00qdn00000kq3xzmab", "Lower")  # a tool that lower-cased the whole id
        + sf_api_row("00qdn00000kq3xaAAA", "AllLower"),  # all lower, and the suffix agrees
    )
    result = read_leads(path, NY)
    assert errors_of(result) == []
    assert [r.crm_id for r in result.rows] == [
        "00QDn00000Kq3xyMAB",
        "00QDn00000Kq3xzMAB",
        "00qdn00000kq3xaAAA",
    ]


@pytest.mark.parametrize(
    "lead_id", ["00QDn00000Kq3x", "00QDn00000Kq3xyM", "00QDn00000Kq3xyMABC", "00QDn", "00Q1"]
)
def test_an_id_of_another_length_is_a_row_error(tmp_path: Path, lead_id: str) -> None:
    path = write(tmp_path, SF_API_HEADER + sf_api_row(lead_id, "Short"))
    result = read_leads(path, NY)
    ((row, column, reason),) = errors_of(result)
    assert (row, column) == (2, "Id")
    assert "a Salesforce id has 15 or 18 characters" in reason
    assert result.rows == []


def test_a_report_lead_id_cut_off_is_a_row_error(tmp_path: Path) -> None:
    # a report's ids may be a team's own short keys (kept as written); one a character
    # short of a record id is a record id cut off
    path = write(
        tmp_path,
        '"Lead ID","First Name","Last Name","Company / Account","Lead Owner","Create Date"\n'
        '"00QDn00000Kq3a","Ann","Cut","Tessaline","Maria Santos","1/31/2024 2:03 PM"\n',
    )
    ((row, column, reason),) = errors_of(read_leads(path, NY))
    assert (row, column) == (2, "Lead ID")
    assert "has 15 or 18 characters" in reason
