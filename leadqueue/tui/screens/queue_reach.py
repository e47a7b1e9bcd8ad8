"""Reaching the person from the queue (issue 23, point 6): `y` copies the lead's
email, then its phone; `o` opens the lead in the CRM.

A mixin of QueueScreen, kept apart so the queue's module stays about the queue.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual.screen import Screen

from leadqueue.domain.safe_text import terminal_safe
from leadqueue.services.context import Services
from leadqueue.services.lead_view import load_lead_view
from leadqueue.tui.store_work import StoreWork

if TYPE_CHECKING:
    from leadqueue.domain.lead import LeadProfile
    from leadqueue.domain.queue_view import QueueRow
    from leadqueue.services.lead_view import LeadView

NO_CRM_URL = (
    'No CRM link set: add crm_url = "https://yourcompany.my.salesforce.com/{id}" to policy.toml '
    "({id} is where the lead's CRM id goes), then press o again."
)


def can_open_a_browser(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether a browser can open beside the terminal. On Linux without a display (a
    session over SSH), Python's webbrowser falls back to a text browser (lynx, w3m)
    run in this very terminal, under the app, which waits for it to quit."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform in ("darwin", "win32") or env.get("BROWSER"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def contact_to_copy(email: str, phone: str, last: str | None) -> tuple[str, str] | None:
    """(what, value) to copy: the email first, as a rep writes before calling; the
    phone on the next press (or at once when there is no email); then the email again."""
    choices = [(what, value.strip()) for what, value in (("email", email), ("phone", phone)) if value.strip()]
    if not choices:
        return None
    kinds = [what for what, _ in choices]
    if last in kinds:
        return choices[(kinds.index(last) + 1) % len(choices)]
    return choices[0]


class ReachInQueue(StoreWork, Screen[None]):
    # The queue screen's, used here.
    services: Services
    view: LeadView | None
    # (lead, what) last copied: the next `y` on the same lead copies the other contact.
    _copied: tuple[str, str] | None = None

    def _target(self) -> QueueRow | None:
        raise NotImplementedError

    # -- y: copy the email or the phone -----------------------------------------------------
    def action_copy_contact(self) -> None:
        row = self._target()
        if row is None:
            return
        if self.view is not None and self.view.profile.crm_id == row.crm_id:
            self._copy_contact(self.view.profile)
        else:  # the pane's read is still on its way: read the lead for the copy
            self._read_then_copy(row.crm_id)

    def _read_then_copy(self, crm_id: str) -> None:
        self.read(
            "reach",
            load_lead_view,
            self.services,
            crm_id,
            then=lambda view: self._copy_contact(view.profile),
            failed=lambda message: self.notify(message, severity="error", markup=False),
        )

    def _copy_contact(self, profile: LeadProfile) -> None:
        last = self._copied[1] if self._copied and self._copied[0] == profile.crm_id else None
        chosen = contact_to_copy(profile.email, profile.phone, last)
        if chosen is None:
            self.notify(
                f"No email or phone for {profile.name}", title="Copy", severity="warning", markup=False
            )
            return
        what, value = chosen
        # The clipboard gets what the pane shows: a control character from the CRM
        # (an escape sequence in an email) would run in whatever it is pasted into.
        self.app.copy_to_clipboard(terminal_safe(value))
        self._copied = (profile.crm_id, what)
        other = "phone" if what == "email" else "email"
        again = f" · y again copies the {other}" if profile.phone.strip() and profile.email.strip() else ""
        self.notify(f"Copied {what}: {value}{again}", title="Copy", markup=False)

    # -- o: open the lead in the CRM ---------------------------------------------------------
    def action_open_in_crm(self) -> None:
        row = self._target()
        if row is None:
            return
        link = self.services.policy.crm_link(row.crm_id)
        if link is None:
            self.notify(NO_CRM_URL, title="Open in CRM", severity="warning", timeout=10, markup=False)
            return
        if not can_open_a_browser():
            self.app.copy_to_clipboard(link)
            self.notify(
                f"No browser on this machine's display: the link is on the clipboard. {link}",
                title="Open in CRM",
                severity="warning",
                markup=False,
            )
            return
        self.app.open_url(link)
        # Shown too: a terminal that links web addresses lets the rep follow it from here.
        self.notify(f"Opening {link}", title="Open in CRM", markup=False)
