"""The team lead's live router: `L` on the breaches screen runs `leadqueue route
--once` every ROUTE_EVERY seconds while the screen is open (off by default;
a timer or cron does it otherwise). Each pass runs in a thread worker; what
it did shows as a toast, and the screen reloads.
"""

from __future__ import annotations

from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer

from leadqueue.services.context import Services
from leadqueue.services.decisions import USER_ERRORS
from leadqueue.services.errors import StoreError
from leadqueue.services.routing import RouteSummary, RoutingRefused, RoutingService
from leadqueue.tui.store_work import StoreWork

ROUTE_EVERY = 15.0  # seconds between passes while live routing is on


class LiveRouting(StoreWork, Screen[None]):
    """Mixed into the breaches screen, which binds `toggle_routing`, shows
    `routing_live` in its header (bound to it) and has `reload()` run after a pass."""

    services: Services
    routing_timer: Timer | None = None
    routing_live: var[bool] = var(False, init=False)  # whether routing_timer runs

    def action_toggle_routing(self) -> None:
        if self.routing_timer is not None:
            self.routing_timer.stop()
            self.routing_timer = None
            self.routing_live = False
            self.notify("Live routing off", title="Routing", markup=False)
        else:
            self.routing_timer = self.set_interval(ROUTE_EVERY, self.route_now)
            self.routing_live = True
            self.notify(f"Live routing on: every {ROUTE_EVERY:g} s", title="Routing", markup=False)
            self.route_now()

    def route_now(self) -> None:
        # A write: what it did is said even if the team lead has left the screen meanwhile.
        self.write("routing", route_once, self.services, then=self._routed)

    def _routed(self, outcome: RouteSummary | str) -> None:
        if isinstance(outcome, str):
            self._routing_failed(outcome)
            return
        summary = outcome
        if summary.changed or summary.warnings:
            # names of reps and rules are the team's data: plain text
            text = "; ".join([*summary.lines(), *summary.warnings])
            self.app.notify(text, title="Routing", timeout=8, markup=False)
        if summary.changed and self.is_attached:
            self.reload()

    def _routing_failed(self, message: str) -> None:
        if self.routing_timer is not None:  # a router that cannot run here is turned off, not retried
            self.routing_timer.stop()
            self.routing_timer = None
        self.routing_live = False
        self.app.notify(message, title="Routing off", severity="error", timeout=10, markup=False)

    def reload(self) -> None:
        raise NotImplementedError


def route_once(services: Services) -> RouteSummary | str:
    """One routing pass, in the write's thread: what it did, or why it could not run."""
    try:
        return RoutingService(services).route_once()
    except (RoutingRefused, StoreError, *USER_ERRORS) as exc:
        return str(exc)
