"""What the buyer and rep services tell deal intelligence: a conversation started (and where from), a turn
taken (the brief is rebuilt), a handoff opened, replied or resolved, and contact details left (with
consent). The ChatService and the RepDesk call these after their own writes have committed.

A deal hook never costs the buyer their answer or the rep their reply: a failure here is logged (by the
conversation's reference, never with contact details) and the brief is rebuilt on its next read anyway.
"""

from __future__ import annotations

import logging

from assistant.deals.attribution import Attribution, Attributions
from assistant.deals.brief import DealBriefs
from assistant.deals.contacts import ContactBook, ContactView
from assistant.deals.events import EventSink, NoEvents, conversation_ref
from assistant.deals.notify import DealEvents
from assistant.storage.database import Database
from assistant.storage.handoffs import HandoffStore

log = logging.getLogger(__name__)

# Settings.contact_consent_text's default, for services built without settings (tests, evals).
DEFAULT_CONSENT = (
    "I agree that the vendor may keep my name, work e-mail and company with this conversation, "
    "share them with its CRM and contact me about it. I can ask for them to be erased at any time."
)


class DealHooks:
    def __init__(self, db: Database, *, sink: EventSink | None = None, consent_text: str = DEFAULT_CONSENT):
        self.sink = sink or NoEvents()
        self.consent_text = consent_text
        self.contacts = ContactBook(db, events=self.sink)
        self.briefs = DealBriefs(db)
        self.attributions = Attributions(db)
        self._events = DealEvents(sink=self.sink, handoffs=HandoffStore(db), contacts=self.contacts)

    def started(self, conversation_id: str, attribution: Attribution | None) -> None:
        if attribution is not None and attribution != Attribution():
            self._guarded("record attribution", conversation_id, self.attributions.record, attribution)

    def turn_taken(self, conversation_id: str) -> None:
        self._guarded("update the brief", conversation_id, self.briefs.update)

    def handoff_opened(self, conversation_id: str, handoff_id: int) -> None:
        self._guarded(
            "emit handoff.opened", conversation_id, lambda _: self._events.handoff_opened(handoff_id)
        )

    def handoff_replied(self, conversation_id: str, handoff_id: int) -> None:
        self._guarded(
            "emit handoff.replied", conversation_id, lambda _: self._events.handoff_replied(handoff_id)
        )

    def handoff_resolved(self, conversation_id: str, handoff_id: int) -> None:
        self._guarded(
            "emit handoff.resolved", conversation_id, lambda _: self._events.handoff_resolved(handoff_id)
        )

    def leave_contact(
        self,
        conversation_id: str,
        *,
        name: str,
        email: str,
        company: str = "",
        consented: bool,
        company_size: str = "",
        industry: str = "",
    ) -> ContactView:
        """Store the buyer's details with the consent text they were shown (this service's, never the
        caller's: a client cannot claim consent to a text nobody showed). `ContactError` when refused."""
        view = self.contacts.leave(
            conversation_id,
            name=name,
            email=email,
            company=company,
            consent_text=self.consent_text,
            consented=consented,
            company_size=company_size,
            industry=industry,
        )
        self.turn_taken(conversation_id)  # the brief now names the account
        return view

    def _guarded(self, what: str, conversation_id: str, action, *args) -> None:
        try:
            action(conversation_id, *args)
        except Exception:
            log.exception(
                "deal hook failed to %s for conversation %s", what, conversation_ref(conversation_id)
            )
