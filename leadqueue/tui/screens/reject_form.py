"""The Reject form: a reason code, and the text or record the reason needs.

What a rep types is never read as something else. A number key picks a reason
only while the reason list has the cursor, and a reason that needs text (a
written reason, the record it duplicates) takes the cursor to that field, so
"9" then "Podcast network, 8 staff" is OTHER with that reason written out, not
R8. The enter a rep used to type after the number (to reach the field) is
taken as confirming the choice, not as an empty submit.

R5 (duplicate) offers the records it might duplicate: the detected duplicates
and the account's other contacts, or what a search by id, name or email finds.
The record named is checked before the form closes (services.duplicate_lookup,
in a worker): an id that names no lead, or the lead itself, is an error on the
field, with everything typed kept; another person's record is asked about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from leadqueue.domain.decisions import Reject
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.duplicate_lookup import Candidate, DuplicateCheck, DuplicateLookup
from leadqueue.services.errors import StoreError
from leadqueue.tui.format import fit, visible
from leadqueue.tui.screens.form_base import ConfirmScreen, DecisionForm
from leadqueue.tui.store_work import StoreWork
from leadqueue.tui.typeahead import in_turn

DUPLICATE_HELP = "↑↓ pick a record below, or type its id, a name or an email"
# The cells of a record's line: id, name, email (else company); what is left says why.
ID_CELLS, NAME_CELLS, EMAIL_CELLS = 16, 19, 21
LINE_CELLS = 70  # a form's width inside its border


def candidate_line(c: Candidate) -> Content:
    """One record to pick: id, name, email (else company), and why it is offered.
    All of it is lead data: plain text, cut to its column by terminal cells."""
    p = c.person
    return Content(
        fit(visible(p.crm_id), 17) + fit(visible(p.name), 20) + fit(visible(p.email or p.company), 23) + c.why
    )


class ReasonList(OptionList):
    """The reason codes; the one chosen stays in sight when the list shrinks."""

    def on_resize(self) -> None:
        self.scroll_to_highlight()


class RejectForm(DecisionForm, StoreWork):
    TITLE_TEXT = "Reject"
    SUBMIT_LABEL = "Reject"
    ERROR_AT_FIELD = True
    HINT = "1-9 or ↑↓ enter: reason · ctrl+s reject · esc cancel · tab next"
    # Short terminals (80x24): once a reason's field is open, the reason list
    # shrinks to the chosen reason and its neighbours (forms.tcss), so the
    # field, R5's records and the buttons fit without scrolling.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS = [
        # Priority and in turn, like tab: the keys typed after enter, or after a
        # number, go to the field the chosen reason needs (OTHER's written reason,
        # R5's record), not to the list, where "8" would pick R8.
        Binding("enter", "choose_reason", "Choose", show=False, priority=True, id="reject.choose_reason"),
        *[
            Binding(str(n), f"pick_reason({n - 1})", show=False, priority=True, id="reject.pick_reason")
            for n in range(1, 10)
        ],
    ]

    def __init__(
        self,
        lead_label: str,
        policy: Policy,
        duplicate_of: str = "",
        services: Services | None = None,
        targets: Sequence[str] = (),
    ) -> None:
        """`targets` are the CRM ids being rejected; with `services`, R5 offers and
        checks the records they may duplicate (`duplicate_of` highlighted first)."""
        super().__init__(lead_label)
        self.policy = policy
        self.codes = list(policy.active_reasons())
        self.duplicate_of = duplicate_of
        self.targets = tuple(targets)
        self.lookup = DuplicateLookup(services) if services is not None and self.targets else None
        self._initial: list[Candidate] | None = None  # offered while the field is empty
        self._candidates: list[Candidate] = []
        self._shown_for: str | None = None  # the text the list was found for
        self._enter_confirms: tuple[str, str] | None = None  # (field id, its value) after a number

    def fields(self) -> ComposeResult:
        yield Label("Reason")
        # The policy's labels are the team's own text: shown as written, never as markup.
        reasons = self.policy.reasons
        yield ReasonList(
            *[
                Option(Content(f"{i + 1}  {visible(code):<6}{visible(reasons[code].label)}"), id=code)
                for i, code in enumerate(self.codes)
            ],
            id="reason",
            markup=False,
        )
        yield Static("", id="routing", classes="form-feedback", markup=False)
        yield Label("Written reason", id="note-label")
        yield Input(placeholder="the reason, written out", id="note")
        if self.lookup is None:
            yield Label("Duplicate of (CRM id)", id="duplicate-label")
            # Filled in only with an id the terminal can show as it is: an id with control
            # characters would be shown escaped, and the escaped text names no record.
            duplicate = self.duplicate_of if visible(self.duplicate_of) == self.duplicate_of else ""
            yield Input(value=duplicate, placeholder="id of the record it duplicates", id="duplicate-of")
            return
        yield Label("Duplicate of: type an id, a name or an email; ↑↓ pick below", id="duplicate-label")
        yield Input(placeholder="id, name or email", id="duplicate-of")
        yield Static("", id="duplicate-resolved", classes="form-feedback", markup=False)
        # Driven from the field, as the reassign form's reps are: ↑↓ pick while typing goes on.
        candidates = OptionList(id="duplicate-candidates", compact=True, markup=False)
        candidates.can_focus = False
        yield candidates

    def focus_first(self) -> None:
        self.query_one("#reason", OptionList).focus()
        self._reveal(None)

    # -- choosing the reason -------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        on_reasons = self.focused is not None and self.focused.id == "reason"
        if action == "choose_reason":  # enter elsewhere: a button's press, a field's submit
            return on_reasons or self._enter_confirms_choice()
        if action == "pick_reason":  # a number elsewhere is a character of what is typed
            index = parameters[0]
            return on_reasons and isinstance(index, int) and index < len(self.codes)
        return True

    def action_choose_reason(self) -> None:
        if self._enter_confirms_choice():
            # Taken as it arrives (a priority key), before what is typed after it.
            self._enter_confirms = None
            return
        self._choose_highlighted()

    def _enter_confirms_choice(self) -> bool:
        """Whether an enter now is the one typed after a number key: the cursor is
        still in the field the number opened, with nothing typed in it since."""
        pending = self._enter_confirms
        focused = self.focused
        return pending is not None and isinstance(focused, Input) and pending == (focused.id, focused.value)

    def action_pick_reason(self, index: int) -> None:
        self.query_one("#reason", OptionList).highlighted = index
        field = self._open_field(self.codes[index])
        # The enter typed after the number (to reach the field, as it once did) only
        # confirms the choice: it is not an empty submit (see action_choose_reason).
        self._enter_confirms = (field.id or "", field.value) if field is not None else None

    def _choose_highlighted(self) -> None:
        code = self._code()
        if code and self._open_field(code) is None:
            self._submit_now()

    def _open_field(self, code: str) -> Input | None:
        """Show what `code` needs and put the cursor in it; None when it needs nothing."""
        self._reveal(code)  # now, should the highlight's own message still be on its way
        reason = self.policy.reasons[code]
        field_id = "#note" if reason.requires_text else "#duplicate-of" if reason.requires_duplicate else ""
        if not field_id:
            return None
        field = self.query_one(field_id, Input)
        self.set_focus(field)
        return field

    @on(OptionList.OptionHighlighted, "#reason")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._reveal(event.option.id)

    @on(OptionList.OptionSelected, "#reason")
    def _selected(self, event: OptionList.OptionSelected) -> None:  # a click
        if self._open_field(event.option.id or "") is None:
            self.action_submit()

    def _code(self) -> str:
        reasons = self.query_one("#reason", OptionList)
        return self.codes[reasons.highlighted] if reasons.highlighted is not None else ""

    def _reveal(self, code: str | None) -> None:
        reason = self.policy.reasons.get(code or "")
        needs_text = bool(reason and reason.requires_text)
        needs_dup = bool(reason and reason.requires_duplicate)
        for widget in self.query("#note-label, #note"):
            widget.display = needs_text
        for widget in self.query(
            "#duplicate-label, #duplicate-of, #duplicate-resolved, #duplicate-candidates"
        ):
            widget.display = needs_dup
        if self.has_class("-field-open") != (needs_text or needs_dup):
            self.set_class(needs_text or needs_dup, "-field-open")
        if needs_text:
            note = self.query_one("#note", Input)
            note.placeholder = f"required for {visible(code)}: the reason, written out"
        if needs_dup and self.lookup is not None and self._shown_for is None:
            self._find("")
        routing = self.query_one("#routing", Static)
        routing.update(f"Then: {visible(reason.routing)}" if reason else "Choose a reason code.")

    # -- R5: the record it duplicates ------------------------------------------------------
    @on(Input.Changed)
    def _typed_in_field(self, event: Input.Changed) -> None:
        if self._enter_confirms is not None and self._enter_confirms != (event.input.id, event.value):
            self._enter_confirms = None  # typed on: an enter from now on submits

    @on(Input.Changed, "#duplicate-of")
    def _duplicate_typed(self, event: Input.Changed) -> None:
        if self.lookup is not None:
            self._find(event.value.strip())

    def _find(self, text: str) -> None:
        if not text and self._initial is not None:
            self.workers.cancel_group(self, "duplicate-lookup")  # an older text's results are stale
            self._show("", self._initial)
            return
        self.query_one("#duplicate-resolved", Static).update("looking up…")
        lookup = self.lookup
        assert lookup is not None
        # Each letter typed starts a lookup that cancels the one before it.
        self.read(
            "duplicate-lookup",
            lookup.search if text else lookup.candidates,
            *((text, self.targets) if text else (self.targets,)),
            then=lambda found: self._show(text, found),
            failed=lambda message: self._lookup_failed(text, message),
            errors=(StoreError,),
        )

    def _typed(self) -> str:
        return self.query_one("#duplicate-of", Input).value.strip()

    def _lookup_failed(self, text: str, message: str) -> None:
        if self.is_active:
            self.query_one("#duplicate-resolved", Static).update(
                f"✘ could not look it up: {visible(message)}"
            )

    def _show(self, text: str, found: list[Candidate]) -> None:
        if not text:
            self._initial = found
        self._candidates = found
        self._shown_for = text
        options = self.query_one("#duplicate-candidates", OptionList)
        options.clear_options()
        options.add_options([Option(candidate_line(c)) for c in found])
        options.highlighted = self._first_pick(text, found)
        self._describe()

    def _first_pick(self, text: str, found: list[Candidate]) -> int | None:
        """What enter takes at once: the first match of what was typed; with nothing
        typed, the record the queue named or the first detected duplicate, never a
        mere colleague (a different person)."""
        if text:
            return 0 if found else None
        ids = [c.person.crm_id for c in found]
        if self.duplicate_of in ids:
            return ids.index(self.duplicate_of)
        return next((i for i, c in enumerate(found) if c.detected), None)

    def _picked(self) -> Candidate | None:
        if self.lookup is None or self._shown_for != self._typed():
            return None
        highlighted = self.query_one("#duplicate-candidates", OptionList).highlighted
        if highlighted is None or not 0 <= highlighted < len(self._candidates):
            return None
        return self._candidates[highlighted]

    @on(OptionList.OptionHighlighted, "#duplicate-candidates")
    def _describe(self) -> None:
        feedback = self.query_one("#duplicate-resolved", Static)
        picked = self._picked()
        text = self._typed()
        feedback.set_class(False, "invalid")
        if picked is not None:
            p = picked.person
            # One line: the list below has the rest of the record.
            other = " ≠ another person: you will be asked" if picked.matches is False else f" ({picked.why})"
            line = f"→ duplicate of {visible(p.crm_id)}: {visible(p.name or p.email)}{other}"
            feedback.update(fit(line, LINE_CELLS).rstrip())
        elif text and self._shown_for == text and not self._candidates:
            feedback.update(f"✘ no lead matches {visible(text)!r}")
            feedback.set_class(True, "invalid")
        else:
            feedback.update(DUPLICATE_HELP if self._candidates or not text else "")

    @on(OptionList.OptionSelected, "#duplicate-candidates")
    def _candidate_clicked(self) -> None:
        self.action_submit()

    def on_key(self, event: Any) -> None:
        # The arrows move the pick while the cursor stays in the field.
        if event.key in ("up", "down") and self.focused is self.query_one("#duplicate-of", Input):
            if self.lookup is None:
                return
            options = self.query_one("#duplicate-candidates", OptionList)
            if event.key == "down":
                options.action_cursor_down()
            else:
                options.action_cursor_up()
            event.stop()

    # -- submitting ------------------------------------------------------------------------
    def build(self) -> Reject:
        code = self._code()
        reason = self.policy.reasons.get(code)
        note = self.query_one("#note", Input).value if reason and reason.requires_text else ""
        dup = ""
        if reason and reason.requires_duplicate:
            picked = self._picked()
            dup = picked.person.crm_id if picked else self.query_one("#duplicate-of", Input).value
        decision = Reject(reason=code, note=note, duplicate_of=dup)
        decision.payload(self.policy)
        return decision

    def submit(self, decision: Any) -> None:
        if not isinstance(decision, Reject) or not decision.duplicate_of or self.lookup is None:
            self.dismiss(decision)
            return
        picked = self._picked()
        args = (self.lookup, self.targets, self._typed(), picked.person.crm_id if picked else None)
        # A write's way, its outcome back whatever happened meanwhile: the keys typed after
        # the submit wait for the check, for the form if it stays open, the confirmation,
        # or the queue once it closes.
        self.write(
            "duplicate-check", check_duplicate, *args, then=partial(self._checked, decision), hold=True
        )

    def _checked(self, decision: Reject, result: DuplicateCheck) -> None:
        if not self.is_active:
            return  # closed meanwhile
        if result.record is None:
            self.query_one("#duplicate-resolved", Static).update("")  # the error says it all
            self.show_error(f"✘ {result.problem}", "duplicate-of")
            return
        decision = replace(decision, duplicate_of=result.record.crm_id)
        if result.others:
            self._ask_about_other_person(decision, result)
            return
        # Closed in turn, as ctrl+s closes a form: the queue takes the decision
        # before the keys typed after ctrl+s reach it.
        in_turn(self, lambda: self.dismiss(decision))

    def _ask_about_other_person(self, decision: Reject, result: DuplicateCheck) -> None:
        record = result.record
        assert record is not None
        if len(self.targets) == 1:
            question = (
                f"{record.crm_id} is {record.label}, not {result.others[0].label}. "
                "Reject this lead as its duplicate anyway?"
            )
        else:
            question = (
                f"{record.crm_id} is {record.label}, another person than {len(result.others)} of the "
                f"{len(self.targets)} leads. Reject them as its duplicates anyway?"
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(decision)
            else:
                self.show_error(
                    f"✘ {record.crm_id} is another person ({record.label}): pick the record it duplicates",
                    "duplicate-of",
                )

        self.app.push_screen(ConfirmScreen(question, default=False), answered)


def check_duplicate(
    lookup: DuplicateLookup, targets: Sequence[str], typed: str, picked: str | None
) -> DuplicateCheck:
    """In the check's thread: the record the rep means, or what is wrong with it."""
    try:
        return lookup.check(targets, typed, picked)
    except StoreError as exc:
        return DuplicateCheck(None, f"could not look the record up: {exc}")
