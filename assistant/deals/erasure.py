"""Erasing a buyer, in one transaction: every conversation where they left their e-mail, or typed it, is
anonymised — the contact details redacted from messages (and their stored answers), handoffs and the
conversation's landing page — and their contact, deal briefs and webhook deliveries deleted. Nothing else
about them is kept; the anonymised conversation stays, so the questions still count in insights."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from assistant.deals.redact import contact_terms, redact_json, redact_text, redactor
from assistant.storage.deal_tables import BuyerContact, ConversationSegment, DealBriefRow, WebhookDelivery
from assistant.storage.models import Handoff, Message


@dataclass(frozen=True)
class Erasure:
    """What was changed (counts only: the report itself must not hold the contact)."""

    contacts: int
    conversations: int
    messages: int
    handoffs: int
    briefs: int
    deliveries: int


def erase(session: Session, email: str) -> Erasure:
    """`email` normalised (lower case) by the caller."""
    contacts = list(session.scalars(select(BuyerContact).where(BuyerContact.email == email)))
    typed = session.scalars(
        select(Message.conversation_id)
        .where(func.lower(Message.text).contains(email, autoescape=True))
        .distinct()
    )
    ids = sorted({c.conversation_id for c in contacts} | set(typed))
    terms = {email}
    for contact in contacts:
        terms.update(contact_terms(name=contact.name, email=contact.email, company=contact.company))
    pattern = redactor(sorted(terms, key=len, reverse=True))
    erasure = Erasure(
        contacts=len(contacts),
        conversations=len(ids),
        messages=_redact_messages(session, ids, pattern),
        handoffs=_redact_handoffs(session, ids, pattern),
        briefs=_delete(session, DealBriefRow, DealBriefRow.conversation_id.in_(ids)),
        deliveries=_delete(
            session,
            WebhookDelivery,
            or_(
                WebhookDelivery.conversation_id.in_(ids),
                func.lower(WebhookDelivery.body).contains(email, autoescape=True),
            ),
        ),
    )
    for segment in session.scalars(
        select(ConversationSegment).where(ConversationSegment.conversation_id.in_(ids))
    ):
        segment.landing_page = redact_text(segment.landing_page, pattern)
        segment.referrer = redact_text(segment.referrer, pattern)
    for contact in contacts:
        session.delete(contact)
    return erasure


def _redact_messages(session: Session, ids: list[str], pattern: re.Pattern[str] | None) -> int:
    changed = 0
    for message in session.scalars(select(Message).where(Message.conversation_id.in_(ids))):
        text, payload = redact_text(message.text, pattern), redact_json(message.payload, pattern)
        if text != message.text or payload != message.payload:
            message.text, message.payload = text, payload
            changed += 1
    return changed


def _redact_handoffs(session: Session, ids: list[str], pattern: re.Pattern[str] | None) -> int:
    changed = 0
    for handoff in session.scalars(select(Handoff).where(Handoff.conversation_id.in_(ids))):
        before = (handoff.question, handoff.reply, handoff.draft)
        handoff.question, handoff.reply, handoff.draft = (redact_text(v, pattern) for v in before)
        changed += before != (handoff.question, handoff.reply, handoff.draft)
    return changed


def _delete(session: Session, model: Any, condition: ColumnElement[bool]) -> int:
    return session.execute(delete(model).where(condition)).rowcount or 0  # type: ignore[attr-defined]
