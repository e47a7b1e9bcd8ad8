"""Calling the rep back to a terminal in the background: the bell, and a desktop
notification where the terminal turns an escape sequence into one (issue 23, point 7).

Only while the terminal is in the background (Textual's `App.app_focus`, set by
the FocusIn/FocusOut reports a terminal sends): a rep looking at the queue
already sees the toast. A terminal that reports no focus changes is always
taken as in front, so it gets no bell: a rep is never rung for what is on screen.

What a notification quotes (a lead's name, its company) comes from data: it
passes `terminal_safe`, so no control character ends the sequence early and
starts another, and is cut short, as a notification is read at a glance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadqueue.domain.safe_text import terminal_safe
from leadqueue.settings.config import Alerts

if TYPE_CHECKING:
    from textual.app import App

TITLE = "leadqueue"
LONGEST = 120  # characters of a notification's text


def settings(app: App[object]) -> Alerts:
    """The `[alerts]` of the app's config (the defaults for an app without one)."""
    config = getattr(app, "config", None)
    alerts = getattr(config, "alerts", None)
    return alerts if isinstance(alerts, Alerts) else Alerts()


def notification(desktop: str, title: str, body: str) -> str:
    """The escape sequence of a desktop notification, or "" for `off`.

    OSC 9 carries one text; OSC 777 a title and a body, separated by `;` (so a
    `;` inside the title would move words into the body)."""
    title = _short(title).replace(";", ",")
    body = _short(body)
    if desktop == "osc9":
        return f"\x1b]9;{title}: {body}\x07"
    if desktop == "osc777":
        return f"\x1b]777;notify;{title};{body}\x07"
    return ""


def _short(text: str) -> str:
    text = " ".join(terminal_safe(text).split())
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def alert(app: App[object], title: str, body: str) -> bool:
    """Ring and notify if the terminal is in the background and the config allows;
    True when something was sent."""
    if app.app_focus:
        return False
    wanted = settings(app)
    sequence = notification(wanted.desktop, f"{TITLE}: {title}", body)
    if wanted.bell:
        app.bell()
    if sequence:
        write_to_terminal(app, sequence)
    return wanted.bell or bool(sequence)


def write_to_terminal(app: App[object], sequence: str) -> None:
    """Textual 8 has no public way to write an escape sequence of one's own: its
    `bell()` and `copy_to_clipboard()` write theirs through the driver, as this
    does. The one private call of the app, kept here; nothing is written in a
    headless run (tests), as `bell()` does."""
    driver = app._driver  # private: see above
    if driver is not None and not app.is_headless:
        driver.write(sequence)
