"""The weekly report (issue 22): the numbers are `report metrics`' for the same
period, the HTML is valid and self-contained, data never becomes markup, an
empty period says so, Markdown writes its charts beside it, JSON is the
numbers alone, and the written-out reasons are grouped for review."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import html5lib
import pytest

from leadqueue.cli.demo_command import fresh_demo_copy
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept, Reject
from leadqueue.domain.events import Event, EventKind
from leadqueue.export.weekly_html import html_report
from leadqueue.export.weekly_markdown import markdown_report
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.services.reason_groups import group_notes
from leadqueue.services.weekly_report import period_of, weekly_report
from leadqueue.store import repository as repo
from leadqueue.store.schema import ORIGIN_IMPORT
from tests.cli_run import run
from tests.factories import add_lead

FROZEN = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # Friday 15:00 in New York
T0 = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
SVG = "{http://www.w3.org/2000/svg}"
# Elements that fetch, run or embed something: none may be in the report.
ACTIVE = {"script", "link", "img", "image", "iframe", "object", "embed", "use", "foreignobject", "audio",
          "video", "source", "base", "form"}  # fmt: skip


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEADQUEUE_NOW", "2026-11-20T20:00:00Z")
    return fresh_demo_copy(FixedClock(FROZEN), tmp_path / "demo.db")


def parse_strict(page: str) -> Any:
    """The page through html5lib (the WHATWG parsing algorithm) in strict mode: any
    parse error, from a stray '<' to a misnested tag, raises."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def assert_self_contained(doc: Any) -> None:
    """No element that fetches or runs anything; no handler; links only inside the page."""
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        assert local(el.tag) not in ACTIVE, el.tag
        for name, value in el.attrib.items():
            assert not local(name).startswith("on"), name
            assert "://" not in value and not value.strip().startswith("//"), (name, value)
            if local(name) in ("href", "src", "srcset", "action", "data", "poster"):
                assert value.startswith("#"), (name, value)
        if local(el.tag) == "style":
            assert "url(" not in (el.text or "") and "@import" not in (el.text or "")


def section_rows(doc: Any, section_id: str) -> list[list[str]]:
    section = next(el for el in doc.iter("section") if el.get("id") == section_id)
    return [["".join(cell.itertext()) for cell in tr] for tr in section.iter("tr")][1:]


def svgs(doc: Any) -> list[Any]:
    return [el for el in doc.iter() if isinstance(el.tag, str) and local(el.tag) == "svg"]


# -- the same numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period",
    [
        ("--week", "2026-W47"),
        ("--week", "2026-W46"),
        ("--since", "2026-10-20", "--until", "2026-11-20T12:00"),
    ],
    ids=["this-week", "last-week", "since-until"],
)
def test_the_numbers_are_report_metrics_for_the_same_periods(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], period: tuple[str, ...]
) -> None:
    out = tmp_path / "weekly.json"
    code, said, _ = run(capsys, "--db", str(demo_db), "report", "weekly", *period, "--out", str(out))
    assert code == 0 and str(out) in said
    report = json.loads(out.read_text(encoding="utf-8"))
    assert not report["empty"]
    for numbers, which in (("metrics", "period"), ("previous_metrics", "previous_period")):
        since, until = report[which]["since"], report[which]["until"]
        argv = (
            "--db",
            str(demo_db),
            "report",
            "metrics",
            "--since",
            since,
            "--until",
            until,
            "--format",
            "json",
        )
        code, text, _ = run(capsys, *argv)
        assert code == 0
        assert report[numbers] == json.loads(text), numbers


def test_the_page_shows_report_metrics_numbers(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "weekly.html"
    assert (
        run(capsys, "--db", str(demo_db), "report", "weekly", "--week", "2026-W47", "--out", str(out))[0] == 0
    )
    doc = parse_strict(out.read_text(encoding="utf-8"))
    _, text, _ = run(
        capsys,
        "--db",
        str(demo_db),
        "report",
        "metrics",
        "--since",
        "2026-11-16",
        "--until",
        "now",
        "--format",
        "json",
    )
    metrics = json.loads(text)
    shown = {r[0]: r for r in section_rows(doc, "acceptance_by_rep")}
    assert len(metrics["acceptance_by_rep"]) == len(shown) > 3
    for row in metrics["acceptance_by_rep"]:
        cells = shown[row["rep"]]
        assert cells[1:3] == [str(row["accepted"]), str(row["rejected"])]
        decided = row["accepted"] + row["rejected"]
        too_few = row["rate_pct"] is None
        assert cells[3] == (
            f"too few ({decided})" if too_few else f"{row['rate_pct']:.1f}% ({row['accepted']}/{decided})"
        )
    reasons = {r[0]: r for r in section_rows(doc, "rejection_reasons")}
    assert {code: int(r[2]) for code, r in reasons.items() if r[2] != "—"} == {
        r["code"]: r["count"] for r in metrics["rejection_reasons"]
    }
    sla = {(r[0], r[1]): r for r in section_rows(doc, "sla_compliance")}
    for row in metrics["sla_compliance"]:
        cells = sla[(row["clock"].replace("_", " "), row["rep"])]
        assert cells[2:6] == [
            str(row["met"]),
            str(row["missed"]),
            str(row["breached_open"]),
            f"{row['compliance_pct']:.1f}%",
        ]
    waiting = {r[0]: int(r[1]) for r in section_rows(doc, "leads_waiting")}
    assert waiting == {r["rep"]: r["count"] for r in metrics["leads_waiting"]}
    # every chart has its title and description for a screen reader
    assert len(svgs(doc)) >= 10
    for svg in svgs(doc):
        assert svg.get("role") == "img" and len(svg.get("aria-labelledby", "").split()) == 2
        assert [local(c.tag) for c in list(svg)[:2]] == ["title", "desc"]


def test_the_page_is_valid_html_with_no_external_reference(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "weekly.html"
    assert (
        run(capsys, "--db", str(demo_db), "report", "weekly", "--week", "2026-W47", "--out", str(out))[0] == 0
    )
    page = out.read_text(encoding="utf-8")
    doc = parse_strict(page)
    assert_self_contained(doc)
    assert "http:" not in page and "https:" not in page  # not even the SVG namespace: HTML knows <svg>
    assert "prefers-color-scheme: dark" in page


# -- data is never markup ----------------------------------------------------------------------------

HOSTILE_NAME = '<script>alert("x")</script>'
HOSTILE_SOURCE = '"><img src=https://evil.example/p.png onerror=alert(1)>'
HOSTILE_NOTE = "<img src=http://evil.example/x> [click](https://evil.example) | # not a heading\n===\x1b[31m"


def hostile_week(services: Services, clock: FixedClock) -> dict[str, Any]:
    clock.set(T0)
    for i in range(6):
        add_lead(services, f"H{i}", rep="ana", assigned_at=T0, score=50, first_name=HOSTILE_NAME,
                 company=f"Acme & <b>Co</b> {i}", source=HOSTILE_SOURCE)  # fmt: skip
    svc = DecisionService(services)
    clock.set(T0 + timedelta(hours=1))
    svc.reject("H0", "ana", Reject("OTHER", HOSTILE_NOTE))
    svc.reject("H1", "ana", Reject("OTHER", "Asked to be contacted only via their reseller"))
    for i in range(2, 6):
        svc.accept(f"H{i}", "ana", Accept("call", clock.now() + timedelta(hours=2), "call them"))
    clock.set(T0 + timedelta(days=2))
    return weekly_report(services, period_of(T0 - timedelta(hours=9), clock.now(), services.policy.zone))


def test_data_never_becomes_markup_in_html(services: Services, clock: FixedClock) -> None:
    report = hostile_week(services, clock)
    page = html_report(report)
    doc = parse_strict(page)
    assert_self_contained(doc)
    words = "".join(doc.itertext())
    assert HOSTILE_SOURCE in words  # shown as text, whole
    assert "<img src=http://evil.example/x> [click](https://evil.example)" in words
    assert "\x1b" not in page and "␛[31m" in words  # a control character is shown, never raw
    assert "<b>" not in page and "&lt;b&gt;Co&lt;/b&gt;" in page


def test_data_never_becomes_markup_in_markdown_or_its_charts(services: Services, clock: FixedClock) -> None:
    report = hostile_week(services, clock)
    text, charts = markdown_report(report, "weekly")
    assert "<img" not in text and "<script" not in text and "<b>" not in text
    assert not re.search(r"(?<!\\)\]\(http", text) and "\x1b" not in text  # no link but the charts'
    assert "\\[click\\](https\\://evil.example)" in text  # the note, as written, shown as text
    links = re.findall(r"!\[[^\]]*\]\(([^)]*)\)", text)
    assert sorted(links) == sorted(charts)  # the only links: the charts beside it
    assert not [line for line in text.splitlines() if line.startswith(("# not", "===", "<"))]
    for svg in charts.values():
        root = ET.fromstring(svg)  # well-formed XML whatever the data held
        assert root.tag == f"{SVG}svg"
        assert not [el for el in root.iter() if local(el.tag) in ACTIVE]
    assert any(HOSTILE_SOURCE in "".join(ET.fromstring(svg).itertext()) for svg in charts.values())


# -- empty, Markdown, JSON -----------------------------------------------------------------------------


def test_an_empty_period_says_so_and_draws_no_chart(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "empty.html"
    assert (
        run(capsys, "--db", str(demo_db), "report", "weekly", "--week", "2020-W10", "--out", str(out))[0] == 0
    )
    doc = parse_strict(out.read_text(encoding="utf-8"))
    words = " ".join(doc.itertext())
    assert "Nothing happened in this period" in words
    assert svgs(doc) == []
    assert len([el for el in doc.iter("p") if el.get("class") == "empty"]) == 11  # each section says why
    md = tmp_path / "empty.md"
    assert (
        run(capsys, "--db", str(demo_db), "report", "weekly", "--week", "2020-W10", "--out", str(md))[0] == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("empty")) == [
        "empty.html",
        "empty.md",
    ]
    assert "Nothing happened in this period" in md.read_text(encoding="utf-8")


def test_markdown_writes_its_charts_beside_it(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "wiki" / "week 47.md"
    out.parent.mkdir()
    code, said, _ = run(
        capsys, "--db", str(demo_db), "report", "weekly", "--week", "2026-W47", "--out", str(out)
    )
    assert code == 0
    text = out.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]*)\)", text)
    written = sorted(p.name for p in out.parent.glob("*.svg"))
    assert len(links) == len(written) >= 10 and f"and {len(written)} chart file(s)" in said
    for link in links:
        svg = out.parent / link.replace("%20", " ")
        root = ET.parse(svg).getroot()
        assert (
            root.tag == f"{SVG}svg" and float(root.get("width", 0)) > 0 and float(root.get("height", 0)) > 0
        )
        assert "prefers-color-scheme: dark" in svg.read_text(encoding="utf-8")  # light and dark on a wiki too
    assert "| rep | accepted | rejected | rate |" in text


def test_json_is_the_numbers_alone(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = run(
        capsys,
        "--db",
        str(demo_db),
        "report",
        "weekly",
        "--week",
        "2026-W47",
        "--out",
        "-",
        "--format",
        "json",
    )
    assert code == 0 and "<svg" not in text and "<" not in text.replace("<=", "")
    report = json.loads(text)
    parts = {"period", "previous_period", "metrics", "previous_metrics", "rejection_trend_weeks", "routing"}
    assert set(report) >= parts | {"other_reason_groups", "empty"}
    assert len(report["rejection_trend_weeks"]["weeks"]) == 8
    assert report["rejection_trend_weeks"]["weeks"][-1] == "2026-11-16"


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (("--week", "2026-W54"), "2026 has no week 54"),
        (("--week", "48"), "write an ISO week as YYYY-Www"),
        (("--week", "2026-W52"), "has not started yet"),
        (("--week", "2026-W47", "--since", "2026-11-01"), "not both"),
        (("--until", "2026-11-01"), "--until needs --since"),
        (("--since", "2026-11-10", "--until", "2026-11-01"), "--since must be before --until"),
        (("--format", "md", "--out", "-"), "give --out FILE.md"),
    ],
)
def test_a_bad_period_is_one_line(
    demo_db: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], error: str
) -> None:
    out = () if "--out" in argv else ("--out", "x.html")
    code, _, err = run(capsys, "--db", str(demo_db), "report", "weekly", *argv, *out)
    assert code == 1 and error in err and len(err.strip().splitlines()) == 1


# -- OTHER reasons, routing ----------------------------------------------------------------------------


def test_other_reasons_are_grouped_by_wording_largest_first() -> None:
    notes = [
        "Asked to be contacted only via their reseller",
        "asked to be contacted through their reseller, not us",
        "wants to buy through reseller only",
        "Requested GDPR deletion of their data during the first call",
        "GDPR: asked us to delete their data",
        "Requested deletion of data (GDPR)",
        "Requested GDPR deletion of their data during the first call",
        "Legal hold: customer is in a contract dispute with us, sales outreach paused",
        "Legal hold - contract dispute",
        "Student doing research",
    ]
    groups = group_notes([{"note": n, "lead_id": str(i)} for i, n in enumerate(notes)])
    assert [g["count"] for g in groups] == [4, 3, 2, 1]
    assert (
        groups[0]["label"] == "Requested GDPR deletion of their data during the first call"
    )  # the typical one
    assert "gdpr" in groups[0]["common_words"] and "reseller" in groups[1]["common_words"]
    assert {n["lead_id"] for n in groups[1]["items"]} == {"0", "1", "2"}
    assert groups[3]["label"] == "Student doing research"
    assert group_notes([{"note": "  "}]) == []


def routed_lead(services: Services, crm_id: str, rule: str, at: datetime) -> None:
    add_lead(services, crm_id, rep="ana", assigned_at=at)
    with services.store.write() as conn:
        lead_id = repo.ids_for(conn, [crm_id])[crm_id]
        payload = {"rep": "ana", "rule": rule, "method": "round_robin"}
        event = Event(kind=EventKind.ASSIGNED, actor="routing", at=at, payload=payload)
        repo.insert_events(conn, [repo.event_values(lead_id, event, ORIGIN_IMPORT)])


def test_routing_share_shows_only_once_assignments_carry_a_rule(
    services: Services, clock: FixedClock
) -> None:
    clock.set(T0 + timedelta(days=1))
    add_lead(services, "P1", rep="ana", assigned_at=T0)
    period = period_of(T0 - timedelta(hours=9), clock.now(), services.policy.zone)
    report = weekly_report(services, period)
    assert report["routing"]["this_period"]["routed"] == 0
    doc = parse_strict(html_report(report))
    assert "No routing rules yet" in "".join(doc.itertext())
    assert not [s for s in svgs(doc) if s.get("aria-labelledby", "").startswith("lq-routing")]

    routed_lead(services, "P2", "emea-software", T0 + timedelta(hours=1))
    routed_lead(services, "P3", "emea-software", T0 + timedelta(hours=2))
    routed_lead(services, "P4", "fallback", T0 + timedelta(hours=3))
    report = weekly_report(services, period)
    share = report["routing"]["this_period"]
    assert (share["routed"], share["assignments"]) == (3, 7)  # P2-P4 each assigned by import, then routed
    assert [(r["rule"], r["count"]) for r in share["rules"]] == [("emea-software", 2), ("fallback", 1)]
    doc = parse_strict(html_report(report))
    assert "No routing rules yet" not in "".join(doc.itertext())
    assert section_rows(doc, "routing")[0][:3] == ["emea-software", "round_robin", "2"]
