"""Column layouts of the lead files `leadqueue import` reads, as data.

Each format maps a *normalised* header (stripped, case-folded, inner spaces
collapsed: see `normalise_header`) to a target. A target is a `LeadProfile`
field name or one of the special targets below (`import_mapping.SPECIAL_FIELDS`).
When several columns map to the same target, the first one listed in the
mapping that has a value wins (a team's "Work Email" before "Personal Email").

Special targets:

    rep           owner of the lead in the file (rep name or key)
    assigned_at   when the lead was assigned to that owner
    created_at    when the lead was created in the CRM (also `LeadProfile.created_at`)
    modified_at   when the CRM last changed the lead: a re-import leaves a lead alone
                  when its row is older than the one last imported
    mobile        phone number used only when the phone column is blank
    country       country name or code, mapped to a sales region
    state         US state / Canadian province, mapped to NA
    description   free text: kept in extra["description"], used as talk_track if there is none
    converted     true when the CRM already converted the lead (Salesforce IsConverted)
    ignore        read and dropped (e.g. Salesforce "Email Opt Out")

Any other column is kept in `LeadProfile.extra` under its header as written.

leadqueue's own CSV / JSON-lines columns
========================================

==================  ================================================  ======================================
column              meaning                                           example
==================  ================================================  ======================================
crm_id              id of the lead in the CRM (required; kept as      00Q5g00000AbCdE
                    text, leading zeros too)
first_name          first name                                        Dana
last_name           last name (this or email is required)             Whitfield
title               job title                                         VP Operations
seniority           c_level, vp, director, manager, individual,       vp
                    student (inferred from title if no column)
email               work email (this or last_name is required)        dana@northwind.example
email_verified      true/false/yes/no/1/0, blank = unknown            true
phone               phone number                                      +1 617 555 0142
profile_url         LinkedIn or other profile URL                     https://linkedin.com/in/dwhitfield
company             company name                                      Northwind Logistics
domain              company web domain (from a work email if blank)   northwind.example
industry            industry                                          Logistics
employees           employee count, whole number                      1200
region              NA, EMEA, APAC, LATAM (country names mapped)      NA
tech_stack          technologies, ``;``-separated                     Salesforce;Snowflake
growth_signals      growth signals, ``;``-separated                   hiring SDRs;Series C
score               lead score, whole number                          72
score_breakdown     JSON array of {label, points, kind, at}           [{"label": "VP title", "points": 15}]
touchpoints         JSON array of                                     [{"at": "2026-11-18T15:02:00Z",
                    {at, kind, label, points, mql_trigger}              "kind": "pricing_visit"}]
source              lead source                                       Webinar
campaign            campaign name                                     Q4 Ops Webinar
channel             marketing channel                                 paid_social
content             JSON array of {title, stage} (stage tofu/mofu/    [{"title": "ROI guide",
                    bofu), or ``;``-separated titles                    "stage": "mofu"}]
talk_track          suggested opening for the rep                     Ask how they route inbound today
intent_signals      intent signals, ``;``-separated                   pricing_visit;demo_request
third_party_intent  third-party intent topics, ``;``-separated        route optimization
account_status      "", customer, competitor, disqualified            customer
rep                 owner: rep key or name                            maria
assigned_at         when the owner got the lead                       2026-11-20T09:00:00-05:00
modified_at         when the CRM last changed the lead                2026-11-20T08:55:00Z
created_at          when the lead was created in the CRM              2026-11-19T16:40:00Z
crm_status          lead status in the CRM                            Open - Not Contacted
source_system       optional; defaults to "leadqueue"                 leadqueue
==================  ================================================  ======================================

Timestamps are ISO 8601; without an offset they are read in the team's time
zone. In JSON lines the same names are keys, and list/JSON columns may be
JSON values instead of text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from leadqueue.domain.import_mapping import normalise_header


@dataclass(frozen=True)
class CrmFormat:
    name: str  # "leadqueue", "salesforce-api", "salesforce-report", "hubspot", "zoho", "mapping"
    label: str  # for messages: "Salesforce report export"
    columns: Mapping[str, str]  # normalised header -> target
    labels: Mapping[str, str] = field(default_factory=dict)  # target -> header as users know it
    source_system: str = "leadqueue"
    # Headers only this format has: the most of them wins a shared id ("Record ID").
    signature: frozenset[str] = frozenset()
    # Timestamps without an offset are in UTC (Salesforce API exports), else the team's zone.
    utc_timestamps: bool = False
    # Salesforce record ids: 15 and 18 characters, checked and stored as 18.
    salesforce_ids: bool = False
    # Every id is one Salesforce's API wrote: 15 or 18 characters (a report's may be a team's).
    salesforce_api: bool = False
    # A report ends with a footer (name, copyright...) after a blank or a "Grand Totals" row.
    footer_after_blank: bool = False
    # A contact's row repeats once per associated company: merged, not duplicates.
    repeated_rows: bool = False
    # A prefix some exports put before the record id (Zoho's "zcrm_"): one record, one id.
    id_prefix: str = ""

    def label_of(self, target: str) -> str:
        return self.labels.get(target, target)

    @property
    def id_column(self) -> str:
        return self.label_of("crm_id")

    def id_keys(self) -> set[str]:
        return {key for key, target in self.columns.items() if target == "crm_id"}


def _frozen(d: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(d)


LEADQUEUE_FIELDS: tuple[str, ...] = (
    "crm_id",
    "first_name",
    "last_name",
    "title",
    "seniority",
    "email",
    "email_verified",
    "phone",
    "profile_url",
    "company",
    "domain",
    "industry",
    "employees",
    "region",
    "country",  # kept with the lead, and its region when the file gives none
    "tech_stack",
    "growth_signals",
    "score",
    "score_breakdown",
    "touchpoints",
    "source",
    "campaign",
    "channel",
    "content",
    "talk_track",
    "intent_signals",
    "third_party_intent",
    "account_status",
    "rep",
    "assigned_at",
    "modified_at",
    "created_at",
    "crm_status",
    "source_system",
)

LEADQUEUE = CrmFormat(
    name="leadqueue",
    label="leadqueue lead file",
    columns=_frozen({name: name for name in LEADQUEUE_FIELDS}),
    labels=_frozen({"crm_id": "crm_id", "email": "email", "last_name": "last_name"}),
    source_system="leadqueue",
    signature=frozenset(LEADQUEUE_FIELDS),
)

SALESFORCE_API = CrmFormat(
    name="salesforce-api",
    label="Salesforce export (API field names)",
    columns=_frozen(
        {
            "id": "crm_id",
            "firstname": "first_name",
            "lastname": "last_name",
            "title": "title",
            "company": "company",
            "email": "email",
            "phone": "phone",
            "mobilephone": "mobile",
            "leadsource": "source",
            "status": "crm_status",
            "industry": "industry",
            "numberofemployees": "employees",
            "country": "country",
            "countrycode": "country",
            "state": "state",
            "statecode": "state",
            "website": "domain",
            "ownerid": "rep",
            "isconverted": "converted",
            "createddate": "created_at",
            "lasttransferdate": "assigned_at",
            "lastmodifieddate": "modified_at",
            "systemmodstamp": "modified_at",  # when LastModifiedDate is not exported
            "description": "description",
            "name": "ignore",  # FirstName and LastName say it
            "isdeleted": "ignore",
            "hasoptedoutofemail": "ignore",
        }
    ),
    labels=_frozen({"crm_id": "Id", "email": "Email", "last_name": "LastName", "rep": "OwnerId"}),
    source_system="salesforce",
    signature=frozenset(
        {
            "id",
            "ownerid",
            "isconverted",
            "createddate",
            "firstname",
            "lastname",
            "leadsource",
            "numberofemployees",
            "lasttransferdate",
            "mobilephone",
            "isdeleted",
            "lastmodifieddate",
        }
    ),
    utc_timestamps=True,
    salesforce_ids=True,
    salesforce_api=True,
)

SALESFORCE_REPORT = CrmFormat(
    name="salesforce-report",
    label="Salesforce report export",
    columns=_frozen(
        {
            "lead id": "crm_id",
            "first name": "first_name",
            "last name": "last_name",
            "title": "title",
            "company": "company",
            "company / account": "company",
            "email": "email",
            "phone": "phone",
            "mobile": "mobile",
            "mobile phone": "mobile",
            "lead source": "source",
            "lead status": "crm_status",
            "lead owner": "rep",
            "owner": "rep",
            "lead owner id": "rep",
            "create date": "created_at",
            "created date": "created_at",
            "industry": "industry",
            "no. of employees": "employees",
            "employees": "employees",
            "number of employees": "employees",
            "website": "domain",
            "country": "country",
            "country code": "country",
            "region": "region",
            "state": "state",
            "state/province": "state",
            "state code": "state",
            "campaign": "campaign",
            "campaign name": "campaign",
            "email opt out": "ignore",
            "lead score": "score",
            "score": "score",
            "owner assigned date": "assigned_at",
            "assigned date": "assigned_at",
            "last transfer date": "assigned_at",
            "last modified date": "modified_at",
            "last modified": "modified_at",
            "converted": "converted",
            "linkedin": "profile_url",
            "linkedin profile": "profile_url",
            "description": "description",
        }
    ),
    labels=_frozen({"crm_id": "Lead ID", "email": "Email", "last_name": "Last Name", "rep": "Lead Owner"}),
    source_system="salesforce",
    signature=frozenset(
        {
            "lead id",
            "lead owner",
            "create date",
            "created date",
            "company / account",
            "lead status",
            "lead source",
            "no. of employees",
            "email opt out",
            "owner assigned date",
        }
    ),
    salesforce_ids=True,
    footer_after_blank=True,
)

HUBSPOT = CrmFormat(
    name="hubspot",
    label="HubSpot contacts export",
    columns=_frozen(
        {
            "record id": "crm_id",
            "record id - contact": "crm_id",
            "contact id": "crm_id",
            "hs_object_id": "crm_id",  # exports with internal names
            "firstname": "first_name",
            "lastname": "last_name",
            "jobtitle": "title",
            "company": "company",
            "phone": "phone",
            "hs_analytics_source": "source",
            "hs_analytics_source_data_1": "campaign",
            "first name": "first_name",
            "last name": "last_name",
            "email": "email",
            "job title": "title",
            "company name": "company",
            "lead status": "crm_status",
            "hs_lead_status": "crm_status",
            "contact owner": "rep",
            "hubspot_owner_id": "rep",
            "owner assigned date": "assigned_at",
            "hubspot_owner_assigneddate": "assigned_at",
            "last modified date": "modified_at",
            "lastmodifieddate": "modified_at",
            "hs_lastmodifieddate": "modified_at",
            "create date": "created_at",
            "createdate": "created_at",
            "original source": "source",
            "original traffic source": "source",
            "original source drill-down 1": "campaign",
            "original traffic source drill-down 1": "campaign",
            "drill-down 1": "campaign",
            "hubspot score": "score",
            "phone number": "phone",
            "mobile phone number": "mobile",
            "industry": "industry",
            "number of employees": "employees",
            "country/region": "country",
            "country": "country",
            "state/region": "state",
            "company domain name": "domain",
            "website url": "domain",
            "linkedin url": "profile_url",
        }
    ),
    labels=_frozen(
        {"crm_id": "Record ID", "email": "Email", "last_name": "Last Name", "rep": "Contact owner"}
    ),
    source_system="hubspot",
    signature=frozenset(
        {
            "record id - contact",
            "contact owner",
            "create date",
            "original source",
            "original traffic source",
            "lifecycle stage",
            "job title",
            "hubspot score",
            "hs_lead_status",
            "company name",
            "phone number",
            "marketing contact status",
            "owner assigned date",
            "hs_object_id",
            "hubspot_owner_id",
            "hubspot_owner_assigneddate",
            "lifecyclestage",
            "hs_analytics_source",
        }
    ),
    repeated_rows=True,
)

ZOHO = CrmFormat(
    name="zoho",
    label="Zoho CRM leads export",
    columns=_frozen(
        {
            "record id": "crm_id",
            "lead id": "crm_id",
            "lead owner": "rep",
            "lead owner id": "rep",
            "company": "company",
            "first name": "first_name",
            "last name": "last_name",
            "designation": "title",
            "title": "title",
            "email": "email",
            "phone": "phone",
            "mobile": "mobile",
            "lead source": "source",
            "lead status": "crm_status",
            "industry": "industry",
            "no of employees": "employees",
            "no. of employees": "employees",
            "created time": "created_at",
            "modified time": "modified_at",
            "website": "domain",
            "country": "country",
            "state": "state",
            "description": "description",
            "email opt out": "ignore",
        }
    ),
    labels=_frozen({"crm_id": "Record Id", "email": "Email", "last_name": "Last Name", "rep": "Lead Owner"}),
    source_system="zoho",
    id_prefix="zcrm_",
    signature=frozenset(
        {"lead owner", "created time", "modified time", "designation", "no of employees", "lead owner id"}
    ),
)

CSV_FORMATS: tuple[CrmFormat, ...] = (SALESFORCE_API, SALESFORCE_REPORT, HUBSPOT, ZOHO, LEADQUEUE)
JSONL_FORMAT_NAME = "jsonl"
# Headers a CRM's user list has (Salesforce User, HubSpot users): such a file is a roster,
# unless the header has a lead file's own id column (a HubSpot contact has a "Time Zone").
USER_LIST_HEADERS = frozenset({"username", "timezonesidkey", "user id", "isactive", "time zone"})
LEAD_ID_HEADERS = frozenset().union(*(f.id_keys() for f in CSV_FORMATS)) - {"id"}  # a user's "Id" too


def mapping_format(name: str, columns: Mapping[str, str]) -> CrmFormat:
    """A team's own layout (`--map FILE.toml`, `--profile NAME`) as a format."""
    by_key = {normalise_header(header): target for header, target in columns.items()}
    labels = {target: header for header, target in reversed(list(columns.items()))}
    return CrmFormat(
        name="mapping",
        label=f"mapping {name}",
        columns=_frozen(by_key),
        labels=_frozen(labels),
        source_system="leadqueue",
    )


def detect_format(headers: set[str]) -> CrmFormat | None:
    """The format whose id column is among the (normalised) headers; where several
    formats have theirs, the one whose own columns the header has most of."""
    candidates = [fmt for fmt in CSV_FORMATS if fmt.id_keys() & headers]
    if not candidates:
        return None
    # max() keeps the first of equals: CSV_FORMATS is in order of preference
    return max(candidates, key=lambda fmt: len(fmt.signature & headers))


def guess_format(headers: set[str]) -> CrmFormat | None:
    """A format the header resembles although its id column is missing (for a better message)."""
    hits = {fmt.name: len(headers & fmt.signature) for fmt in CSV_FORMATS}
    best = max(CSV_FORMATS, key=lambda f: hits[f.name])
    if hits[best.name] >= 2 and sum(1 for h in hits.values() if h == hits[best.name]) == 1:
        return best
    return None
