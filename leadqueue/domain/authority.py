"""Who may record which event on which lead.

One rule for every writer: a decision made here (the CLI, the terminal UI), a
record pulled from the shared folder, and the PostgreSQL policies that
`leadqueue pg grant` installs (store.pg_security says the same in SQL).

- A rep decides (accept, reject, needs info), logs touches and conversations,
  disposes, undoes and is recorded as having viewed only leads they own.
- A lead back from marketing resumes by its owner or a team lead.
- Reassign, escalate and acknowledge are team-lead actions: role `lead`.
- `assigned` and `closed_in_crm` come from a lead import, never from a person.
- Someone who is not a rep on the roster may do nothing.

Pure: the caller finds the rep (the roster) and the lead's owner before the
event (its history), and decides what a refusal means (nothing written).
"""

from __future__ import annotations

from leadqueue.domain.events import EventKind
from leadqueue.domain.roster import Rep

LEAD_ROLE = "lead"

K = EventKind
# Events about the rep's own work on the lead: only its owner records them.
OWNER_ONLY = frozenset(
    {K.ACCEPTED, K.REJECTED, K.NEEDS_INFO, K.TOUCHED, K.CONVERSATION, K.DISPOSED, K.UNDONE, K.VIEWED}
)
# Team-lead actions, on any rep's lead.
LEAD_ONLY = frozenset({K.REASSIGNED, K.ESCALATED, K.ACKNOWLEDGED})
# Whoever hears from marketing first: the owner, or a team lead on the owner's behalf.
OWNER_OR_LEAD = frozenset({K.RETURNED_FROM_MARKETING})
# Written by a lead import; no person records these.
IMPORT_ONLY = frozenset({K.ASSIGNED, K.CLOSED_IN_CRM})

# What a refusal says the actor tried to do.
_VERB = {
    K.ACCEPTED: "accept",
    K.REJECTED: "reject",
    K.NEEDS_INFO: "return to marketing",
    K.TOUCHED: "log a touch on",
    K.CONVERSATION: "log a conversation on",
    K.DISPOSED: "dispose",
    K.UNDONE: "undo a decision on",
    K.VIEWED: "be recorded viewing",
    K.RETURNED_FROM_MARKETING: "resume",
    K.REASSIGNED: "reassign",
    K.ESCALATED: "escalate",
    K.ACKNOWLEDGED: "acknowledge",
    K.ASSIGNED: "assign",
    K.CLOSED_IN_CRM: "close",
}


class NotAllowed(PermissionError):
    """An event its actor may not record; the message is one line saying why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_lead(rep: Rep | None) -> bool:
    return rep is not None and rep.role == LEAD_ROLE


def why_not(actor: Rep | None, kind: EventKind, lead_owner: str | None, who: str = "") -> str | None:
    """Why `actor` may not record `kind` on a lead owned by `lead_owner` (the owner
    before the event), or None when they may. `who` names an actor that is not
    on the roster, for the message."""
    kind = EventKind(kind)
    verb = _VERB[kind]
    if actor is None:
        name = f"{who!r}" if who else "someone"
        return f"{name} is not a rep on the roster: only the roster's reps may act"
    if kind in IMPORT_ONLY:
        return f"{actor.key} may not {verb} a lead: a lead import records {kind.value}"
    if kind in LEAD_ONLY:
        if is_lead(actor):
            return None
        return f"{actor.key} may not {verb}: that needs role {LEAD_ROLE} ({actor.key} is a {actor.role})"
    if lead_owner == actor.key:
        return None
    if kind in OWNER_OR_LEAD and is_lead(actor):
        return None
    whose = f"{lead_owner}'s lead" if lead_owner else "a lead with no owner"
    only = "only its owner or a team lead" if kind in OWNER_OR_LEAD else "only its owner"
    return f"{actor.key} may not {verb} {whose}: {only} may"


def check(actor: Rep | None, kind: EventKind, lead_owner: str | None, who: str = "") -> None:
    """Raise NotAllowed unless `actor` may record `kind` on a lead owned by `lead_owner`."""
    reason = why_not(actor, kind, lead_owner, who)
    if reason is not None:
        raise NotAllowed(reason)


def allowed(actor: Rep | None, kind: EventKind, lead_owner: str | None) -> bool:
    return why_not(actor, kind, lead_owner) is None
