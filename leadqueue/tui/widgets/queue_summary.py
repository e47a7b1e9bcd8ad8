"""The queue's header line: whose queue, the two sections and their counts, what
needs attention, sync, the filter in force, the marks and how to clear them, and
a store that does not answer. Words carry every state; colour only adds to them."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

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
