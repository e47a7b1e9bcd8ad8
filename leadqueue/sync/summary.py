"""What a sync did, and what it refused, as one line and a list of problems."""

from __future__ import annotations

from dataclasses import dataclass, field

from leadqueue.domain.safe_text import terminal_safe

SHOWN_PROBLEMS = 20  # problems listed one by one; the rest are counted


@dataclass
class SyncSummary:
    sent: int = 0
    received: int = 0
    already_present: int = 0
    waiting_for_lead: int = 0  # pulled events whose lead this store has not imported
    conflicts: int = 0  # pulled decisions that arrived after the lead had moved on
    stale_temps_removed: int = 0
    recovered_segments: int = 0
    rewritten_segments: int = 0  # sent by this store, gone from its folder, written again
    unsent: int = 0  # still in the outbox after the run
    refused: list[str] = field(default_factory=list)  # "<path>: <reason>": files not taken in
    bad_records: list[str] = field(default_factory=list)  # "<path>: line N: <reason>": skipped
    id_conflicts: list[str] = field(default_factory=list)  # an event id claimed with other content
    notices: list[str] = field(default_factory=list)  # what this store did about itself
    foreign_actor: int = 0  # published events made here as another rep than the store's
    publishes_as: str | None = None
    # Why nothing (more) was published, though the pull ran: the sync failed.
    publish_refused: str | None = None

    @property
    def bad_segments(self) -> list[str]:
        """The files refused (the name earlier versions used)."""
        return self.refused

    def line(self) -> str:
        text = f"sent {self.sent}, received {self.received}, already present {self.already_present}"
        extras = []
        if self.publish_refused is not None:
            extras.append(f"{self.unsent} not sent" if self.unsent else "could not publish")
        if self.rewritten_segments:
            extras.append(f"rewrote {self.rewritten_segments} missing segment(s)")
        if self.waiting_for_lead:
            extras.append(f"{self.waiting_for_lead} waiting for a lead this store has not imported")
        if self.conflicts:
            extras.append(f"{self.conflicts} conflicting decision(s) kept in history, not applied")
        if self.refused:
            extras.append(f"refused {len(self.refused)} file(s)")
        if self.bad_records:
            extras.append(f"{len(self.bad_records)} bad record(s) skipped")
        if self.id_conflicts:
            extras.append(f"{len(self.id_conflicts)} event id(s) claimed with other content, not applied")
        if self.foreign_actor:
            extras.append(f"{self.foreign_actor} sent as another rep than {self.publishes_as}")
        return text + (f" ({'; '.join(extras)})" if extras else "")

    @property
    def needs_attention(self) -> bool:
        return bool(
            self.publish_refused
            or self.rewritten_segments
            or self.refused
            or self.bad_records
            or self.id_conflicts
            or self.conflicts
            or self.notices
            or self.foreign_actor
        )

    def problems(self, with_refusal: bool = True) -> list[str]:
        """One line each: what was refused, skipped or done about this store, safe to print.
        The first is why nothing was published, if so, unless `with_refusal` is
        False (the CLI says it as its error).

        Paths and reasons quote what files in the shared folder say: every line
        goes through terminal_safe, so no control character reaches a terminal."""
        lines = [self.publish_refused] if with_refusal and self.publish_refused else []
        lines += self.notices
        if self.rewritten_segments:
            lines.append(
                f"{self.rewritten_segments} segment(s) this store sent were gone from its folder of the"
                " share: written again from its outbox"
            )
        if self.refused:
            lines.append(f"refused {len(self.refused)} file(s): {'; '.join(self.refused)}")
        listed = [*self.bad_records, *self.id_conflicts]
        lines += [f"skipped {p}" for p in listed[:SHOWN_PROBLEMS]]
        if len(listed) > SHOWN_PROBLEMS:
            lines.append(f"... and {len(listed) - SHOWN_PROBLEMS} more skipped record(s)")
        if self.foreign_actor:
            lines.append(
                f"{self.foreign_actor} published event(s) were recorded here as another rep than"
                f" {self.publishes_as}, the rep this store publishes as: the other stores will not take"
                " them in"
            )
        return [terminal_safe(line) for line in lines]
