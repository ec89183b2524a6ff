"""Buyer contacts, with consent: a buyer may leave a name, a work e-mail and a company in a conversation,
when asking for an expert or at any time (never required to get answers). The consent text they agreed to
and the time are stored with it. `forget` erases a buyer on request: their conversations are anonymised
(contact details redacted from every message, handoff and payload), the contact removed, the briefs and
webhook deliveries about them deleted, nothing else kept.

Logs never carry contact details: they name a conversation by its reference, never by name or e-mail.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from assistant.deals.accounts import EMAIL, account_key
from assistant.deals.attribution import set_firmographics
from assistant.deals.erasure import Erasure, erase
from assistant.deals.events import Event, EventSink, NoEvents, conversation_ref
from assistant.storage.conversations import UnknownConversation
from assistant.storage.database import Database
from assistant.storage.deal_tables import BuyerContact
from assistant.storage.models import Conversation, utcnow

log = logging.getLogger(__name__)

MAX_NAME = 200
MAX_EMAIL = 320  # RFC 5321's limit on a forward path
MAX_CONSENT = 4000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ContactError(ValueError):
    """Contact details that cannot be stored: missing consent, an invalid e-mail, an unknown conversation."""


@dataclass(frozen=True)
class ContactView:
    conversation_id: str
    name: str
    email: str
    company: str
    account: str
    consent_text: str
    consented_at: datetime


def _view(row: BuyerContact) -> ContactView:
    return ContactView(
        row.conversation_id, row.name, row.email, row.company, row.account, row.consent_text, row.consented_at
    )


def _field(value: str, name: str, limit: int, *, required: bool) -> str:
    text = " ".join(_CONTROL.sub(" ", value or "").split())
    if required and not text:
        raise ContactError(f"{name} is required")
    if len(text) > limit:
        raise ContactError(f"{name} is longer than {limit} characters")
    return text


def normalise_email(email: str) -> str:
    text = _field(email, "e-mail", MAX_EMAIL, required=True).lower()
    if not EMAIL.match(text):
        raise ContactError("that is not an e-mail address")
    return text


class ContactBook:
    def __init__(self, db: Database, *, events: EventSink | None = None) -> None:
        self._db = db
        self._events = events or NoEvents()

    def leave(
        self,
        conversation_id: str,
        *,
        name: str,
        email: str,
        consent_text: str,
        consented: bool,
        company: str = "",
        company_size: str = "",
        industry: str = "",
    ) -> ContactView:
        """Store (or replace) the buyer's contact for this conversation, with the consent they gave."""
        if not consented:
            raise ContactError("the buyer has not given consent: nothing is stored")
        consent = _field(consent_text, "consent text", MAX_CONSENT, required=True)
        name = _field(name, "name", MAX_NAME, required=True)
        company = _field(company, "company", MAX_NAME, required=False)
        email = normalise_email(email)
        with self._db.session() as session:
            if session.get(Conversation, conversation_id) is None:
                raise UnknownConversation(conversation_id)
            row = session.scalar(select(BuyerContact).where(BuyerContact.conversation_id == conversation_id))
            if row is None:
                row = BuyerContact(conversation_id=conversation_id)
                session.add(row)
            row.name, row.email, row.company = name, email, company
            row.account = account_key(company, email)
            row.consent_text, row.consented_at = consent, utcnow()
            set_firmographics(session, conversation_id, company_size=company_size, industry=industry)
            session.flush()
            view = _view(row)
        log.info("contact left in conversation %s", conversation_ref(conversation_id))
        self._events.emit(Event.CONTACT_LEFT, contact_event(view), conversation_id=conversation_id)
        return view

    def get(self, conversation_id: str) -> ContactView | None:
        with self._db.session() as session:
            row = session.scalar(select(BuyerContact).where(BuyerContact.conversation_id == conversation_id))
            return _view(row) if row else None

    def for_account(self, account: str) -> list[ContactView]:
        with self._db.session() as session:
            rows = session.scalars(
                select(BuyerContact).where(BuyerContact.account == account).order_by(BuyerContact.id)
            )
            return [_view(row) for row in rows]

    def all(self) -> list[ContactView]:
        with self._db.session() as session:
            return [_view(row) for row in session.scalars(select(BuyerContact).order_by(BuyerContact.id))]

    def forget(self, email: str) -> Erasure:
        """Erase a buyer: every conversation where they left this e-mail, or typed it, is anonymised."""
        email = normalise_email(email)
        with self._db.session() as session:
            erasure = erase(session, email)
        log.info(
            "erased a buyer: %d contacts, %d conversations anonymised",
            erasure.contacts,
            erasure.conversations,
        )
        return erasure


def contact_event(view: ContactView) -> dict:
    """The contact.left payload: what the buyer agreed to share, and when."""
    return {
        "conversation_ref": conversation_ref(view.conversation_id),
        "contact": {
            "name": view.name,
            "email": view.email,
            "company": view.company,
            "account": view.account,
        },
        "consent": {"text": view.consent_text, "at": view.consented_at.isoformat(timespec="seconds") + "Z"},
    }
