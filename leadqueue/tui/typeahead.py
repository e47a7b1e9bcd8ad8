"""Keys act in the order they were typed, even across a screen change.

Textual hands each key to whatever has the focus when the key arrives, as a
message it handles later, and runs a priority binding at once. So when several
keys arrive together (a fast typist, a paste, a busy machine), a priority key
could act before the letters typed ahead of it were in their field, and the
keys typed after one that opens a screen could reach the old screen (where "t"
logs a touch and "u" undoes a decision) or a new one with no focus yet.

The app therefore hands keys on one at a time, and holds them while something
they depend on is under way: a priority key waits until the keys handed to the
focus chain before it are handled (and what they set off has settled, by the
screen's next refresh); the keys after one that changed the screen wait until
it has mounted and taken its focus; and a screen holds them with `hold_keys`
while data they depend on is on its way (a write, a search's results, the rows
G reads). Held keys are handed on in order.
"""

from __future__ import annotations

import functools
import time
from collections import deque
from collections.abc import Callable

from textual import events
from textual.app import App
from textual.dom import DOMNode

# A hold that outlives this (its screen closed before it mounted, say) is dropped:
# a keyboard that stops answering would be worse than a key out of order.
STALE_HOLD_SECONDS = 2.0


class HoldsKeysInTurn(App[None]):
    """An app whose keys wait for the key, screen or data before them."""

    def __init__(self) -> None:
        super().__init__()
        self._held_keys: deque[events.Key] = deque()
        self._holds: dict[object, float] = {}  # what holds the keys (a screen: until it mounts), since when
        self._draining = False
        self._handed_to: DOMNode | None = None  # where the last key went, if not to a priority binding
        self._screen_seen: object = None  # the top screen the last key went to

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        self._drop_stale_holds()
        self._held_keys.append(event)
        await self._drain()

    def _is_priority(self, key: str) -> bool:
        chain = self.screen._binding_chain
        return any(b.priority for _, bindings in chain for b in bindings.key_to_bindings.get(key, ()))

    def after_handed_keys(self, action: Callable[[], object], origin: DOMNode | None = None) -> None:
        """Hold the keys until those already handed to the focus chain (the focused
        widget and each node a key bubbles through up to the app) are handled and
        what they set off has settled; then run `action` and let the keys go."""
        screen = self.screen
        release = self.hold_keys()
        chain = [*(origin or screen.focused or screen).ancestors_with_self]

        def step(index: int) -> None:
            while index < len(chain):
                if chain[index].call_later(step, index + 1):
                    return
                index += 1  # a node that has closed has no keys left to handle
            if not screen.call_after_refresh(done):
                done()

        def done() -> None:
            try:
                action()
            finally:
                release()

        step(0)

    def hold_keys(self) -> Callable[[], None]:
        """Hold keys from now until the returned function is called."""
        token = object()
        self._hold(token)
        return functools.partial(self._release, token)

    def _release(self, token: object) -> None:
        if self._holds.pop(token, None) is not None and self._held_keys:
            # Behind a closing screen's pop (queued with the app's call_next) and its
            # result callback (with call_next on the screen that pushed it), so the
            # keys after a form's submit find the queue as the form's result left it.
            self.call_next(lambda: self.screen.call_next(self.call_next, self._drain))

    def _hold_until_mounted(self) -> None:
        screen = self.screen
        if screen is not self._screen_seen:
            self._screen_seen = screen
            self._hold(screen)
            # Behind the screen's compose and mount, and the focus its mount asked for.
            screen.call_after_refresh(self.call_later, self._release, screen)

    def _hold(self, token: object) -> None:
        self._holds[token] = time.monotonic()
        # Looked at again later: a hold whose release never comes must not keep the keys.
        self.set_timer(STALE_HOLD_SECONDS + 0.1, self._drain)

    def _drop_stale_holds(self) -> None:
        now = time.monotonic()
        for token, since in list(self._holds.items()):
            if now - since > STALE_HOLD_SECONDS:
                del self._holds[token]

    async def _drain(self) -> None:
        if self._draining:
            return
        self._draining = True
        try:
            # Keys that arrive while this awaits join the queue behind the held ones.
            while self._held_keys and self.screen_stack:  # none once the app has closed
                self._drop_stale_holds()
                # A screen pushed since the last key (a form's result can push one) takes the next.
                self._hold_until_mounted()
                if self._holds:
                    return
                if self._handed_to is not None and self._is_priority(self._held_keys[0].key):
                    # Taken at once, it would act before the keys handed out ahead of it.
                    self.after_handed_keys(lambda: None, self._handed_to)
                    self._handed_to = None
                    continue
                self._handed_to = self.screen.focused or self.screen  # unless a priority binding takes it
                await super().on_event(self._held_keys.popleft())
        finally:
            self._draining = False


def in_turn(node: DOMNode, action: Callable[[], object]) -> None:
    """Run `action` once the keys already handed out are handled (at once in an app
    that does not hold keys); dropped if by then `node`'s screen has closed (a
    click on Cancel, say), as it was meant for a screen no longer on top."""
    app, screen = node.app, node.screen
    if not isinstance(app, HoldsKeysInTurn):
        action()
    else:
        app.after_handed_keys(lambda: action() if screen.is_active else None)


def hold_keys(node: DOMNode) -> Callable[[], None]:
    """Hold the keys typed from now until the returned function is called; in an
    app that does not hold keys, nothing is held."""
    app = node.app
    return app.hold_keys() if isinstance(app, HoldsKeysInTurn) else lambda: None
