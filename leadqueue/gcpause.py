"""Pausing Python's cycle collector around bulk work.

Imports and generators build hundreds of thousands of small dicts and lists
and no reference cycles. The collector still walks every live object on each
full collection, which grows with the batch: on 100,000 leads it costs more
than the work itself.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
