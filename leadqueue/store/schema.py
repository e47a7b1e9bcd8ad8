"""Tables of a leadqueue store. Instants are stored in UTC.

The `leads` table carries the lead's context and a projection of its events
(state, owner, deadlines). The projection is a cache the service layer
rewrites from a fold of the events in the same transaction as each append;
`events` is the truth and is never updated or deleted.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from leadqueue.domain.text_widths import LEAD_TEXT_WIDTHS as W
from leadqueue.domain.text_widths import REP_NAME_WIDTH
from leadqueue.store.column_types import Count, StoredInstant

SCHEMA_VERSION = 8

# Where an event came from. Only `local` events are published by a sync; a
# pulled event carries the id of the writer that published it.
ORIGIN_LOCAL = "local"
ORIGIN_IMPORT = "import"

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

reps = Table(
    "reps",
    metadata,
    Column("key", String(120), primary_key=True),
    Column("name", String(REP_NAME_WIDTH), nullable=False),
    Column("email", String(320), nullable=False, default=""),
    Column("time_zone", String(64)),  # None: the team's zone
    Column("role", String(10), nullable=False, default="rep", server_default="rep"),  # rep | lead
    # How CRM owners map to reps: the owner ids and other spellings of the name a CRM file uses.
    Column("crm_ids", JSON, nullable=False, default=list),
    Column("aliases", JSON, nullable=False, default=list),
    # The PostgreSQL role the rep connects to a team store as: there the database
    # user says who acts (store.pg_security). One rep per role.
    Column("pg_role", String(63)),
    # The public key the rep's store signs its sync segments with (base64); NULL:
    # the first key seen signing as this rep is pinned instead (sync_pins).
    Column("sync_key", String(64)),
    # Routing (domain.routing): the rep's team, team lead (a key), capacity and absence.
    Column("team", String(60)),
    Column("reports_to", String(120)),
    Column("max_undecided", Integer),
    Column("away_until", StoredInstant),
    Index("ux_reps_pg_role", "pg_role", unique=True),
)

# When a rep's zone changed, and what it was before: each stretch of a rep's
# clocks runs on the calendar of the zone in effect then (domain.calendar).
rep_zone_changes = Table(
    "rep_zone_changes",
    metadata,
    Column("rep", String(120), ForeignKey("reps.key"), primary_key=True),
    Column("at", StoredInstant, primary_key=True),
    Column("zone_before", String(64)),  # None: the team's zone
)

# What names each inactive user of the CRM user lists imported (an id, an email,
# a name, folded as owners are matched): a lead file naming one is told so
# instead of making a rep of a person who has left.
inactive_crm_users = Table(
    "inactive_crm_users",
    metadata,
    Column("identifier", String(320), primary_key=True),
    Column("who", String(400), nullable=False),  # the user, for the message
)

# Leads the CRM had closed when an import first met them: never queued, so never a
# lead here; kept with the CRM's date of that row, so that an older export, in which
# they are still open, does not queue them (a later one, reopened, does).
crm_closed_leads = Table(
    "crm_closed_leads",
    metadata,
    Column("crm_id", String(W["crm_id"]), primary_key=True),
    Column("crm_modified_at", StoredInstant),
)

leads = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crm_id", String(W["crm_id"]), nullable=False, unique=True),
    Column("source_system", String(W["source_system"]), nullable=False, default="leadqueue"),
    # contact
    Column("first_name", String(W["first_name"]), nullable=False, default=""),
    Column("last_name", String(W["last_name"]), nullable=False, default=""),
    Column("title", String(W["title"]), nullable=False, default=""),
    Column("seniority", String(W["seniority"]), nullable=False, default=""),
    Column("email", String(W["email"]), nullable=False, default=""),
    Column("email_norm", String(W["email"]), nullable=False, default=""),
    Column("email_verified", Boolean),
    Column("phone", String(W["phone"]), nullable=False, default=""),
    Column("profile_url", String(W["profile_url"]), nullable=False, default=""),
    # company
    Column("company", String(W["company"]), nullable=False, default=""),
    Column("domain", String(W["domain"]), nullable=False, default=""),
    Column("person_key", String(W["person_key"]), nullable=False, default=""),
    Column("industry", String(W["industry"]), nullable=False, default=""),
    Column("employees", Count("employees")),
    Column("region", String(W["region"]), nullable=False, default=""),
    Column("tech_stack", JSON, nullable=False, default=list),
    Column("growth_signals", JSON, nullable=False, default=list),
    # scoring and engagement
    Column("score", Count("score")),
    Column("score_breakdown", JSON, nullable=False, default=list),
    Column("touchpoints", JSON, nullable=False, default=list),
    Column("source", String(W["source"]), nullable=False, default=""),
    Column("campaign", String(W["campaign"]), nullable=False, default=""),
    Column("channel", String(W["channel"]), nullable=False, default=""),
    Column("content", JSON, nullable=False, default=list),
    Column("talk_track", Text, nullable=False, default=""),
    Column("intent_signals", JSON, nullable=False, default=list),
    Column("third_party_intent", JSON, nullable=False, default=list),
    Column("account_status", String(W["account_status"]), nullable=False, default=""),
    Column("crm_status", String(W["crm_status"]), nullable=False, default=""),
    Column("extra", JSON, nullable=False, default=dict),
    Column("created_at", StoredInstant),
    Column("content_hash", String(64), nullable=False, default=""),
    # name, company and email folded (case, accents, punctuation) for the queue's search
    Column("search_text", Text, nullable=False, default=""),
    Column("imported_at", StoredInstant),
    Column("tier", String(10), nullable=False, default="standard"),
    # The rep the CRM named as owner at the last import: a re-import reassigns only
    # when this changes, so a team lead's reassignment in leadqueue stands.
    Column("crm_owner", String(120)),
    # When the CRM last changed the lead, as the row last imported says (if its file
    # has the column): a re-import of an older file leaves the lead alone.
    Column("crm_modified_at", StoredInstant),
    # projection of the events (see module docstring)
    Column("owner", String(120), ForeignKey("reps.key")),
    Column("state", String(20)),
    Column("is_open", Boolean, nullable=False, default=False),
    Column("due_clock", String(20)),
    Column("due_at", StoredInstant),
    Column("at_risk_at", StoredInstant),
    Column("assigned_at", StoredInstant),
    Column("first_decision_at", StoredInstant),
    Column("first_decision", String(20)),
    Column("decided_at", StoredInstant),
    Column("accepted_at", StoredInstant),
    Column("first_touch_at", StoredInstant),
    Column("conversation_at", StoredInstant),
    Column("disposed_at", StoredInstant),
    Column("reason_code", String(20)),
    Column("contact_attempts", Integer, nullable=False, default=0),
    Column("escalations", Integer, nullable=False, default=0),
    Column("last_event_at", StoredInstant),
    # Monday of the decision's week in the team's zone: weekly trends group on it in SQL
    Column("decided_week", String(10)),
    Column("acknowledged_at", StoredInstant),
    # The next step of the standing acceptance (kind, due, note) and when a logged
    # contact did it (domain.next_step): the queue's rows and the today view read them.
    Column("next_step_kind", String(20)),
    Column("next_step_due", StoredInstant),
    Column("next_step_note", Text),
    Column("next_step_done_at", StoredInstant),
    # "open leads of a rep ordered by deadline" is a keyset walk on this index
    Index("ix_leads_queue", "owner", "is_open", "due_at", "id"),
    Index("ix_leads_open_due", "is_open", "due_at", "id"),
    # covers the queue's header counts (no visit to the wide lead rows)
    Index("ix_leads_counts", "owner", "is_open", "state", "due_at", "at_risk_at"),
    # search scans this narrow index in queue order, not the wide lead rows; the
    # terminal queue walks one section (state) at a time on its first columns
    Index("ix_leads_search", "owner", "state", "due_at", "id", "at_risk_at", "search_text"),
    Index("ix_leads_section_all", "state", "due_at", "id"),
    Index("ix_leads_email_norm", "email_norm"),
    Index("ix_leads_person_key", "person_key"),
    Index("ix_leads_domain", "domain"),
    # The team's numbers: each covers its query, so a period's aggregate scans
    # one narrow index range and never the wide lead rows.
    Index(
        "ix_leads_decided",
        "decided_at",
        "owner",
        "source",
        "accepted_at",
        "state",
        "reason_code",
        "decided_week",
    ),
    # each rep's decisions by date: acceptance by rep is a range per rep, already
    # in rep order, instead of a sort of the period's decisions
    Index("ix_leads_decided_by_owner", "owner", "decided_at", "accepted_at", "state"),
    Index("ix_leads_first_decision", "first_decision_at", "owner", "assigned_at"),
    Index("ix_leads_accepted", "accepted_at", "owner", "state", "first_touch_at", "crm_id"),
    Index("ix_leads_waiting", "state", "owner", "assigned_at"),
)

events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("lead_id", Integer, ForeignKey("leads.id"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("at", StoredInstant, nullable=False),
    Column("payload", JSON, nullable=False, default=dict),
    Column("origin", String(64), nullable=False),  # no default: every writer says which
    Index("ix_events_lead", "lead_id", "seq"),
    Index("ix_events_kind_at", "kind", "at"),
)

# The outbox: each unpublished local event's line in a shared segment,
# encoded in the transaction that records the event. A row holds a run of
# lines in seq order (`seqs`, packed, says whose): one line when recorded, and
# on SQLite every SEAL_LINES single lines at the end are sealed into one row,
# so a backlog is read back as a few long values rather than a row per event.
# Runs never overlap. Local events are published in seq order up to the
# watermark kept in `meta` (outbox.PUBLISHED_THROUGH), which may fall
# inside a run.
outbox_chunks = Table(
    "outbox_chunks",
    metadata,
    Column("first_seq", Integer, primary_key=True, autoincrement=False),
    Column("last_seq", Integer, nullable=False),
    Column("n_lines", Integer, nullable=False),
    Column("seqs", LargeBinary, nullable=False),  # each line's seq, little-endian int64
    # Each line's SHA-256 (without its newline), computed when it is recorded: a
    # published segment's signature covers these. NULL in rows from before version 7.
    Column("digests", LargeBinary),
    # Last, so a walk over the columns before it never reads its overflow pages.
    Column("lines", LargeBinary, nullable=False),  # UTF-8, each line ending in a newline
)

# Every SLA clock run of every lead, evaluated when its lead was last
# projected: the breaches screen and the team's numbers are SQL over this
# table instead of a fold of every lead's events. Deadlines do not depend on
# the time of asking; the state does (running, at risk, breached), and is
# found by comparing `now` with at_risk_at and deadline. Rewritten with the
# lead's projection, so it is a cache of the events like the projection.
clock_runs = Table(
    "clock_runs",
    metadata,
    Column("lead_id", Integer, ForeignKey("leads.id"), primary_key=True),
    Column("n", Integer, primary_key=True),  # the run's place in the lead's history
    Column("clock", String(20), nullable=False),
    Column("rep", String(120), nullable=False),
    Column("started_at", StoredInstant, nullable=False),
    Column("deadline", StoredInstant),  # NULL while paused
    Column("at_risk_at", StoredInstant),
    # overdue by the whole window again: eligible for re-routing
    Column("reroute_at", StoredInstant),
    Column("stopped_at", StoredInstant),
    Column("outcome", String(10)),  # met | missed | ended (handed over in time); NULL while open
    Column("paused_left_seconds", Float),  # the time left, in the clock's measure, while paused
    Column("paused_at", StoredInstant),  # while paused
    Column("budget_seconds", Float, nullable=False),  # the window, in the clock's measure
    # open runs by the instant they turn at risk, covering what the breaches
    # screen shows of a run; closed runs by when they stopped, for compliance
    Index(
        "ix_clock_runs_open",
        "at_risk_at",
        "rep",
        "clock",
        "deadline",
        "started_at",
        "reroute_at",
        "paused_left_seconds",
        "paused_at",
        "budget_seconds",
        "lead_id",
        sqlite_where=text("stopped_at IS NULL"),
    ),
    # open runs by rep, then deadline: the breaches screen's first page (its
    # first reps, most overdue first) is a short walk instead of a sort
    Index(
        "ix_clock_runs_open_by_rep",
        "rep",
        "deadline",
        "at_risk_at",
        "started_at",
        sqlite_where=text("stopped_at IS NULL"),
    ),
    Index(
        "ix_clock_runs_stopped",
        "stopped_at",
        "clock",
        "rep",
        "outcome",
        sqlite_where=text("stopped_at IS NOT NULL"),
    ),
)

# Segment files of the shared folder this store has already taken in (its own
# published ones and other writers'). Segments never change once renamed into
# place, so a name seen once never needs reading again.
sync_files = Table(
    "sync_files",
    metadata,
    Column("name", String(300), primary_key=True),  # "<writer>/<file>"
    Column("writer", String(120), nullable=False),
    Column("events", Integer, nullable=False),
    Column("direction", String(10), nullable=False),  # sent | received
    Column("at", StoredInstant, nullable=False),
)

# The key and rep each writer of the shared folder signs its segments as: pinned
# when its first segment is taken in (trust on first use) or from the roster's
# sync_key. A later segment of that writer signed by another key, or as another
# rep, is refused.
sync_pins = Table(
    "sync_pins",
    metadata,
    Column("writer", String(120), primary_key=True),
    Column("rep", String(120), nullable=False, index=True),
    Column("public_key", String(64), nullable=False),
    Column("source", String(10), nullable=False),  # first-use | roster
    Column("at", StoredInstant, nullable=False),
)

# Pulled events whose lead this store does not have (yet), or that their writer
# may not record on the lead as this store knows it so far (a decision read before
# the reassignment that made its rep the owner): tried again at the end of each
# sync, applied once they may be, and refused once their lead is here and they
# still may not.
sync_parked = Table(
    "sync_parked",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("crm_id", String(64), nullable=False, index=True),
    Column("writer", String(120), nullable=False),
    Column("at", StoredInstant, nullable=False),
    Column("record", JSON, nullable=False),
    # Where it was read ("<writer>/<segment>:<line>"), for the report if it is refused
    # when its lead arrives; NULL for what a version before 7 parked.
    Column("source", String(320)),
)

# Columns of `leads` the projection owns; everything else is lead context.
PROJECTION_COLUMNS = (
    "owner",
    "state",
    "is_open",
    "due_clock",
    "due_at",
    "at_risk_at",
    "assigned_at",
    "first_decision_at",
    "first_decision",
    "decided_at",
    "accepted_at",
    "first_touch_at",
    "conversation_at",
    "disposed_at",
    "reason_code",
    "contact_attempts",
    "escalations",
    "last_event_at",
    "decided_week",
    "acknowledged_at",
    "next_step_kind",
    "next_step_due",
    "next_step_note",
    "next_step_done_at",
)


def add_postgresql_options() -> None:
    """Give the partial indexes their PostgreSQL condition (the same as SQLite's).

    Attached when a PostgreSQL store is first opened rather than declared
    above: naming a dialect's option loads that whole dialect (about 2 MB and
    25 ms), which nobody on SQLite should pay for.
    """
    for table in metadata.tables.values():
        for index in table.indexes:
            condition = index.dialect_options["sqlite"]["where"]
            if condition is not None and index.dialect_options["postgresql"]["where"] is None:
                index.dialect_options["postgresql"]["where"] = condition
