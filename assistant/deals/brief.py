"""The deal brief of a conversation, built by rules from the buyer's messages and the stored answers, and
kept current: `DealBriefs.update` after each turn, `brief_for` for the rep.

Briefs are stored (table deal_briefs) rather than computed on every read: the account view, the CRM export
and the insights read many briefs at once, and a stored brief is the snapshot a webhook describes. A stored
brief is used only while it is current — same extractor version, no message after it — so a missed update
hook or a rule change costs one recomputation on read, never a stale brief.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from assistant.deals.accounts import lookup_key
from assistant.deals.claims import claims_of
from assistant.deals.committee import AccountCommittee, merge_committee
from assistant.deals.concerns import concerns_of
from assistant.deals.contacts import ContactBook
from assistant.deals.profile import last_mile_profile
from assistant.deals.readiness import readiness_of
from assistant.deals.stakeholders import stakeholders_of
from assistant.deals.turns import buyer_turns
from assistant.deals.types import DealBrief, Readiness, ReadinessDispute, brief_from_dict
from assistant.storage.conversations import ConversationStore, MessageView
from assistant.storage.database import Database
from assistant.storage.deal_tables import BuyerContact, DealBriefRow
from assistant.storage.models import Message, utcnow

EXTRACTOR_VERSION = 5  # bump when a rule changes: stored briefs of older versions are rebuilt on read


def _with_dispute(brief: DealBrief, row: DealBriefRow) -> DealBrief:
    if not row.disputed_level:
        return brief
    at = row.disputed_at.isoformat(timespec="seconds") + "Z" if row.disputed_at else ""
    dispute = ReadinessDispute(Readiness(row.disputed_level), row.disputed_by, row.dispute_note, at)
    return replace(brief, dispute=dispute)


def build_brief(
    conversation_id: str, messages: list[MessageView], *, company: str = "", account: str = ""
) -> DealBrief:
    """A brief from a transcript alone (no storage): every item cites the buyer message it came from."""
    turns = buyer_turns(messages)
    claims = claims_of(turns)
    stakeholders = stakeholders_of(turns, conversation_id)
    concerns = concerns_of(turns)
    profile = last_mile_profile(turns)
    return DealBrief(
        conversation_id=conversation_id,
        account=account,
        company=company,
        through_message_id=max((m.id for m in messages), default=0),
        profile=profile,
        claims=tuple(claims),
        concerns=tuple(concerns),
        stakeholders=tuple(stakeholders),
        readiness=readiness_of(turns, claims, stakeholders, concerns),
        version=EXTRACTOR_VERSION,
    )


class DealBriefs:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._conversations = ConversationStore(db)

    def update(self, conversation_id: str) -> DealBrief:
        """Rebuild and store the brief; the ChatService calls this after each turn."""
        messages = self._conversations.messages(conversation_id)  # raises for an unknown id
        with self._db.session() as session:
            contact = session.scalar(
                select(BuyerContact).where(BuyerContact.conversation_id == conversation_id)
            )
            company, account = (contact.company, contact.account) if contact else ("", "")
        brief = build_brief(conversation_id, messages, company=company, account=account)
        with self._db.session() as session:
            row = session.get(DealBriefRow, conversation_id)
            if row is None:
                row = DealBriefRow(conversation_id=conversation_id)
                session.add(row)
            row.account = account
            row.last_message_id = brief.through_message_id
            row.version = EXTRACTOR_VERSION
            row.brief = brief.as_dict()
            return _with_dispute(brief, row)

    def brief_for(self, conversation_id: str) -> DealBrief:
        """The current brief: the stored one while nothing changed since, else rebuilt now."""
        with self._db.session() as session:
            row = session.get(DealBriefRow, conversation_id)
            latest = session.scalar(
                select(func.max(Message.id)).where(Message.conversation_id == conversation_id)
            )
            contact_account = session.scalar(
                select(BuyerContact.account).where(BuyerContact.conversation_id == conversation_id)
            )
            if (
                row is not None
                and row.version == EXTRACTOR_VERSION
                and row.last_message_id == (latest or 0)
                and row.account == (contact_account or "")
            ):
                return _with_dispute(brief_from_dict(row.brief), row)
        return self.update(conversation_id)

    def dispute_readiness(
        self, conversation_id: str, *, rep: str, level: Readiness | None, note: str = ""
    ) -> DealBrief:
        """A rep records their own reading of readiness (kept across rebuilds); `level=None` clears it."""
        if level is not None and not rep.strip():
            raise ValueError("a disputed readiness needs the rep's name")
        self.brief_for(conversation_id)  # the row exists and is current
        with self._db.session() as session:
            row = session.get(DealBriefRow, conversation_id)
            assert row is not None  # brief_for just stored it
            row.disputed_level = str(level) if level else ""
            row.disputed_by = rep.strip() if level else ""
            row.dispute_note = note.strip() if level else ""
            row.disputed_at = utcnow() if level else None
        return self.brief_for(conversation_id)

    def for_account(self, account: str) -> list[DealBrief]:
        """The current briefs of every conversation whose buyer left contact details under `account`."""
        if not account:
            return []
        with self._db.session() as session:
            ids = session.scalars(
                select(BuyerContact.conversation_id)
                .where(BuyerContact.account == account)
                .order_by(BuyerContact.id)
            ).all()
        return [self.brief_for(conversation_id) for conversation_id in ids]

    def account_committee(self, company: str) -> AccountCommittee:
        """The buying committee of a company (given by name, domain or e-mail), across all its buyers."""
        account = lookup_key(company)
        return merge_committee(account, ContactBook(self._db).for_account(account), self.for_account(account))
