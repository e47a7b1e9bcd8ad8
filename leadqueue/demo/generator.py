"""A deterministic generator of realistic sample stores.

The same seed, size and reference instant always give the same store. Leads
are laid out relative to the reference instant so that, seen from it, the
queue has a realistic mix: fresh, at risk, breached, paused for marketing,
accepted and waiting for a first touch, and a closed history behind them.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from leadqueue.demo import catalog as cat
from leadqueue.domain.events import Event, EventKind
from leadqueue.domain.lead import ContentItem, LeadProfile, ScoreItem, Touchpoint
from leadqueue.domain.lifecycle import fold
from leadqueue.domain.policy import Policy, Tier
from leadqueue.domain.tiers import tier_of
from leadqueue.gcpause import paused_gc
from leadqueue.services.context import Services
from leadqueue.services.projection import project
from leadqueue.store import repository as repo
from leadqueue.store.bulk import bulk_insert
from leadqueue.store.engine import StoreError, open_store
from leadqueue.store.migrations import CLOCK_POLICY
from leadqueue.store.schema import ORIGIN_IMPORT, leads, meta, reps

# A Wednesday, mid-morning on the team's (New York) calendar.
REFERENCE = datetime(2026, 1, 14, 15, 0, tzinfo=UTC)
_BATCH = 5000
FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com")
_HOT_KINDS = ("demo_request", "direct_inquiry")
_HOT_TOUCHES = tuple(t for t in cat.TOUCHPOINT_KINDS if t[0] in _HOT_KINDS)
_COLD_TOUCHES = tuple(t for t in cat.TOUCHPOINT_KINDS if t[0] not in _HOT_KINDS)


@dataclass(frozen=True)
class GeneratedStore:
    path: Path | str
    leads: int
    events: int
    reps: int


def _pick(rng: random.Random, items: tuple[Any, ...] | list[Any]) -> Any:
    return items[rng.randrange(len(items))]


def _slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in plain if c.isalnum())


class _LeadMaker:
    def __init__(self, rng: random.Random, policy: Policy, reference: datetime) -> None:
        self.rng = rng
        self.policy = policy
        self.ref = reference
        self.people: list[LeadProfile] = []

    def crm_id(self, i: int) -> tuple[str, str]:
        if i % 5 < 3:
            return f"00Q5g{i:010d}", "salesforce"
        return str(51_000_000 + i * 7), "hubspot"

    def profile(self, i: int, assigned_at: datetime) -> LeadProfile:
        rng = self.rng
        crm_id, system = self.crm_id(i)
        if self.people and rng.random() < 0.03:
            # The same person arriving again through another form: a duplicate.
            twin = _pick(rng, self.people[-200:])
            first, last, company_row = twin.first_name, twin.last_name, None
            title, seniority = twin.title, twin.seniority
            email, domain, company = twin.email, twin.domain, twin.company
            industry, employees, region = twin.industry, twin.employees, twin.region
        else:
            first, last = _pick(rng, cat.FIRST_NAMES), _pick(rng, cat.LAST_NAMES)
            company_row = _pick(rng, cat.COMPANIES)
            company, domain, industry, employees, region = company_row
            title, seniority = _pick(rng, cat.TITLES)
            roll = rng.random()
            if roll < 0.04:
                email = ""
            elif roll < 0.07:
                email = f"{_slugify(first)}.{_slugify(last)}@{_pick(rng, FREE_MAIL)}"
            elif roll < 0.09:
                email = f"{_slugify(first)}{_slugify(last)}-at-{domain}"  # a typo'd address
            else:
                email = f"{_slugify(first)}.{_slugify(last)}@{domain}"
        touchpoints, breakdown, content = self._engagement(
            assigned_at, industry, employees, seniority, region
        )
        score = max(0, min(100, sum(s.points for s in breakdown)))
        source, channel = _pick(rng, cat.SOURCES)
        persona = next(
            (p for word, p in cat.SENIORITY_PERSONA.items() if word.lower() in title.lower()),
            "individual" if seniority in ("individual", "student") else "operations",
        )
        track = _pick(rng, cat.TALK_TRACKS.get(persona) or cat.TALK_TRACKS["operations"])
        content_title = content[0].title if content else "our guides"
        status_roll = rng.random()
        account_status = "customer" if status_roll < 0.03 else "competitor" if status_roll < 0.045 else ""
        profile = LeadProfile(
            crm_id=crm_id,
            source_system=system,
            first_name=first,
            last_name=last,
            title=title,
            seniority=seniority,
            email=email,
            email_verified=(rng.random() < 0.7) if email else None,
            phone=f"+1 {rng.randint(201, 989)}-555-{rng.randint(0, 9999):04d}" if rng.random() < 0.8 else "",
            profile_url=f"https://linkedin.com/in/{_slugify(first)}-{_slugify(last)}-{rng.randint(1, 99)}",
            company=company,
            domain=domain,
            industry=industry,
            employees=employees,
            region=region,
            tech_stack=tuple(rng.sample(cat.TECH_STACK, rng.randint(1, 4))),
            growth_signals=tuple(rng.sample(cat.GROWTH_SIGNALS, rng.choice((0, 0, 1, 1, 2)))),
            score=score,
            score_breakdown=tuple(breakdown),
            touchpoints=tuple(touchpoints),
            source=source,
            campaign=_pick(rng, cat.CAMPAIGNS),
            channel=channel,
            content=tuple(content),
            talk_track=track.format(company=company, content=content_title),
            third_party_intent=tuple(rng.sample(cat.INTENT_TOPICS, rng.choice((0, 0, 0, 1, 2)))),
            account_status=account_status,
            created_at=assigned_at - timedelta(minutes=rng.randint(5, 600)),
        )
        if company_row is not None:
            self.people.append(profile)
        return profile

    def _engagement(
        self, assigned_at: datetime, industry: str, employees: int, seniority: str, region: str
    ) -> tuple[list[Touchpoint], list[ScoreItem], list[ContentItem]]:
        rng = self.rng
        content = [ContentItem(*_pick(rng, cat.CONTENT)) for _ in range(rng.randint(1, 4))]
        touchpoints = []
        at = assigned_at - timedelta(days=rng.randint(2, 40))
        for _ in range(rng.randint(2, 7)):
            # Demo requests and direct inquiries make a lead hot on their own: keep them rare.
            pool = _HOT_TOUCHES if rng.random() < 0.03 else _COLD_TOUCHES
            kind, template, points = _pick(rng, pool)
            item = _pick(rng, content)
            label = template.format(
                content=item.title, page=_pick(rng, ("pricing", "integrations", "customers", "security"))
            )
            at = min(at + timedelta(hours=rng.randint(2, 200)), assigned_at - timedelta(minutes=15))
            touchpoints.append(Touchpoint(at=at, kind=kind, label=label, points=points))
        trigger = max(range(len(touchpoints)), key=lambda k: (touchpoints[k].points, touchpoints[k].at))
        touchpoints[trigger] = replace(touchpoints[trigger], mql_trigger=True)
        icp = self.policy.icp
        fit: list[ScoreItem] = []
        for attribute, points in cat.FIT_ATTRIBUTES:
            a = attribute.lower()
            earned = (
                ("industry" in a and industry in icp.industries)
                or ("size" in a and icp.min_employees <= employees <= icp.max_employees)
                or ("title" in a and seniority in ("c_level", "vp", "director"))
                or ("region" in a and region in icp.regions)
                or (a.startswith("uses") and rng.random() < 0.3)
            )
            if earned:
                fit.append(ScoreItem(label=attribute, points=round(points * 0.8), kind="fit"))
        behaviour = [
            ScoreItem(label=t.label, points=round(t.points * 0.6), kind="behavior", at=t.at)
            for t in touchpoints
        ]
        touchpoints.sort(key=lambda t: t.at, reverse=True)
        return touchpoints, fit + behaviour, content

    # -- the story of one lead, as events ---------------------------------------
    def story(self, rep: str, reps: list[str], tier: Tier, open_share: float) -> list[Event]:
        rng = self.rng
        ref = self.ref
        window = {Tier.HOT: 4.0, Tier.STANDARD: 24.0, Tier.LOW: 48.0}[tier]
        roll = rng.random()
        events: list[Event] = []

        def add(event_kind: EventKind, actor: str, at: datetime, **payload: Any) -> None:
            events.append(
                Event(kind=event_kind, actor=actor, at=min(at, ref - timedelta(seconds=30)), payload=payload)
            )

        if roll < open_share:  # undecided: fresh, at risk or breached now
            age = rng.choice((0.1, 0.3, 0.6, 0.8, 0.9, 1.2, 2.5)) * window * rng.uniform(0.8, 1.0)
            assigned = ref - timedelta(hours=age)
            add(EventKind.ASSIGNED, "import", assigned, rep=rep)
            if rng.random() < 0.5:
                add(EventKind.VIEWED, rep, assigned + timedelta(minutes=rng.randint(3, 90)))
            if age > 2 * window and rng.random() < 0.5:
                add(
                    EventKind.ESCALATED,
                    "team-lead",
                    assigned + timedelta(hours=window * 1.1),
                    note="Breached decision SLA",
                )
                if rng.random() < 0.4:
                    # Re-routed at twice the window: the breach stays on the first rep's record.
                    other = _pick(rng, [r for r in reps if r != rep] or reps)
                    add(
                        EventKind.REASSIGNED,
                        "team-lead",
                        assigned + timedelta(hours=window * 2.0),
                        to=other,
                        **{"from": rep},
                    )
            return events
        # A quarter decided in the last three days (being worked now), the rest over eight weeks.
        recent = rng.random() < 0.25
        oldest = 72.0 if recent else 24 * 7 * 8
        assigned = ref - timedelta(hours=rng.uniform(min(window * 1.7, oldest - 1), oldest))
        add(EventKind.ASSIGNED, "import", assigned, rep=rep)
        decide_at = assigned + timedelta(hours=window * rng.choice((0.1, 0.3, 0.5, 0.8, 1.1, 1.6)))
        for minutes in sorted(rng.sample(range(2, 240), rng.randint(1, 3)), reverse=True):
            add(EventKind.VIEWED, rep, decide_at - timedelta(minutes=minutes))
        roll = rng.random()
        if roll < 0.08:  # needs info: some still with marketing, some back and waiting again
            facts = rng.sample(
                ("contact_data", "title_role", "company_size", "industry", "region", "intent"), 2
            )
            add(
                EventKind.NEEDS_INFO,
                rep,
                decide_at,
                missing=sorted(facts),
                note=_pick(rng, cat.NEEDS_INFO_NOTES),
            )
            if rng.random() < 0.4:
                add(
                    EventKind.RETURNED_FROM_MARKETING,
                    "marketing",
                    ref - timedelta(hours=rng.uniform(0.5, 6)),
                    note="Enriched from the data provider",
                )
            return events
        if roll < 0.35:
            code = rng.choices(
                ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "OTHER"),
                weights=(18, 20, 14, 6, 8, 10, 12, 5, 7),
            )[0]
            payload: dict[str, Any] = {"reason": code, "note": _pick(rng, cat.REJECTION_NOTES[code])}
            if code == "R5":
                payload["duplicate_of"] = "00Q5g" + f"{rng.randint(0, 99):010d}"
            reason = self.policy.reason(code)
            assert reason is not None
            payload |= {"routing": reason.routing, "action": reason.action.value}
            add(EventKind.REJECTED, rep, decide_at, **payload)
            return events
        due = decide_at + timedelta(hours=rng.randint(18, 72))
        add(
            EventKind.ACCEPTED,
            rep,
            decide_at,
            next_step=_pick(rng, ("call", "email", "meeting", "demo")),
            due=due.isoformat(),
            note=_pick(rng, cat.ACCEPT_NOTES),
        )
        if ref - decide_at < timedelta(days=3) and rng.random() < 0.6:
            return events  # accepted, awaiting the first touch
        at = decide_at
        attempts = rng.randint(1, 8)
        for n in range(attempts):
            at = at + timedelta(hours=rng.uniform(2, 40))
            conversation = n >= 1 and rng.random() < 0.35
            add(
                EventKind.CONVERSATION if conversation else EventKind.TOUCHED,
                rep,
                at,
                channel=_pick(rng, ("call", "email", "social")),
            )
        if at > ref - timedelta(days=4):
            return events  # still being worked
        outcome = rng.choices(("advanced", "returned", "unresponsive"), weights=(45, 25, 30))[0]
        if outcome == "unresponsive" and attempts < 3:
            outcome = "returned"
        extra = {"reason": rng.choice(("R2", "R6", "R1"))} if outcome == "returned" else {}
        add(EventKind.DISPOSED, rep, at + timedelta(days=rng.uniform(1, 6)), outcome=outcome, **extra)
        return events


def generate(
    out: Path | str,
    n_leads: int = 500,
    n_reps: int = 6,
    seed: int = 7,
    reference: datetime = REFERENCE,
    open_share: float = 0.45,
    history_leads: int = 0,
    policy: Policy | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GeneratedStore:
    # a database URL (a team store on PostgreSQL) or a file that must not exist yet
    if "://" not in str(out) and Path(out).exists():
        raise StoreError(f"{out} already exists: choose another --out or remove it")
    policy = policy or Policy()
    rng = random.Random(seed)
    store = open_store(out)
    services = Services(store=store, policy=policy)
    rep_rows = list(cat.REP_NAMES[:n_reps]) + [
        (f"rep{n}", f"Rep {n}", policy.time_zone) for n in range(len(cat.REP_NAMES) + 1, n_reps + 1)
    ]
    rep_keys = [r[0] for r in rep_rows]
    maker = _LeadMaker(rng, policy, reference)
    # History leads are closed stories behind the queue: events for team reports.
    total = n_leads + history_leads
    total_events = 0
    with paused_gc(), store.write() as conn:
        conn.execute(
            insert(reps),
            [
                {
                    "key": k,
                    "name": name,
                    "email": f"{k}@leadqueue.example",
                    "time_zone": zone,
                    "role": "lead" if k == cat.TEAM_LEAD else "rep",
                }
                for k, name, zone in rep_rows
            ],
        )
        conn.execute(
            insert(meta),
            [
                {"key": "demo_reference", "value": reference.isoformat()},
                {"key": "demo_seed", "value": str(seed)},
                {"key": CLOCK_POLICY, "value": policy.clock_fingerprint()},
            ],
        )
        calendar_for = services.calendars(conn)
        for start in range(0, total, _BATCH):
            lead_rows: list[dict[str, Any]] = []
            stories: list[list[Event]] = []
            runs: list[list[dict[str, Any]]] = []
            for i in range(start, min(total, start + _BATCH)):
                rep = rep_keys[rng.randrange(len(rep_keys))]
                # The story depends on the tier, the tier on the profile: draw the
                # profile as if assigned at the reference, then move it to the story.
                profile = maker.profile(i, reference)
                tier = tier_of(profile, policy)
                events = maker.story(rep, rep_keys, tier, open_share if i < n_leads else 0.0)
                profile = _shifted(profile, events[0].at - reference)
                values = repo.profile_to_values(profile)
                values["tier"] = tier.value
                values["content_hash"] = repo.content_hash(values)
                values["imported_at"] = events[0].at
                projected = project(fold(events), tier, policy, calendar_for, reference)
                values |= projected.columns
                lead_rows.append(values)
                runs.append(projected.runs)
                stories.append(events)
            bulk_insert(conn, leads, lead_rows)
            ids = repo.ids_for(conn, [v["crm_id"] for v in lead_rows])
            event_rows = [
                repo.event_values(ids[v["crm_id"]], e, ORIGIN_IMPORT)
                for v, evs in zip(lead_rows, stories, strict=True)
                for e in evs
            ]
            repo.insert_events(conn, event_rows)
            repo.insert_runs(conn, {ids[v["crm_id"]]: r for v, r in zip(lead_rows, runs, strict=True)})
            total_events += len(event_rows)
            if progress:
                progress(min(total, start + _BATCH), total)
    store.dispose()
    return GeneratedStore(out, total, total_events, len(rep_keys))


def _shifted(p: LeadProfile, delta: timedelta) -> LeadProfile:
    return replace(
        p,
        created_at=p.created_at + delta if p.created_at else None,
        touchpoints=tuple(replace(t, at=t.at + delta) for t in p.touchpoints),
        score_breakdown=tuple(replace(s, at=s.at + delta) if s.at else s for s in p.score_breakdown),
    )
