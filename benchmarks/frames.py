"""When frames are composed, and when a screen takes in its data.

A screen's paint is the first frame composed after it has its data. Pilot's
pause() is no measure of that: it waits for the whole process to go idle,
which counts background work done after the paint (and a screen still
loading the rest of its rows is never idle).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

frames: list[float] = []
data_at: dict[str, list[float]] = {}


def record_frames() -> None:
    from textual.screen import Screen

    compose_frame = Screen._compositor_refresh

    def recorded(self: Screen[Any]) -> None:
        compose_frame(self)
        frames.append(time.perf_counter())

    Screen._compositor_refresh = recorded  # type: ignore[method-assign]


def note_data(name: str, cls: type, method: str) -> None:
    """Note each time `cls.method` (a screen taking in its data) is called, as `name`."""
    original = getattr(cls, method)
    data_at.setdefault(name, [])

    def noted(self: Any, *args: Any, **kw: Any) -> Any:
        data_at[name].append(time.perf_counter())
        return original(self, *args, **kw)

    setattr(cls, method, noted)


async def first_frame_since(since: float) -> float:
    while not any(f >= since for f in frames):
        await asyncio.sleep(0.001)
    return next(f for f in frames if f >= since)


async def painted(name: str) -> float:
    """The first frame composed after `name` first took in data."""
    while not data_at.get(name):
        await asyncio.sleep(0.001)
    return await first_frame_since(data_at[name][0])
