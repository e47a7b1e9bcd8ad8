"""What an import did, and what the user should know about how the file was read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from leadqueue.domain.import_mapping import DateOrder
from leadqueue.io.reader import ReadStats, RowError
from leadqueue.services.routing import ImportRouting, routed_text


@dataclass
class ImportSummary:
    path: Path
    format: str  # the format's label, e.g. "Salesforce report export"
    read: ReadStats  # the encoding and what reading the rows found
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0  # rows the CRM dates before an earlier import did for their leads: left alone
    older_ids: list[str] = field(default_factory=list)  # the first few of them
    reassigned: int = 0
    returned: int = 0
    closed: int = 0  # closed in the CRM already: not queued
    closed_since: int = 0  # open here, closed in the CRM since: left the queue
    breached_on_arrival: int = 0
    assigned_before_created: int = 0  # new leads whose assignment date is before their create date
    new_reps: list[str] = field(default_factory=list)
    routing: ImportRouting | None = None  # how the rows without an owner were routed
    ignored_columns: list[str] = field(default_factory=list)
    unmatched_mapping: list[str] = field(default_factory=list)  # a mapping's headers the file lacks
    zone: str = ""  # where times without an offset were read
    zone_given: bool = False  # by --source-zone or the mapping, not taken from the format or team
    date_order: DateOrder = "mdy"
    date_order_guessed: bool = False
    errors: list[RowError] = field(default_factory=list)
    rejects_path: Path | None = None
    written: bool = False

    def note_older(self, crm_ids: list[str], shown: int = 3) -> None:
        """Count rows older than their leads' last import, keeping the first few ids to name."""
        self.older += len(crm_ids)
        self.older_ids += crm_ids[: max(0, shown - len(self.older_ids))]

    def line(self) -> str:
        verb = "would import" if not self.written else "imported"
        text = (
            f"{verb} {self.path.name} ({self.format}, {self.read.encoding}): {_count(self.rows, 'row')}, "
            f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged"
        )
        if self.older:
            text += f", {self.older} older than their leads' last import (left as they are)"
        if self.closed:
            text += f", {self.closed} closed in the CRM (not queued)"
        if self.closed_since:
            text += f", {self.closed_since} closed in the CRM since the last import (left the queue)"
        if self.reassigned:
            text += f", {self.reassigned} reassigned"
        if self.returned:
            text += f", {self.returned} back from marketing"
        if self.routing is not None:
            text += routed_text(self.routing)
        if self.errors:
            text += f", {len({e.row for e in self.errors})} rejected"
        return text

    def warnings(self) -> list[str]:
        """What the user should know about what the import did, and how the file was read."""
        out = []
        if self.new_reps:  # a dry run made none: it says which it would make
            made = "new reps" if self.written else "would create reps"
            out.append(f"{made} for owners not in the roster: {', '.join(self.new_reps)}")
        out += self.routing.warnings if self.routing is not None else []
        if self.breached_on_arrival:
            out.append(
                f"{self.breached_on_arrival} lead(s) arrived with their decision clock already breached"
            )
        if self.older:
            shown = ", ".join(self.older_ids) + (" ..." if self.older > len(self.older_ids) else "")
            out.append(
                f"{self.older} row(s) say the CRM last changed their lead before an earlier import did"
                f" ({shown}): an older export, so those rows changed nothing; if the earlier"
                " import misread its dates, import this file with --take-older"
            )
        if self.assigned_before_created:
            out.append(
                f"{self.assigned_before_created} lead(s) say their owner got them before they were created:"
                " their clocks start at the create date"
            )
        return out + self.read_warnings()

    def read_warnings(self) -> list[str]:
        """How the file was read: worth saying even when its rows were refused, which it
        may explain (a mapped column missing, dates read month-first)."""
        out = []
        if self.ignored_columns:
            out.append(
                "repeated columns ignored (the first of each was read): "
                + ", ".join(dict.fromkeys(self.ignored_columns))  # a column repeated twice is named once
            )
        if self.unmatched_mapping:
            out.append(
                "mapped column(s) not in the file, so those fields are not read: "
                + ", ".join(repr(name) for name in self.unmatched_mapping)
            )
        if self.read.skipped_hour_times:
            out.append(
                f"{self.read.skipped_hour_times} time(s) fall in the hour the clocks skipped in {self.zone}"
                " (they went forward then): read as the hour before the change"
                + ("" if self.zone_given else "; if the file's times are in another zone, pass --source-zone")
            )
        if self.read.unknown_countries:
            out.append(_unknown_countries(self.read.unknown_countries))
        if self.read.fallback_lines:
            read = self.read
            out.append(
                f"{read.fallback_lines} line(s) were not UTF-8 and were read as {read.fallback_encoding}"
            )
        if self.date_order_guessed:
            out.append(
                f"no date in the file says whether it is day-first or month-first: read {self.date_order} "
                "(the policy's date_order); pass --date-order if that is wrong"
            )
        return out


def _count(n: int, noun: str) -> str:
    """`1 row`, `2 rows`: a count and its noun, in the summary's words."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class ImportRejected(Exception):
    """Bad rows and no --skip-invalid: nothing was written."""

    def __init__(self, summary: ImportSummary) -> None:
        rows = len({e.row for e in summary.errors})
        super().__init__(f"{rows} bad row(s) in {summary.path}; nothing was imported")
        self.summary = summary


def _unknown_countries(rows_by_country: Mapping[str, int]) -> str:
    named = sorted(rows_by_country, key=lambda c: -rows_by_country[c])
    shown = ", ".join(named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
    return (
        f"{sum(rows_by_country.values())} lead(s) name a country the region table does not know"
        f" ({shown}): their region is the country as written, which routing and the ICP's"
        " regions do not match"
    )
