"""One way for a screen to do store work (issue 20, point 4).

A read runs in a thread worker, exclusive in its group: starting another read of
the group cancels the one in flight, and a cancelled read's result (or error) is
never applied, nor one that comes back after the screen has closed. What a read
needs is passed to it as arguments, taken on the UI thread when it starts, so
the thread never reads the screen's state. A write is never cancelled by the
next one, and its outcome is applied even after the screen has closed (the
outcome's toast must still show).

Every result, error or outcome is applied on the UI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from leadqueue.services.decision_kinds import Decision
from leadqueue.services.decisions import USER_ERRORS, DecisionService
from leadqueue.services.errors import StoreError
from leadqueue.tui.typeahead import hold_keys

log = logging.getLogger(__name__)

T = TypeVar("T")
# What a read or a write may meet that the user is told about in one line; anything else is a bug.
READ_ERRORS: tuple[type[Exception], ...] = (StoreError, *USER_ERRORS)


# A mixin, not a Screen: Textual takes a screen's default CSS from its first base
# that is a widget, which must stay the screen's own (a ModalScreen's, say).
_Screen = Screen[Any] if TYPE_CHECKING else object


class StoreWork(_Screen):
    """Mixed into a screen, before its Screen base: `read()` and `write()` run store
    work in thread workers."""

    def read(
        self,
        group: str,
        fetch: Callable[..., T],
        *args: Any,
        then: Callable[[T], object],
        failed: Callable[[str], object] | None = None,
        errors: tuple[type[Exception], ...] = READ_ERRORS,
        exclusive: bool = True,
    ) -> Worker[None]:
        """`fetch(*args)` in a thread; then `then(result)`, or `failed(message)` (the
        screen's `show_error` by default) when it meets one of `errors`. Neither runs
        once a newer read of `group` has begun or the screen has closed."""
        on_error = failed or self.show_error

        def run() -> None:
            try:
                result = fetch(*args)
            except errors as exc:
                self.deliver(on_error, str(exc))
                return
            self.deliver(then, result)

        return self.run_worker(run, name=group, group=group, exclusive=exclusive, thread=True)

    def write(
        self,
        group: str,
        store: Callable[..., T],
        *args: Any,
        then: Callable[[T], object],
        hold: bool = False,
    ) -> Worker[None]:
        """`store(*args)` in a thread, then `then(outcome)` on the UI thread, whatever
        came meanwhile: writes are not superseded. `store` says its own failures in
        what it returns. `hold`: the keys typed meanwhile wait for the outcome (they
        act on what the write has left: u undoes it, and a failure is said first)."""
        release = hold_keys(self) if hold else None

        def done(outcome: T) -> None:
            try:
                then(outcome)
            finally:
                if release is not None:
                    release()

        def run() -> None:
            self.app.call_from_thread(done, store(*args))

        return self.run_worker(run, name=group, group=group, thread=True)

    def deliver(self, callback: Callable[[T], object], value: T) -> None:
        """From a read's thread: `callback(value)` on the UI thread, unless by then the
        read was superseded (cancelled) or the screen has closed."""
        worker = get_current_worker()

        def apply() -> None:
            if not worker.is_cancelled and self.is_attached:
                callback(value)

        self.app.call_from_thread(apply)

    def show_exported(self, done: tuple[str, str]) -> None:
        """An export's outcome, (where it went, why it could not be written): one of them is said."""
        said, problem = done
        if problem:
            self.app.notify(problem, severity="error", title="Export", markup=False)
        else:
            self.app.notify(said, title="Exported", markup=False)

    def show_error(self, message: str) -> None:
        log.error(message)
        self.notify(message, severity="error", title="Store", timeout=10, markup=False)


def decide_each(
    decisions: DecisionService, crm_ids: list[str], actor: str, decision: Decision, names: dict[str, str]
) -> tuple[list[str], list[str], list[str]]:
    """In a write's thread: `decision` on each lead; the leads decided, why the others
    were not (each failure naming its lead as `names` does), and the leads a rule
    refused, for good (the store failing is not a refusal: it may work next time)."""
    done: list[str] = []
    failures: list[str] = []
    refused: list[str] = []
    for crm_id in crm_ids:
        try:
            decisions.apply(crm_id, actor, decision)
            done.append(crm_id)
        except READ_ERRORS as exc:
            failures.append(f"{names.get(crm_id, crm_id)}: {exc}")
            if isinstance(exc, USER_ERRORS):
                refused.append(crm_id)
    return done, failures, refused
