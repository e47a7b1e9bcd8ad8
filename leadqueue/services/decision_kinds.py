"""Every decision `DecisionService.apply` takes, one small frozen type each: the
forms' five (domain.decisions: Accept, Reject, NeedsInfo, Touch, Dispose, which
validate their own fields) and those that carry no more than a note or a rep."""

from __future__ import annotations

from dataclasses import dataclass

from leadqueue.domain.decisions import Accept, Dispose, NeedsInfo, Reject, Touch


@dataclass(frozen=True)
class Undo:
    """Take back the lead's last decision, within the policy's grace period."""


@dataclass(frozen=True)
class Escalate:
    note: str = ""


@dataclass(frozen=True)
class Acknowledge:
    """A team lead has seen the lead's breach."""

    note: str = ""


@dataclass(frozen=True)
class Reassign:
    to_rep: str  # a rep's key, or what names one
    note: str = ""


Decision = Accept | Reject | NeedsInfo | Touch | Dispose | Undo | Escalate | Acknowledge | Reassign

__all__ = [
    "Accept",
    "Acknowledge",
    "Decision",
    "Dispose",
    "Escalate",
    "NeedsInfo",
    "Reassign",
    "Reject",
    "Touch",
    "Undo",
]
