"""A workbook saved by a spreadsheet application (the default of a Salesforce
formatted report, or of HubSpot's export dialog) is not a CSV file: the error
says what it is and how to save it as one, for leads and for rosters alike."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from leadqueue.io.errors import ImportFileError
from leadqueue.io.reader import open_lead_file
from leadqueue.io.roster_file import read_roster

WORKBOOKS = {
    "report.xlsx": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(64), "Excel .xlsx"),
    "contacts.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "Excel 97-2003 workbook"),
}


@pytest.mark.parametrize("name", sorted(WORKBOOKS))
def test_a_workbook_is_named_and_the_error_says_how_to_save_it_as_csv(tmp_path: Path, name: str) -> None:
    data, what = WORKBOOKS[name]
    path = tmp_path / name
    path.write_bytes(data)
    for read in (lambda: open_lead_file(path, ZoneInfo("UTC")), lambda: read_roster(path)):
        with pytest.raises(ImportFileError) as info:
            read()
        message = str(info.value)
        assert message.startswith(f"{path} is ")
        assert what in message and "CSV UTF-8" in message


def test_a_csv_file_whose_text_starts_with_pk_is_read(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("PK,crm_id,last_name\n1,LQ-1,Lovelace\n", encoding="utf-8")
    assert open_lead_file(path, ZoneInfo("UTC")).format_name == "leadqueue"
