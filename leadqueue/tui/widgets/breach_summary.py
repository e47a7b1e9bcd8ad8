"""The breaches screen's header line: the team's breached, at-risk and re-route
counts (or that every rep's clocks are still loading), the grouping, the marks,
live routing, and a store that does not answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.events import Resize
from textual.reactive import var
from textual.widgets import Static

from leadqueue.tui.format import visible

Totals = tuple[int, int, int]  # breached, at risk, to re-route


@dataclass(frozen=True)
class BreachFacts:
    totals: Totals | None  # None until the list is first loaded
    partial: bool  # only the first reps' clocks are loaded yet
    by: str
    marked: int
    routing_live: bool
    error: str
    wide: bool


def breach_summary_text(s: BreachFacts) -> Text:
    text = Text(no_wrap=False)
    text.append(" Breaches · all reps " if s.wide else " Breaches ", style="bold reverse")
    if s.totals is not None and s.partial:
        text.append("  loading every rep's clocks…", style="dim")
    elif s.totals is not None:
        breached, at_risk, reroute = s.totals
        text.append(f"  breached {breached}", style="bold red")
        text.append(f"  at risk {at_risk}", style="bold yellow")
        text.append(f"  re-route {reroute}", style="bold magenta")
    text.append(f"   by {s.by} (g)" if s.wide else f"   by {s.by}", style="cyan")
    if s.marked:
        text.append(f"   {s.marked} marked", style="magenta")
    if s.routing_live:
        text.append("   routing live (L)", style="bold green")
    if s.error:
        text.append(f"   ⚠ {visible(s.error)}", style="bold red")
    return text


class BreachSummary(Static):
    """The header as a widget: its facts are reactive, bound to the breaches screen's
    own (`data_bind`), so setting them repaints it; the same facts set again (the
    totals of a tick in which no clock turned) repaint nothing. `wide` is its own."""

    totals: var[Totals | None] = var(None)
    partial: var[bool] = var(False)
    by: var[str] = var("rep")
    marked: var[frozenset[str]] = var(frozenset())
    routing_live: var[bool] = var(False)
    error: var[str] = var("")
    wide: var[bool] = var(True)
    facts: var[BreachFacts | None] = var(None)

    def __init__(self, narrow_below: int, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.narrow_below = narrow_below

    def compute_facts(self) -> BreachFacts:
        return BreachFacts(
            self.totals, self.partial, self.by, len(self.marked), self.routing_live, self.error, self.wide
        )

    def watch_facts(self, facts: BreachFacts | None) -> None:
        if facts is not None:
            self.update(breach_summary_text(facts))

    def on_resize(self, event: Resize) -> None:
        self.wide = event.size.width >= self.narrow_below
