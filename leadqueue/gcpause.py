"""Keeping Python's cycle collector out of the way of bulk work.

Imports and generators build hundreds of thousands of small dicts and lists.
The collector walks every live object on each full collection, which grows
with the work: on 100,000 leads it costs more than the work itself.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """No collection at all: for work that keeps what it builds (the demo
    generator) and makes no reference cycles worth freeing before it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """The objects alive now are left out of collections: for streaming work
    (an import) whose objects live a batch. Cycles it makes are still freed,
    so its memory stays flat however long it runs; a pause would keep them."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
