"""The team as screens show it: its reps, by key and name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadqueue.store import repository as repo

if TYPE_CHECKING:
    from leadqueue.services.context import Services


class TeamService:
    def __init__(self, services: Services) -> None:
        self.s = services

    def reps(self) -> list[tuple[str, str]]:
        """Every rep as (key, name), by key."""
        with self.s.store.read() as conn:
            return [(str(r.key), str(r.name)) for r in repo.all_reps(conn)]

    def rep_names(self) -> dict[str, str]:
        return dict(self.reps())
