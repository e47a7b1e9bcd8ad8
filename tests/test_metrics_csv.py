"""One metrics CSV layout: `report metrics --format csv` prints what the metrics
screen's `x` writes (export.metrics_csv), every cell formula-safe."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from leadqueue.cli.main import main
from leadqueue.export.metrics_csv import metrics_csv

DATA = Path(__file__).parent / "data" / "import"


def test_the_cli_prints_the_screens_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEADQUEUE_NOW", "2026-11-20T20:00:00Z")
    db = ["--db", str(tmp_path / "m.db")]
    source = tmp_path / "hubspot.csv"
    shutil.copyfile(DATA / "hubspot_contacts.csv", source)
    assert main([*db, "import", str(source), "--rep", "Maria Santos"]) == 0
    assert main([*db, "--as", "maria santos", "reject", "51234567801", "--reason", "R1"]) == 0
    capsys.readouterr()
    assert main([*db, "report", "metrics", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert main([*db, "report", "metrics", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out == metrics_csv(result, lineterminator="\n")
    lines = list(csv.reader(io.StringIO(out)))
    assert lines[0] == ["since", result["since"], "until", result["until"]]
    names = [line[0] for line in lines if len(line) == 1]
    assert names == [key for key, rows in result.items() if isinstance(rows, list)]
    start = lines.index(["sla_compliance"])
    assert lines[start + 1][:2] == ["clock", "rep"]  # both keys of a row keep a cell each


def test_every_cell_is_formula_safe_and_lists_are_one_cell() -> None:
    result = {
        "since": "2026-11-01T00:00:00+00:00",
        "until": "2026-11-20T20:00:00+00:00",
        "written_reasons": [{"text": '=HYPERLINK("http://x")', "count": 2, "leads": ["A-1", "@B"]}],
        "leads_waiting": [],
    }
    lines = list(csv.reader(io.StringIO(metrics_csv(result))))
    assert lines == [
        ["since", "2026-11-01T00:00:00+00:00", "until", "2026-11-20T20:00:00+00:00"],
        [],
        ["written_reasons"],
        ["text", "count", "leads"],
        ['\'=HYPERLINK("http://x")', "2", "A-1;@B"],
        [],
        ["leads_waiting"],
        [],
    ]
