"""Keys act in the order they were typed, even across a screen change.

Textual hands each key to whatever has the focus when the key arrives, and a
key's ordinary binding runs only once the key has bubbled back up unhandled. So
when several keys arrive together (a fast typist, a paste, a busy machine):

- a priority binding runs ahead of the keys typed before it: "j" then "a" opened
  the Accept form on the lead above the one "j" moved to;
- the keys typed after one that opens a screen reach the old screen, where "t"
  logs a touch and "u" undoes a decision, or a new screen with no focus yet,
  which drops them.

The app therefore holds keys while something they depend on is under way: an
action decorated with `@in_turn` (it waits for the keys already handed out, and
for what they set off that holds keys, such as the rows G reads, then runs), a
screen that has not mounted yet, or data on its way that a screen holds them
for with `hold_keys` (a write, a search's results, the rows a move or a
decision reads). Held keys are handed on, in order and through the app's own
key handling, as soon as nothing holds them.
"""

from __future__ import annotations

import functools
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen

# A hold that outlives this (its screen closed before it mounted, say) is dropped:
# a keyboard that stops answering would be worse than a key out of order.
STALE_HOLD_SECONDS = 2.0


class HoldsKeysInTurn(App[None]):
    """An app whose keys wait for the action or screen before them."""

    def __init__(self) -> None:
        super().__init__()
        self._held_keys: deque[events.Key] = deque()
        self._holds: dict[object, float] = {}  # what holds the keys (a screen: until it mounts), since when
        self._draining = False
        self._acts_waiting: list[Callable[[], None]] = []  # in-turn actions waiting for a hold

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        self._drop_stale_holds()
        self._hold_until_mounted()
        if self._holds or self._held_keys:
            self._held_keys.append(event)
            self._schedule_drain()
            return
        await self._route(event)

    async def _route(self, key: events.Key) -> None:
        await super().on_event(key)
        self._hold_until_mounted()  # the key opened a screen: the next keys are its

    # -- holding ---------------------------------------------------------------------
    def act_in_turn(self, origin: DOMNode, action: Callable[[], object]) -> None:
        """Run `action` once the keys already handed to `origin` (the focused widget,
        and each node a key bubbles through on its way up to the app) are handled,
        holding every key that arrives meanwhile; hand those on after it, once any
        screen it opened has mounted."""
        token = object()
        self._hold(token)
        chain = [*origin.ancestors_with_self]

        def step(index: int) -> None:
            while index < len(chain):
                if chain[index].call_later(step, index + 1):
                    return
                index += 1  # a node that has closed has no keys left to handle
            # And what those keys set off (a radio button's Changed, say, which its
            # set takes in after the key): settled by the screen's next refresh.
            if not self.screen.call_after_refresh(act):
                act()

        def act() -> None:
            if token not in self._holds:  # dropped as stale: too late to act on
                return
            if len(self._holds) > 1:
                # What those keys set off holds the keys too (G reads the last rows):
                # the action waits for it, to act on the lead G lands on.
                self._acts_waiting.append(act)
                return
            try:
                action()
            finally:
                self._release(token)

        step(0)

    def hold_keys(self) -> Callable[[], None]:
        """Hold keys from now until the returned function is called."""
        token = object()
        self._hold(token)
        return functools.partial(self._release, token)

    def _release(self, token: object) -> None:
        if self._holds.pop(token, None) is not None:
            self._hold_until_mounted()  # what held the keys opened a screen: they are its
            self._retry_waiting_acts()
            self._schedule_drain()

    def _retry_waiting_acts(self) -> None:
        waiting, self._acts_waiting = self._acts_waiting, []
        for act in waiting:
            act()

    def _hold_until_mounted(self) -> None:
        screen = self.screen
        if screen.is_mounted or screen in self._holds:
            return
        self._hold(screen)

        def mounted() -> None:
            self._holds.pop(screen, None)
            self._schedule_drain()

        # InvokeLater queues behind the screen's compose and mount.
        screen.call_after_refresh(mounted)

    def _hold(self, token: object) -> None:
        self._holds[token] = time.monotonic()
        # Looked at again later: a hold whose release never comes must not keep the keys.
        self.set_timer(STALE_HOLD_SECONDS + 0.1, self._expire_and_drain)

    def _drop_stale_holds(self) -> None:
        now = time.monotonic()
        for token, since in list(self._holds.items()):
            if now - since > STALE_HOLD_SECONDS:
                del self._holds[token]

    # -- keys out --------------------------------------------------------------------
    def _schedule_drain(self) -> None:
        if self._held_keys and not self._holds:
            # call_next, not call_later: behind a closing screen's result callback
            # (which Textual also queues with call_next), so the keys after a
            # form's submit find the queue as the form's result has left it.
            self.call_next(self._drain)

    async def _expire_and_drain(self) -> None:
        self._drop_stale_holds()
        self._retry_waiting_acts()
        await self._drain()

    async def _drain(self) -> None:
        if self._draining:
            return
        self._draining = True
        try:
            # Keys that arrive while this awaits join the queue behind the held ones.
            while self._held_keys and not self._holds:
                # A screen pushed since the hold began (a form's result can push one) takes them.
                self._hold_until_mounted()
                if not self._holds:
                    await self._route(self._held_keys.popleft())
        finally:
            self._draining = False


def in_turn(first: Any, action: Callable[[], object] | None = None) -> Any:
    """`@in_turn` on a key's action (a method of a screen): it runs in its turn (see
    `HoldsKeysInTurn.act_in_turn`), as `in_turn(node, action)` runs `action`; at
    once in an app that does not hold keys. By its turn the screen may have been
    closed (a click on Cancel, say): the action is then dropped, as the key was
    meant for a screen no longer on top."""
    if action is None:
        method = first

        @functools.wraps(method)
        def in_its_turn(node: DOMNode, *args: Any, **kwargs: Any) -> None:
            in_turn(node, lambda: method(node, *args, **kwargs))

        return in_its_turn
    app, screen = first.app, first if isinstance(first, Screen) else first.screen
    if not isinstance(app, HoldsKeysInTurn):
        action()
    else:
        app.act_in_turn(screen.focused or screen, lambda: action() if screen.is_active else None)
    return None


def hold_keys(node: DOMNode) -> Callable[[], None]:
    """Hold the keys typed from now until the returned function is called; in an
    app that does not hold keys, nothing is held."""
    app = node.app
    return app.hold_keys() if isinstance(app, HoldsKeysInTurn) else lambda: None
