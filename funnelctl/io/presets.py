"""What an import reads from which column, and the presets for the CSV exports of
the common CRMs, so that most teams need no ``--map``.

A preset lists, per field, the column names the CRM's export uses (its report
export first, then other spellings seen in its exports, such as the field's API
name); the first one the file has is taken. It also maps the stage names of the
CRM's default pipeline onto funnelctl's default stages; a mapping whose target
the pipeline lacks is left out, and ``--stage-map`` overrides any of them.
Column names and stage names are compared ignoring case, spaces and punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from funnelctl.i18n import _

# The fields an import fills, and what each is
FIELDS: dict[str, str] = {
    "id": "the deal's id in the source: a second import finds the deal by it",
    "account": "the customer",
    "title": "what the deal is about",
    "owner": "the rep",
    "amount": "the deal's value",
    "currency": "its currency code (EUR); a sign in the amount says it too",
    "stage": "the source's stage (see --stage-map)",
    "status": "open, won or lost (else the stage says it)",
    "created": "when the deal was created",
    "close": "the expected (or actual) close date",
    "closed": "the day a won or lost deal was closed (else close)",
    "source": "where the lead came from",
    "lost_reason": "why a lost deal was lost",
}
REQUIRED = ("id", "account", "title", "owner", "amount", "created")


@dataclass(frozen=True)
class Preset:
    name: str
    columns: dict[str, tuple[str, ...]]
    stages: dict[str, str] = field(default_factory=dict)  # CRM stage -> funnelctl stage


PRESETS: dict[str, Preset] = {
    # Deals > Export (filter results as CSV): "Deal - " before each field's name;
    # older exports and the spreadsheet export leave it out
    "pipedrive": Preset("pipedrive", {
        "id": ("Deal - ID", "ID", "Deal ID"),
        "title": ("Deal - Title", "Title"),
        "account": ("Deal - Organization", "Organization", "Organization - Name"),
        "owner": ("Deal - Owner", "Owner"),
        "amount": ("Deal - Value", "Value"),
        "currency": ("Deal - Currency", "Currency", "Currency of Value"),
        "stage": ("Deal - Stage", "Stage"),
        "status": ("Deal - Status", "Status"),
        "created": ("Deal - Deal created", "Deal created", "Deal - Add time", "Add time"),
        "close": ("Deal - Expected close date", "Expected close date"),
        "closed": ("Deal - Deal closed on", "Deal closed on", "Deal - Close time",
                   "Close time", "Deal - Won time", "Won time", "Deal - Lost time",
                   "Lost time"),
        "source": ("Deal - Source channel", "Source channel", "Deal - Source origin",
                   "Source origin"),
        "lost_reason": ("Deal - Lost reason", "Lost reason"),
    }, {
        "Lead In": "lead", "Qualified": "lead", "Contact Made": "nurture",
        "Needs Defined": "nurture", "Demo Scheduled": "evaluation",
        "Proposal Made": "evaluation", "Negotiations Started": "negotiation",
    }),
    # CRM > Deals > Export (all properties): the properties' labels
    "hubspot": Preset("hubspot", {
        "id": ("Record ID", "Deal ID", "hs_object_id"),
        "title": ("Deal Name", "dealname"),
        "account": ("Associated Company", "Associated Company (Primary)", "Company name",
                    "Company"),
        "owner": ("Deal owner", "Deal Owner", "hubspot_owner_id"),
        "amount": ("Amount", "amount"),
        "currency": ("Currency", "Deal currency code", "deal_currency_code"),
        "stage": ("Deal Stage", "dealstage"),
        "created": ("Create Date", "createdate"),
        "close": ("Close Date", "closedate"),
        "source": ("Original Traffic Source", "Original Source Type", "Original Source",
                   "hs_analytics_source"),
        "lost_reason": ("Closed Lost Reason", "closed_lost_reason"),
    }, {
        "Appointment Scheduled": "lead", "Qualified To Buy": "nurture",
        "Presentation Scheduled": "evaluation", "Decision Maker Bought-In": "evaluation",
        "Contract Sent": "negotiation", "Closed Won": "won", "Closed Lost": "lost",
        # the internal names the API and some exports write
        "appointmentscheduled": "lead", "qualifiedtobuy": "nurture",
        "presentationscheduled": "evaluation", "decisionmakerboughtin": "evaluation",
        "contractsent": "negotiation", "closedwon": "won", "closedlost": "lost",
    }),
    # an Opportunities report exported as CSV (Export > Details Only); the API names
    # are what Data Loader and Data Export write
    "salesforce": Preset("salesforce", {
        "id": ("Opportunity ID", "Opportunity Id", "Id"),
        "title": ("Opportunity Name", "Name"),
        "account": ("Account Name", "Account.Name", "Account"),
        "owner": ("Opportunity Owner", "Owner Name", "Owner.Name", "Owner"),
        "amount": ("Amount",),
        "currency": ("Opportunity Currency", "Amount Currency", "CurrencyIsoCode"),
        "stage": ("Stage", "StageName"),
        "created": ("Created Date", "CreatedDate"),
        "close": ("Close Date", "CloseDate"),
        "source": ("Lead Source", "LeadSource"),
        "lost_reason": ("Loss Reason", "Closed Lost Reason", "Loss_Reason__c"),
    }, {
        "Prospecting": "lead", "Qualification": "lead", "Needs Analysis": "nurture",
        "Value Proposition": "evaluation", "Id. Decision Makers": "evaluation",
        "Perception Analysis": "evaluation", "Proposal/Price Quote": "evaluation",
        "Negotiation/Review": "negotiation", "Closed Won": "won", "Closed Lost": "lost",
    }),
}


_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def key(text: str) -> str:
    """A column or stage name as compared: ``Deal - Title`` and ``deal title`` match."""
    return _NOT_WORD.sub("", text).casefold()


def columns_of(headers: list[str], preset: Preset | None, given: dict[str, str]
               ) -> tuple[dict[str, tuple[int, ...]], list[str]]:
    """Field -> the columns it is read from, the first cell that is not empty
    winning (Pipedrive writes a won deal's day in "Won time" and a lost one's in
    "Lost time"): ``given`` (--map FIELD=COLUMN) alone when given, else every
    name of the preset the file has; without a preset, a column named like the
    field (``amount``, ``owner``). Returns it with the problems (a --map column
    the file lacks)."""
    index: dict[str, tuple[int, ...]] = {}
    problems: list[str] = []
    by_key: dict[str, int] = {}
    for i, h in enumerate(headers):
        k = key(h)
        if k and k not in by_key:
            by_key[k] = i
    for f, column in given.items():
        i = by_key.get(key(column))
        if i is None:
            problems.append(_("--map {field}={column}: the file has no column {column!r} "
                              "(columns: {columns})").format(
                field=f, column=column, columns=", ".join(h for h in headers if h)))
        else:
            index[f] = (i,)
    for f in FIELDS:
        if f in given:
            continue
        names = preset.columns.get(f, ()) if preset else (f,)
        found = tuple(dict.fromkeys(by_key[key(n)] for n in names if key(n) in by_key))
        if found:
            index[f] = found
    return index, problems
