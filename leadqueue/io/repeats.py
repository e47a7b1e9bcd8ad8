"""Rows that repeat an id an earlier row of the same file had.

A repeat is an error naming the first row, except in formats that list a
contact once per associated record (HubSpot): there a repeat whose own
columns agree with the first row is the same contact again, and is merged
(dropped). Rows are settled a batch at a time against a `FirstRows`, which
keeps each id's first row: a dict for a file read whole, the database's
temporary storage during an import, so an import's memory does not grow
with its file.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Protocol

from leadqueue.io.row_parser import ParsedRow, RejectedRow, RowError

FirstRow = tuple[int, str | None]  # (row number, fingerprint of what it said)
Result = ParsedRow | RejectedRow | list[RowError]  # a list: a row too broken to have an id


class FirstRows(Protocol):
    def find(self, crm_ids: Collection[str]) -> Mapping[str, FirstRow]:
        """The first rows of those ids met in earlier batches."""
        ...

    def add(self, firsts: Mapping[str, FirstRow]) -> None: ...


class FirstRowsInMemory:
    def __init__(self) -> None:
        self.rows: dict[str, FirstRow] = {}

    def find(self, crm_ids: Collection[str]) -> Mapping[str, FirstRow]:
        return {i: self.rows[i] for i in crm_ids if i in self.rows}

    def add(self, firsts: Mapping[str, FirstRow]) -> None:
        self.rows.update(firsts)


def settle_repeats(
    batch: Sequence[Result], first_rows: FirstRows, id_header: str, merge: bool
) -> Iterator[ParsedRow | list[RowError]]:
    """The batch in file order, each row a ParsedRow or its errors; merged repeats left out."""
    ids = {r.crm_id for r in batch if not isinstance(r, list) and r.crm_id}
    known = dict(first_rows.find(ids))
    firsts: dict[str, FirstRow] = {}
    for result in batch:
        if isinstance(result, list):
            yield result
            continue
        crm_id = result.crm_id
        fingerprint = result.fingerprint if isinstance(result, ParsedRow) else None
        first = known.get(crm_id) if crm_id else None
        if first is None:
            if crm_id:
                known[crm_id] = firsts[crm_id] = (result.row, fingerprint)
            yield result if isinstance(result, ParsedRow) else result.errors
            continue
        first_row, first_said = first
        if merge and fingerprint is not None and fingerprint == first_said:
            continue  # the same contact again, for another associated record
        raw = result.raw if isinstance(result, ParsedRow) else result.errors[0].raw
        repeat = RowError(result.row, id_header, f"duplicate of row {first_row} (id {crm_id})", raw)
        yield [repeat, *(result.errors if isinstance(result, RejectedRow) else [])]
    first_rows.add(firsts)
