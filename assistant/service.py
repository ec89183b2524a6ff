"""The chat service: buyer turns persisted in conversations, handoffs opened and answered.

This is what the buyer's surfaces (the chat page, the HTTP API, `lastmile chat`) call; none of them
reaches the stores. A buyer is identified only by the unguessable conversation id they hold, and every
method here reads or writes that one conversation.

A turn's writes (the buyer's message, the assistant's reply, the handoff it opens) are one transaction, and
so are "talk to an expert"'s (the handoff and the message saying an expert is coming): a crash between
them leaves nothing half-written, and a buyer is never told an expert is coming without a handoff.

After each committed write the deal hooks run (assistant/deals/hooks.py): the conversation's deal brief is
rebuilt after each turn, `handoff.opened` is emitted for a new handoff, and contact details the buyer
leaves (with consent, never required to get answers) are stored with the consent text they were shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.deals.attribution import Attribution, attribution_from
from assistant.deals.contacts import ContactError, ContactView
from assistant.deals.hooks import DealHooks
from assistant.handoff_states import ACTIVE, HandoffState
from assistant.outcomes import Reason, ReasonCode
from assistant.pipeline import MAX_MESSAGE_CHARS, Assistant, MessageRejected
from assistant.storage.conversations import ConversationStore, MessageView, UnknownConversation
from assistant.storage.handoffs import HandoffStore, HandoffView
from assistant.types import Answer, citation_dict

# Re-exported for the surfaces, which import no store and no pipeline internals.
__all__ = [
    "ACTIVE",
    "MAX_MESSAGE_CHARS",
    "Attribution",
    "ChatService",
    "ContactError",
    "ContactView",
    "HandoffState",
    "MessageRejected",
    "MessageView",
    "Turn",
    "UnknownConversation",
    "attribution_from",
]

EXPERT_COMING = "I've asked a product expert to join; they will reply here."
# The reason recorded for the "talk to an expert" button.
REQUESTED_BY_BUYER = Reason(ReasonCode.HUMAN_REQUESTED, "buyer asked for a human")


@dataclass(frozen=True)
class Turn:
    answer: Answer
    message_id: int
    handoff_id: int | None  # the handoff this turn opened or joined


class ChatService:
    def __init__(
        self,
        *,
        assistant: Assistant,
        conversations: ConversationStore,
        handoffs: HandoffStore,
        deals: DealHooks | None = None,
    ) -> None:
        if conversations.database is not handoffs.database:
            raise ValueError("conversations and handoffs must share one database: a turn is one transaction")
        self.assistant = assistant
        self._conversations = conversations
        self._handoffs = handoffs
        self._database = conversations.database
        # Offline default: briefs and contacts in the same database, no webhook.
        self._deals = deals or DealHooks(self._database)

    @property
    def consent_text(self) -> str:
        """What a buyer agrees to when leaving contact details: show it beside an unticked box."""
        return self._deals.consent_text

    def start(self, *, attribution: Attribution | None = None) -> str:
        """A new conversation; its id is the buyer's only key to it. `attribution`: where the buyer came
        from (landing page, referrer, UTM), kept for the segment insights."""
        conversation_id = self._conversations.start()
        self._deals.started(conversation_id, attribution)
        return conversation_id

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
        """The buyer's name, work e-mail and company, kept with `consent_text` and the time; `ContactError`
        without consent or with an invalid e-mail, `UnknownConversation` for an unknown id."""
        return self._deals.leave_contact(
            conversation_id,
            name=name,
            email=email,
            company=company,
            consented=consented,
            company_size=company_size,
            industry=industry,
        )

    def contact(self, conversation_id: str) -> ContactView | None:
        """The details this conversation's buyer left, if any (shown back to the same buyer only)."""
        return self._deals.contacts.get(conversation_id)

    def exists(self, conversation_id: str) -> bool:
        return self._conversations.exists(conversation_id)

    def ask(self, conversation_id: str, text: str, *, on_token: Callable[[str], None] | None = None) -> Turn:
        history = self._conversations.buyer_questions(conversation_id)  # raises for an unknown id
        answer = self.assistant.ask(text, history=history, on_token=on_token)
        opened = None
        with self._database.transaction():  # the question, the reply and the handoff land together
            self._conversations.add(conversation_id, "buyer", text.strip())
            message_id = self._conversations.add(
                conversation_id, "assistant", answer.text, payload=answer.as_dict()
            )
            handoff_id = None
            if answer.handoff:
                handoff_id = self._active(conversation_id)  # the rep working it sees the new question
                if handoff_id is None:
                    handoff_id = opened = self._open_handoff(conversation_id, text.strip(), answer)
        self._deals.turn_taken(conversation_id)
        if opened is not None:
            self._deals.handoff_opened(conversation_id, opened)
        return Turn(answer=answer, message_id=message_id, handoff_id=handoff_id)

    def request_human(self, conversation_id: str) -> int:
        """The buyer's "talk to an expert" button: opens a handoff on their latest question."""
        with self._database.transaction():  # the handoff and the message announcing it land together
            questions = self._conversations.buyer_questions(conversation_id, limit=1)
            active = self._active(conversation_id)
            if active is not None:
                return active
            handoff_id = self._handoffs.open(
                conversation_id=conversation_id,
                question=questions[-1] if questions else "(the buyer asked to talk to an expert)",
                reasons=[REQUESTED_BY_BUYER],
                intents={},
                sources=[],
                draft="",
                draft_citations=[],
                knowledge_gap=False,
                confidence=0.0,
            )
            self._conversations.add(conversation_id, "assistant", EXPERT_COMING)
        self._deals.handoff_opened(conversation_id, handoff_id)
        return handoff_id

    def transcript(self, conversation_id: str, *, after_id: int = 0) -> list[MessageView]:
        return self._conversations.messages(conversation_id, after_id=after_id)

    def handoff_state(self, conversation_id: str) -> HandoffState | None:
        """The state of this conversation's latest handoff; None when it was never handed off."""
        handoffs = self._handoffs.for_conversation(conversation_id)
        return handoffs[-1].state if handoffs else None

    # The HTTP API's conversations: a bearer token per conversation (stored hashed), and an end.

    def start_with_token(self, *, attribution: Attribution | None = None) -> tuple[str, str]:
        """A new conversation and the bearer token that authorises it (shown once, stored hashed)."""
        conversation_id, token = self._conversations.start_with_token()
        self._deals.started(conversation_id, attribution)
        return conversation_id, token

    def authorised(self, conversation_id: str, token: str) -> bool:
        return self._conversations.token_matches(conversation_id, token)

    def end(self, conversation_id: str) -> None:
        """The buyer ends the conversation: no new questions; the transcript and any handoff stay."""
        self._conversations.end(conversation_id)

    def ended(self, conversation_id: str) -> bool:
        return self._conversations.ended(conversation_id)

    def latest_handoff(self, conversation_id: str) -> HandoffView | None:
        """The conversation's latest handoff (None when it was never handed off)."""
        return next(reversed(self._handoffs.for_conversation(conversation_id)), None)  # oldest first

    def _active(self, conversation_id: str) -> int | None:
        for handoff in reversed(self._handoffs.for_conversation(conversation_id)):
            if handoff.state in ACTIVE:
                return handoff.id
        return None

    def _open_handoff(self, conversation_id: str, question: str, answer: Answer) -> int:
        return self._handoffs.open(
            conversation_id=conversation_id,
            question=question,
            reasons=answer.reasons,
            intents=answer.intents.probabilities() | {"labels": list(answer.intents.labels)},
            sources=answer.sources,
            draft=answer.draft,
            draft_citations=[citation_dict(c) for c in answer.draft_citations],
            knowledge_gap=answer.knowledge_gap,
            confidence=answer.confidence,
        )
