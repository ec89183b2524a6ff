"""The deal desk: what the rep console and the Insights page read about deals, one call per view. A
handoff's deal brief, its buyer's contact and their account's buying committee; the segment and landing-page
reports; a rep's dispute of the readiness signal. Needs only the SQL database (no model)."""

from __future__ import annotations

from datetime import timedelta

from assistant.deals.brief import DealBriefs
from assistant.deals.brief_text import brief_text, committee_text
from assistant.deals.committee import AccountCommittee, merge_committee
from assistant.deals.contacts import ContactBook, ContactView
from assistant.deals.segments import DIMENSIONS, NO_VALUE, Rate, SegmentRow, page_report, segment_report
from assistant.deals.types import DealBrief, Readiness
from assistant.storage.database import Database
from assistant.storage.models import utcnow

# Re-exported for the surfaces, which import no store.
__all__ = [
    "DIMENSIONS",
    "NO_VALUE",
    "AccountCommittee",
    "ContactView",
    "DealBrief",
    "DealDesk",
    "Rate",
    "Readiness",
    "SegmentRow",
    "brief_text",
    "committee_text",
]


class DealDesk:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._briefs = DealBriefs(db)
        self._contacts = ContactBook(db)

    def brief(self, conversation_id: str) -> DealBrief:
        """The conversation's current brief (rebuilt if anything changed since it was stored)."""
        return self._briefs.brief_for(conversation_id)

    def contact(self, conversation_id: str) -> ContactView | None:
        return self._contacts.get(conversation_id)

    def committee(self, conversation_id: str) -> AccountCommittee | None:
        """The buying committee of the account this conversation's buyer belongs to; None without contact."""
        contact = self._contacts.get(conversation_id)
        if contact is None or not contact.account:
            return None
        account = contact.account  # already a key: no second guess at it from a name or a domain
        return merge_committee(
            account, self._contacts.for_account(account), self._briefs.for_account(account)
        )

    def dispute(
        self, conversation_id: str, *, rep: str, level: Readiness | None, note: str = ""
    ) -> DealBrief:
        return self._briefs.dispute_readiness(conversation_id, rep=rep, level=level, note=note)

    def segments(self, *, by: str, days: int | None = None, top_claims: int = 5) -> list[SegmentRow]:
        return segment_report(self._db, by=by, since=_since(days), top_claims=top_claims)

    def pages(self, *, days: int | None = None, top_claims: int = 5) -> list[SegmentRow]:
        return page_report(self._db, since=_since(days), top_claims=top_claims)


def _since(days: int | None):
    return utcnow() - timedelta(days=days) if days else None
