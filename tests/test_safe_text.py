"""Untrusted text never reaches a terminal raw, and no CSV cell is a formula:
the two functions, and what the command line prints for a hostile lead."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadqueue.cli.main import main
from leadqueue.domain.safe_text import FORMULA_STARTS, csv_cell, terminal_safe
from leadqueue.io.csv_out import SafeDictWriter
from leadqueue.tui.screens.metrics import export_metrics

# Anything a terminal would act on: C0 but tab/newline, DEL, C1, bidi overrides.
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u061c\u200e\u200f\u2028\u2029\udc80-\udcff]"
)
HOSTILE = (
    "Whit\x1b]2;PWNED\x1b\\field \x1b]52;c;cm0gLXJmIH4=\x1b\\ \x1b[2J \x9b31m \u202eevil\u202c"
    " [/] [@click=app.quit]"
)

untrusted = st.text(
    alphabet=st.characters(codec=None, exclude_categories=("Cs",))
    | st.sampled_from(
        list("\x1b\x9b\x07\x00\u202e\u200f\u061c\u2028\udce9=+-@\t\r\n")
    )  # \udce9: a byte no UTF-8
)


@settings(max_examples=500)
@given(text=untrusted)
def test_terminal_safe_leaves_no_control_character(text: str) -> None:
    safe = terminal_safe(text)
    assert RAW.search(safe) is None
    assert "\n" not in safe and "\t" not in safe  # one value, one line
    kept = terminal_safe(text, keep_layout=True)
    assert RAW.search(kept) is None
    assert kept.count("\n") == text.count("\n")


@settings(max_examples=300)
@given(text=st.text(alphabet=st.characters(codec="ascii", min_codepoint=0x20, max_codepoint=0x7E)))
def test_printable_text_is_left_alone(text: str) -> None:
    assert terminal_safe(text) == text


@settings(max_examples=500)
@given(text=untrusted)
@example(text="\u2028")  # CSV does not quote it: a tool splitting lines there cut the row in two
def test_no_csv_cell_is_a_formula_once_written_and_read_back(text: str) -> None:
    buf = io.StringIO()
    writer = SafeDictWriter(buf, ["cell"], lineterminator="\n")
    writer.writerow({"cell": text})
    (row,) = list(csv.reader(io.StringIO(buf.getvalue())))
    cell = row[0]
    assert RAW.search(cell) is None  # control characters are shown visibly, never written raw
    if cell.startswith(FORMULA_STARTS):
        # only plain numbers and phone numbers may keep a sign
        assert re.fullmatch(r"[+-]?[0-9 ().-]*[0-9][0-9 ().-]*", cell)
    elif RAW.search(text.replace("\r", "")) is None and not set(text) & set("\u061c\u200e\u200f"):
        lines = text.replace("\r\n", "\n").replace("\r", "\n")  # a "\n" file's cells break lines with "\n"
        assert cell in (text, "'" + text, lines, "'" + lines)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+1 617 555 0142", "+1 617 555 0142"),
        ("-12.5", "-12.5"),
        ("\t=1+1", "'\t=1+1"),
        ("plain", "plain"),
        (42, 42),
    ],
)
def test_csv_cells(cell: object, written: object) -> None:
    assert csv_cell(cell) == written


def test_show_queue_and_reports_print_nothing_raw_for_a_hostile_lead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADQUEUE_NOW", "2026-11-20T20:00:00Z")
    data = tmp_path / "hostile.jsonl"
    lead = {
        "crm_id": "H-1",
        "first_name": '=HYPERLINK("http://evil")',
        "last_name": HOSTILE,
        "company": HOSTILE,
        "email": "h@evil.example",
        "title": HOSTILE,
        "source": "@SUM(1)",
        "campaign": HOSTILE,
        "rep": "ana",
        "assigned_at": "2026-11-19T09:00:00Z",
    }
    data.write_text(json.dumps(lead) + "\n", encoding="utf-8")
    db = ["--db", str(tmp_path / "h.db")]
    assert main([*db, "import", str(data)]) == 0
    capsys.readouterr()
    for args in (
        ["show", "H-1"],
        ["show", "H-1", "--format", "json"],
        ["queue", "--all-reps"],
        ["report", "breaches", "--all"],
        ["report", "breaches", "--all", "--format", "csv"],
        ["report", "breaches", "--all", "--format", "json"],
        ["report", "metrics", "--format", "csv"],
        ["reps", "--format", "csv"],
    ):
        assert main([*db, *args]) == 0, args
        out, err = capsys.readouterr()
        assert RAW.search(out) is None and RAW.search(err) is None, args
        if args[-1] == "json":
            json.loads(out)  # still valid JSON
            if args[0] == "show":
                assert json.loads(out)["company"] == HOSTILE  # the data itself, escaped losslessly
        if args[-1] == "csv":
            cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
            assert not [c for c in cells if c.startswith(("=", "@"))], args
    assert main([*db, "show", "H-1"]) == 0
    shown = capsys.readouterr().out
    assert "␛]2;PWNED␛\\field" in shown and "[@click=app.quit]" in shown


def test_the_apps_json_exports_write_no_raw_control(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The breaches and metrics screens' JSON files (x / X) escape C1 and bidi controls as
    the command line's JSON does: `cat` on the file sends nothing raw to a terminal."""
    monkeypatch.chdir(tmp_path)  # exports go to the current folder
    hostile = "Acme\u009b31m\u202eexe.txt\u0085"
    said, error = export_metrics("json", {"rows": [{"company": hostile}]}, datetime(2026, 11, 20, tzinfo=UTC))
    assert error == ""
    path = Path(said.split("→ ")[1])
    text = path.read_text(encoding="utf-8")
    assert not re.search("[\u0080-\u009f\u202a-\u202e\u2066-\u2069]", text)
    assert json.loads(text) == {"rows": [{"company": hostile}]}  # the same data once decoded


def test_a_line_break_in_a_cell_cannot_forge_a_line_of_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADQUEUE_NOW", "2026-11-20T20:00:00Z")
    forged = "Northwind\n  state rejected, tier low, score 5, rep ben\n\nhistory\n  rejected  ana  R4"
    lead = {
        "crm_id": "SP-1",
        "last_name": "Whitfield",
        "company": forged,
        "crm_status": "Open\nx",
        "rep": "ana",
    }
    data = tmp_path / "spoof.jsonl"
    data.write_text(json.dumps(lead) + "\n", encoding="utf-8")
    db = ["--db", str(tmp_path / "s.db")]
    assert main([*db, "import", str(data)]) == 0
    capsys.readouterr()
    assert main([*db, "show", "SP-1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "SP-1  Whitfield — " + forged.replace("\n", "␊")
    assert lines[1].startswith("  state new, ")
    assert lines[2].startswith("  CRM status Open␊x ")
    assert lines.count("history") == 1
