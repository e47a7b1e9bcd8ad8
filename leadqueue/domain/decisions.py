"""The decisions a rep makes, validated before anything is written.

Each validator returns the event payload or raises DecisionError naming the
field that is wrong, so a form or a CLI can point at it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from leadqueue.domain.lifecycle import DISPOSITIONS
from leadqueue.domain.policy import NEEDS_INFO_FACTS, Policy

NEXT_STEP_KINDS = ("call", "email", "meeting", "demo")
TOUCH_CHANNELS = ("call", "email", "social")


class DecisionError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Accept:
    next_step: str
    due: datetime | None
    note: str

    def payload(self, now: datetime) -> dict[str, str]:
        if self.next_step not in NEXT_STEP_KINDS:
            raise DecisionError("next_step", f"choose one of {', '.join(NEXT_STEP_KINDS)}")
        if self.due is None:
            raise DecisionError("due", "a due date-time is required")
        if self.due.tzinfo is None:
            raise DecisionError("due", "the due time needs a time zone")
        if self.due <= now:
            raise DecisionError("due", "the next step must be in the future")
        if not self.note.strip():
            raise DecisionError("note", "a note is required")
        return {"next_step": self.next_step, "due": self.due.isoformat(), "note": self.note.strip()}


@dataclass(frozen=True)
class Reject:
    reason: str
    note: str = ""
    duplicate_of: str = ""

    def payload(self, policy: Policy, known_lead: bool | None = None) -> dict[str, str]:
        code = self.reason.strip().upper()
        if not code:
            raise DecisionError("reason", "a reason code is required")
        reason = policy.reason(code)
        if reason is None:
            raise DecisionError(
                "reason", f"unknown reason code {code!r}: use {', '.join(policy.active_reasons())}"
            )
        if reason.retired:
            raise DecisionError("reason", f"reason code {code} is retired")
        if reason.requires_text and not self.note.strip():
            raise DecisionError("note", f"{code} needs the reason written out")
        if reason.requires_duplicate:
            if not self.duplicate_of.strip():
                raise DecisionError("duplicate_of", f"{code} needs the id of the record it duplicates")
            if known_lead is False:
                raise DecisionError("duplicate_of", f"no lead with id {self.duplicate_of.strip()!r}")
        out = {"reason": code, "routing": reason.routing, "action": reason.action.value}
        if self.note.strip():
            out["note"] = self.note.strip()
        if self.duplicate_of.strip():
            out["duplicate_of"] = self.duplicate_of.strip()
        return out


@dataclass(frozen=True)
class NeedsInfo:
    missing: tuple[str, ...]
    note: str

    def payload(self) -> dict[str, object]:
        facts = [m.strip() for m in self.missing if m.strip()]
        if not facts:
            raise DecisionError("missing", f"name at least one missing fact: {', '.join(NEEDS_INFO_FACTS)}")
        unknown = [f for f in facts if f not in NEEDS_INFO_FACTS]
        if unknown:
            raise DecisionError("missing", f"unknown fact {unknown[0]!r}: use {', '.join(NEEDS_INFO_FACTS)}")
        if not self.note.strip():
            raise DecisionError("note", "a note for marketing is required")
        return {"missing": sorted(set(facts), key=NEEDS_INFO_FACTS.index), "note": self.note.strip()}


@dataclass(frozen=True)
class Touch:
    channel: str
    conversation: bool = False
    note: str = ""

    def payload(self) -> dict[str, str]:
        if self.channel not in TOUCH_CHANNELS:
            raise DecisionError("channel", f"choose one of {', '.join(TOUCH_CHANNELS)}")
        out = {"channel": self.channel}
        if self.note.strip():
            out["note"] = self.note.strip()
        return out


@dataclass(frozen=True)
class Dispose:
    outcome: str
    reason: str = ""
    note: str = ""

    def payload(self, policy: Policy, contact_attempts: int) -> dict[str, str]:
        if self.outcome not in DISPOSITIONS:
            raise DecisionError("outcome", f"choose one of {', '.join(DISPOSITIONS)}")
        out = {"outcome": self.outcome}
        code = self.reason.strip().upper()
        if self.outcome == "returned":
            if not code:
                raise DecisionError("reason", "returning a lead needs a reason code")
            reason = policy.reason(code)
            if reason is None or reason.retired:
                raise DecisionError("reason", f"unknown reason code {code!r}")
            if reason.requires_text and not self.note.strip():
                raise DecisionError("note", f"{code} needs the reason written out")
        if self.outcome == "unresponsive" and contact_attempts < policy.min_unresponsive_attempts:
            raise DecisionError(
                "outcome",
                f"unresponsive needs at least {policy.min_unresponsive_attempts} logged contact attempts "
                f"({contact_attempts} so far)",
            )
        if code:
            out["reason"] = code
        if self.note.strip():
            out["note"] = self.note.strip()
        return out


def split_facts(text: str | Iterable[str]) -> tuple[str, ...]:
    parts = text.split(",") if isinstance(text, str) else list(text)
    return tuple(p.strip() for p in parts if p.strip())
