"""Every CSV the program writes goes through here: each cell through
`safe_text.csv_cell`, so no cell from data is ever run as a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from leadqueue.domain.safe_text import csv_cell


class SafeWriter:
    """csv.writer's writerow/writerows, with every cell made safe."""

    def __init__(self, fh: Any, **options: Any) -> None:
        self._writer = csv.writer(fh, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """csv.DictWriter's writeheader/writerow/writerows, with every cell made safe."""

    def __init__(self, fh: Any, fieldnames: Sequence[str], **options: Any) -> None:
        self.fieldnames = list(fieldnames)
        self._writer = csv.DictWriter(fh, fieldnames=self.fieldnames, **options)

    def writeheader(self) -> None:
        self._writer.writerow({f: csv_cell(f) for f in self.fieldnames})

    def writerow(self, row: Mapping[str, object]) -> None:
        self._writer.writerow({k: csv_cell(v) for k, v in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, object]]) -> None:
        for row in rows:
            self.writerow(row)
