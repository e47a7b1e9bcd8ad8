"""Shared rendering helpers: countdowns and clock-state colours."""

from __future__ import annotations

from datetime import datetime

from leadqueue.domain.durations import format_seconds

STATE_STYLE = {
    "running": "green",
    "at_risk": "bold yellow",
    "breached": "bold red",
    "paused": "blue",
    "met": "green",
    "missed": "red",
}
STATE_LABEL = {
    "running": "running",
    "at_risk": "AT RISK",
    "breached": "BREACHED",
    "paused": "paused",
    "met": "met",
    "missed": "missed",
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


def ago(then: datetime, now: datetime) -> str:
    return f"{format_seconds((now - then).total_seconds())} ago"
