"""Files Excel for Mac saves ("Comma Separated Values", "CSV (Macintosh)"): lines
that end in a lone carriage return, text in Mac Roman, a line break inside a
quoted cell written as a newline. They import as the same file saved as
UTF-8 with newlines does; a file mixing line endings is a clear error."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.io.errors import ImportFileError
from leadqueue.io.reader import read_leads
from leadqueue.services.context import Services
from leadqueue.services.importing import import_file
from leadqueue.store.engine import Store
from leadqueue.store.schema import leads

NY = ZoneInfo("America/New_York")
# A Salesforce report (labels), as a US user saves it from Excel for Mac.
REPORT = [
    '"Lead ID","First Name","Last Name","Title","Company / Account","Email","Lead Source",'
    '"Lead Status","Lead Owner","Create Date","Description"',
    '"00QDn00000Kq3aT","Zoë","Müller","VP Supply Chain","Café Løvén","zoe@cafe.example","Web",'
    '"Open - Not Contacted","Maria Santos","1/31/2024 2:03 PM","Asked for pricing\nand a demo"',
    '"00QDn00000Kq3bU","Teodor","Lind","Director of IT","Brightwater Dental","tlind@bw.example",'
    '"Trade Show","Working - Contacted","James Okafor","2/5/2024 10:22 AM",""',
]


@pytest.fixture
def team(store: Store) -> Services:
    return Services(store=store, policy=Policy(), clock=FixedClock(datetime(2024, 2, 6, tzinfo=UTC)))


def saved(tmp_path: Path, name: str, ending: str, encoding: str) -> Path:
    path = tmp_path / name
    path.write_bytes((ending.join(REPORT) + ending).encode(encoding))
    return path


def profiles(path: Path) -> list[tuple[object, ...]]:
    result = read_leads(path, NY)
    assert result.errors == []
    return [(r.profile, r.rep, r.assigned_at, r.raw) for r in result.rows]


def test_a_mac_roman_file_with_carriage_returns_reads_as_its_utf8_twin(tmp_path: Path) -> None:
    mac = saved(tmp_path, "mac.csv", "\r", "mac_roman")
    assert b"\n" in mac.read_bytes() and b"\r\n" not in mac.read_bytes()  # only inside the quoted cell
    twin = saved(tmp_path, "twin.csv", "\n", "utf-8")
    assert profiles(mac) == profiles(twin)
    first = read_leads(mac, NY).rows[0].profile
    assert (first.first_name, first.company) == ("Zoë", "Café Løvén")


def test_the_import_says_which_lines_were_read_as_mac_roman(team: Services, tmp_path: Path) -> None:
    summary = import_file(team, saved(tmp_path, "mac.csv", "\r", "mac_roman"))
    assert (summary.rows, summary.created) == (2, 2)
    assert summary.read.encoding == "mac_roman"
    assert "1 line(s) were not UTF-8 and were read as Mac Roman" in summary.warnings()


def test_utf8_with_carriage_returns_needs_no_fallback(team: Services, tmp_path: Path) -> None:
    summary = import_file(team, saved(tmp_path, "mac-utf8.csv", "\r", "utf-8"))
    assert (summary.created, summary.read.fallback_lines, summary.read.encoding) == (2, 0, "utf-8")


def test_utf16_with_carriage_returns_is_split_on_them(tmp_path: Path) -> None:
    assert profiles(saved(tmp_path, "u16.csv", "\r", "utf-16")) == profiles(
        saved(tmp_path, "twin.csv", "\n", "utf-8")
    )


def test_rows_across_read_chunks_keep_their_numbers(team: Services, tmp_path: Path) -> None:
    # some 150 KB: the file is read in 64 KiB chunks, and a line may straddle two
    rows = [f"M{i:05d},person{i}@x.example,ana,2024-02-01" for i in range(4000)]
    rows[3500] = "M03500,p@x.example,ana,2024-02-30"  # row 3502 (the header is row 1)
    path = tmp_path / "big.csv"
    path.write_bytes(("\r".join(["crm_id,email,rep,created_at", *rows]) + "\r").encode())
    result = read_leads(path, NY)
    assert len(result.rows) == 3999
    assert [(e.row, e.column) for e in result.errors] == [(3502, "created_at")]
    assert result.rows[-1].profile.crm_id == "M03999"


def test_a_last_line_without_an_ending_is_read(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_bytes(b"crm_id,email,rep\rM1,a@x.example,ana")
    assert [r.profile.crm_id for r in read_leads(path, NY).rows] == ["M1"]


def test_a_lone_carriage_return_amid_newlines_is_a_clear_error(team: Services, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"crm_id,email,rep\nM1,a@x.example,ana\nM2,b@x\rexample,ana\n")
    with pytest.raises(ImportFileError, match=r"line 3 has a lone carriage return outside quotes"):
        import_file(team, path)
    with team.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(leads)).scalar_one() == 0


def test_a_header_wider_than_the_first_read_is_split_on_its_carriage_returns(tmp_path: Path) -> None:
    # a Salesforce export with 250 custom fields: no line ends in its first 4 KiB
    custom = [f"Custom_Field_{n:03d}__c" for n in range(250)]
    header = ",".join(["crm_id", "email", "rep", *custom])
    rows = [f"W{i},w{i}@x.example,ana" + "," * len(custom) for i in range(3)]
    path = tmp_path / "wide.csv"
    path.write_bytes("\r".join([header, *rows]).encode() + b"\r")
    assert len(header) > 4096
    assert [r.profile.crm_id for r in read_leads(path, NY).rows] == ["W0", "W1", "W2"]


def test_a_carriage_return_in_a_quoted_header_cell_of_a_newline_file_is_a_cell_s(tmp_path: Path) -> None:
    path = tmp_path / "lf.csv"
    path.write_bytes(b'crm_id,email,"rep\rowner",rep\nL1,a@x.example,,ana\nL2,b@x.example,,ana\n')
    result = read_leads(path, NY)
    assert ([r.profile.crm_id for r in result.rows], result.errors) == (["L1", "L2"], [])


def test_a_roster_saved_by_excel_for_mac_with_semicolons_imports(tmp_path: Path) -> None:
    from leadqueue.io.roster_file import RosterFile, read_roster

    path = tmp_path / "roster.csv"
    path.write_bytes(b"key;name;email\rmaria;Maria Santos;maria@x.example\rben;Ben Ode, Jr.;ben@x.example\r")
    roster = read_roster(path)
    assert isinstance(roster, RosterFile) and roster.problems == []
    assert [r.cells["name"] for r in roster.records] == ["Maria Santos", "Ben Ode, Jr."]
