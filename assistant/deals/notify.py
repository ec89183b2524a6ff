"""Handoff events for the CRM webhook. The ChatService calls `handoff_opened` after it opens a handoff, the
RepDesk `handoff_replied` and `handoff_resolved` after those transitions; the contact book emits
`contact.left` itself. Each call queues one delivery and returns at once (delivery runs off-thread)."""

from __future__ import annotations

from typing import Any

from assistant.deals.contacts import ContactBook
from assistant.deals.events import Event, EventSink, conversation_ref
from assistant.storage.handoffs import HandoffStore, HandoffView


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def handoff_event(handoff: HandoffView, contact: dict[str, str] | None) -> dict[str, Any]:
    return {
        "conversation_ref": conversation_ref(handoff.conversation_id),
        "handoff": {
            "id": handoff.id,
            "state": handoff.state,
            "question": handoff.question,
            "reasons": [reason.as_dict() for reason in handoff.reasons],
            "knowledge_gap": handoff.knowledge_gap,
            "rep": handoff.rep,
            "reply": handoff.reply,
            "created_at": _iso(handoff.created_at),
            "replied_at": _iso(handoff.replied_at),
            "resolved_at": _iso(handoff.resolved_at),
        },
        "contact": contact,  # null unless the buyer left their details, with consent
    }


class DealEvents:
    def __init__(self, *, sink: EventSink, handoffs: HandoffStore, contacts: ContactBook) -> None:
        self._sink = sink
        self._handoffs = handoffs
        self._contacts = contacts

    def handoff_opened(self, handoff_id: int) -> str | None:
        return self._emit(Event.HANDOFF_OPENED, handoff_id)

    def handoff_replied(self, handoff_id: int) -> str | None:
        return self._emit(Event.HANDOFF_REPLIED, handoff_id)

    def handoff_resolved(self, handoff_id: int) -> str | None:
        return self._emit(Event.HANDOFF_RESOLVED, handoff_id)

    def _emit(self, event: Event, handoff_id: int) -> str | None:
        handoff = self._handoffs.get(handoff_id)
        contact = self._contacts.get(handoff.conversation_id)
        details = (
            {
                "name": contact.name,
                "email": contact.email,
                "company": contact.company,
                "account": contact.account,
            }
            if contact
            else None
        )
        return self._sink.emit(
            event, handoff_event(handoff, details), conversation_id=handoff.conversation_id
        )
