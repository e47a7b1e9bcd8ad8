"""What an import leaves behind when it cannot take every row: a rejects file
written before anything is committed, which, fixed, imports what its rows
held; rows with a cell missing refused in every format; no store made by a
dry run or a refused import."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from leadqueue.cli.main import main
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.io import csv_out
from leadqueue.io.errors import ImportFileError
from leadqueue.services.context import Services
from leadqueue.services.importing import ImportOptions, ImportRejected, import_file
from leadqueue.store.engine import Store, open_store
from leadqueue.store.schema import leads

BAD_SCORE = "crm_id,first_name,last_name,title,company,email,score,rep\n"
ROWS = (
    'F-1,Ada,Byron,\'@SUM(A1),"\'=HYPERLINK(""http://x.example"")",ada@x.example,notanumber,maria\n'
    "F-2,Bo,Kim,CTO,Beta,bo@beta.example,70,maria\n"
)


@pytest.fixture
def team(store: Store) -> Services:
    return Services(store=store, policy=Policy(), clock=FixedClock(datetime(2024, 2, 6, tzinfo=UTC)))


def stored(services: Services) -> dict[str, dict[str, object]]:
    with services.store.read() as conn:
        return {r.crm_id: dict(r._mapping) for r in conn.execute(select(leads))}


def test_a_rejects_file_that_cannot_be_written_imports_nothing(
    team: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(BAD_SCORE + ROWS, encoding="utf-8")

    def disk_full(self: object, row: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(csv_out.SafeWriter, "writerow", disk_full)
    with pytest.raises(ImportFileError) as info:
        import_file(team, source, ImportOptions(skip_invalid=True))
    assert str(info.value) == (
        f"{tmp_path / 'leads.rejects.csv'}: cannot write the rejects file: No space left on device;"
        " nothing was imported"
    )
    assert stored(team) == {}  # F-2 was good, and is not imported either
    assert [p.name for p in tmp_path.iterdir() if "leads" in p.name] == ["leads.csv"]  # no partial file


def test_a_fixed_rejects_file_imports_what_its_rows_held(team: Services, tmp_path: Path) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(BAD_SCORE + ROWS, encoding="utf-8")
    summary = import_file(team, source, ImportOptions(skip_invalid=True))
    assert (summary.created, len(summary.errors)) == (1, 1)
    rejects = tmp_path / "leads.rejects.csv"
    rows = list(csv.reader(rejects.open(encoding="utf-8-sig")))
    assert rows[0][:4] == ["row", "column", "error", "crm_id"]
    # guarded: the title by the rejects file, the company already by whoever wrote the source
    assert rows[1][6:9] == ["'@SUM(A1)", '\'=HYPERLINK("http://x.example")', "ada@x.example"]
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(rejects.read_text(encoding="utf-8-sig").replace("notanumber", "64"), encoding="utf-8")
    again = import_file(team, fixed)
    assert (again.created, again.errors) == (1, [])
    ada = stored(team)["F-1"]
    assert (ada["title"], ada["company"], ada["score"]) == ("@SUM(A1)", '=HYPERLINK("http://x.example")', 64)
    assert ada["extra"] in ({}, None)  # the rejects file's row, column and error are not the lead's


def test_a_rejects_file_of_a_rejects_file_keeps_one_set_of_where_and_why(
    team: Services, tmp_path: Path
) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(BAD_SCORE + ROWS, encoding="utf-8")
    import_file(team, source, ImportOptions(skip_invalid=True))
    first = tmp_path / "leads.rejects.csv"
    import_file(team, first, ImportOptions(skip_invalid=True))  # still not a number
    header = next(csv.reader((tmp_path / "leads.rejects.rejects.csv").open(encoding="utf-8-sig")))
    assert header == ["row", "column", "error", *BAD_SCORE.strip().split(",")]


@pytest.mark.parametrize(
    ("header", "row", "extra"),
    [
        (
            "crm_id,first_name,last_name,title,company,email,rep",
            "S-1,Fay,Five,Five Logistics,fay@five.example,maria",
            [],
        ),
        ("Ref,Surname,Mail,Owner", "PR-1,Lind,lind@x.example", ["--map", "MAP"]),
    ],
    ids=["own columns", "mapping"],
)
def test_a_row_with_a_cell_missing_is_refused_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, row: str, extra: list[str]
) -> None:
    source = tmp_path / "short.csv"
    source.write_text(f"{header}\n{row}\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\nRef = "crm_id"\nSurname = "last_name"\nMail = "email"\nOwner = "rep"\n')
    db = tmp_path / "t.db"
    args = [a.replace("MAP", str(mapping)) for a in extra]
    assert main(["--db", str(db), "import", str(source), "--rep", "ben", *args]) == 1
    width = len(header.split(","))
    cells = len(row.split(","))
    assert f"{source}: row 2: {cells} cells but the header has {width} columns" in capsys.readouterr().err
    assert not db.exists()


def test_a_hubspot_contacts_export_with_a_time_zone_column_is_leads(team: Services, tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text(
        "Record ID,First Name,Last Name,Email,Contact owner,Lead Status,Time Zone,Create Date\n"
        "501,Lena,Fischer,lena@x.example,Maria Santos,NEW,Europe/Berlin,2024-02-01 10:00\n",
        encoding="utf-8",
    )
    summary = import_file(team, source)
    assert (summary.format, summary.created) == ("HubSpot contacts export", 1)


@pytest.mark.parametrize("why", ["dry run", "refused", "no such file"])
def test_an_import_that_writes_nothing_leaves_no_new_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], why: str
) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(BAD_SCORE + ROWS.splitlines()[1] + "\n", encoding="utf-8")
    args = {"dry run": ["--dry-run"], "refused": [], "no such file": []}[why]
    if why == "refused":
        source.write_text(BAD_SCORE + ROWS, encoding="utf-8")
    if why == "no such file":
        source = tmp_path / "nope.csv"
    db = tmp_path / "new.db"
    code = main(["--db", str(db), "import", str(source), *args])
    assert code == (0 if why == "dry run" else 1)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("new.db")) == []
    capsys.readouterr()


def test_a_store_an_import_made_and_wrote_in_stays_and_a_later_refusal_keeps_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "team.db"
    good = tmp_path / "good.csv"
    good.write_text(BAD_SCORE + ROWS.splitlines()[1] + "\n", encoding="utf-8")
    assert main(["--db", str(db), "import", str(good)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_SCORE + ROWS, encoding="utf-8")
    assert main(["--db", str(db), "import", str(bad)]) == 1
    capsys.readouterr()
    store = open_store(db, create=False)
    with store.read() as conn:
        assert list(conn.execute(select(leads.c.crm_id)).scalars()) == ["F-2"]
    store.dispose()


def test_import_rejected_still_lists_every_bad_row(team: Services, tmp_path: Path) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(BAD_SCORE + ROWS, encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_file(team, source)
    assert [(e.row, e.column) for e in info.value.summary.errors] == [(2, "score")]


def test_an_assignment_before_the_lead_was_created_is_said_and_starts_at_creation(
    team: Services, tmp_path: Path
) -> None:
    source = tmp_path / "sf.csv"
    source.write_text(
        "Id,LastName,Email,OwnerId,CreatedDate,LastTransferDate\n"
        "00Q5g00000LeAd2,Lind,lind@x.example,Maria Santos,2024-02-05T09:00:00.000Z,2023-06-08T07:30:00.000Z\n"
        "00Q5g00000LeAd3,Kim,kim@x.example,Maria Santos,2024-02-05T09:00:00.000Z,2024-02-05\n",
        encoding="utf-8",
    )
    summary = import_file(team, source)
    assert summary.assigned_before_created == 1  # the date-only transfer on the create day is no news
    assert (
        "1 lead(s) say their owner got them before they were created: their clocks start at the create date"
        in summary.warnings()
    )
    assert {crm: row["assigned_at"] for crm, row in stored(team).items()} == {
        "00Q5g00000LeAd2EAF": datetime(2024, 2, 5, 9, tzinfo=UTC),
        "00Q5g00000LeAd3EAF": datetime(2024, 2, 5, 9, tzinfo=UTC),
    }


def test_a_store_the_import_committed_to_stays_when_printing_its_summary_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadqueue.cli import commands

    def disk_full(text: str, err: bool = False) -> None:
        if text.startswith("imported"):  # stdout on a full disk (or a pipe whose reader went away)
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(commands, "say", disk_full)
    db = tmp_path / "new.db"
    source = tmp_path / "good.csv"
    source.write_text(BAD_SCORE + ROWS.splitlines()[1] + "\n", encoding="utf-8")
    assert main(["--db", str(db), "import", str(source)]) == 3  # said as an unexpected error
    store = open_store(db, create=False)
    with store.read() as conn:
        assert list(conn.execute(select(leads.c.crm_id)).scalars()) == ["F-2"]
    store.dispose()


def test_a_new_store_another_process_wrote_to_meanwhile_is_kept(tmp_path: Path) -> None:
    from leadqueue.services.roster import RosterService

    db = tmp_path / "new.db"
    mine = open_store(db)  # made by a command that will write nothing (a dry run)
    assert mine.new_file == db
    other = Services(
        store=open_store(db), policy=Policy(), clock=FixedClock(datetime(2024, 2, 6, tzinfo=UTC))
    )
    RosterService(other).add({"key": "dana", "name": "Dana"})
    other.store.dispose()
    mine.remove_new_file()
    assert db.exists()
    mine.dispose()
    empty = open_store(tmp_path / "empty.db")
    empty.remove_new_file()
    assert not (tmp_path / "empty.db").exists()
