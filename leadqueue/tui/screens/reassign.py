"""Reassign one or more leads to another rep: a modal form validated as you type.

Typing filters the team's reps; the arrow keys pick among the matches while the
cursor stays in the filter, so "pr⏎" is enough to hand leads to Priya.

Each rep shows the load the leads would join: open leads and breached clocks.
The form starts on the least loaded rep (fewest breached, then fewest open),
and on nobody when even that rep is worse off than an owner of the leads: a
team lead re-routes to relieve a rep, never to pile onto a busier one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from leadqueue.domain.decisions import DecisionError
from leadqueue.services.breach_groups import RepLoad
from leadqueue.services.decision_kinds import Reassign
from leadqueue.tui.format import fit, visible
from leadqueue.tui.screens.forms import DecisionForm

OWNER_MARK = "  (current owner)"


def matching_reps(reps: Sequence[tuple[str, str]], text: str) -> list[tuple[str, str]]:
    """Reps whose key or name matches `text`: exact first, then prefixes, then substrings."""
    needle = text.strip().casefold()
    if not needle:
        return list(reps)
    ranked: list[tuple[int, str, str]] = []
    for key, name in reps:
        k, n = key.casefold(), name.casefold()
        if needle in (k, n):
            rank = 0
        elif k.startswith(needle) or any(part.startswith(needle) for part in n.split()):
            rank = 1
        elif needle in k or needle in n:
            rank = 2
        else:
            continue
        ranked.append((rank, key, name))
    return [(key, name) for _, key, name in sorted(ranked)]


class ReassignForm(DecisionForm):
    """Returns a Reassign decision, or None when cancelled."""

    TITLE_TEXT = "Reassign"
    SUBMIT_LABEL = "Reassign"

    def __init__(
        self,
        lead_label: str,
        reps: Sequence[tuple[str, str]],
        owners: Sequence[str],
        loads: Mapping[str, RepLoad] | None = None,
    ) -> None:
        super().__init__(lead_label)
        self.reps = list(reps)
        # The current owner of each lead to move: a target owning all of them is an error.
        self.owners = list(owners)
        # Each rep's load; None: not known, and the form starts on the first rep it can.
        self.loads = dict(loads) if loads is not None else None
        self.suggested = self._least_loaded()
        # What the filter held and the rep picked when a submit was refused, while the
        # form's error line says why (in the place of the feedback line, which would too).
        self._refused: tuple[str, str | None] | None = None

    def fields(self) -> ComposeResult:
        # Labels live in the placeholders and the list has no border: with six reps
        # the whole form fits a 24-line terminal without scrolling.
        yield Label("To rep: type to filter, ↑↓ pick, enter reassigns")
        yield Input(placeholder="rep key or name", id="rep-filter")
        reps = OptionList(*self._options(self.reps), id="reps", compact=True, markup=False)
        reps.can_focus = False  # driven from the filter: tab goes filter → note → buttons
        yield reps
        yield Static("", id="reassign-feedback", classes="form-feedback", markup=False)
        yield Input(placeholder="Note (optional): why the lead changes hands", id="note")

    def focus_first(self) -> None:
        self.query_one("#rep-filter", Input).focus()
        self._highlight_first(self.reps)
        self._feedback()

    def _load(self, key: str) -> RepLoad:
        return (self.loads or {}).get(key) or RepLoad(key)

    def _least_loaded(self) -> str | None:
        """The rep to start on: the least loaded who owns none of the leads (a team
        lead last), unless even that rep is worse off than one of the owners."""
        if self.loads is None:
            return None
        owners = set(self.owners)
        order = {key: i for i, (key, _) in enumerate(self.reps)}
        candidates = [key for key, _ in self.reps if key not in owners]
        if not candidates:
            return None
        best = min(candidates, key=lambda k: (self._load(k).role == "lead", self._load(k).weight, order[k]))
        if any(self._load(best).worse_off_than(self._load(owner)) for owner in owners):
            return None
        return best

    def _highlight_first(self, shown: Sequence[tuple[str, str]]) -> None:
        """Start on the least loaded rep (or nobody: see the module); once a filter is
        typed, on the first match the leads could go to, not on their current owner."""
        options = self.query_one("#reps", OptionList)
        if not options.option_count:
            options.highlighted = None
            return
        if self.loads is not None and not self._typed():
            options.highlighted = next((i for i, (k, _) in enumerate(shown) if k == self.suggested), None)
            return
        usable = [i for i, (key, _) in enumerate(shown) if self._problem(key) == ""]
        options.highlighted = usable[0] if usable else 0

    def _typed(self) -> str:
        return self.query_one("#rep-filter", Input).value.strip()

    def _options(self, reps: Sequence[tuple[str, str]]) -> list[Option]:
        current = set(self.owners)
        # Keys may be in any script: aligned by terminal cells. Names are the roster's
        # data: plain Content, control characters made visible. The load comes before
        # the name, so a long name never pushes it out of sight.
        width = max((cell_len(visible(key)) for key, _ in self.reps), default=4) + 2
        options = []
        for key, name in reps:
            mark = OWNER_MARK if key in current else ""
            options.append(
                Option(
                    Content(fit(visible(key), width) + self._load_text(key) + visible(name) + mark), id=key
                )
            )
        return options

    def _load_text(self, key: str) -> str:
        if self.loads is None:
            return ""
        load = self._load(key)
        return f"{load.open_leads:>4} open {load.breached:>4} breached   "

    @on(Input.Changed, "#rep-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        options = self.query_one("#reps", OptionList)
        shown = matching_reps(self.reps, event.value)
        options.clear_options()
        options.add_options(self._options(shown))
        # A typed exact key is what the user wants, even when it is an error to explain.
        if shown and shown[0][0].casefold() == event.value.strip().casefold():
            options.highlighted = 0
        else:
            self._highlight_first(shown)
        self._feedback()

    @on(OptionList.OptionHighlighted, "#reps")
    def _highlighted(self) -> None:
        self._feedback()

    @on(OptionList.OptionSelected, "#reps")
    def _selected(self) -> None:
        self.action_submit()

    def on_key(self, event: Any) -> None:
        # The arrows move the pick while typing continues in the filter.
        if event.key in ("up", "down") and self.focused is self.query_one("#rep-filter", Input):
            options = self.query_one("#reps", OptionList)
            if event.key == "down":
                options.action_cursor_down()
            else:
                options.action_cursor_up()
            event.stop()

    def _chosen(self) -> str | None:
        options = self.query_one("#reps", OptionList)
        if options.highlighted is None or not options.option_count:
            return None
        return options.get_option_at_index(options.highlighted).id

    def _problem(self, key: str | None) -> str:
        if key is None:
            typed = self._typed()
            return f"no rep matches {typed!r}" if typed else "pick a rep"
        if self.owners and all(owner == key for owner in self.owners):
            return f"already assigned to {key}"
        return ""

    def _feedback(self) -> None:
        key = self._chosen()
        feedback = self.query_one("#reassign-feedback", Static)
        if self._refused is not None:
            if self._refused == (self._typed(), key):
                return  # the refusal still says it, in the feedback's place
            # Another pick or filter: the refusal was about the one before.
            self._refused = None
            self.query_one("#form-error", Static).update("")
            feedback.display = True
        if key is None and self.loads is not None and not self._typed():
            # Nobody pre-filled on purpose: a hint, not an error.
            feedback.set_class(False, "invalid")
            owners = ", ".join(sorted(set(self.owners)))
            feedback.update(
                visible(f"nobody pre-filled: every other rep is busier than {owners} (↑↓ or type to pick)")
            )
            return
        problem = self._problem(key)
        feedback.set_class(bool(problem), "invalid")
        if problem or key is None:
            feedback.update(f"✘ {visible(problem)}")
            return
        moving = [o for o in self.owners if o != key]
        sources = ", ".join(sorted(set(moving)))
        what = "1 lead" if len(moving) == 1 else f"{len(moving)} leads"
        text = f"→ {what} from {sources} to {key}"
        skipped = len(self.owners) - len(moving)
        if skipped:
            text += f" ({skipped} already with {key} stay)"
        if key == self.suggested:
            text += " (least loaded)"
        elif self.loads is not None and any(self._load(key).worse_off_than(self._load(o)) for o in moving):
            text += f" · {key} is worse off than {sources}"
        feedback.update(visible(text))
        self.query_one("#form-error", Static).update("")

    def show_error(self, message: str, field: str | None = None) -> None:
        """A refused pick is said under the filter, once: the error line moves up under
        the line explaining the pick, and takes its place when that line says the same
        (no rep matches, already assigned), rather than repeat it under the note."""
        super().show_error(message, field)
        if field != "rep-filter":
            return
        feedback = self.query_one("#reassign-feedback", Static)
        error = self.query_one("#form-error", Static)
        if error.parent is not None and error.parent is feedback.parent:
            error.parent.move_child(error, after=feedback)
        if feedback.has_class("invalid"):
            feedback.update("")
            feedback.display = False
        self._refused = (self._typed(), self._chosen())

    def build(self) -> Reassign:
        key = self._chosen()
        problem = self._problem(key)
        if problem or key is None:
            raise DecisionError("rep_filter", problem)
        return Reassign(to_rep=key, note=self.query_one("#note", Input).value.strip())
