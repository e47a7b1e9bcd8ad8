"""Import benchmark: 100,000 Salesforce rows into a fresh store.

    python -m benchmarks.import_bench [--rows 100000]

Prints the import time beside a plain csv.reader pass over the same file
(the floor any importer pays), and the ratio, from one run.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.importing import import_file
from leadqueue.store.engine import open_store

SAMPLE = Path(__file__).parent.parent / "tests" / "data" / "import" / "salesforce_leads.csv"


def build_file(path: Path, rows: int) -> None:
    with SAMPLE.open(newline="", encoding="utf-8") as fh:
        header, *samples = list(csv.reader(fh))
    owner = header.index("Lead Owner")
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(rows):
            row = list(samples[i % len(samples)])
            row[0] = f"00Q{i:012d}"
            row[owner] = row[owner] or "Maria Santos"
            writer.writerow(row)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "leads.csv"
        build_file(source, args.rows)
        started = time.perf_counter()
        with source.open(newline="", encoding="utf-8") as fh:
            n = sum(1 for _ in csv.reader(fh))
        plain = time.perf_counter() - started

        store = open_store(Path(tmp) / "bench.db")
        services = Services(
            store=store, policy=Policy(), clock=FixedClock(datetime(2026, 11, 20, tzinfo=UTC))
        )
        started = time.perf_counter()
        summary = import_file(services, source)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = import_file(services, source)
        second = time.perf_counter() - started
        store.dispose()
    print(f"rows: {n - 1:,}  ({summary.created:,} created; re-import: {again.unchanged:,} unchanged)")
    print(f"{'plain csv.reader pass':<32}{plain:8.2f} s")
    print(f"{'leadqueue import (new store)':<32}{first:8.2f} s   {first / plain:6.1f}x the plain pass")
    print(f"{'leadqueue import (same file)':<32}{second:8.2f} s   {second / plain:6.1f}x the plain pass")


if __name__ == "__main__":
    main()
