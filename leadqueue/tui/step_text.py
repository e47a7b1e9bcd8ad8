"""How a next step reads on screen: its kind, its due time in the rep's zone, overdue or done.

Every time says its zone (`Mon 07 Dec 10:00 EST`); the queue's narrow column
names the zone once, in its header. Overdue reads without colour: a `!` and
the time past due as a negative countdown, as the LEFT column writes a breach.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from leadqueue.domain.durations import format_seconds
from leadqueue.tui.format import in_zone, visible, zone_name

# The queue's column is narrow: kinds in at most five cells.
KIND_SHORT = {"meeting": "meet"}
OVERDUE_STYLE = "bold red"
DONE_STYLE = "dim"


def local_time(at: datetime, zone: ZoneInfo) -> str:
    """`Mon 07 Dec 10:00 EST`: the instant in `zone`, the zone named."""
    return in_zone(at, zone)


def zone_label(zone: ZoneInfo, now: datetime) -> str:
    """The zone's short name at `now` (EST, CET, +0530)."""
    return zone_name(zone, now)


def relative(due: datetime, now: datetime) -> str:
    """`in 3h05m`, or `2h05m overdue`."""
    seconds = (due - now).total_seconds()
    if seconds <= 0:
        return f"{format_seconds(-seconds)} overdue"
    return f"in {format_seconds(seconds)}"


def short_when(due: datetime, now: datetime, zone: ZoneInfo) -> str:
    """At most nine cells, in `zone` (which the column's header names): `10:00` today,
    `Mon 10:00` within a week, else `07 Dec`; past due, how long ago as a negative
    countdown (`-2h05m`)."""
    if due <= now:
        return f"-{format_seconds((now - due).total_seconds())}"
    days = (due.astimezone(zone).date() - now.astimezone(zone).date()).days
    shape = "%H:%M" if days == 0 else "%a %H:%M" if days < 7 else "%d %b"
    return in_zone(due, zone, shape, named=False)


def step_cell(
    kind: str | None, due: datetime | None, done: bool, now: datetime, zone: ZoneInfo
) -> tuple[str, str]:
    """The queue's NEXT STEP cell, before fitting, and its style: `!call  -2h05m`
    overdue, `✓call` done, ` demo  Mon 10:00` to come, `-` without a step."""
    if not kind:
        return " -", "dim"
    # The kind is data (a synced event may carry anything): made visible like a name.
    short = visible(KIND_SHORT.get(kind, kind))
    if done:
        return f"✓{short}", DONE_STYLE
    if due is None:
        return f" {short}", ""
    overdue = due <= now
    text = f"{'!' if overdue else ' '}{short:<5} {short_when(due, now, zone)}"
    return text, OVERDUE_STYLE if overdue else ""
