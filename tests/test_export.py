"""`leadqueue export`: lossless jsonl, injection-safe csv, CRM update files, written whole or not at all."""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadqueue.cli.main import main
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.crm_export import CrmExports, HubspotExport, SalesforceExport
from leadqueue.domain.decisions import Accept, Dispose, NeedsInfo, Reject, Touch
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.policy import Policy
from leadqueue.domain.records import IDENTITY_FIELDS, encode, from_record, to_record
from leadqueue.domain.safe_text import FORMULA_STARTS, csv_cell
from leadqueue.export.cells import free_text
from leadqueue.export.service import ExportError, export, mark_key
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.store import outbox
from leadqueue.store import repository as repo
from leadqueue.store.engine import open_store
from leadqueue.store.schema import ORIGIN_LOCAL
from tests.cli_run import run
from tests.conftest import NOW
from tests.factories import add_lead

GOLDEN = Path(__file__).parent / "data" / "golden"
IMPORTS = Path(__file__).parent / "data" / "import"
# Regenerate with LEADQUEUE_REGEN_GOLDEN=1, then read the diff before committing it.
REGEN = os.environ.get("LEADQUEUE_REGEN_GOLDEN") == "1"

STARTS = [*FORMULA_STARTS, "'", "'=", '"', ",", "\n", "\r\n", " =", "+1 "]
TEXT = st.text() | st.builds(str.__add__, st.sampled_from(STARTS), st.text())
AT = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-7))]),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)
# Digits, spaces and `+ - ( ) .`: the only cells free_text leaves unquoted whatever they start with.
PHONE = r"[+-]?[0-9 ().-]*[0-9][0-9 ().-]*"


def read_csv(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


# -- 1. any text survives -------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    crm_id=st.text(min_size=1),
    kind=st.sampled_from(EventKind),
    actor=TEXT.filter(bool),
    at=AT,
    texts=st.fixed_dictionaries({"note": TEXT, "reason": TEXT, "next_step": TEXT}),
    extra=st.dictionaries(st.text().filter(lambda k: k not in IDENTITY_FIELDS), JSON, max_size=3),
)
def test_any_event_round_trips_through_a_jsonl_record(
    crm_id: str, kind: EventKind, actor: str, at: datetime, texts: dict[str, str], extra: dict[str, Any]
) -> None:
    event = Event(kind=kind, actor=actor, at=at, payload={**extra, **texts})
    line = encode(to_record(crm_id, event))
    assert "\n" not in line and "\r" not in line
    assert from_record(json.loads(line)) == (crm_id, event)


def test_any_text_survives_a_real_jsonl_and_csv_export(tmp_path: Path) -> None:
    services = Services(store=open_store(tmp_path / "s.db"), policy=Policy(), clock=FixedClock(NOW))
    add_lead(services, "00Q000000000001")
    with services.store.read() as conn:
        lead_id = repo.ids_for(conn, ["00Q000000000001"])["00Q000000000001"]
    jsonl, table = tmp_path / "events.jsonl", tmp_path / "events.csv"

    @settings(max_examples=60, deadline=None)
    @given(actor=TEXT.filter(bool), note=TEXT, reason=TEXT, at=AT)
    @example(actor="@sam", note="=1+2\r\n'quoted', \"x\"", reason="-R3", at=NOW)
    def check(actor: str, note: str, reason: str, at: datetime) -> None:
        event = Event(kind=EventKind.REJECTED, actor=actor, at=at, payload={"reason": reason, "note": note})
        with services.store.write() as conn:
            repo.insert_events(conn, [repo.event_values(lead_id, event, ORIGIN_LOCAL)])

        export(services, "jsonl", jsonl, since_last=True)
        *lines, last = jsonl.read_text(encoding="utf-8").split("\n")  # JSON Lines: split on \n only
        assert last == ""
        records = {r["event_id"]: r for r in map(json.loads, lines)}
        assert from_record(records[event.event_id]) == ("00Q000000000001", event)

        export(services, "csv", table, since_last=True)
        assert table.read_bytes().startswith(codecs.BOM_UTF8)
        rows = read_csv(table, "utf-8-sig")
        # only a plain number or phone number may start with a sign
        assert not [c for r in rows for c in r if c.startswith(FORMULA_STARTS) and csv_cell(c) != c]
        row = dict(zip(rows[0], next(r for r in rows if r[0] == event.event_id), strict=True))
        for column, text in (("rep", actor), ("reason_code", reason), ("note", note)):
            # one quote added exactly when the text could run as a formula; dropping it gives the text back
            assert row[column] == csv_cell(text)

    check()
    services.store.dispose()


@settings(max_examples=100, deadline=None)
@given(st.from_regex(PHONE, fullmatch=True))
@example("+1 (555) 010-1234")
@example("-42.50")
@example("+44 20 7946 0958")
def test_free_text_leaves_numbers_and_phone_numbers_whole(text: str) -> None:
    assert free_text(text) == text


@settings(max_examples=100, deadline=None)
@given(TEXT)
@example("=1+2")
@example("\t0")  # a leading tab or CR is neutralised even before digits
@example("\r\n12")
@example("-5\n")
@example("-٣")  # only ASCII digits count as a number
@example("+")
@example("\u2028")
def test_free_text_quotes_anything_else_that_starts_like_a_formula(text: str) -> None:
    # control and bidi characters are shown visibly first: tests/test_export_control_chars.py
    text = re.sub(
        "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]",
        "",
        text,
    )
    if re.fullmatch(PHONE, text):
        assert free_text(text) == text
    elif text.startswith(FORMULA_STARTS):
        assert free_text(text) == "'" + text
    else:
        assert free_text(text) == text


# -- 2. CRM files, golden --------------------------------------------------------

SF_IDS = [f"00Q5e00000{n:05d}" for n in range(1, 10)]
HS_IDS = [str(51000000100 + n) for n in range(1, 10)]
DUE = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("America/New_York"))  # 15:00Z


def act(s: Services, clock: FixedClock, ids: list[str]) -> None:
    accepted, rejected, other, needs, advanced, touched, budget, phone, idle = ids
    ds = DecisionService(s)
    clock.set(NOW + timedelta(seconds=1, microseconds=234567))
    ds.accept(accepted, "ana", Accept("meeting", DUE, "Demo for the ops team, bring pricing"))
    ds.reject(rejected, "ana", Reject("R3", '=HYPERLINK("http://evil.example","click")'))
    ds.reject(other, "@sam", Reject("OTHER", 'Student project, "not buying"\nnever call'))
    ds.needs_info(needs, "ana", NeedsInfo(("region",), "Which region?"))
    ds.accept(advanced, "ana", Accept("call", DUE, "Qualify budget"))
    ds.accept(touched, "ana", Accept("call", DUE, "Intro call"))
    ds.reject(budget, "ana", Reject("R6", "Budget frozen until Q2"))
    ds.view(idle, "ana")
    clock.set(NOW + timedelta(hours=2, milliseconds=5))
    ds.touch(advanced, "ana", Touch("call", conversation=True))
    ds.touch(touched, "ana", Touch("email"))
    ds.dispose(advanced, "ana", Dispose("advanced"))
    # An acceptance synced from another tool whose next step is only a phone number.
    synced = Event(
        EventKind.ACCEPTED, "ana", clock.now(), {"next_step": "+1 (555) 010-1234", "due": DUE.isoformat()}
    )
    with s.store.write() as conn:
        repo.insert_events(conn, [repo.event_values(repo.ids_for(conn, [phone])[phone], synced, "bo-1")])


@pytest.fixture(scope="module")
def crm_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    clock = FixedClock(NOW)
    s = Services(store=open_store(tmp_path_factory.mktemp("crm") / "s.db"), policy=Policy(), clock=clock)
    for system, ids in (("salesforce", SF_IDS), ("hubspot", HS_IDS)):
        for crm_id in ids:
            # the third is @sam's (a rep a CRM file named so): only a lead's owner decides on it
            rep = "@sam" if crm_id == ids[2] else "ana"
            add_lead(s, crm_id, rep=rep, assigned_at=NOW - timedelta(hours=1), source_system=system)
        act(s, clock, ids)
    yield s
    s.store.dispose()


@pytest.mark.parametrize(
    ("crm", "ids", "header"),
    [("salesforce", SF_IDS, "Id,Status"), ("hubspot", HS_IDS, "Record ID,Lead Status")],
)
def test_crm_file_matches_its_golden_file(
    crm_store: Services, tmp_path: Path, crm: str, ids: list[str], header: str
) -> None:
    out = tmp_path / f"{crm}.csv"
    summary = export(crm_store, crm, out)
    # the lead only assigned and viewed is left out, and so are the other CRM's leads
    assert (summary.rows, summary.other_crm) == (8, 8)
    data = out.read_bytes()
    if REGEN:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        (GOLDEN / f"{crm}.csv").write_bytes(data)
    assert data == (GOLDEN / f"{crm}.csv").read_bytes()
    assert data.startswith(header.encode()) and not data.startswith(codecs.BOM_UTF8)
    rows = read_csv(out)
    assert [r[0] for r in rows[1:]] == ids[:-1]
    dates = [c for r in rows[1:] for c in r if c[:2] == "20"]
    assert dates and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", c) for c in dates)


def test_the_policy_mapping_shows_in_the_crm_files(crm_store: Services, tmp_path: Path) -> None:
    crm = CrmExports(
        salesforce=SalesforceExport(
            status={"rejected": "Closed - Disqualified"},
            status_by_reason={"R6": "Nurture"},
            fields={"reason_code": "Reason_Code__c", "decided_by": ""},
        ),
        hubspot=HubspotExport(status={"needs_info": "NEW"}, fields={"next_step": "hs_next_step"}),
    )
    s = Services(store=crm_store.store, policy=Policy(crm=crm), clock=crm_store.clock)
    export(s, "salesforce", tmp_path / "sf.csv")
    header, *rows = read_csv(tmp_path / "sf.csv")
    assert ",".join(header) == (  # renamed, and SDR__c left out
        "Id,Status,Reason_Code__c,Rejection_Reason_Detail__c,Next_Step__c,Next_Step_Due__c,SAL_Decision_Date__c"
    )
    by_id = {r[0]: r for r in rows}
    assert by_id[SF_IDS[1]][1:3] == ["Closed - Disqualified", "R3"]
    assert by_id[SF_IDS[6]][1:3] == ["Nurture", "R6"]
    assert by_id[SF_IDS[0]][1] == "Working - Contacted"
    export(s, "hubspot", tmp_path / "hs.csv")
    header, *rows = read_csv(tmp_path / "hs.csv")
    assert "hs_next_step" in header and "Next Step" not in header
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_id[HS_IDS[3]]["Lead Status"] == "NEW"
    assert by_id[HS_IDS[0]]["hs_next_step"] == "meeting: Demo for the ops team, bring pricing"


# -- 3. nothing written on failure -----------------------------------------------------


def leads_with_a_bad_id(services: Services, crm: str, bad_id: str) -> None:
    good = "00Q000000000009" if crm == "salesforce" else "51000000009"
    for crm_id, first, last in ((good, "Ada", "Good"), (bad_id, "Grace", "Hopper")):
        add_lead(services, crm_id, first_name=first, last_name=last, source_system=crm)
        DecisionService(services).reject(crm_id, "ana", Reject("R3"))


@pytest.mark.parametrize(
    ("crm", "bad_id", "named"),
    [
        ("salesforce", "00Q-NOT-AN-ID", "00Q-NOT-AN-ID (Grace Hopper)"),
        ("salesforce", "", "'Grace Hopper' has no CRM id"),
        ("hubspot", "00Q000000000001", "00Q000000000001 (Grace Hopper)"),
    ],
)
def test_a_lead_without_a_valid_crm_id_stops_the_export(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str], crm: str, bad_id: str, named: str
) -> None:
    leads_with_a_bad_id(services, crm, bad_id)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ExportError, match=re.escape(named)) as err:
        export(services, crm, folder / "update.csv")
    assert "nothing was written" in str(err.value)
    assert list(folder.iterdir()) == []  # no file, no temp file
    capsys.readouterr()
    with pytest.raises(ExportError, match=re.escape(named)):
        export(services, crm, "-")
    assert capsys.readouterr().out == ""  # not even the header on stdout
    with services.store.read() as conn:
        assert outbox.read_meta(conn, mark_key(crm)) is None  # a failed export does not move `--since last`


def test_a_failed_export_leaves_the_previous_file_untouched(services: Services, tmp_path: Path) -> None:
    leads_with_a_bad_id(services, "salesforce", "not-an-id")
    out = tmp_path / "update.csv"
    out.write_bytes(b"Id,Status\r\n00Q000000000001,Qualified\r\n")
    with pytest.raises(ExportError, match="not-an-id"):
        export(services, "salesforce", out)
    assert out.read_bytes() == b"Id,Status\r\n00Q000000000001,Qualified\r\n"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("store.db")] == ["update.csv"]


# -- 4. --since last, and the command line -----------------------------------------------


def test_since_last_exports_only_what_changed(services: Services, clock: FixedClock, tmp_path: Path) -> None:
    first_id, second_id = "00Q000000000001", "00Q000000000002"
    for crm_id in (first_id, second_id):
        add_lead(services, crm_id, source_system="salesforce")
    ds = DecisionService(services)
    ds.accept(first_id, "ana", Accept("call", NOW + timedelta(days=1), "First call"))
    jsonl, sf = tmp_path / "events.jsonl", tmp_path / "sf.csv"

    def since_last(fmt: str, out: Path) -> list[str]:
        summary = export(services, fmt, out, since_last=True)
        if fmt == "jsonl":
            got = [json.loads(line)["event_id"] for line in out.read_text(encoding="utf-8").splitlines()]
        else:
            got = [r[0] for r in read_csv(out)[1:]]
        assert summary.rows == len(got)
        return got

    first = export(services, "jsonl", jsonl, since_last=True)
    assert first.rows == 3 and "since the beginning (no previous export)" in first.line()
    assert since_last("salesforce", sf) == [first_id]  # the other lead is only assigned

    clock.advance(timedelta(minutes=5))
    rejected = ds.reject(second_id, "ana", Reject("R7")).event
    assert since_last("jsonl", jsonl) == [rejected.event_id]
    assert since_last("salesforce", sf) == [second_id]

    clock.advance(timedelta(minutes=5))
    touched = ds.touch(first_id, "ana", Touch("call")).event
    assert since_last("jsonl", jsonl) == [touched.event_id]
    assert since_last("salesforce", sf) == [first_id]
    assert since_last("jsonl", jsonl) == []
    assert export(services, "csv", tmp_path / "e.csv", since_last=True).rows == 5  # marks are per format


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LEADQUEUE_NOW", "2026-11-20T20:00:00Z")
    path, source = tmp_path / "cli.db", tmp_path / "hubspot.csv"
    shutil.copyfile(IMPORTS / "hubspot_contacts.csv", source)
    assert main(["--db", str(path), "import", str(source), "--rep", "Maria Santos"]) == 0
    return str(path)


def test_cli_export_prints_a_summary(cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", cli_db, "--as", "james-okafor", "reject", "51234567802", "--reason", "R3"]) == 0
    out = tmp_path / "hubspot-update.csv"
    code, stdout, err = run(capsys, "--db", cli_db, "export", "--format", "hubspot", "--out", str(out))
    assert (code, stdout, err) == (0, f"exported 1 lead(s) as hubspot to {out}\n", "")
    assert read_csv(out)[1][:2] == ["51234567802", "UNQUALIFIED"]
    code, stdout, _ = run(
        capsys, "--db", cli_db, "export", "--format", "hubspot", "--out", str(out), "--since", "last"
    )
    assert (code, stdout) == (0, f"exported 0 lead(s) as hubspot to {out} (since the previous export)\n")


def test_cli_export_to_stdout_keeps_stdout_open(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, err = run(capsys, "--db", cli_db, "export", "--format", "jsonl", "--out", "-")
    assert code == 0 and err == "exported 8 event(s) as jsonl to -\n"
    assert [json.loads(line)["kind"] for line in stdout.splitlines()] == ["assigned"] * 8
    print("still open")
    assert capsys.readouterr().out == "still open\n"


def test_cli_export_to_a_missing_folder_is_a_one_line_error(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing" / "events.csv"
    code, stdout, err = run(capsys, "--db", cli_db, "export", "--format", "csv", "--out", str(out))
    assert (code, stdout) == (1, "")
    assert err.startswith("leadqueue: error: cannot write") and "does not exist" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.parent.exists()
