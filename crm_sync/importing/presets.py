"""Column names and stage names of the exports we read: HubSpot deals, Salesforce opportunities.

A preset maps each of our fields to the headers a CRM's export uses for it (compared with
``header_key``: case, spaces and punctuation do not matter). A generic import builds the same
structure from a saved ``ColumnMapping``.
"""

from dataclasses import dataclass, field

from .parsing import header_key, stage_key

FIELDS = (
    "crm_id", "name", "stage", "pipeline", "amount", "currency", "owner", "created_at",
    "closed_at", "stage_changed_at", "email", "phone", "crm_contact_id", "utm_source",
    "utm_medium", "utm_campaign", "utm_content", "utm_term", "ttclid", "cl_visitor_id",
    "opt_out",
)
REQUIRED = ("crm_id", "stage")

# The lead form's hidden fields: stored by both CRMs as custom properties, under either spelling.
_HIDDEN_FIELDS = {
    **{f"utm_{p}": (f"utm_{p}", f"UTM {p}", f"utm_{p}__c", f"Original UTM {p}")
       for p in ("source", "medium", "campaign", "content", "term")},
    "ttclid": ("ttclid", "TikTok Click ID", "ttclid__c", "TikTok Click Id (ttclid)"),
    "cl_visitor_id": ("cl_visitor_id", "Clickledger Visitor ID", "cl_visitor_id__c", "Visitor ID"),
    # The person asked not to be tracked or shared (HubSpot's and Salesforce's own spellings too).
    # (Email unsubscribes are another matter: they are not mapped here.)
    "opt_out": ("opt_out", "Opted out", "Opt-out", "Do not sell", "Do Not Sell or Share",
                "opt_out__c"),
}


@dataclass(frozen=True)
class Preset:
    key: str
    crm: str
    aliases: dict[str, tuple[str, ...]]
    # stage_key → the stage as we store it; empty: any stage is accepted as written.
    stages: dict[str, str] = field(default_factory=dict)
    closed_stages: frozenset[str] = frozenset()

    def header_lookup(self) -> dict[str, str]:
        """header_key → our field."""
        return {header_key(alias): name for name, names in self.aliases.items() for alias in names}


def _stage_table(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Both the internal value and the label of each stage lead to the stored (internal) value."""
    table = {}
    for internal, label in pairs:
        table[stage_key(internal)] = internal
        table[stage_key(label)] = internal
    return table


HUBSPOT = Preset(
    key="hubspot", crm="hubspot",
    aliases={
        "crm_id": ("Record ID", "Deal ID", "hs_object_id", "dealId"),
        "name": ("Deal Name", "dealname"),
        "stage": ("Deal Stage", "dealstage"),
        "pipeline": ("Pipeline",),
        "amount": ("Amount", "amount"),
        "currency": ("Currency", "Deal currency code", "deal_currency_code"),
        "owner": ("Deal owner", "Deal Owner", "hubspot_owner_id"),
        "created_at": ("Create Date", "createdate"),
        "closed_at": ("Close Date", "closedate"),
        "stage_changed_at": ("Last Stage Change Date", "hs_date_entered_current_stage",
                             "Date entered current stage"),
        "email": ("Email", "Contact Email", "Associated Contact Email", "Associated Email"),
        "phone": ("Phone Number", "Phone", "Mobile Phone Number", "Associated Contact Phone"),
        "crm_contact_id": ("Associated Contact IDs", "Contact ID", "Associated Contact ID"),
        **_HIDDEN_FIELDS,
    },
    stages=_stage_table([
        ("appointmentscheduled", "Appointment Scheduled"),
        ("qualifiedtobuy", "Qualified To Buy"),
        ("presentationscheduled", "Presentation Scheduled"),
        ("decisionmakerboughtin", "Decision Maker Bought-In"),
        ("contractsent", "Contract Sent"),
        ("closedwon", "Closed Won"),
        ("closedlost", "Closed Lost"),
    ]),
    closed_stages=frozenset({"closedwon", "closedlost"}),
)

SALESFORCE = Preset(
    key="salesforce", crm="salesforce",
    aliases={
        "crm_id": ("Opportunity ID", "Id", "Opportunity Id", "18 Digit Opportunity ID"),
        "name": ("Opportunity Name", "Name"),
        "stage": ("Stage", "StageName"),
        "pipeline": ("Type", "Opportunity Record Type", "RecordType.Name"),
        "amount": ("Amount",),
        "currency": ("Opportunity Currency", "Amount Currency", "CurrencyIsoCode"),
        "owner": ("Opportunity Owner", "Owner.Name", "Owner Name", "OwnerId"),
        "created_at": ("Created Date", "CreatedDate"),
        "closed_at": ("Close Date", "CloseDate"),
        "stage_changed_at": ("Last Stage Change Date", "LastStageChangeDate"),
        "email": ("Email", "Contact: Email", "Contact Email", "Primary Contact Email"),
        "phone": ("Phone", "Contact: Phone", "Contact Phone", "Mobile"),
        "crm_contact_id": ("Contact ID", "Contact: Contact ID", "ContactId"),
        **_HIDDEN_FIELDS,
    },
    stages=_stage_table([(s, s) for s in (
        "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
        "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
        "Negotiation/Review", "Closed Won", "Closed Lost")]),
    closed_stages=frozenset({"closedwon", "closedlost"}),
)

PRESETS = {p.key: p for p in (HUBSPOT, SALESFORCE)}


def preset_from_mapping(*, columns: dict[str, str], stages: list[str]) -> Preset:
    """A generic preset: one header per field, as an admin saved it."""
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown fields in the mapping: {', '.join(unknown)}; "
                         f"use {', '.join(FIELDS)}")
    missing = [f for f in REQUIRED if not columns.get(f)]
    if missing:
        raise ValueError(f"the mapping must name a column for {', '.join(missing)}")
    table = {stage_key(s): s.strip() for s in stages if s.strip()}
    closed = frozenset(k for k in table if k.startswith("closed"))
    return Preset(key="generic", crm="generic",
                  aliases={name: (header,) for name, header in columns.items() if header},
                  stages=table, closed_stages=closed)
