"""A wall time in the hour a clock change skipped (02:30 on the day New York's
clocks go forward) cannot be what the file meant in that zone: it is read as
the hour before the change, and the import says how many there were."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.io.timestamps import TimestampParser
from leadqueue.services.context import Services
from leadqueue.services.importing import ImportOptions, import_file
from leadqueue.store.engine import Store

NY = ZoneInfo("America/New_York")


def test_a_skipped_wall_time_is_read_as_the_hour_before_and_counted() -> None:
    read = TimestampParser(NY)
    assert read("2025-03-09 02:30") == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)  # EST, -5
    assert read("3/9/2025 2:30 AM") == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)
    assert read.skipped_hour == 2
    # the hour before and after, and the repeated hour in November, are real times
    read("2025-03-09 01:59")
    read("2025-03-09 03:00")
    read("2025-11-02 01:30")
    read("2025-03-09T02:30:00Z")  # with an offset: no wall time to doubt
    assert read.skipped_hour == 2


def test_utc_has_no_skipped_hour() -> None:
    read = TimestampParser(ZoneInfo("UTC"))
    read("2025-03-09 02:30")
    assert read.skipped_hour == 0


def test_the_import_warns_how_many_times_fell_in_the_skipped_hour(store: Store, tmp_path: Path) -> None:
    services = Services(
        store=store,
        policy=Policy(time_zone="America/New_York"),
        clock=FixedClock(datetime(2025, 3, 10, tzinfo=UTC)),
    )
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "crm_id,last_name,email,rep,assigned_at\n"
        "L1,Lovelace,ada@example.com,ana,2025-03-09 02:30\n"
        "L2,Hopper,grace@example.com,ana,2025-03-09 03:30\n",
        encoding="utf-8",
    )
    summary = import_file(services, leads, ImportOptions())
    (warning,) = [w for w in summary.warnings() if "clocks skipped" in w]
    assert warning.startswith("1 time(s) fall in the hour the clocks skipped in America/New_York")
    assert warning.endswith("; if the file's times are in another zone, pass --source-zone")
    # with the zone given, the warning does not ask for it
    options = ImportOptions(source_zone=ZoneInfo("America/New_York"), dry_run=True)
    given = import_file(services, leads, options)
    (warning,) = [w for w in given.warnings() if "clocks skipped" in w]
    assert warning.endswith("read as the hour before the change")
