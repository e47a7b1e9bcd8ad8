"""The team's policy: calendar, SLA windows, tiers, ICP and the rejection
taxonomy. Every number of docs/domain.md is a default here that a team's
policy file may change."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from datetime import date
from enum import StrEnum
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from leadqueue.domain.crm_export import CrmExports
from leadqueue.domain.durations import MAX_WINDOW_DAYS, Window, parse_window
from leadqueue.domain.import_mapping import DateOrder, ImportMapping
from leadqueue.domain.routing_policy import Routing
from leadqueue.domain.zones import check_zone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# Control characters (a newline, ESC) in a label would break the one-line
# lists it is shown in, or drive the terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# How stored clock states are computed from the events: a new version rebuilds every
# store's projections on its next open. 2: a run handed over in time ends, not met.
CLOCK_RULES = 2


class PolicyKeyError(ValueError):
    """A problem found by looking at several keys at once, that names the one to change.

    Pydantic places a whole-model error at the top level; the settings layer
    reads `key` to name the key instead."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


class ClockName(StrEnum):
    DECISION = "decision"
    FIRST_TOUCH = "first_touch"
    DISCOVERY = "discovery"
    DISPOSITION = "disposition"


class Tier(StrEnum):
    HOT = "hot"
    STANDARD = "standard"
    LOW = "low"


class Measure(StrEnum):
    ELAPSED = "elapsed"
    WORKING = "working"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_span(text: str) -> tuple[int, int]:
    """A span of working hours as minutes after local midnight; the end may be 1440."""
    match = _SPAN.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a span of hours: write it like 09:00-17:30")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if not (0 <= h1 < 24 and 0 <= m1 < 60 and 0 <= m2 < 60 and (h2 < 24 or (h2 == 24 and m2 == 0))):
        raise ValueError(f"{text!r}: hours are 00-24 and minutes 00-59")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError(f"{text!r}: a span must end after it starts (overnight spans are not supported)")
    return start, end


class ClockWindow(Strict):
    window: str
    measure: Measure = Measure.ELAPSED

    @field_validator("window")
    @classmethod
    def _window_parses(cls, value: str) -> str:
        parse_window(value)
        return value

    @model_validator(mode="after")
    def _units_fit_the_measure(self) -> ClockWindow:
        parsed = self.parsed
        if parsed.in_business_days and self.measure is not Measure.WORKING:
            raise ValueError('a window in business days (bd) must use measure = "working"')
        if parsed.uses_days and self.measure is Measure.WORKING:
            # "2d" of working time would be 48 working hours (six 8-hour days): nobody means that.
            raise ValueError(
                f'{self.window!r}: days ("d") are 24 elapsed hours; with measure = "working" '
                'write working hours (e.g. "16h") or business days (e.g. "2bd")'
            )
        return self

    @property
    def parsed(self) -> Window:
        return parse_window(self.window)


class Windows(Strict):
    decision_hot: ClockWindow = ClockWindow(window="4h")
    decision_standard: ClockWindow = ClockWindow(window="24h")
    decision_low: ClockWindow = ClockWindow(window="48h")
    first_touch: ClockWindow = ClockWindow(window="24h")
    discovery: ClockWindow = ClockWindow(window="5bd", measure=Measure.WORKING)
    disposition: ClockWindow = ClockWindow(window="10bd", measure=Measure.WORKING)

    def for_clock(self, clock: ClockName, tier: Tier) -> ClockWindow:
        if clock is ClockName.DECISION:
            return getattr(self, f"decision_{tier.value}")
        return getattr(self, clock.value)


def _default_hours() -> dict[str, list[str]]:
    return {day: (["09:00-17:00"] if day not in ("sat", "sun") else []) for day in WEEKDAYS}


class Holidays(Strict):
    dates: list[date] = Field(default_factory=list)
    country: str | None = None
    subdivision: str | None = None

    @model_validator(mode="after")
    def _country_known(self) -> Holidays:
        if self.country:
            import holidays as holidays_lib  # deferred: ~40 modules, only for a policy naming a country

            try:
                holidays_lib.country_holidays(self.country, subdiv=self.subdivision, years=2026)
            except NotImplementedError as exc:
                raise ValueError(f"unknown holiday country {self.country!r}") from exc
            except Exception as exc:  # the library's message names the bad subdivision
                raise ValueError(str(exc)) from exc
        return self


def _hours(seconds: int) -> str:
    """40h, 7.5h, 1m: a week's working time as people say it."""
    if seconds < 3600:
        return f"{seconds // 60}m"
    return f"{round(seconds / 3600, 1):g}h"


class Tiers(Strict):
    hot_score: int = Field(80, ge=0)
    low_score_below: int = Field(40, ge=0)
    # Signals that make a lead hot whatever its score (docs/domain.md: demo request, direct inquiry).
    hot_signals: list[str] = Field(default_factory=lambda: ["demo_request", "direct_inquiry"])
    # Signals that make a lead hot only when it fits the ICP (docs/domain.md: pricing by an ICP fit).
    hot_signals_if_icp: list[str] = Field(default_factory=lambda: ["pricing_visit"])

    @model_validator(mode="after")
    def _ordered(self) -> Tiers:
        if self.low_score_below > self.hot_score:
            raise ValueError("low_score_below must not exceed hot_score")
        return self


class Icp(Strict):
    industries: list[str] = Field(
        default_factory=lambda: [
            "Software",
            "Financial Services",
            "Logistics",
            "Manufacturing",
            "Healthcare",
            "E-commerce",
            "Professional Services",
            "Telecommunications",
        ]
    )
    min_employees: int = Field(50, ge=0)
    max_employees: int = Field(10000, ge=1)
    regions: list[str] = Field(default_factory=lambda: ["NA", "EMEA"])
    buying_seniorities: list[str] = Field(default_factory=lambda: ["c_level", "vp", "director", "manager"])
    recent_engagement_days: int = Field(14, ge=1)


class RoutingAction(StrEnum):
    NURTURE = "nurture"
    DISQUALIFY = "disqualify"
    MERGE = "merge"
    ACCOUNT_MANAGEMENT = "account_management"
    REVIEW = "review"


class ReasonCode(Strict):
    # Plain text: shown as written, never read as markup.
    label: str
    routing: str
    action: RoutingAction
    requires_text: bool = False
    requires_duplicate: bool = False
    retired: bool = False

    @field_validator("label", "routing")
    @classmethod
    def _one_plain_line(cls, value: str) -> str:
        if _CONTROL.search(value):
            raise ValueError("must be one line of plain text (no newlines or control characters)")
        return value

    @field_validator("label")
    @classmethod
    def _label_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a reason code needs a label")
        return value


def _default_reasons() -> dict[str, ReasonCode]:
    R = ReasonCode
    A = RoutingAction
    return {
        "R1": R(
            label="Wrong persona: not a decision-maker or influencer",
            routing="back to marketing: nurture toward a champion",
            action=A.NURTURE,
        ),
        "R2": R(
            label="No active project: right fit, wrong timing",
            routing="back to marketing: long-cycle nurture, re-engage next quarter",
            action=A.NURTURE,
        ),
        "R3": R(
            label="Outside ICP: size, industry or geography",
            routing="disqualify, keep the record",
            action=A.DISQUALIFY,
        ),
        "R4": R(label="Competitor, student, or not a real buyer", routing="disqualify", action=A.DISQUALIFY),
        "R5": R(
            label="Duplicate: already active in the pipeline",
            routing="merge into the named record",
            action=A.MERGE,
            requires_duplicate=True,
        ),
        "R6": R(
            label="No budget this cycle",
            routing="back to marketing: reactivate at the start of next quarter",
            action=A.NURTURE,
        ),
        "R7": R(label="Bad contact data", routing="back to marketing: enrichment", action=A.NURTURE),
        "R8": R(
            label="Existing customer", routing="route to account management", action=A.ACCOUNT_MANAGEMENT
        ),
        "OTHER": R(
            label="Anything else, written out",
            routing="reviewed monthly; recurring ones become codes",
            action=A.REVIEW,
            requires_text=True,
        ),
    }


NEEDS_INFO_FACTS = ("contact_data", "title_role", "company_size", "industry", "region", "intent")


class Policy(Strict):
    """The effective team policy. Build it with `Policy()` for the defaults."""

    time_zone: str = "America/New_York"
    at_risk_fraction: float = Field(0.25, gt=0, lt=1)
    # A week at most: a longer grace is no longer an undo, and a huge one overflowed the clock.
    undo_grace_minutes: int = Field(10, ge=0, le=7 * 24 * 60)
    # How an import reads a date like 3/4/2024 when the file's own values do not say.
    date_order: DateOrder = "mdy"
    min_unresponsive_attempts: int = Field(3, ge=1)
    working_hours: dict[str, list[str]] = Field(default_factory=_default_hours)
    holidays: Holidays = Holidays()
    windows: Windows = Windows()
    tiers: Tiers = Tiers()
    icp: Icp = Icp()
    reasons: dict[str, ReasonCode] = Field(default_factory=_default_reasons)
    crm: CrmExports = CrmExports()
    # `[import.NAME]` tables: mappings for files no built-in format knows (`import --profile NAME`)
    import_profiles: dict[str, ImportMapping] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("import", "import_profiles"),
        serialization_alias="import",
    )

    # The lead's page in the CRM (`o` in the queue): `{id}` is the lead's CRM id, URL-quoted.
    crm_url: str | None = None
    # `[routing]`: who gets a lead nobody owns, and what the router does at a breach;
    # None: an ownerless row is a row error, and the router uses routing_policy's defaults.
    routing: Routing | None = None

    @field_validator("time_zone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        return check_zone(value)

    @field_validator("crm_url")
    @classmethod
    def _crm_url_valid(cls, value: str | None) -> str | None:
        """A web address with `{id}` where the lead's id goes: it is opened in a browser,
        so nothing but http(s) (no `file:` or `javascript:`), and the id never in the host."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        if "{id}" not in value:
            raise ValueError(
                f"{value!r} has no {{id}}: write where the lead's id goes, e.g. https://example.my.salesforce.com/{{id}}"
            )
        if _CONTROL.search(value) or " " in value:
            raise ValueError("a web address has no spaces or control characters")
        parts = urlsplit(value.replace("{id}", "ID"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} must start with https:// (or http://) and a host name")
        if "{id}" in urlsplit(value).netloc:
            raise ValueError(f"{value!r}: {{id}} goes in the path or the query, not the host name")
        return value

    @field_validator("working_hours")
    @classmethod
    def _hours_valid(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"unknown weekday {unknown[0]!r}: use {', '.join(WEEKDAYS)}")
        for day, spans in value.items():
            parsed = sorted(parse_span(s) for s in spans)
            for (_, end), (start, _) in itertools.pairwise(parsed):
                if start < end:
                    raise ValueError(f"{day}: spans overlap")
        full = {day: value.get(day, []) for day in WEEKDAYS}
        if not any(full.values()):
            raise ValueError("at least one weekday needs working hours")
        return full

    @field_validator("reasons", mode="before")
    @classmethod
    def _over_the_defaults(cls, value: Any) -> Any:
        """`[reasons.X]` tables change the default taxonomy, never replace it: a new
        code is added beside R1-R8 and OTHER, a default code's table changes only
        the keys it gives (`retired = true` alone retires it)."""
        if not isinstance(value, dict):
            return value  # pydantic names the wrong type
        merged: dict[str, Any] = dict(_default_reasons())
        for code, given in value.items():
            default = merged.get(code)
            if isinstance(given, dict) and isinstance(default, ReasonCode):
                given = {**default.model_dump(), **given}
            merged[code] = given
        return merged

    @field_validator("reasons")
    @classmethod
    def _reasons_valid(cls, value: dict[str, ReasonCode]) -> dict[str, ReasonCode]:
        for code in value:
            if not re.fullmatch(r"[A-Z][A-Z0-9_]{0,15}", code):
                raise ValueError(f"reason code {code!r} must be upper-case letters/digits, e.g. R9")
        if not any(not r.retired for r in value.values()):
            raise ValueError("every reason code is retired: a rep could reject no lead; keep one active")
        return value

    @model_validator(mode="after")
    def _windows_fit_the_calendar(self) -> Policy:
        """A working window must end within ten years of this policy's working
        hours: 1000 working hours at one working minute a week would end in the
        32nd century, past what a store holds."""
        spans = self.weekly_spans()
        weekly_seconds = sum(end - start for day in spans.values() for start, end in day) * 60
        working_days = sum(1 for day in spans.values() if day)
        for name in Windows.model_fields:
            clock: ClockWindow = getattr(self.windows, name)
            if clock.measure is not Measure.WORKING:
                continue
            parsed = clock.parsed
            if parsed.in_business_days:
                weeks = parsed.business_days / working_days
            else:
                weeks = parsed.seconds / weekly_seconds
            if weeks * 7 > MAX_WINDOW_DAYS:
                raise PolicyKeyError(
                    f"windows.{name}.window",
                    f"{clock.window!r} of working time takes more than ten years at this policy's "
                    f"{_hours(weekly_seconds)} of working hours a week",
                )
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def weekly_spans(self) -> dict[int, list[tuple[int, int]]]:
        return {
            i: sorted(parse_span(s) for s in self.working_hours.get(day, []))
            for i, day in enumerate(WEEKDAYS)
        }

    def clock_fingerprint(self) -> str:
        """What every stored deadline depends on: when it changes, they are all stale."""
        clocks = self.model_dump(
            mode="json", include={"time_zone", "at_risk_fraction", "working_hours", "holidays", "windows"}
        )
        clocks["rules"] = CLOCK_RULES
        return hashlib.sha256(json.dumps(clocks, sort_keys=True).encode()).hexdigest()[:16]

    def crm_link(self, crm_id: str) -> str | None:
        """The lead's page in the CRM, or None when `crm_url` is not set."""
        if self.crm_url is None:
            return None
        return self.crm_url.replace("{id}", quote(crm_id, safe=""))

    def active_reasons(self) -> dict[str, ReasonCode]:
        return {code: r for code, r in self.reasons.items() if not r.retired}

    def reason(self, code: str) -> ReasonCode | None:
        return self.reasons.get(code)
