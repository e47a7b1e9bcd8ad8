"""The metrics report as CSV: the one layout `leadqueue report metrics --format csv`
prints and the metrics screen's `x` writes.

One section per table, as the report holds them: a line with the period
(`since, <instant>, until, <instant>`), then for each section a blank line, a
line with its name, its header and its rows. Every column of a row stays its
own cell, so rows keyed by more than one column (SLA compliance: clock and
rep) stay apart. Each cell goes through the one formula neutraliser
(io.csv_out).
"""

from __future__ import annotations

import io
from typing import Any

from leadqueue.io.csv_out import SafeWriter


def metrics_csv(result: dict[str, Any], lineterminator: str = "\r\n") -> str:
    """`result` is services.team_metrics.metrics()' dict; its list-valued entries
    are the sections, in its order. Files get CSV's CRLF; a text stream "\\n"."""
    buf = io.StringIO()
    writer = SafeWriter(buf, lineterminator=lineterminator)
    writer.writerow(["since", result["since"], "until", result["until"]])
    for key, rows in result.items():
        if not isinstance(rows, list):
            continue
        writer.writerow([])
        writer.writerow([key])
        fields = list(dict.fromkeys(f for r in rows for f in r))
        writer.writerow(fields)
        for r in rows:
            writer.writerow([_value(r.get(f)) for f in fields])
    return buf.getvalue()


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else value
