"""A CRM's user list read by `leadqueue reps import`: the layouts, and the cells of
each row as a `CrmUser`. Only the file's shape and the ids, flags and zone cells
are checked here; names, emails and zones are validated as reps by the domain.

Salesforce (the User object; https://developer.salesforce.com, field reference "User"):

    API name (Data Export,     report label   read as
    Data Loader, SOQL)
    Id                         User ID        the user id: `005` + 12 or 15 letters and digits
    Username                   Username       (login name: tells the layout apart, not stored)
    FirstName, LastName        First Name,    the name when there is no full name
                               Last Name
    Name                       Full Name      the name
    Email                      Email          the email
    TimeZoneSidKey             Time Zone      the zone: an IANA name (America/Los_Angeles), or
                                              a picklist label ending in one:
                                              "(GMT-08:00) Pacific Standard Time (America/Los_Angeles)"
    IsActive                   Active         true/false or 1/0; inactive users are skipped

HubSpot ("Export users" in Settings > Users & Teams; the owners API, /crm/v3/owners):

    User ID (userId)           the user id
    Owner ID (id)              the owner id: what a record's owner property holds
    First Name, Last Name      (firstName, lastName) the name
    Email, Email Address       the email
    Archived (archived)        true: skipped, as an inactive user

Every other column (Salesforce's User export has dozens) is read and ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from leadqueue.domain.crm_users import CrmUser
from leadqueue.domain.owners import is_salesforce_id, looks_like_crm_user_id, salesforce_suffix_problem
from leadqueue.domain.safe_text import unguarded_cell
from leadqueue.io.cells import FALSE_WORDS, TRUE_WORDS
from leadqueue.io.errors import ImportFileError

_SALESFORCE = {
    "id": "user_id",
    "user id": "user_id",
    "username": "username",
    "firstname": "first_name",
    "first name": "first_name",
    "lastname": "last_name",
    "last name": "last_name",
    "name": "name",
    "full name": "name",
    "email": "email",
    "e-mail": "email",
    "timezonesidkey": "zone",
    "time zone": "zone",
    "isactive": "active",
    "active": "active",
}
# Headers only a Salesforce user export has (`User ID`, names and email both have).
_SALESFORCE_MARKS = frozenset({"username", "timezonesidkey", "time zone", "isactive", "active", "full name"})
_SALESFORCE_API = frozenset({"id", "timezonesidkey", "isactive", "firstname", "lastname"})

_HUBSPOT = {
    "user id": "user_id",
    "userid": "user_id",
    "owner id": "owner_id",
    "ownerid": "owner_id",
    "id": "owner_id",  # the owners API's `id` is the owner id
    "first name": "first_name",
    "firstname": "first_name",
    "last name": "last_name",
    "lastname": "last_name",
    "email": "email",
    "email address": "email",
    "archived": "archived",
}
_HUBSPOT_MARKS = frozenset({"user id", "userid", "owner id", "ownerid"})

# A Salesforce time zone picklist label ends in the IANA name, in parentheses:
# "(GMT-08:00) Pacific Standard Time (America/Los_Angeles)", "(GMT+00:00) Greenwich Mean Time (GMT)".
_LABELLED_ZONE = re.compile(r"\(([^()\s]+)\)\s*\Z")


@dataclass(frozen=True)
class UserRowProblem:
    where: str
    column: str  # the header as in the file
    reason: str


@dataclass
class UserList:
    path: Path
    crm: str  # "Salesforce" | "HubSpot"
    label: str  # for the summary: "Salesforce user export (API names)"
    columns: dict[str, str]  # field -> the header as in the file
    users: list[CrmUser] = field(default_factory=list)
    problems: list[UserRowProblem] = field(default_factory=list)

    def column(self, field_name: str) -> str:
        """The file's header for a roster field a problem names (zone -> `TimeZoneSidKey`)."""
        sources = {
            "crm_ids": ("user_id", "owner_id"),
            "name": ("name", "last_name", "first_name"),
            "email": ("email",),
            "zone": ("zone",),
        }
        found = [self.columns[s] for s in sources.get(field_name, ()) if s in self.columns]
        return found[0] if found else field_name


def detect(headers: Sequence[str], first_row: Sequence[str]) -> str | None:
    """The CRM ("Salesforce" or "HubSpot") whose user list has these (normalised) headers, else None.

    An id column with only names and an email could be either: the first row's id tells.
    """
    names = set(headers)
    if "key" in names:  # leadqueue's own roster file
        return None
    if names & _SALESFORCE_MARKS:
        return "Salesforce"
    if names & {"userid", "owner id", "ownerid"}:
        return "HubSpot"
    id_header = "user id" if "user id" in names else "id" if "id" in names else None
    if id_header is None:
        return None
    at = headers.index(id_header)
    cell = first_row[at].strip() if at < len(first_row) else ""
    if looks_like_crm_user_id(cell) == "Salesforce":
        return "Salesforce"
    if id_header == "user id":
        return "HubSpot"
    # A bare `id` is the owners API's only with its names: otherwise a roster file missing
    # its `key` column, to be refused as one.
    if cell.isascii() and cell.isdigit() and names & {"firstname", "lastname"}:
        return "HubSpot"
    return None


def read_users(
    path: Path,
    crm: str,
    headers: Sequence[str],
    raw_headers: Sequence[str],
    rows: Sequence[tuple[int, list[str]]],
) -> UserList:
    """The user list from the file's headers (normalised, and as written) and its data rows
    (spreadsheet row number, cells)."""
    layout = _SALESFORCE if crm == "Salesforce" else _HUBSPOT
    columns: dict[str, str] = {}
    at: dict[str, int] = {}
    for i, (header, raw) in enumerate(zip(headers, raw_headers, strict=True)):
        target = layout.get(header)
        if target is None:
            continue
        if target in at:
            raise ImportFileError(f"{path}: column {raw!r} appears twice in the header")
        columns[target], at[target] = raw, i
    if crm == "Salesforce":
        label = "Salesforce user export " + (
            "(API names)" if set(headers) & _SALESFORCE_API else "(report labels)"
        )
        if "user_id" not in at:
            raise ImportFileError(
                f"{path}: a Salesforce user export with no 'Id' column ('User ID' in a report)"
            )
    else:
        label = "HubSpot owner list" if "owner_id" in at else "HubSpot user export"
        if "user_id" not in at and "owner_id" not in at:
            raise ImportFileError(f"{path}: a HubSpot user export with no 'User ID' or 'Owner ID' column")
    out = UserList(path, crm, label, columns)
    for number, cells in rows:
        where = f"row {number}"
        if len(cells) > len(headers):
            reason = f"{len(cells)} cells, but the header has {len(headers)} columns"
            out.problems.append(UserRowProblem(where, "", reason))
            continue
        values = {
            target: unguarded_cell(cells[i].strip()) if i < len(cells) else "" for target, i in at.items()
        }
        problems: list[UserRowProblem] = []
        ids = _ids(crm, values, columns, where, problems)
        active = _active(values, columns, where, problems)
        if problems:
            out.problems += problems
            continue
        out.users.append(
            CrmUser(
                where=where,
                crm=crm,
                ids=ids,
                name=_name(values),
                email=values.get("email", ""),
                zone=_zone(values.get("zone", "")),
                active=active,
            )
        )
    return out


def _ids(
    crm: str,
    values: Mapping[str, str],
    columns: Mapping[str, str],
    where: str,
    problems: list[UserRowProblem],
) -> tuple[str, ...]:
    ids: list[str] = []
    for target in ("user_id", "owner_id"):
        if target not in columns:
            continue
        text = values[target]
        if not text:
            continue
        if crm == "Salesforce":
            if looks_like_crm_user_id(text) != "Salesforce" or not is_salesforce_id(text):
                reason = f"{text!r} is not a Salesforce user id ('005' and 12 or 15 letters and digits)"
                problems.append(UserRowProblem(where, columns[target], reason))
                continue
            problem = salesforce_suffix_problem(text)
            if problem is not None:  # a lead file's OwnerId would never find this user
                problems.append(UserRowProblem(where, columns[target], f"{text!r}: {problem}"))
                continue
        elif not (text.isascii() and text.isdigit()):
            problems.append(UserRowProblem(where, columns[target], f"{text!r} is not a HubSpot id (digits)"))
            continue
        ids.append(text)
    if not ids and not problems:
        wanted = " or ".join(repr(columns[t]) for t in ("user_id", "owner_id") if t in columns)
        problems.append(
            UserRowProblem(
                where, columns.get("user_id") or columns["owner_id"], f"no user id: {wanted} is blank"
            )
        )
    return tuple(ids)


def _active(
    values: Mapping[str, str], columns: Mapping[str, str], where: str, problems: list[UserRowProblem]
) -> bool:
    for target, active_when in (("active", True), ("archived", False)):
        if target not in columns:
            continue
        text = values[target].casefold()
        if text in TRUE_WORDS:
            return active_when
        if text in FALSE_WORDS:
            return not active_when
        reason = f"{values[target]!r} is not true or false (use true/false, yes/no or 1/0)"
        problems.append(UserRowProblem(where, columns[target], reason))
    return True


def _name(values: Mapping[str, str]) -> str:
    full = values.get("name", "")
    if full:
        return full
    return " ".join(p for p in (values.get("first_name", ""), values.get("last_name", "")) if p)


def _zone(text: str) -> str:
    labelled = _LABELLED_ZONE.search(text)
    return labelled.group(1) if labelled else text
