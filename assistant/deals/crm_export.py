"""Accounts, contacts, deals and notes for a CRM import, shaped like HubSpot's import files: one row per
object, HubSpot's internal property names (firstname, lastname, email, company, dealname, dealstage,
pipeline, hs_note_body, hs_timestamp), association columns naming the related object's unique key, and
Lastmile's own values as `lastmile_*` custom properties.

Only buyers who left their details with consent are exported; one deal per account (per contact when the
buyer gave no company and a free-mail address); one note per conversation holding its brief as text.
Every value is a string, so the JSON and CSV files carry exactly the same export (`files.py`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from assistant.deals.accounts import FREE_MAIL, email_domain
from assistant.deals.brief import DealBriefs
from assistant.deals.brief_text import brief_text
from assistant.deals.contacts import ContactBook, ContactView
from assistant.deals.events import conversation_ref
from assistant.deals.types import DealBrief, Readiness
from assistant.storage.database import Database
from assistant.storage.deal_tables import ConversationSegment

OBJECTS = ("companies", "contacts", "deals", "notes")
COLUMNS: dict[str, tuple[str, ...]] = {
    "companies": ("name", "domain", "lastmile_account", "lastmile_industry", "lastmile_company_size"),
    "contacts": (
        "email", "firstname", "lastname", "company", "lifecyclestage", "lastmile_account",
        "lastmile_consent_text", "lastmile_consented_at", "lastmile_conversation_ref",
    ),
    "deals": (
        "dealname", "pipeline", "dealstage", "lastmile_readiness", "lastmile_account", "description",
        "associated_company_domain", "associated_contact_email",
    ),
    "notes": (
        "hs_timestamp", "hs_note_body", "lastmile_conversation_ref", "associated_contact_email",
        "associated_deal_name",
    ),
}  # fmt: skip
# HubSpot's default sales pipeline stages. "Blocked" is not lost: the rep decides, so it stays qualified.
DEAL_STAGES = {
    Readiness.EXPLORING: "appointmentscheduled",
    Readiness.EVALUATING: "qualifiedtobuy",
    Readiness.READY: "presentationscheduled",
    Readiness.BLOCKED: "qualifiedtobuy",
}


@dataclass(frozen=True)
class CrmExport:
    companies: list[dict[str, str]] = field(default_factory=list)
    contacts: list[dict[str, str]] = field(default_factory=list)
    deals: list[dict[str, str]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)

    def rows(self, name: str) -> list[dict[str, str]]:
        return getattr(self, name)


def split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), ""
    return " ".join(parts[:-1]), parts[-1]


def _iso(value) -> str:
    return value.isoformat(timespec="seconds") + "Z"


def _company_domain(contacts: list[ContactView]) -> str:
    domains = Counter(email_domain(c.email) for c in contacts)
    domains = Counter({d: n for d, n in domains.items() if d and d not in FREE_MAIL})
    return domains.most_common(1)[0][0] if domains else ""


def build_export(db: Database) -> CrmExport:
    briefs = DealBriefs(db)
    with db.session() as session:
        segments = {row.conversation_id: row for row in session.scalars(select(ConversationSegment))}
    export = CrmExport()
    by_deal: dict[str, list[ContactView]] = {}
    for contact in ContactBook(db).all():
        by_deal.setdefault(contact.account or f"contact:{contact.email}", []).append(contact)
    for members in by_deal.values():
        domain = _company_domain(members)
        company = next((c.company for c in reversed(members) if c.company), "") or domain
        if members[0].account:
            known = [segments[c.conversation_id] for c in reversed(members) if c.conversation_id in segments]
            export.companies.append(_company_row(members[0].account, company, domain, known))
        conversation_briefs = [briefs.brief_for(c.conversation_id) for c in members]
        deal = _deal_row(members, conversation_briefs, company, domain)
        export.deals.append(deal)
        for contact, brief in zip(members, conversation_briefs, strict=True):
            export.contacts.append(_contact_row(contact))
            export.notes.append(
                {
                    "hs_timestamp": _iso(contact.consented_at),
                    "hs_note_body": brief_text(brief),
                    "lastmile_conversation_ref": conversation_ref(contact.conversation_id),
                    "associated_contact_email": contact.email,
                    "associated_deal_name": deal["dealname"],
                }
            )
    return export


def _company_row(
    account: str, company: str, domain: str, segments: list[ConversationSegment]
) -> dict[str, str]:
    """`segments` newest first: the latest size and industry any buyer of the account gave."""
    return {
        "name": company or account,
        "domain": domain,
        "lastmile_account": account,
        "lastmile_industry": next((s.industry for s in segments if s.industry), ""),
        "lastmile_company_size": next((s.company_size for s in segments if s.company_size), ""),
    }


def _deal_row(
    members: list[ContactView], briefs: list[DealBrief], company: str, domain: str
) -> dict[str, str]:
    latest = max(briefs, key=lambda b: b.through_message_id)  # the account's most recent conversation
    account = members[0].account
    return {
        "dealname": f"{company or members[0].name} (Lastmile)",
        "pipeline": "default",
        "dealstage": DEAL_STAGES[latest.readiness_level],  # the rep's reading when they disputed it
        "lastmile_readiness": str(latest.readiness_level),
        "lastmile_account": account,
        "description": _deal_description(briefs),
        "associated_company_domain": domain if account else "",
        "associated_contact_email": ";".join(dict.fromkeys(c.email for c in members)),
    }


def _contact_row(contact: ContactView) -> dict[str, str]:
    first, last = split_name(contact.name)
    return {
        "email": contact.email,
        "firstname": first,
        "lastname": last,
        "company": contact.company,
        "lifecyclestage": "lead",
        "lastmile_account": contact.account,
        "lastmile_consent_text": contact.consent_text,
        "lastmile_consented_at": _iso(contact.consented_at),
        "lastmile_conversation_ref": conversation_ref(contact.conversation_id),
    }


def _deal_description(briefs: list[DealBrief]) -> str:
    levels = Counter(str(b.readiness.level) for b in briefs)
    blockers = sum(len(b.readiness.hard_blockers) for b in briefs)
    return (
        f"{len(briefs)} buyer conversation(s): "
        + ", ".join(f"{n} {level}" for level, n in sorted(levels.items()))
        + f"; {blockers} hard blocker(s). Briefs are in the notes."
    )
