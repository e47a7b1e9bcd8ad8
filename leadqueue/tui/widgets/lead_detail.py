"""The detail pane: everything docs/domain.md says a rep must see to decide."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from leadqueue.domain.duplicates import is_valid_email
from leadqueue.domain.durations import format_seconds
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lifecycle import LeadState
from leadqueue.domain.next_step import parse_due
from leadqueue.services.lead_view import LeadView
from leadqueue.tui.format import (
    CHECK_MARK,
    STATE_LABEL,
    STATE_STYLE,
    TIER_STYLE,
    ago,
    countdown,
    in_zone,
    lead_name,
    visible,
)
from leadqueue.tui.step_text import DONE_STYLE, OVERDUE_STYLE, local_time, relative

UTC_ZONE = ZoneInfo("UTC")


class LeadDetail(VerticalScroll, can_focus=False):
    """Never focused (the list keeps the keys): the queue's J and K scroll it."""

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text("Select a lead to see its context.", style="dim"), id="detail-body")

    def show(self, view: LeadView | None, now: datetime, zone: ZoneInfo = UTC_ZONE) -> None:
        body = self.query_one("#detail-body", Static)
        if view is None:
            body.update(Text("Nothing selected.", style="dim"))
            return
        body.update(render_view(view, now, zone))
        self.scroll_home(animate=False)

    def tick(self, view: LeadView, now: datetime, zone: ZoneInfo = UTC_ZONE) -> None:
        """Re-render the countdowns without moving the scroll position; a lead
        with no open clock has nothing that ticks."""
        if not any(c.is_open and c.deadline is not None for c in view.clocks):
            return
        self.query_one("#detail-body", Static).update(render_view(view, now, zone))

    def scroll_by_half(self, direction: int) -> None:
        """Half the pane down (1) or up (-1): a long lead reads in a few presses,
        keeping a few lines of the last view for the eye to follow."""
        step = max(3, self.scrollable_content_region.height // 2)
        self.scroll_relative(y=direction * step, animate=False)

    def show_message(self, message: str) -> None:
        # An error may quote the lead's id: shown as text, control characters visible.
        self.query_one("#detail-body", Static).update(Text(visible(message), style="dim"))


def _section(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def render_view(view: LeadView, now: datetime, zone: ZoneInfo = UTC_ZONE) -> RenderableType:
    """The pane's content. Every value from the lead, the roster or the policy goes
    through `visible` into a plain Text: a name is never markup, and its control
    characters (a window title, a clipboard write, a screen wipe) are made visible."""
    p, h = view.profile, view.history
    parts: list[RenderableType] = []
    head = Text()
    head.append(visible(p.name), style="bold")
    if p.title:
        head.append(f" · {visible(p.title)}")
    if p.seniority:
        head.append(f" ({visible(p.seniority).replace('_', ' ')})", style="dim")
    head.append(f"\n{visible(p.company) or 'unknown company'}", style="bold")
    facts = [p.industry, f"{p.employees:,} employees" if p.employees else "", p.region, p.domain]
    head.append("  " + " · ".join(visible(f) for f in facts if f), style="dim")
    parts.append(head)

    status = Text()
    # The tier and the policy's rule that gave it: `HOT: demo request`.
    status.append(view.tier.value.upper(), style=TIER_STYLE.get(view.tier.value, ""))
    if view.tier_reason:
        status.append(f": {visible(view.tier_reason)}", style=TIER_STYLE.get(view.tier.value, ""))
    status.append(
        f"  ·  {(h.state.value if h.state else '?').replace('_', ' ')}  ·  rep {visible(view.rep_name)}"
        f"  ·  id {visible(p.crm_id)}"
    )
    parts.append(status)

    contact = Text()
    verified = {True: " ✔ verified", False: " ✘ bounced", None: " (unverified)"}[p.email_verified]
    if not is_valid_email(p.email):  # a CRM's "verified" flag on a text that is no email says nothing
        verified = " ✘ not an email"
    contact.append(f"✉ {visible(p.email) or '—'}{verified if p.email else ''}\n")
    contact.append(f"☎ {visible(p.phone) or '—'}   {visible(p.profile_url)}", style="")
    if view.local_zone is not None:  # known from a time zone column or a country with one zone
        contact.append(f"\n◷ local time {view.local_zone.local_time(now, zone)}")
    parts.append(contact)
    parts.extend(_next_step(view, now, zone))

    open_clocks = [c for c in view.clocks if c.is_open]
    if open_clocks:
        parts.append(_section("SLA clocks"))
        for c in open_clocks:
            line = Text()
            state = c.state.value
            line.append(f"{c.clock.value.replace('_', ' '):<12}", style="bold")
            line.append(f"{STATE_LABEL[state]:<10}", style=STATE_STYLE[state])
            if c.deadline is not None:
                line.append(
                    f"{countdown(c.deadline, now):>12}  due {in_zone(c.deadline, zone)}",
                    style=STATE_STYLE[state],
                )
            elif c.left_seconds < 0:
                # a pause never forgives a breach: say so, or the rep would expect a fresh clock
                overdue = format_seconds(-c.left_seconds)
                line.append(f"  resumes {overdue} overdue", style=STATE_STYLE["breached"])
            else:
                line.append(f"  resumes with {format_seconds(c.left_seconds)} left", style="blue")
            parts.append(line)

    parts.append(_section("Acceptance checklist"))
    for item in view.checklist:
        mark, style = CHECK_MARK[item.status.value]
        line = Text()
        line.append(f" {mark} ", style=f"bold {style}")
        line.append(visible(item.label), style="bold" if item.required else "")
        line.append(f"  {visible(item.detail)}", style="dim")
        parts.append(line)

    parts.append(_section(f"Score {p.score if p.score is not None else '—'}"))
    table = Table.grid(padding=(0, 1))
    for item in sorted(p.score_breakdown, key=lambda s: (s.kind != "fit", -s.points)):
        when = ago(item.at, now) if item.at else ""
        table.add_row(
            Text(f"+{item.points}", style="green"),
            Text(visible(item.label)),
            Text(visible(item.kind), style="dim"),
            Text(when, style="dim"),
        )
    parts.append(table)

    parts.append(_section("Engagement (newest first)"))
    for t in sorted(p.touchpoints, key=lambda t: t.at, reverse=True)[:12]:
        line = Text()
        line.append(f" {in_zone(t.at, zone, '%d %b %H:%M')}  ", style="dim")
        line.append(visible(t.label), style="bold magenta" if t.mql_trigger else "")
        if t.mql_trigger:
            line.append("  ◀ MQL trigger", style="bold magenta")
        parts.append(line)
    if not p.touchpoints:
        parts.append(Text(" no engagement recorded", style="dim"))

    src = Text()
    src.append("\nSource ", style="bold")
    src.append(" · ".join(visible(x) for x in (p.source, p.campaign, p.channel) if x) or "—")
    parts.append(src)
    if p.content:
        items = " · ".join(f"{visible(c.title)} [{visible(c.stage)}]" for c in p.content)
        parts.append(Text("Content  " + items))
    if p.tech_stack or p.growth_signals or p.third_party_intent:
        parts.append(Text("Tech  " + ", ".join(visible(t) for t in p.tech_stack), style="dim"))
        for g in p.growth_signals:
            parts.append(Text(f"▲ {visible(g)}", style="green"))
        if p.third_party_intent:
            parts.append(Text("Intent  " + ", ".join(visible(i) for i in p.third_party_intent), style="cyan"))
    if p.talk_track:
        parts.append(_section("Talk track"))
        # Written over several lines by marketing: its line breaks stay, its control characters do not.
        parts.append(Text(visible(p.talk_track, keep_layout=True), style="italic"))

    if view.duplicates:
        parts.append(_section("Possible duplicates"))
        for d in view.duplicates:
            # By name, with the id an R5 rejection asks for.
            who = lead_name(f"{d.first_name} {d.last_name}".strip(), d.company, d.crm_id)
            parts.append(Text(f" {who} · {visible(d.state)} · {visible(d.owner)}", style="yellow"))
    if view.account_contacts:
        parts.append(_section("Others at this account"))
        for c in view.account_contacts[:8]:
            who = lead_name(f"{c.first_name} {c.last_name}".strip(), "", c.crm_id)
            parts.append(Text(f" {who} · {visible(c.title)} · {visible(c.state)}", style="dim"))

    parts.append(_section("History"))
    for e in reversed(view.events[-8:]):
        parts.append(_history_line(e, zone))
    return Group(*parts)


def _next_step(view: LeadView, now: datetime, zone: ZoneInfo) -> list[RenderableType]:
    """What the rep committed to on accepting: kind, due time in the rep's zone, note,
    and whether it is overdue (said in words, not only in red) or done."""
    step = view.next_step
    if step is None:
        return []
    line = Text()
    line.append(f" {visible(step.kind)}", style="bold")
    if step.due is not None:
        line.append(f"  due {local_time(step.due, zone)}")
    if step.done_at is not None:
        line.append(f"  ✓ done {local_time(step.done_at, zone)}", style=DONE_STYLE)
    elif view.history.state is not LeadState.ACCEPTED:
        line.append("  lead closed", style="dim")
    elif step.due is not None and step.overdue(now):
        line.append(f"  ! OVERDUE {relative(step.due, now).removesuffix(' overdue')}", style=OVERDUE_STYLE)
    elif step.due is not None:
        line.append(f"  {relative(step.due, now)}", style="dim")
    out: list[RenderableType] = [_section("Next step"), line]
    if step.note:
        out.append(Text(f" {visible(step.note, keep_layout=True)}", style="italic"))
    return out


def _history_line(e: Event, zone: ZoneInfo) -> Text:
    """One event, its time in the rep's zone; an acceptance with the step it committed to."""
    line = Text(f" {local_time(e.at, zone)}  {e.kind.value:<12} {visible(e.actor)}", style="dim")
    if e.kind is EventKind.ACCEPTED and e.payload.get("next_step"):
        due = parse_due(str(e.payload.get("due", "")))
        step = visible(e.payload["next_step"]) + (f" due {local_time(due, zone)}" if due else "")
        note = visible(e.payload.get("note", ""))
        line.append(f"\n   → {step}" + (f": {note}" if note else ""), style="dim")
    elif e.kind is EventKind.REASSIGNED:  # who it went to: the actor is who moved it
        line.append(
            f" {visible(str(e.payload.get('from') or '-'))} → {visible(str(e.payload.get('to') or '-'))}"
        )
    elif e.kind in (EventKind.REJECTED, EventKind.DISPOSED) and e.payload.get("reason"):
        line.append(f" {visible(str(e.payload['reason']))}")
    return line
