"""A re-import changes only what its file's columns say: a field whose column the
file lacks keeps its stored value, an empty cell in a column it has clears it."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from leadqueue.domain.lead import LeadProfile
from leadqueue.io.reader import LeadFile, ParsedRow
from leadqueue.io.row_parser import DERIVED_FROM, TARGETS_IN_EXTRA

# The profile's own fields a column of the same name sets; the rest are set through
# other targets (row_parser.DERIVED_FROM) or are not the file's to say (the id, the system, `extra`).
_PLAIN_FIELDS = frozenset(f.name for f in fields(LeadProfile)) - {"crm_id", "source_system", "extra"}


@dataclass(frozen=True)
class FileColumns:
    """Which of a lead's fields a file's columns say, by header. A re-import changes
    only those: a field whose column the file lacks keeps its stored value, an empty
    cell in a column the file has clears it. Per row, since a JSON line may leave
    keys out. (Read from the parser's own plan, so it matches what the rows hold.)"""

    targets: tuple[tuple[str, str], ...]  # (header, target) of every column the format reads
    extras: tuple[str, ...]  # headers the format does not know: kept in `extra` as they are
    description: str  # the header of the description column, "" if none

    @classmethod
    def of(cls, lead_file: LeadFile) -> FileColumns:
        parser = lead_file.parser()
        return cls(
            targets=tuple((c.header, c.target) for c in parser.columns),
            extras=tuple(name for _, name in parser.extras),
            description=parser.header_of("description") or "",
        )

    def extra_of(self, profile: LeadProfile) -> dict[str, Any]:
        """The row's `extra` with the description under the file's own header."""
        extra = dict(profile.extra)
        if self.description and "description" in extra:
            extra[self.description] = extra.pop("description")
        return extra

    def merged(self, stored: LeadProfile, row: ParsedRow) -> LeadProfile:
        """The stored lead with what this row says: the fields of the columns it has."""
        said = {target for name, target in self.targets if name in row.raw}
        new = row.profile
        fields_said = said & _PLAIN_FIELDS
        fields_said |= {f for f, sources in DERIVED_FROM.items() if said.intersection(sources)}
        changes: dict[str, Any] = {f: getattr(new, f) for f in fields_said}
        if "state" in said and new.region:  # a state the tables know; one they do not says nothing
            changes["region"] = new.region
        # a JSON line's "extra" object sets its own keys and leaves the others
        cleared = {name for name in self.extras if name in row.raw}
        cleared |= {target for target in TARGETS_IN_EXTRA if target in said}  # "description": older leads
        # a column the file reads into a field leaves no copy of an earlier import under its
        # header: the description (kept there anew, below), or a column an older leadqueue
        # did not read and kept as it was (`LastModifiedDate`, before modification dates)
        cleared |= {name for name, _ in self.targets if name in row.raw}
        extra = {k: v for k, v in stored.extra.items() if k not in cleared} | self.extra_of(new)
        return replace(stored, **changes, source_system=new.source_system, extra=extra)
