"""Every CSV the program writes goes through here: each cell through
`safe_text.csv_cell`, so no cell from data is ever run as a formula, and none
carries a raw control character or bidi override to a terminal or editor."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from leadqueue.domain.safe_text import csv_cell


def _cell_maker(lineterminator: str) -> Callable[[object], object]:
    """csv quotes a cell holding a character of the line terminator, so with "\\n"
    alone a carriage return inside a cell goes out unquoted and breaks the row
    for every reader: such files get their cells' line breaks as "\\n"."""
    if "\r" in lineterminator:
        return csv_cell

    def cell(value: object) -> object:
        safe = csv_cell(value)
        return safe.replace("\r\n", "\n").replace("\r", "\n") if isinstance(safe, str) else safe

    return cell


class SafeWriter:
    """csv.writer's writerow/writerows, with every cell made safe."""

    def __init__(self, fh: Any, lineterminator: str = "\r\n", **options: Any) -> None:
        self._writer = csv.writer(fh, lineterminator=lineterminator, **options)
        self._cell = _cell_maker(lineterminator)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([self._cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """csv.DictWriter's writeheader/writerow/writerows, with every cell made safe."""

    def __init__(
        self, fh: Any, fieldnames: Sequence[str], lineterminator: str = "\r\n", **options: Any
    ) -> None:
        self.fieldnames = list(fieldnames)
        self._writer = csv.DictWriter(
            fh, fieldnames=self.fieldnames, lineterminator=lineterminator, **options
        )
        self._cell = _cell_maker(lineterminator)

    def writeheader(self) -> None:
        self._writer.writerow({f: self._cell(f) for f in self.fieldnames})

    def writerow(self, row: Mapping[str, object]) -> None:
        self._writer.writerow({k: self._cell(v) for k, v in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, object]]) -> None:
        for row in rows:
            self.writerow(row)
