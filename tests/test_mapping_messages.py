"""A mapping file's mistakes are said whole: every key that is wrong (not the first
and a count), the [columns] table forgotten, and a mapped header the file lacks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.import_mapping import ImportMapping
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.importing import ImportOptions, import_file
from leadqueue.settings.policy_file import load_import_mapping, load_policy
from leadqueue.settings.toml_errors import SettingsError
from leadqueue.store.engine import Store
from leadqueue.store.schema import leads as leads_table
from tests.cli_run import run

NOW = datetime(2024, 11, 20, 15, 0, tzinfo=UTC)


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "layout.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_wrong_key_is_named(tmp_path: Path) -> None:
    path = _toml(
        tmp_path,
        'date_order = "dym"\nsource_zone = "Mars/Olympus"\n[columns]\n"Ref" = "crm_id"\n"Mail" = "email"\n',
    )
    with pytest.raises(SettingsError) as info:
        load_import_mapping(path)
    message = str(info.value)
    assert message.startswith(f"mapping {path}: ")
    assert "date_order: Input should be 'mdy', 'dmy' or 'ymd'" in message
    assert "source_zone: unknown time zone 'Mars/Olympus'" in message
    assert "more)" not in message


def test_header_lines_above_any_table_say_to_put_them_under_columns(tmp_path: Path) -> None:
    path = _toml(tmp_path, 'date_order = "dmy"\n"Ref" = "crm_id"\n"Mail" = "email"\n')
    with pytest.raises(SettingsError) as info:
        load_import_mapping(path)
    assert "no [columns] table" in str(info.value) and "under a line [columns]" in str(info.value)


def test_a_mapped_header_the_file_lacks_is_a_warning(store: Store, tmp_path: Path) -> None:
    services = Services(store=store, policy=Policy(), clock=FixedClock(NOW))
    leads = tmp_path / "leads.csv"
    leads.write_text("Ref,Mail,Owner\nP-1,ada@example.com,ana\n", encoding="utf-8")
    mapping = ImportMapping(columns={"Ref": "crm_id", "Mail": "email", "Owner": "rep", "Telephone": "phone"})
    summary = import_file(services, leads, ImportOptions(mapping=mapping, mapping_name="layout.toml"))
    assert summary.created == 1
    assert any("not in the file" in w and "'Telephone'" in w for w in summary.warnings())


@pytest.mark.parametrize(
    ("columns", "said"),
    [
        # which column gave the id would hang on the order of the lines: re-keying every lead
        ('"Ref" = "crm_id"\n"Mail" = "crm_id"\n', "'Ref' and 'Mail' both map to 'crm_id': keep one"),
        # one header in two spellings: the second line would take the column from the first
        ('"Ref" = "crm_id"\n"Mail" = "email"\n"MAIL" = "phone"\n', "'Mail' and 'MAIL' are one column"),
    ],
)
def test_a_mapping_where_two_lines_claim_one_column_or_field_is_refused(
    tmp_path: Path, columns: str, said: str
) -> None:
    path = _toml(tmp_path, "[columns]\n" + columns)
    with pytest.raises(SettingsError) as info:
        load_import_mapping(path)
    assert str(info.value).startswith(f"mapping {path}: ")
    assert said in str(info.value)


def test_columns_a_mapping_skips_may_be_many(tmp_path: Path) -> None:
    path = _toml(tmp_path, '[columns]\n"Ref" = "crm_id"\n"Mail" = "email"\n"A" = "ignore"\n"B" = "ignore"\n')
    assert load_import_mapping(path).columns["B"] == "ignore"


def test_a_mapping_and_a_policy_saved_with_a_bom_are_read(tmp_path: Path) -> None:
    # Notepad's UTF-8 used to start every file with a byte-order mark
    mapping = tmp_path / "bom.toml"
    mapping.write_bytes(b"\xef\xbb\xbf" + b'[columns]\n"Ref" = "crm_id"\n"Mail" = "email"\n')
    assert load_import_mapping(mapping).columns == {"Ref": "crm_id", "Mail": "email"}
    policy = tmp_path / "policy.toml"
    policy.write_bytes(b"\xef\xbb\xbf" + b'time_zone = "Europe/Berlin"\n')
    assert load_policy(policy).time_zone == "Europe/Berlin"


def test_a_mapping_that_is_no_utf8_says_so(tmp_path: Path) -> None:
    mapping = tmp_path / "latin1.toml"
    mapping.write_bytes('[columns]\n"Réf" = "crm_id"\n'.encode("latin-1"))
    with pytest.raises(SettingsError, match="is not UTF-8 text"):
        load_import_mapping(mapping)


def test_a_rejected_import_still_says_how_the_file_was_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the missing 'Telephone' column may be why the rows fail: it is said with their errors
    leads = tmp_path / "leads.csv"
    leads.write_text("Ref,Mail,Owner\nP-1,,ana\n", encoding="utf-8")
    layout = _toml(
        tmp_path, '[columns]\n"Ref" = "crm_id"\n"Mail" = "email"\n"Owner" = "rep"\n"Telephone" = "phone"\n'
    )
    code, out, err = run(capsys, "--db", str(tmp_path / "s.db"), "import", str(leads), "--map", str(layout))
    assert (code, out) == (1, "")
    assert "warning: mapped column(s) not in the file, so those fields are not read: 'Telephone'" in err
    assert err.splitlines()[-1].startswith("leadqueue: error: ")


def test_columns_listed_for_one_field_are_read_first_listed_first(store: Store, tmp_path: Path) -> None:
    """A work email, else a personal one: the first column listed that has a value."""
    services = Services(store=store, policy=Policy(), clock=FixedClock(NOW))
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "Ref,Surname,Personal Email,Work Email,Owner\n"
        "P1,Doe,jane@home.example,jane@acme.example,ana\n"
        "P2,Roe,rick@home.example,,ana\n",
        encoding="utf-8",
    )
    columns = {
        "Ref": "crm_id",
        "Surname": "last_name",
        "Work Email": "email",
        "Personal Email": "email",
        "Owner": "rep",
    }
    import_file(services, leads, ImportOptions(mapping=ImportMapping(columns=columns)))
    with store.read() as conn:
        emails = dict(conn.execute(select(leads_table.c.crm_id, leads_table.c.email)).all())
    assert emails == {"P1": "jane@acme.example", "P2": "rick@home.example"}


def test_a_rejected_import_says_nothing_of_what_it_did_not_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leads = tmp_path / "rej.csv"
    leads.write_text(
        "crm_id,last_name,email,rep,assigned_at,score\n"
        "B-1,Old,old@x.example,ana,2024-01-02T10:00:00Z,50\n"
        "B-2,Bad,bad@x.example,ana,2024-01-02T10:00:00Z,notanumber\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "--db", str(tmp_path / "s.db"), "import", str(leads))
    assert code == 1
    assert "already breached" not in err and "new reps" not in err  # nothing arrived, nobody was made
