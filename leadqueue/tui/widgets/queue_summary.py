"""The queue's header line: whose queue, the two sections and their counts, what
needs attention, sync, the filter in force, the marks and how to clear them, and
a store that does not answer. Words carry every state; colour only adds to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.events import Resize
from textual.reactive import var
from textual.widgets import Static

from leadqueue.domain.queue_view import QueueCounts, QueueFilter
from leadqueue.tui.format import visible

SECTION_TITLES = {"decide": "Decide", "follow_up": "Follow up"}


@dataclass(frozen=True)
class Summary:
    filter: QueueFilter
    counts: QueueCounts | None
    unsent: int | None
    syncing: bool
    marked: int
    clear_key: str  # the key that clears the marks (esc, or the user's)
    error: str
    wide: bool  # room for the long labels; short ones keep the unsent count at 80 columns


def summary_text(s: Summary) -> Text:
    c, f = s.counts, s.filter
    text = Text()
    who = visible(f.owner or "all reps")
    text.append(f" leadqueue · {who} " if s.wide else f" {who} ", style="bold reverse")
    for key, title in SECTION_TITLES.items():
        n = (c.decide if key == "decide" else c.follow_up) if c else 0
        style = "bold underline" if key == f.section else "dim"
        text.append(f"  {title} ({n})" if s.wide else f"  {title} {n}", style=style)
    marks = f"{s.marked} marked · {s.clear_key} clears" if s.marked else ""
    if marks and s.wide:
        # Right after the sections, where the eye is: the next r or i acts on every marked lead.
        text.append(f"   {marks}", style="bold magenta")
    if c:
        text.append(f"   open {c.open}", style="bold")
        text.append(f"  {'at risk' if s.wide else 'risk'} {c.at_risk}", style="bold yellow")
        text.append(f"  {'breached' if s.wide else 'breach'} {c.breached}", style="bold red")
    if s.syncing:
        text.append("  syncing…", style="bold cyan")
    elif s.unsent is not None:
        text.append(f"  unsent {s.unsent}", style="bold magenta" if s.unsent else "dim")
    active = [
        f"tier={','.join(sorted(f.tiers))}" if f.tiers else "",
        f"state={f.clock_state}" if f.clock_state else "",
        f"source={visible(f.source)}" if f.source else "",
        f"search='{visible(f.search)}'" if f.search else "",
    ]
    if any(active):
        text.append("   filter: " + " ".join(a for a in active if a), style="cyan")
    if marks and not s.wide:  # a line of its own, rather than a count cut in two by the wrap
        text.append(f"\n {marks}", style="bold magenta")
    if s.error:
        text.append(f"   ⚠ {visible(s.error)}", style="bold red")
    return text


class QueueSummary(Static):
    """The header as a widget: its facts are reactive, bound to the queue screen's
    own (`data_bind`), so setting the screen's counts, filter, marks, unsent count,
    sync state or error repaints it, and nothing else has to. `wide` is its own,
    from its width. The facts are one frozen value: the same facts set again
    (a poll that found nothing new) repaint nothing."""

    filter: var[QueueFilter] = var(QueueFilter)
    counts: var[QueueCounts | None] = var(None)
    unsent: var[int | None] = var(None)
    syncing: var[bool] = var(False)
    marked: var[frozenset[str]] = var(frozenset())
    clear_key: var[str] = var("esc")
    error: var[str] = var("")
    wide: var[bool] = var(True)
    facts: var[Summary | None] = var(None)

    def __init__(self, narrow_below: int, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.narrow_below = narrow_below

    def compute_facts(self) -> Summary:
        return Summary(
            self.filter,
            self.counts,
            self.unsent,
            self.syncing,
            len(self.marked),
            self.clear_key,
            self.error,
            self.wide,
        )

    def watch_facts(self, facts: Summary | None) -> None:
        if facts is not None:
            self.update(summary_text(facts))

    def on_resize(self, event: Resize) -> None:
        # Short labels on narrow terminals, so the unsent count still fits at 80 columns.
        self.wide = event.size.width >= self.narrow_below
