"""No exported byte is a raw control character or bidi control, in any format,
to a file or to stdout: CSV cells show them visibly (and stay formula-safe),
JSON lines escape them the JSON way and decode to the same text."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.policy import Policy
from leadqueue.domain.safe_text import FORMULA_STARTS
from leadqueue.export.metrics_csv import metrics_csv
from leadqueue.export.service import export
from leadqueue.services.context import Services
from leadqueue.store import repository as repo
from leadqueue.store.engine import open_store
from leadqueue.store.schema import ORIGIN_LOCAL
from tests.conftest import NOW
from tests.factories import add_lead

# C0 but tab, newline and CR; DEL; C1; the line and paragraph separators (CSV does not
# quote them); bidi overrides, embeddings, isolates and marks.
RAW = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
# JSON lines keep even tab, newline and CR escaped: one record, one line.
RAW_IN_JSON = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HOSTILE = (
    "=cmd|' /C calc'!A0 \x1b]8;;http://evil.example\x07LINK\x1b]8;;\x07 \x1b[5mBLINK\x1b[0m"
    " \x00NUL \x9b31m \x7fDEL \u202eRTL\u202c \u2066iso\u2069 \u200eLRM \u200fRLM \u061cALM \u2028LSEP"
    " [bold red]MARKUP[/]\r\nline two\tcol"
)
ACTOR = "@evil\x1b]2;TITLE\x07"
SF_ID, HS_ID = "00Q5e0000000001", "51000000001"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    clock = FixedClock(NOW)
    s = Services(store=open_store(tmp_path_factory.mktemp("hostile") / "s.db"), policy=Policy(), clock=clock)
    for crm_id, system in ((SF_ID, "salesforce"), (HS_ID, "hubspot")):
        add_lead(s, crm_id, assigned_at=NOW - timedelta(hours=1), source_system=system)
    at = NOW + timedelta(minutes=5)
    due = (NOW + timedelta(days=2)).isoformat()
    with s.store.write() as conn:
        ids = repo.ids_for(conn, [SF_ID, HS_ID])
        # As a sync from another tool could bring them: hostile text in every free field.
        hostile = [
            Event(
                EventKind.ACCEPTED,
                ACTOR,
                at,
                {"next_step": HOSTILE, "note": HOSTILE, "due": due, "x": HOSTILE},
            ),
            Event(EventKind.REJECTED, ACTOR, at + timedelta(minutes=1), {"reason": "R3", "note": HOSTILE}),
        ]
        repo.insert_events(
            conn,
            [
                repo.event_values(ids[SF_ID], hostile[0], ORIGIN_LOCAL),
                repo.event_values(ids[HS_ID], hostile[1], ORIGIN_LOCAL),
            ],
        )
    yield s
    s.store.dispose()


def assert_visible_and_formula_safe(text: str) -> list[list[str]]:
    assert RAW.search(text) is None, [c for c in text if RAW.match(c)]
    rows = list(csv.reader(io.StringIO(text)))
    cells = [c for r in rows for c in r]
    assert any("␛]8;;http://evil.example␇LINK" in c for c in cells)  # shown, not run
    assert any("\\u202eRTL\\u202c" in c and "␀NUL" in c and "\\x9b31m" in c for c in cells)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]  # formulas stay text
    return rows


@pytest.mark.parametrize("fmt", ["csv", "salesforce", "hubspot"])
def test_csv_exports_show_control_characters_visibly(services: Services, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"{fmt}.csv"
    export(services, fmt, out)
    rows = assert_visible_and_formula_safe(out.read_bytes().decode("utf-8-sig"))
    cells = [c for r in rows[1:] for c in r]
    assert "'@evil␛]2;TITLE␇" in cells  # the rep: visible, and not an @-formula
    if fmt == "csv":
        assert any(c.startswith("'=cmd|") for c in cells)  # the note: visible, and not a formula
        assert any(c.startswith('{"x": "=cmd|') and "\\u001b" in c for c in cells)  # details, as JSON


@pytest.mark.parametrize("fmt", ["csv", "salesforce", "hubspot", "jsonl"])
def test_export_to_stdout_writes_no_raw_control_character(
    services: Services, fmt: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    capsysbinary.readouterr()
    export(services, fmt, "-")
    text = capsysbinary.readouterr().out.decode("utf-8-sig")
    if fmt == "jsonl":
        assert text.endswith("\n") and RAW_IN_JSON.search(text.replace("\n", "")) is None
        assert text.count("\n") == 4  # one line a record: the line breaks in notes are escaped
    else:
        assert_visible_and_formula_safe(text)


def test_jsonl_escapes_them_and_keeps_the_text(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    export(services, "jsonl", out)
    text = out.read_bytes().decode("utf-8")
    *lines, last = text.split("\n")
    assert last == "" and not [line for line in lines if RAW_IN_JSON.search(line)]
    assert "\\u202e" in text and "\\u009b" in text and "\\u001b" in text and "\\u200f" in text
    records = [json.loads(line) for line in lines]
    notes = [r["note"] for r in records if "note" in r]
    assert notes == [HOSTILE, HOSTILE]  # lossless: the same text once decoded
    assert {r["actor"] for r in records if r["kind"] != "assigned"} == {ACTOR}


def test_metrics_csv_shows_control_characters_visibly() -> None:
    result = {
        "since": "2026-11-01T00:00:00+00:00",
        "until": "2026-11-20T20:00:00+00:00",
        "written_reasons": [{"text": HOSTILE, "count": 2, "leads": ["A-1", "\x1b[2J"]}],
    }
    for lineterminator in ("\r\n", "\n"):
        text = metrics_csv(result, lineterminator=lineterminator)
        rows = assert_visible_and_formula_safe(text)
        assert rows[4][0].startswith("'=cmd|")
        assert rows[4][2] == "A-1;␛[2J"
