"""Shared rendering helpers: countdowns, clock-state colours, the clocks' names,
durations, times in a named zone, leads by name, and data made fit to show.

Every time shown goes through `in_zone`, which names the zone (`Mon 07 Dec
10:00 EST`): a time without its zone beside one with it reads as the same
zone when it is not. A column of times may name the zone once, in its header
(`zone_name`), and its cells leave it out (`named=False`).

Everything that comes from data (names, companies, ids, notes, the policy's
labels, rep names, error messages that quote them) reaches the screen through
`visible` (control characters and bidi overrides made visible, by the one
`terminal_safe`) and is placed as plain text: a `Text`/`Content` built from it,
or a widget with `markup=False`. Never inside a markup string, where `[/]`
crashes the app and `[@click=...]` runs an action.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.cells import cell_len, set_cell_size
from textual.content import Content

from leadqueue.domain.durations import format_seconds
from leadqueue.domain.safe_text import terminal_safe

STATE_STYLE = {
    "running": "green",
    "at_risk": "bold yellow",
    "breached": "bold red",
    "paused": "blue",
    "met": "green",
    "missed": "red",
    "ended": "dim",
}
STATE_LABEL = {
    "running": "running",
    "at_risk": "AT RISK",
    "breached": "BREACHED",
    "paused": "paused",
    "met": "met",
    "missed": "missed",
    "ended": "handed over",
}
# The SLA clocks in lifecycle order, and the one name each has on every screen (the
# queue, breaches, metrics): short enough for a 10-cell column.
CLOCK_ORDER = ("decision", "first_touch", "discovery", "disposition")
CLOCK_LABEL = {
    "decision": "decision",
    "first_touch": "1st touch",
    "discovery": "discovery",
    "disposition": "dispose",
}
TIER_STYLE = {"hot": "bold red", "standard": "yellow", "low": "dim"}
CHECK_MARK = {"met": ("✔", "green"), "not_met": ("✘", "red"), "unknown": ("?", "yellow")}


def clock_state(due_at: datetime, at_risk_at: datetime | None, now: datetime) -> str:
    if now >= due_at:
        return "breached"
    if at_risk_at is not None and now >= at_risk_at:
        return "at_risk"
    return "running"


def countdown(due_at: datetime, now: datetime) -> str:
    """'3h12m05s' style, ticking every second; '-' prefix when overdue."""
    seconds = int((due_at - now).total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d{hours:02d}h{minutes:02d}m"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m{secs:02d}s"
    return f"{sign}{minutes}m{secs:02d}s"


def clock_label(clock: str) -> str:
    """A clock as every screen names it (`1st touch`); one the TUI does not know, as given."""
    return CLOCK_LABEL.get(clock, visible(clock))


def hours_or_days(hours: float | None) -> str:
    """A duration the reports give in hours: under a day as the CLI prints it (`12.5`),
    a day or more in days and hours by the one duration formatter (`327d13h`)."""
    if hours is None:
        return "-"
    return format_seconds(hours * 3600) if abs(hours) >= 24 else str(hours)


def ago(then: datetime, now: datetime) -> str:
    return f"{format_seconds((now - then).total_seconds())} ago"


def in_zone(at: datetime, zone: ZoneInfo, shape: str = "%a %d %b %H:%M", named: bool = True) -> str:
    """`at` in `zone`, written as `shape` (strftime) then the zone's short name
    (EST, CET, +0530); without the name only where a header names it."""
    local = at.astimezone(zone)
    text = local.strftime(shape)
    return f"{text} {local.tzname() or zone.key}" if named else text


def span_in_zone(since: datetime, until: datetime, zone: ZoneInfo) -> str:
    """From `since` to `until` in `zone`, the zone named once at the end, or at each
    end when a clock change falls between them (Sun 01 Nov 00:00 EDT – Fri 20 Nov 00:00 EST)."""
    first, last = since.astimezone(zone), until.astimezone(zone)
    first_zone = f" {first.tzname()}" if first.tzname() != last.tzname() else ""
    return f"{first:%a %d %b %H:%M}{first_zone} – {last:%a %d %b %H:%M} {last.tzname() or zone.key}"


def zone_name(zone: ZoneInfo, at: datetime) -> str:
    """The zone's short name at `at` (EST in winter, EDT in summer), for a header."""
    return at.astimezone(zone).tzname() or zone.key


def lead_name(name: str, company: str = "", crm_id: str = "") -> str:
    """A lead as people name it: `name · company`, then the CRM id in brackets when
    given (where a rep may need the record itself: a failure, a duplicate). A lead
    with no name is named by its id. Made visible: every part is data."""
    who = visible(name) or visible(crm_id)
    label = f"{who} · {visible(company)}" if company else who
    if crm_id and who != visible(crm_id):
        label += f" ({visible(crm_id)})"
    return label


def visible(value: object, keep_layout: bool = False) -> str:
    """`value` as the terminal may show it: never a raw ESC, C1 control or bidi override.
    One line unless `keep_layout` (a note over several lines)."""
    if value is None:
        return ""
    return terminal_safe(value if isinstance(value, str) else str(value), keep_layout)


def plain(value: object, style: str = "", keep_layout: bool = False) -> Content:
    """Data as Content: shown literally (no markup is read in it), with our own `style`."""
    return Content.styled(visible(value, keep_layout), style)


def fit(value: str, width: int) -> str:
    """`value` in exactly `width` terminal cells: padded, or cut with "… " (a wide
    CJK character or emoji counts two cells, so the columns after it stay aligned)."""
    if width <= 2:
        return set_cell_size(value or "", max(0, width))
    value = value or ""
    if cell_len(value) >= width:
        # set_cell_size pads with a space where a wide character would straddle the cut.
        return set_cell_size(value, width - 2) + "… "
    return set_cell_size(value, width)
