"""The team lead's breaches screen: every open clock that is breached or at risk,
across all reps, grouped by rep or by clock, with a live countdown.

The report (reports.breaches) is loaded in a thread worker; the countdown and the
escalation level are then recomputed every second from each row's deadline and
the injected clock, for the rows on screen only.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import uuid
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Click, Resize
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from leadqueue.domain.policy import ClockName, Policy, Tier
from leadqueue.domain.sla import CalendarFor, Meter
from leadqueue.domain.when import describe
from leadqueue.services import reports
from leadqueue.services.context import Services
from leadqueue.services.decisions import USER_ERRORS, DecisionService
from leadqueue.settings import paths
from leadqueue.store import repository as repo
from leadqueue.store.engine import StoreError
from leadqueue.tui.format import countdown
from leadqueue.tui.screens.forms import ConfirmScreen
from leadqueue.tui.screens.help import HelpScreen
from leadqueue.tui.screens.reassign import ReassignForm, Reassignment

log = logging.getLogger(__name__)

RELOAD_EVERY = 30.0  # seconds: new at-risk clocks appear without a key press
NARROW_BELOW = 110
CLOCK_ORDER = ("decision", "first_touch", "discovery", "disposition")
CLOCK_LABEL = {
    "decision": "decision",
    "first_touch": "1st touch",
    "discovery": "discovery",
    "disposition": "dispose",
}
# The report's escalation levels, and how the screen says them.
LEVEL_LABEL = {"at_risk": "at risk", "breached": "breached", "reroute": "re-route"}
LEVEL_STYLE = {"at_risk": "bold yellow", "breached": "bold red", "reroute": "bold magenta"}
DEFAULT_ACTOR = "team-lead"
COLUMN_ORDER = ("mark", "lead", "name", "company", "id", "tier", "other", "due", "left", "level")


# -- rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreachRow:
    """One open clock of the report, with what the live countdown needs."""

    lead_id: str
    name: str
    company: str
    rep: str
    clock: str
    tier: str
    deadline: datetime | None
    reroute_at: datetime | None
    window: str  # as the policy writes it: "4h", "5bd"
    state: str  # as the report saw it; only used for a clock without a deadline
    acknowledged: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.lead_id, self.clock)

    def level(self, now: datetime) -> str:
        """The report's escalation at `now`: 'at_risk' before the deadline, 'breached'
        after it, 'reroute' once overdue by the clock's whole window again."""
        if self.deadline is None:
            return "breached" if self.state == "breached" else "at_risk"
        if now < self.deadline:
            return "at_risk"
        if self.reroute_at is not None and now >= self.reroute_at:
            return "reroute"
        return "breached"


def parse_instant(value: Any) -> datetime | None:
    """The report gives ISO strings ('...Z'); a datetime is taken as is."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def reroute_instant(
    policy: Policy, calendar_for: CalendarFor, c: reports.OpenClock, deadline: datetime | None
) -> tuple[datetime | None, float]:
    """(re-route instant, budget) the way sla.evaluate_run sets ClockStatus.reroute_at:
    the deadline plus the clock's whole budget, in the clock's own measure (so a
    business-day window adds working time on the rep's calendar)."""
    started = parse_instant(c.started_at)
    if deadline is None or started is None:
        return None, 0.0
    meter = Meter(policy.windows.for_clock(ClockName(c.clock), Tier(c.tier)), calendar_for(c.rep))
    budget = max(0.0, meter.budget(started, meter.first_deadline(started)))
    return meter.add(deadline, budget), budget


def breach_row(c: reports.OpenClock, policy: Policy, calendar_for: CalendarFor, as_of: datetime) -> BreachRow:
    deadline = parse_instant(c.deadline)
    reroute, _budget = reroute_instant(policy, calendar_for, c, deadline)
    # OpenClock may come to carry the instant itself: prefer it.
    reroute = parse_instant(getattr(c, "reroute_at", None)) or reroute
    # The report's escalation is the authority at the moment it was read; the
    # derived instant only moves a row on between two reloads.
    escalation = getattr(c, "escalation", None)
    if escalation == "reroute" and (reroute is None or reroute > as_of):
        reroute = as_of
    elif escalation in ("at_risk", "breached") and reroute is not None and reroute <= as_of:
        reroute = None
    return BreachRow(
        lead_id=c.lead_id,
        name=c.name,
        company=c.company,
        rep=c.rep,
        clock=c.clock,
        tier=c.tier,
        deadline=deadline,
        reroute_at=reroute,
        window=policy.windows.for_clock(ClockName(c.clock), Tier(c.tier)).window,
        state=c.state,
        acknowledged=bool(getattr(c, "acknowledged", False)),
    )


# -- groups ----------------------------------------------------------------------------


@dataclass
class Group:
    key: str
    label: str
    rows: list[BreachRow]
    # Sorted instants: the live totals are two bisections a second, not a pass over the rows.
    deadlines: list[datetime] = field(default_factory=list)
    reroutes: list[datetime] = field(default_factory=list)
    undated_breached: int = 0

    def __post_init__(self) -> None:
        self.deadlines = sorted(r.deadline for r in self.rows if r.deadline is not None)
        self.reroutes = sorted(r.reroute_at for r in self.rows if r.reroute_at is not None)
        self.undated_breached = sum(1 for r in self.rows if r.deadline is None and r.state == "breached")

    def totals(self, now: datetime) -> tuple[int, int, int]:
        """(breached, at risk, re-route) at `now`; re-route rows count as breached too."""
        breached = bisect_right(self.deadlines, now) + self.undated_breached
        return breached, len(self.rows) - breached, bisect_right(self.reroutes, now)


def group_rows(rows: Iterable[BreachRow], by: str, rep_names: dict[str, str]) -> list[Group]:
    """Groups in a stable order (reps by key, clocks in lifecycle order); rows keep
    the report's order inside a group: most overdue first."""
    buckets: dict[str, list[BreachRow]] = {}
    for row in rows:
        buckets.setdefault(row.rep if by == "rep" else row.clock, []).append(row)
    if by == "rep":
        order = sorted(buckets)
    else:
        order = [c for c in CLOCK_ORDER if c in buckets] + sorted(set(buckets) - set(CLOCK_ORDER))
    groups = []
    for key in order:
        if by == "rep":
            name = rep_names.get(key, "")
            label = f"{key} · {name}" if name and name != key else key
        else:
            label = f"{CLOCK_LABEL.get(key, key)} clock"
        groups.append(Group(key, label, buckets[key]))
    return groups


def team_totals(groups: Sequence[Group], now: datetime) -> tuple[int, int, int]:
    sums = [g.totals(now) for g in groups]
    return sum(s[0] for s in sums), sum(s[1] for s in sums), sum(s[2] for s in sums)


# -- export (shared with the metrics screen) ----------------------------------------------


def export_folder() -> Path:
    """The current directory, where the user will look first; the data folder when
    the current directory is not writable (e.g. started from /)."""
    here = Path.cwd()
    if os.access(here, os.W_OK):
        return here
    folder = paths.data_dir() / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_export(stem: str, ext: str, now: datetime, content: str) -> Path:
    """Write `content` to '<stem>-<UTC stamp>.<ext>' atomically: a temp file in the same
    folder, fsync, then os.replace, so a reader never sees half a file."""
    folder = export_folder()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{stem}-{stamp}.{ext}"
    n = 2
    while target.exists():  # two exports within the same second (or a frozen clock)
        target = folder / f"{stem}-{stamp}-{n}.{ext}"
        n += 1
    # Spreadsheets need the BOM to read accented names in a CSV.
    encoding = "utf-8-sig" if ext == "csv" else "utf-8"
    # Not mkstemp: its 0600 would make a file meant for sharing unreadable to others;
    # open(..., "x") creates it with the user's umask and never reuses a name.
    temp = folder / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        with open(temp, "x", encoding=encoding, newline="") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def csv_text(fields: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


EXPORT_FIELDS = (
    "group",
    "lead_id",
    "name",
    "company",
    "rep",
    "clock",
    "tier",
    "deadline",
    "deadline_local",
    "remaining_seconds",
    "left",
    "escalation",
    "acknowledged",
)


def export_records(
    rows: Sequence[tuple[str, BreachRow]], now: datetime, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """The rows as shown (group, then row), at `now`. Field names and values follow
    the CLI's breaches report (remaining_seconds, escalation, acknowledged)."""
    out = []
    for group, r in rows:
        out.append(
            {
                "group": group,
                "lead_id": r.lead_id,
                "name": r.name,
                "company": r.company,
                "rep": r.rep,
                "clock": r.clock,
                "tier": r.tier,
                "deadline": reports.iso(r.deadline) or "",
                "deadline_local": r.deadline.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
                if r.deadline
                else "",
                "remaining_seconds": int((r.deadline - now).total_seconds()) if r.deadline else "",
                "left": countdown(r.deadline, now) if r.deadline else "",
                "escalation": r.level(now),
                "acknowledged": r.acknowledged,
            }
        )
    return out


def binding_rows(bindings: Iterable[Any], keymap: dict[str, str]) -> list[tuple[str, str, str]]:
    """(keys, description, id) for the help screen, with the user's keymap applied."""
    rows = []
    for binding in bindings:
        if not isinstance(binding, Binding):
            continue
        keys = keymap.get(binding.id or "", binding.key)
        rows.append((keys.replace("question_mark", "?"), binding.description or "", binding.id or ""))
    rows.append(("ctrl+p", "Command palette (every action, themes)", ""))
    return rows


# -- the list ----------------------------------------------------------------------------


class BreachList(Widget, can_focus=True):
    """Group headers and rows under a sticky column header; draws only what is on screen."""

    now: reactive[datetime | None] = reactive(None, layout=False)

    class Highlighted(Message):
        def __init__(self, row: BreachRow | None) -> None:
            super().__init__()
            self.row = row

    def __init__(self, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zone = zone
        self.by = "rep"
        self.groups: list[Group] = []
        self.lines: list[Group | BreachRow] = []
        self.row_lines: list[int] = []  # line index of each row, in display order
        self.cursor = 0  # index into row_lines
        self.top = 0  # first line drawn under the column header
        self.marked: set[str] = set()  # lead ids: actions work per lead
        self.loaded = False

    # -- data ------------------------------------------------------------------------
    def set_groups(self, groups: list[Group], by: str, keep: tuple[str, str] | int | None = None) -> None:
        self.groups, self.by = groups, by
        self.lines = []
        self.row_lines = []
        for group in groups:
            self.lines.append(group)
            for row in group.rows:
                self.row_lines.append(len(self.lines))
                self.lines.append(row)
        self.loaded = True
        rows = self.rows
        index = 0
        if isinstance(keep, int):
            index = keep
        elif keep is not None:
            index = next((i for i, r in enumerate(rows) if r.key == keep), self.cursor)
        self.cursor = max(0, min(index, len(rows) - 1)) if rows else 0
        self.top = min(self.top, max(0, len(self.lines) - self.page))
        self._follow()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    @property
    def rows(self) -> list[BreachRow]:
        return [self.lines[i] for i in self.row_lines]  # type: ignore[misc]

    def shown(self) -> list[tuple[str, BreachRow]]:
        """Every row with its group's key, in the order on screen."""
        return [(g.key, r) for g in self.groups for r in g.rows]

    @property
    def current(self) -> BreachRow | None:
        if not self.row_lines:
            return None
        row = self.lines[self.row_lines[self.cursor]]
        assert isinstance(row, BreachRow)
        return row

    # -- movement ----------------------------------------------------------------------
    @property
    def page(self) -> int:
        return max(1, self.size.height - 1)

    def move(self, delta: int) -> None:
        if not self.row_lines:
            return
        target = max(0, min(len(self.row_lines) - 1, self.cursor + delta))
        if target != self.cursor:
            self.cursor = target
            self._follow()
            self.refresh()
            self.post_message(self.Highlighted(self.current))

    def _follow(self) -> None:
        if not self.row_lines:
            self.top = 0
            return
        line = self.row_lines[self.cursor]
        # Show the group header above the first row of a group, so the row is never orphaned.
        first = line - 1 if isinstance(self.lines[line - 1], Group) else line
        if first < self.top:
            self.top = first
        elif line >= self.top + self.page:
            self.top = line - self.page + 1

    def toggle_mark(self) -> None:
        row = self.current
        if row is not None:
            self.marked.symmetric_difference_update({row.lead_id})
            self.refresh()

    def on_click(self, event: Click) -> None:
        line = self.top + event.y - 1
        if line in self.row_lines:
            self.move(self.row_lines.index(line) - self.cursor)

    def on_resize(self) -> None:
        self._follow()

    def watch_now(self) -> None:
        self.refresh()

    # -- drawing -------------------------------------------------------------------------
    def columns(self, width: int) -> dict[str, int]:
        """Fixed columns for the decision facts; name and company share the rest. Narrow
        terminals get one LEAD column ("name · company") so the name stays readable."""
        wide = width >= NARROW_BELOW
        w = {"mark": 2, "id": 16, "other": 10, "due": 21 if wide else 13, "left": 11, "level": 9}
        if wide:
            w["tier"] = 9
        room = width - sum(w.values())
        if wide:
            w["name"] = max(6, (room + 1) // 2)
            w["company"] = max(6, room - w["name"])
        else:
            w["lead"] = max(12, room)
        return w

    def render(self) -> RenderableType:
        width = self.size.width
        w = self.columns(width)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append_text(self._header(w, width))
        if not self.row_lines:
            message = "No open clock is breached or at risk." if self.loaded else "Loading…"
            text.append(f"\n  {message}", style="dim")
            return text
        now = self.now
        current_line = self.row_lines[self.cursor]
        for index in range(self.top, min(len(self.lines), self.top + self.page)):
            text.append("\n")
            item = self.lines[index]
            if isinstance(item, Group):
                text.append_text(self._group_line(item, now, width))
            else:
                text.append_text(self._row_line(item, w, now, width, index == current_line))
        return text

    def _header(self, w: dict[str, int], width: int) -> Text:
        zone = self.now.astimezone(self.zone).tzname() if self.now else ""
        titles = {
            "mark": "",
            "name": "LEAD",
            "company": "COMPANY",
            "lead": "LEAD · COMPANY",
            "id": "CRM ID",
            "tier": "TIER",
            "other": "CLOCK" if self.by == "rep" else "REP",
            "due": f"DEADLINE {zone}".strip(),
            "left": "LEFT",
            "level": "LEVEL",
        }
        header = Text(no_wrap=True)
        for col in self._order(w):
            label = titles[col][: w[col] - 1]
            header.append(label.rjust(w[col] - 1) + " " if col == "left" else label.ljust(w[col]))
        header.pad_right(max(0, width - header.cell_len))
        header.stylize("bold reverse")
        return header

    @staticmethod
    def _order(w: dict[str, int]) -> list[str]:
        return [c for c in COLUMN_ORDER if c in w]

    def _group_line(self, group: Group, now: datetime | None, width: int) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"▾ {group.label}", style="bold")
        line.append(f"  ({len(group.rows)})", style="dim")
        if now is not None:
            breached, at_risk, reroute = group.totals(now)
            line.append("  breached ", style="dim")
            line.append(str(breached), style="bold red")
            line.append(" · at risk ", style="dim")
            line.append(str(at_risk), style="bold yellow")
            if reroute:
                line.append(" · re-route ", style="dim")
                line.append(str(reroute), style="bold magenta")
        # A dim rule to the edge separates the groups without a blank line.
        fill = width - line.cell_len - 1
        if fill > 0:
            line.append(" " + "─" * fill, style="dim")
        return line

    def _row_line(
        self, row: BreachRow, w: dict[str, int], now: datetime | None, width: int, selected: bool
    ) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        # ● marked for an action; ✓ a team lead has acknowledged the breach
        mark = "●" if row.lead_id in self.marked else ("✓" if row.acknowledged else " ")
        line.append(f"{'▶' if selected else ' '}{mark}", style="bold")
        if "lead" in w:
            line.append_text(_lead_cell(row, w["lead"]))
        else:
            line.append(_fit(row.name, w["name"]), style="bold")
            line.append(_fit(row.company, w["company"]))
        line.append(_fit(row.lead_id, w["id"]), style="cyan")
        if "tier" in w:
            line.append(_fit(row.tier, w["tier"]), style="dim")
        other = CLOCK_LABEL.get(row.clock, row.clock) if self.by == "rep" else row.rep
        line.append(_fit(other, w["other"]))
        line.append(_fit(self._due(row, w["due"] > 13), w["due"]))
        if now is not None:
            level = row.level(now)
            style = LEVEL_STYLE[level]
            left = countdown(row.deadline, now) if row.deadline else "paused"
            line.append(f"{left:>{w['left'] - 1}} ", style=style)
            line.append(_fit(LEVEL_LABEL[level], w["level"]), style=style)
        if selected:
            line.pad_right(max(0, width - line.cell_len))
            line.stylize("reverse" if self.has_focus else "underline")
        return line

    def _due(self, row: BreachRow, wide: bool) -> str:
        if row.deadline is None:
            return "-"
        local = row.deadline.astimezone(self.zone)
        return local.strftime("%a %d %b %H:%M %Z") if wide else local.strftime("%d %b %H:%M")


def _lead_cell(row: BreachRow, width: int) -> Text:
    """'Name · Company' in `width` cells: the name first, the company as far as it goes."""
    cell = Text(no_wrap=True, overflow="ellipsis")
    cell.append(row.name, style="bold")
    if row.company:
        cell.append(f" · {row.company}")
    if cell.cell_len >= width:
        cell.truncate(width - 1)  # ends in "…" (the Text's overflow), then a gap
        cell.append(" ")
    cell.pad_right(width - cell.cell_len)
    return cell


def _fit(value: str, width: int) -> str:
    if width <= 0:
        return ""
    value = value or ""
    if len(value) >= width:
        return value[: max(0, width - 2)] + "… "
    return value.ljust(width)


# -- the screen ----------------------------------------------------------------------------


class BreachesScreen(Screen[None]):
    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False, id="breaches.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="breaches.up"),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="breaches.page_down"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="breaches.page_up"),
        Binding("home", "edge(-1)", "First", show=False, id="breaches.first"),
        Binding("G,end", "edge(1)", "Last", show=False, id="breaches.last"),
        Binding("space", "mark", "Mark", show=False, id="breaches.mark"),
        Binding("R", "reassign", "Reassign", id="breaches.reassign"),
        Binding("e", "escalate", "Escalate", id="breaches.escalate"),
        Binding("A", "acknowledge", "Acknowledge", id="breaches.acknowledge"),
        Binding("g", "toggle_grouping", "Group", id="breaches.group"),
        Binding("x", "export('csv')", "Export", id="breaches.export_csv"),
        Binding("X", "export('json')", "Export JSON", show=False, id="breaches.export_json"),
        Binding("question_mark", "help", "Help", show=False, id="breaches.help"),
        Binding("escape,q", "back", "Back", id="breaches.back"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.decisions = DecisionService(services)
        self.all_rows: list[BreachRow] = []
        self.rep_names: dict[str, str] = {}
        self.error = ""

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="breach-summary")
        yield BreachList(self.services.policy.zone, id="breach-list")
        yield Static("", id="breach-detail")
        yield Footer()

    def on_mount(self) -> None:
        listing = self.query_one(BreachList)
        listing.now = self.now()
        listing.focus()
        self.update_summary()
        self.reload()
        self.set_interval(1.0, self.tick)
        self.set_interval(RELOAD_EVERY, self.reload)

    def on_resize(self, event: Resize) -> None:
        self.update_summary()

    def now(self) -> datetime:
        return self.services.clock.now()

    @property
    def actor(self) -> str:
        return getattr(self.app, "actor", None) or DEFAULT_ACTOR

    # -- loading ----------------------------------------------------------------------------
    def reload(self, keep: tuple[str, str] | int | None = None) -> None:
        listing = self.query_one(BreachList)
        current = listing.current
        self.load(keep if keep is not None else (current.key if current else None))

    @work(thread=True, exclusive=True, group="breaches")
    def load(self, keep: tuple[str, str] | int | None) -> None:
        as_of = self.now()  # not passed on: an explicit instant makes the report replay events
        try:
            clocks = reports.breaches(self.services)  # every rep: rep=None
            with self.services.store.read() as conn:
                names = {r.key: r.name for r in repo.all_reps(conn)}
                calendar_for = self.services.calendars(conn)
        except (StoreError, *USER_ERRORS) as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        rows = [breach_row(c, self.services.policy, calendar_for, as_of) for c in clocks]
        if not get_current_worker().is_cancelled:  # a newer load supersedes this one
            self.app.call_from_thread(self._apply, rows, names, keep)

    def _apply(
        self, rows: list[BreachRow], names: dict[str, str], keep: tuple[str, str] | int | None
    ) -> None:
        if not self.is_attached:  # the user left before the report came back
            return
        self.all_rows, self.rep_names = rows, names
        self.error = ""
        listing = self.query_one(BreachList)
        listing.marked &= {r.lead_id for r in rows}  # a lead that left the list is no longer marked
        listing.set_groups(group_rows(rows, listing.by, names), listing.by, keep)
        self.update_summary()

    # -- the clock ----------------------------------------------------------------------------
    def tick(self) -> None:
        self.query_one(BreachList).now = self.now()
        self.update_summary()
        self.update_detail()

    def update_summary(self) -> None:
        listing = self.query_one(BreachList)
        wide = self.size.width >= NARROW_BELOW
        text = Text(no_wrap=False)
        text.append(" Breaches · all reps " if wide else " Breaches ", style="bold reverse")
        if listing.loaded:
            breached, at_risk, reroute = team_totals(listing.groups, self.now())
            text.append(f"  breached {breached}", style="bold red")
            text.append(f"  at risk {at_risk}", style="bold yellow")
            text.append(f"  re-route {reroute}", style="bold magenta")
        text.append(f"   by {listing.by} (g)" if wide else f"   by {listing.by}", style="cyan")
        if listing.marked:
            text.append(f"   {len(listing.marked)} marked", style="magenta")
        if self.error:
            text.append(f"   ⚠ {self.error}", style="bold red")
        self.query_one("#breach-summary", Static).update(text)

    def update_detail(self) -> None:
        row = self.query_one(BreachList).current
        self.query_one("#breach-detail", Static).update(self.describe_row(row) if row else "")

    def describe_row(self, row: BreachRow) -> Text:
        """Everything about the highlighted row, so a narrow terminal loses nothing:
        who and whose on the first line, the clock's facts on the second."""
        now, zone = self.now(), self.services.policy.zone
        text = Text()
        text.append(row.name, style="bold")
        text.append(f" · {row.company} · {row.lead_id} · owner {row.rep}")
        if row.acknowledged:
            text.append(" · ✓ acknowledged", style="green")
        text.append(f"\n{CLOCK_LABEL.get(row.clock, row.clock)} clock, {row.tier}, {row.window} window")
        if row.deadline is not None:
            text.append(f" · due {describe(row.deadline, zone, now)}")
        if row.reroute_at is not None:
            since = "since" if now >= row.reroute_at else "from"
            stamp = f"{row.reroute_at.astimezone(zone):%a %d %b %H:%M}"
            text.append(f" · re-route {since} {stamp}", style="magenta")
        return text

    def show_error(self, message: str) -> None:
        if not self.is_attached:
            return
        self.error = message
        log.error(message)
        self.notify(message, severity="error", title="Store", timeout=10)
        self.update_summary()

    @on(BreachList.Highlighted)
    def _highlighted(self) -> None:
        self.update_detail()

    # -- movement --------------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        self.query_one(BreachList).move(delta)

    def action_page(self, direction: int) -> None:
        listing = self.query_one(BreachList)
        listing.move(direction * listing.page)

    def action_edge(self, direction: int) -> None:
        listing = self.query_one(BreachList)
        listing.move(direction * len(listing.row_lines))

    def action_mark(self) -> None:
        listing = self.query_one(BreachList)
        listing.toggle_mark()
        listing.move(1)
        self.update_summary()

    def action_toggle_grouping(self) -> None:
        listing = self.query_one(BreachList)
        by = "clock" if listing.by == "rep" else "rep"
        current = listing.current
        listing.top = 0
        listing.set_groups(
            group_rows(self.all_rows, by, self.rep_names), by, current.key if current else None
        )
        self.update_summary()

    def action_back(self) -> None:
        # dismiss, not pop: the queue's callback reloads it (leads may have changed hands here)
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self.BINDINGS, getattr(self.app, "keymap", {}) or {})))

    # -- actions on leads ---------------------------------------------------------------------------
    def _targets(self) -> list[BreachRow]:
        """The marked leads (one row each, in screen order), else the highlighted one."""
        listing = self.query_one(BreachList)
        if listing.marked:
            seen: dict[str, BreachRow] = {}
            for row in listing.rows:
                if row.lead_id in listing.marked:
                    seen.setdefault(row.lead_id, row)
            return list(seen.values())
        row = listing.current
        if row is None:
            self.notify("No lead selected", severity="warning")
            return []
        return [row]

    @staticmethod
    def _label(targets: Sequence[BreachRow]) -> str:
        if len(targets) == 1:
            return f"{targets[0].name}, {targets[0].company}" if targets[0].company else targets[0].name
        return f"{len(targets)} marked leads"

    def action_reassign(self) -> None:
        targets = self._targets()
        if targets:
            self.load_reps(targets)

    @work(thread=True, exclusive=True, group="reps")
    def load_reps(self, targets: list[BreachRow]) -> None:
        try:
            with self.services.store.read() as conn:
                reps = [(str(r.key), str(r.name)) for r in repo.all_reps(conn)]
        except StoreError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        self.app.call_from_thread(self._ask_reassign, targets, reps)

    def _ask_reassign(self, targets: list[BreachRow], reps: list[tuple[str, str]]) -> None:
        form = ReassignForm(self._label(targets), reps, [t.rep for t in targets])
        self.app.push_screen(form, callback=partial(self._reassign_chosen, targets))

    def _reassign_chosen(self, targets: list[BreachRow], choice: Reassignment | None) -> None:
        if choice is not None:
            # A lead already with the chosen rep would only fail: leave it out.
            ids = [t.lead_id for t in targets if t.rep != choice.to_rep]
            self.run_decision("reassign", ids, choice)

    def action_escalate(self) -> None:
        self._confirm_then("escalate", "Escalate")

    def action_acknowledge(self) -> None:
        self._confirm_then("acknowledge", "Acknowledge the breach on")

    def _confirm_then(self, kind: str, verb: str) -> None:
        targets = self._targets()
        if not targets:
            return
        ids = [t.lead_id for t in targets]
        if len(ids) == 1:
            self.run_decision(kind, ids, None)
            return
        # One key writing an event on many leads deserves a yes/no, as bulk decisions do in the queue.
        self.app.push_screen(
            ConfirmScreen(f"{verb} {len(ids)} leads?"),
            callback=lambda yes: self.run_decision(kind, ids, None) if yes else None,
        )

    @work(thread=True, group="write")
    def run_decision(self, kind: str, lead_ids: list[str], choice: Reassignment | None) -> None:
        # acknowledge() is new in DecisionService; an older one lacks it.
        if kind == "acknowledge" and not hasattr(self.decisions, "acknowledge"):
            self.app.call_from_thread(
                self.notify,
                "Acknowledging needs a newer leadqueue (no acknowledge decision)",
                severity="error",
            )
            return
        done: list[str] = []
        failures: list[str] = []
        for lead_id in lead_ids:
            try:
                self._apply_decision(kind, lead_id, choice)
                done.append(lead_id)
            except (StoreError, *USER_ERRORS) as exc:
                failures.append(f"{lead_id}: {exc}")
        self.app.call_from_thread(self._decided, kind, done, failures, choice)

    def _apply_decision(self, kind: str, lead_id: str, choice: Reassignment | None) -> None:
        if kind == "reassign":
            assert choice is not None
            self.decisions.reassign(lead_id, self.actor, choice.to_rep, choice.note)
        elif kind == "escalate":
            self.decisions.escalate(lead_id, self.actor)
        elif kind == "acknowledge":
            self.decisions.acknowledge(lead_id, self.actor)

    def _decided(self, kind: str, done: list[str], failures: list[str], choice: Reassignment | None) -> None:
        # Through the app: the notes must show even if the user has left this screen.
        for failure in failures[:3]:
            self.app.notify(failure, severity="error", title="Not saved", timeout=8)
        if len(failures) > 3:
            self.app.notify(f"… and {len(failures) - 3} more not saved", severity="error", title="Not saved")
        if done:
            names = {r.lead_id: r.name for r in self.all_rows}
            what = f"{names.get(done[0], done[0])} ({done[0]})" if len(done) == 1 else f"{len(done)} leads"
            verb = {"reassign": "Reassigned", "escalate": "Escalated", "acknowledge": "Acknowledged"}[kind]
            suffix = f" to {choice.to_rep}" if kind == "reassign" and choice else ""
            self.app.notify(f"{verb} {what}{suffix}", title="Saved")
        if not self.is_attached:
            return
        listing = self.query_one(BreachList)
        listing.marked.difference_update(done)
        # Stay on the highlighted lead; if it was reassigned it restarts its clocks and
        # leaves the list, so stay at the same place, on the next one.
        current = listing.current
        moved = kind == "reassign" and current is not None and current.lead_id in done
        self.reload(keep=listing.cursor if moved or current is None else current.key)
        self.update_summary()

    # -- export --------------------------------------------------------------------------------
    def action_export(self, fmt: str) -> None:
        listing = self.query_one(BreachList)
        if not listing.loaded:
            self.notify("Nothing loaded yet", severity="warning")
            return
        self.export(fmt, listing.shown(), self.now())

    @work(thread=True, group="export")
    def export(self, fmt: str, rows: list[tuple[str, BreachRow]], now: datetime) -> None:
        records = export_records(rows, now, self.services.policy.zone)
        if fmt == "json":
            content = json.dumps(records, indent=2, ensure_ascii=False) + "\n"
        else:
            content = csv_text(EXPORT_FIELDS, records)
        try:
            path = write_export("breaches", fmt, now, content)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Export failed: {exc}", severity="error", title="Export")
            return
        self.app.call_from_thread(self.notify, f"{len(records)} rows → {path}", title="Exported")
