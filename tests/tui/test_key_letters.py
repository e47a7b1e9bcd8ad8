"""Same letter, same meaning (issue 20, point 7): a letter that means something else
on a team screen than in the queue is explained in that screen's help."""

from __future__ import annotations

import re

from leadqueue.tui.screens.breaches import BreachesScreen
from leadqueue.tui.screens.help import NOTES
from leadqueue.tui.screens.metrics import MetricsScreen
from leadqueue.tui.screens.queue import QueueScreen
from leadqueue.tui.screens.today import TodayScreen

# q leaves every screen: it quits the queue, and goes back to it from the others.
SAME_MEANING = {"q"}


def actions_by_key(screen: type) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for binding in screen.BINDINGS:
        for key in binding.key.split(","):
            found.setdefault(key.strip(), (binding.action, binding.id or ""))
    return found


def test_a_letter_meaning_something_else_than_in_the_queue_is_explained_in_the_help() -> None:
    queue = {key: action for key, (action, _) in actions_by_key(QueueScreen).items()}
    explained = 0
    for screen in (BreachesScreen, MetricsScreen, TodayScreen):
        bound = actions_by_key(screen)
        notes = " ".join(NOTES[i].format(key=key) for key, (_, i) in bound.items() if i in NOTES)
        for key, (action, _) in bound.items():
            letter = len(key) == 1 and key.isalpha() and key not in SAME_MEANING
            if letter and queue.get(key, action) != action:
                assert re.search(rf"(^|\s){key}\s", notes), f"{screen.__name__}: {key} is not the queue's"
                explained += 1
    assert explained >= 3  # g on the breaches screen, r and c on the metrics screen
