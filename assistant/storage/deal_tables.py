"""The SQL schema of deal intelligence: buyer contacts (with consent), deal briefs, conversation segments
and the webhook delivery log (SQLAlchemy 2 models on the shared `Base`; created by migration 0004)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.storage.models import Base, utcnow


class BuyerContact(Base):
    """The details a buyer chose to leave in one conversation, and the consent they gave for it."""

    __tablename__ = "buyer_contacts"
    __table_args__ = (
        Index("buyer_contacts_by_email", "email"),
        Index("buyer_contacts_by_account", "account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))  # stored lower-cased: erasure finds every spelling
    company: Mapped[str] = mapped_column(String(200), default="")
    account: Mapped[str] = mapped_column(String(200), default="")  # the grouping key (accounts.account_key)
    consent_text: Mapped[str] = mapped_column(Text)  # exactly what the buyer agreed to
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DealBriefRow(Base):
    """A conversation's brief as JSON, current through `last_message_id` under extractor `version`."""

    __tablename__ = "deal_briefs"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    account: Mapped[str] = mapped_column(String(200), default="", index=True)
    last_message_id: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=0)
    brief: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A rep who reads the readiness signal differently says so; kept across rebuilds until cleared.
    disputed_level: Mapped[str] = mapped_column(String(32), default="")
    disputed_by: Mapped[str] = mapped_column(String(120), default="")
    dispute_note: Mapped[str] = mapped_column(Text, default="")
    disputed_at: Mapped[datetime | None] = mapped_column(default=None)


class ConversationSegment(Base):
    """Where a conversation came from (page, referrer host, UTM) and the firmographics the buyer gave."""

    __tablename__ = "conversation_segments"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    landing_page: Mapped[str] = mapped_column(String(500), default="")
    referrer: Mapped[str] = mapped_column(String(255), default="")
    utm_source: Mapped[str] = mapped_column(String(200), default="")
    utm_medium: Mapped[str] = mapped_column(String(200), default="")
    utm_campaign: Mapped[str] = mapped_column(String(200), default="")
    utm_term: Mapped[str] = mapped_column(String(200), default="")
    utm_content: Mapped[str] = mapped_column(String(200), default="")
    company_size: Mapped[str] = mapped_column(String(32), default="")
    industry: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One event for the CRM webhook: its body (signed when sent), and how its attempts went."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the delivery id receivers dedupe on
    event: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    body: Mapped[str] = mapped_column(Text)  # the exact bytes signed and sent, as UTF-8 text
    status: Mapped[str] = mapped_column(
        String(16), default="pending"
    )  # pending | sending | delivered | failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_status: Mapped[int | None] = mapped_column(default=None)  # HTTP status of the last attempt
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
