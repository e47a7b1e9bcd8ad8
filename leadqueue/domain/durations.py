"""Window lengths as a team writes them in its policy: "4h", "30m", "2d", "5bd"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(bd|d|h|m|s)")

# An SLA window longer than ten years is a typo ("3000000d"), and one of
# millions of days would put a deadline past the last date Python can hold:
# every command that computes a clock would crash. Business days get the
# same ten years of five-day weeks.
MAX_WINDOW_DAYS = 3650
MAX_BUSINESS_DAYS = MAX_WINDOW_DAYS * 5 // 7


@dataclass(frozen=True)
class Window:
    """Either a duration in seconds or a count of business days (never both)."""

    seconds: float = 0.0
    business_days: int = 0
    # written with "d": 24-hour days, meaningful only for elapsed time
    uses_days: bool = False

    @property
    def in_business_days(self) -> bool:
        return self.business_days > 0

    def __str__(self) -> str:
        if self.in_business_days:
            return f"{self.business_days}bd"
        return format_seconds(self.seconds)


@lru_cache(maxsize=256)
def parse_window(text: str) -> Window:
    """Parse "4h", "1h30m", "2d" (48 elapsed hours) or "5bd" (business days)."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned:
        raise ValueError("empty window")
    pos = 0
    seconds = 0.0
    business_days = 0
    uses_days = False
    for match in _PART.finditer(cleaned):
        if match.start() != pos:
            break
        pos = match.end()
        amount, unit = float(match.group(1)), match.group(2)
        if unit == "bd":
            if amount != int(amount):
                raise ValueError(f"{text!r}: business days must be whole")
            business_days += int(amount)
        else:
            uses_days = uses_days or unit == "d"
            seconds += amount * {"d": 86400, "h": 3600, "m": 60, "s": 1}[unit]
    if pos != len(cleaned):
        raise ValueError(f"{text!r} is not a window: use e.g. 4h, 30m, 1h30m, 2d or 5bd")
    if business_days and seconds:
        raise ValueError(f"{text!r}: do not mix business days with hours")
    if not business_days and seconds <= 0:
        raise ValueError(f"{text!r}: a window must be longer than zero")
    if seconds > MAX_WINDOW_DAYS * 86400:
        raise ValueError(f"{text!r} is too long: a window is at most {MAX_WINDOW_DAYS}d (ten years)")
    if business_days > MAX_BUSINESS_DAYS:
        raise ValueError(
            f"{text!r} is too long: a window is at most {MAX_BUSINESS_DAYS}bd (ten years of working days)"
        )
    return Window(seconds=seconds, business_days=business_days, uses_days=uses_days)


def format_seconds(seconds: float) -> str:
    """Compact duration: 2d3h, 4h, 1h30m, 45m, 30s."""
    total = round(abs(seconds))
    sign = "-" if seconds < 0 else ""
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d{hours}h" if hours else f"{sign}{days}d"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m" if minutes else f"{sign}{hours}h"
    if minutes:
        return f"{sign}{minutes}m"
    return f"{sign}{secs}s"
