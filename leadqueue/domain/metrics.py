"""The arithmetic of the team's numbers, and what each one says about itself.

One place for the rules every consumer (the CLI, the terminal screen, a JSON
or CSV export) must agree on: when a rate is too small a sample to judge,
what counts against SLA compliance, and the notes that say so where the
numbers are shown.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# A rate over fewer decisions than this is "too few" to judge: one source
# judged on 1 decision would otherwise read 0% or 100% and get a verdict.
MIN_DECISIONS = 5
HEALTHY_BAND = (60.0, 90.0)  # acceptance rate, percent (docs/domain.md)
TOO_FEW = "too few"
# The default period of the numbers (`report metrics` without --since, the
# metrics screen's "last 4 weeks"): whole weeks, so each weekday counts alike.
DEFAULT_PERIOD = timedelta(weeks=4)

# What the screen and the CLI print beside the numbers they qualify.
TOO_FEW_NOTE = f"{TOO_FEW}: a rate over fewer than {MIN_DECISIONS} decisions, not judged"
COMPLIANCE_NOTE = (
    "compliance = met / (met + missed + open breached): a clock still open past its deadline counts as missed"
)


def pct(n: int, d: int) -> float | None:
    """n out of d in percent, to one decimal; None when there is nothing to divide."""
    return round(100.0 * n / d, 1) if d else None


def too_few(decisions: int) -> bool:
    return decisions < MIN_DECISIONS


def judged_rate(n: int, decisions: int) -> float | None:
    """n out of `decisions` in percent, or None when they are too few to judge."""
    return None if too_few(decisions) else pct(n, decisions)


def healthy(rate: float | None) -> bool | None:
    """Whether an acceptance rate is in the healthy band; None when it was not judged."""
    return None if rate is None else HEALTHY_BAND[0] <= rate <= HEALTHY_BAND[1]


def judged_at(until: datetime, now: datetime) -> datetime:
    """The instant a period's open clocks and waiting leads are judged at: its end, or now
    if it ends later (a clock due before the end but not yet is no breach yet)."""
    return min(until, now)


def compliance(met: int, missed: int, open_breached: int) -> float | None:
    """SLA compliance: an open clock past its deadline is as missed as one closed late.
    Leaving it out would show 100% for a rep whose accepted leads all sit untouched."""
    return pct(met, met + missed + open_breached)


def iso(at: datetime | None) -> str | None:
    """An instant as every report writes it: ISO 8601, UTC, to the second."""
    return at.strftime("%Y-%m-%dT%H:%M:%SZ") if at else None


def lead_label(first_name: str, last_name: str, company: str, crm_id: str = "") -> str:
    """A lead as the team's lists name it: "name · company" (the CRM id when it has no name)."""
    name = f"{first_name} {last_name}".strip() or crm_id
    return f"{name} · {company}" if company else name
