"""The SQL of a PostgreSQL team store's row-level security (store.pg_security
installs it): functions and policies that hold a rep's role to what its rep may
write, whatever client it runs.

An event a role appends must be its own rep's, made here, of a kind
domain.authority lets the rep record on that lead, with the payload the domain
gives that kind (the fields sync.rules checks a pulled record for: no others,
the required ones, their types and choices; an `undone` names the rep's own
latest decision on the same lead), and dated now by the server's clock (within
CLOCK_TOLERANCE). The projection writes
that go with it (leads, clock_runs, the outbox line) are held to the same leads,
the clock runs to reps who held the lead, and the outbox line to saying exactly
what the event says.

What the policies cannot know is left to the app: the team's policy file (which
reason codes exist, which need a note, the undo grace period) and the
projection's own values (services.projection folds them in Python).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from leadqueue.domain.authority import LEAD_ONLY, LEAD_ROLE, OWNER_ONLY, OWNER_OR_LEAD
from leadqueue.domain.decisions import NEXT_STEP_KINDS, TOUCH_CHANNELS
from leadqueue.domain.events import UNDOABLE, EventKind
from leadqueue.domain.lifecycle import DISPOSITIONS
from leadqueue.domain.policy import NEEDS_INFO_FACTS
from leadqueue.domain.years import MAX_YEAR, MIN_YEAR
from leadqueue.store.schema import ORIGIN_LOCAL

# Tables a rep's role writes, with row-level security; the others it only reads.
GUARDED = ("events", "leads", "clock_runs", "outbox_chunks")
# How far an event a rep's role appends may be dated from the server's clock.
CLOCK_TOLERANCE = timedelta(minutes=15)
# Widths of the columns payload values end up in (store.schema), as sync.rules has them.
MAX_EVENT_ID = 36
MAX_LEAD_ID = 64
MAX_REP = 120
MAX_REASON = 20  # leads.reason_code
# ISO 8601 with a UTC offset, as datetime.isoformat() writes it (or a Z).
_ISO = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2}(:?\d{2})?)?)$"

# SQL that checks the payload field it is given (its name), the payload being `p`;
# SCHEMA stands for the store's schema until the function is made.
SCHEMA = "@schema@"
Check = Callable[[str], str]
K = EventKind


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _list(values: Iterable[object]) -> str:
    return ", ".join(literal(str(v)) for v in sorted(str(v) for v in values))


def _text(nonempty: bool = False, width: int | None = None) -> Check:
    def sql(name: str) -> str:
        value = f"(p ->> {literal(name)})"
        parts = [f"jsonb_typeof(p -> {literal(name)}) = 'string'"]
        if nonempty:
            parts.append(f"{value} ~ '\\S'")
        if width is not None:
            parts.append(f"length({value}) <= {width}")
        return " AND ".join(parts)

    return sql


def _one_of(choices: Iterable[object]) -> Check:
    def sql(name: str) -> str:
        return (
            f"jsonb_typeof(p -> {literal(name)}) = 'string' AND (p ->> {literal(name)}) IN ({_list(choices)})"
        )

    return sql


def _reason(name: str) -> str:
    # Which codes exist is the team's policy file's; the form is the domain's.
    value = f"(p ->> {literal(name)})"
    return f"{_text(True, MAX_REASON)(name)} AND {value} = upper(btrim({value}))"


def _rep(name: str) -> str:
    known = f"EXISTS (SELECT 1 FROM {SCHEMA}.reps WHERE key = (p ->> {literal(name)}))"
    return f"{_text(True, MAX_REP)(name)} AND {known}"


def _rep_or_null(name: str) -> str:
    return f"(jsonb_typeof(p -> {literal(name)}) = 'null' OR ({_text(False, MAX_REP)(name)}))"


def _due(name: str) -> str:
    after = f"{SCHEMA}.leadqueue_instant(p ->> {literal(name)}) > stamp"
    return f"jsonb_typeof(p -> {literal(name)}) = 'string' AND {after}"


def _facts(name: str) -> str:
    field = f"p -> {literal(name)}"
    return (
        f"CASE WHEN jsonb_typeof({field}) = 'array' THEN jsonb_array_length({field}) > 0"
        f" AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements({field}) AS m(v)"
        f" WHERE jsonb_typeof(m.v) <> 'string' OR (m.v #>> '{{}}') NOT IN ({_list(NEEDS_INFO_FACTS)}))"
        " ELSE false END"
    )


_NOTE: dict[str, Check] = {"note": _text()}
# kind -> (required fields, optional fields), as sync.rules checks a pulled record.
FIELDS: dict[EventKind, tuple[dict[str, Check], dict[str, Check]]] = {
    K.VIEWED: ({}, {}),
    K.ACCEPTED: ({"next_step": _one_of(NEXT_STEP_KINDS), "due": _due, "note": _text(True)}, {}),
    K.REJECTED: (
        {"reason": _reason},
        {**_NOTE, "routing": _text(), "action": _text(), "duplicate_of": _text(True, MAX_LEAD_ID)},
    ),
    K.NEEDS_INFO: ({"missing": _facts, "note": _text(True)}, {}),
    K.RETURNED_FROM_MARKETING: ({}, _NOTE),
    K.TOUCHED: ({"channel": _one_of(TOUCH_CHANNELS)}, _NOTE),
    K.CONVERSATION: ({"channel": _one_of(TOUCH_CHANNELS)}, _NOTE),
    K.DISPOSED: ({"outcome": _one_of(DISPOSITIONS)}, {"reason": _reason, **_NOTE}),
    K.ESCALATED: ({}, _NOTE),
    K.ACKNOWLEDGED: ({}, _NOTE),
    K.REASSIGNED: ({"to": _rep}, {"from": _rep_or_null, **_NOTE}),
    K.UNDONE: ({"target": _text(True, MAX_EVENT_ID), "target_kind": _one_of(UNDOABLE)}, {}),
}
# What depends on several fields, or on the lead's other events.
WHOLE: dict[EventKind, str] = {
    K.DISPOSED: "((p ->> 'outcome') <> 'returned' OR p ? 'reason')",
    K.UNDONE: f"{SCHEMA}.leadqueue_undoes(lead_row, who, p ->> 'target', p ->> 'target_kind')",
}


def _kind_clause(kind: EventKind) -> str:
    required, optional = FIELDS[kind]
    allowed = sorted({*required, *optional})
    parts = [f"(p - ARRAY[{_list(allowed)}]::text[]) = '{{}}'::jsonb" if allowed else "p = '{}'::jsonb"]
    if required:
        parts.append(f"p ?& ARRAY[{_list(required)}]::text[]")
    parts += [f"({check(name)})" for name, check in required.items()]
    parts += [f"(NOT p ? {literal(name)} OR ({check(name)}))" for name, check in optional.items()]
    if kind in WHOLE:
        parts.append(WHOLE[kind])
    return " AND ".join(parts)


def payload_check(s: str) -> str:
    """Whether payload `p` is one an event of kind `ev_kind` dated `stamp` has: a
    CASE over the kinds, which keeps the type tests ahead of what would fail on a
    value of another type."""
    whens = " ".join(f"WHEN ev_kind = {literal(k.value)} THEN {_kind_clause(k)}" for k in FIELDS)
    case = f"CASE WHEN jsonb_typeof(p) IS DISTINCT FROM 'object' THEN false {whens} ELSE false END"
    return case.replace(SCHEMA, s)


def _kinds(kinds: Iterable[object]) -> str:
    return _list(kinds)


def functions_sql(s: str) -> list[str]:
    """The policies' functions in schema `s` (quoted). SECURITY INVOKER (the
    default): current_user is the rep's role, and what they read the role's own
    read policies allow. Their search_path is fixed and every name qualified: a
    role that puts a table or function of its own earlier changes nothing."""
    fixed = "STABLE SET search_path = pg_catalog, pg_temp"
    sql = f"LANGUAGE sql {fixed}"
    effective = (  # an event no undo (so far) takes back
        "NOT EXISTS (SELECT 1 FROM {s}.events u WHERE u.lead_id = lead_row AND u.kind = 'undone'"
        " AND (u.payload ->> 'target') = {e}.event_id)"
    )
    tolerance = int(CLOCK_TOLERANCE.total_seconds())
    return [
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_rep() RETURNS text {sql}"
        f" AS $$ SELECT key::text FROM {s}.reps WHERE pg_role = current_user $$",
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_is_lead() RETURNS boolean {sql}"
        f" AS $$ SELECT EXISTS (SELECT 1 FROM {s}.reps WHERE pg_role = current_user"
        f" AND role = '{LEAD_ROLE}') $$",
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_owns(lead integer) RETURNS boolean {sql}"
        f" AS $$ SELECT EXISTS (SELECT 1 FROM {s}.leads WHERE id = lead AND owner = {s}.leadqueue_rep()) $$",
        # the leads whose projection a role may rewrite: its own, or any for a team lead
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_projects(lead integer) RETURNS boolean {sql}"
        f" AS $$ SELECT {s}.leadqueue_is_lead() OR {s}.leadqueue_owns(lead) $$",
        # an ISO 8601 instant with an offset in the store's years, or NULL
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_instant(v text) RETURNS timestamptz LANGUAGE plpgsql"
        f" {fixed} AS $$ DECLARE t timestamptz; BEGIN"
        f" IF v IS NULL OR v !~ {literal(_ISO)} THEN RETURN NULL; END IF;"
        " t := v::timestamptz;"
        f" IF extract(year FROM t AT TIME ZONE 'UTC') NOT BETWEEN {MIN_YEAR} AND {MAX_YEAR} THEN RETURN NULL;"
        " END IF; RETURN t;"
        " EXCEPTION WHEN others THEN RETURN NULL; END $$",
        # an undo's target: `who`'s own decision on the lead, of the kind it says, not
        # undone yet, with nothing but views after it that stands (lifecycle.undo_target)
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_undoes(lead_row integer, who text, target text,"
        f" target_kind text) RETURNS boolean {sql} AS $$ SELECT EXISTS (SELECT 1 FROM {s}.events t"
        f" WHERE t.event_id = target AND t.lead_id = lead_row AND t.actor = who AND t.kind = target_kind"
        f" AND t.kind IN ({_kinds(UNDOABLE)}) AND {effective.format(s=s, e='t')}"
        f" AND NOT EXISTS (SELECT 1 FROM {s}.events x WHERE x.lead_id = lead_row AND x.seq > t.seq"
        f" AND x.kind NOT IN ('viewed', 'undone') AND {effective.format(s=s, e='x')})) $$",
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_payload_ok(ev_kind text, p jsonb, stamp timestamptz,"
        f" lead_row integer, who text) RETURNS boolean {sql}"
        f" AS $$ SELECT coalesce({payload_check(s)}, false) $$",
        # dated now by the server's clock. Not "after the lead's latest event": a rep
        # whose clock is a minute behind the team lead's would be refused the lead
        # just reassigned to them, and the history is replayed in the store's order.
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_timely(lead_row integer, stamp timestamptz)"
        f" RETURNS boolean {sql} AS $$ SELECT stamp BETWEEN now() - interval '{tolerance} seconds'"
        f" AND now() + interval '{tolerance} seconds' $$",
        # a clock run of a rep the lead was assigned or reassigned to
        f"CREATE OR REPLACE FUNCTION {s}.leadqueue_held(lead_row integer, who text) RETURNS boolean {sql}"
        f" AS $$ SELECT EXISTS (SELECT 1 FROM {s}.events e WHERE e.lead_id = lead_row AND ("
        f"(e.kind = '{K.ASSIGNED.value}' AND coalesce(nullif(e.payload ->> 'rep', ''), e.actor) = who)"
        f" OR (e.kind = '{K.REASSIGNED.value}' AND (e.payload ->> 'to') = who))) $$",
    ]


def security_sql(schema: str) -> list[str]:
    """The functions and policies, schema-qualified throughout."""
    s = ident(schema)
    statements = functions_sql(s)
    for table in GUARDED:
        statements.append(f"ALTER TABLE {s}.{table} ENABLE ROW LEVEL SECURITY")
        # Only a rep's role reads them: one the roster no longer names reads nothing.
        read = f"FOR SELECT USING ({s}.leadqueue_rep() IS NOT NULL)"
        statements += _policy(s, table, "leadqueue_read", read)
    # An event: as one's own rep, made here, of a kind domain.authority lets one
    # record, with the payload its kind has, dated now.
    may_record = (
        f"actor = {s}.leadqueue_rep() AND origin = '{ORIGIN_LOCAL}' AND ("
        f"(kind IN ({_kinds(OWNER_ONLY)}) AND {s}.leadqueue_owns(lead_id))"
        f" OR (kind IN ({_kinds(LEAD_ONLY)}) AND {s}.leadqueue_is_lead())"
        f" OR (kind IN ({_kinds(OWNER_OR_LEAD)}) AND {s}.leadqueue_projects(lead_id)))"
        f" AND {s}.leadqueue_payload_ok(kind, payload::jsonb, at, lead_id, actor)"
        f" AND {s}.leadqueue_timely(lead_id, at)"
    )
    statements += _policy(s, "events", "leadqueue_record", f"FOR INSERT WITH CHECK ({may_record})")
    # No owner may hand their lead to another (WITH CHECK): only a team lead reassigns.
    mine = f"owner = {s}.leadqueue_rep() OR {s}.leadqueue_is_lead()"
    statements += _policy(s, "leads", "leadqueue_project", f"FOR UPDATE USING ({mine}) WITH CHECK ({mine})")
    runs = f"{s}.leadqueue_projects(lead_id)"
    statements += _policy(s, "clock_runs", "leadqueue_project_drop", f"FOR DELETE USING ({runs})")
    # a run in the name of a rep who held the lead: never one framing another rep
    add = f"{runs} AND {s}.leadqueue_held(lead_id, rep)"
    statements += _policy(s, "clock_runs", "leadqueue_project_add", f"FOR INSERT WITH CHECK ({add})")
    statements += _policy(
        s, "outbox_chunks", "leadqueue_outbox", f"FOR INSERT WITH CHECK ({_outbox_line(s)})"
    )
    return statements


def _outbox_line(s: str) -> str:
    """The outbox line of an event the role just recorded, saying exactly what the
    event says (its instant and payload compared as values, not as text), with
    its digest: a rep cannot queue a forged record for the next sync to publish."""
    little_endian = (
        "(SELECT sum(get_byte(seqs, i)::numeric * 256::numeric ^ i) FROM generate_series(0, 7) AS i)"
    )
    body = "substring(lines FROM 1 FOR length(lines) - 1)"
    doc = "convert_from(lines, 'UTF8')::jsonb"
    return (
        f"n_lines = 1 AND first_seq = last_seq AND length(seqs) = 8 AND {little_endian} = first_seq"
        f" AND get_byte(lines, length(lines) - 1) = 10 AND position('\\x0a'::bytea IN {body}) = 0"
        f" AND digests = sha256({body})"
        f" AND EXISTS (SELECT 1 FROM {s}.events e JOIN {s}.leads l ON l.id = e.lead_id"
        f" WHERE e.seq = first_seq AND e.origin = '{ORIGIN_LOCAL}' AND e.actor = {s}.leadqueue_rep()"
        f" AND {doc} = jsonb_build_object('event_id', e.event_id, 'lead_id', l.crm_id, 'kind', e.kind,"
        f" 'actor', e.actor, 'at', {doc} -> 'at') || e.payload::jsonb"
        f" AND {s}.leadqueue_instant({doc} ->> 'at') = e.at)"
    )


def _policy(s: str, table: str, name: str, body: str) -> list[str]:
    return [f"DROP POLICY IF EXISTS {name} ON {s}.{table}", f"CREATE POLICY {name} ON {s}.{table} {body}"]
