"""The chat service: buyer turns persisted in conversations, handoffs opened and answered.

This is what the Streamlit pages, the HTTP API and the CLI call; none of them reaches the stores directly
for buyer-facing work. A buyer is identified only by the unguessable conversation id they hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.pipeline import Assistant
from assistant.storage.conversations import ConversationStore, MessageView
from assistant.storage.handoffs import HandoffStore, HandoffView
from assistant.types import Answer, citation_dict

ACTIVE = ("open", "claimed")


@dataclass(frozen=True)
class Turn:
    answer: Answer
    message_id: int
    handoff_id: int | None  # the handoff this turn opened or joined


class ChatService:
    def __init__(
        self, *, assistant: Assistant, conversations: ConversationStore, handoffs: HandoffStore
    ) -> None:
        self.assistant = assistant
        self.conversations = conversations
        self.handoffs = handoffs

    def start(self) -> str:
        return self.conversations.start()

    def ask(self, conversation_id: str, text: str, *, on_token: Callable[[str], None] | None = None) -> Turn:
        history = self.conversations.buyer_questions(conversation_id)  # raises for an unknown id
        answer = self.assistant.ask(text, history=history, on_token=on_token)
        self.conversations.add(conversation_id, "buyer", text.strip())
        message_id = self.conversations.add(
            conversation_id, "assistant", answer.text, payload=answer.as_dict()
        )
        handoff_id = self._open_handoff(conversation_id, text.strip(), answer) if answer.handoff else None
        return Turn(answer=answer, message_id=message_id, handoff_id=handoff_id)

    def request_human(self, conversation_id: str) -> int:
        """The buyer's "talk to an expert" button: opens a handoff on their latest question."""
        questions = self.conversations.buyer_questions(conversation_id, limit=1)
        active = self._active(conversation_id)
        if active is not None:
            return active
        self.conversations.add(
            conversation_id, "assistant", "I've asked a product expert to join; they will reply here."
        )
        return self.handoffs.open(
            conversation_id=conversation_id,
            question=questions[-1] if questions else "(the buyer asked to talk to an expert)",
            reasons=["buyer asked for a human"],
            intents={},
            sources=[],
            draft="",
            draft_citations=[],
            knowledge_gap=False,
            confidence=0.0,
        )

    def transcript(self, conversation_id: str, *, after_id: int = 0) -> list[MessageView]:
        return self.conversations.messages(conversation_id, after_id=after_id)

    # The HTTP API's conversations: a bearer token per conversation (stored hashed), and an end.

    def start_with_token(self) -> tuple[str, str]:
        """A new conversation and the bearer token that authorises it (shown once, stored hashed)."""
        return self.conversations.start_with_token()

    def authorised(self, conversation_id: str, token: str) -> bool:
        return self.conversations.token_matches(conversation_id, token)

    def end(self, conversation_id: str) -> None:
        """The buyer ends the conversation: no new questions; the transcript and any handoff stay."""
        self.conversations.end(conversation_id)

    def ended(self, conversation_id: str) -> bool:
        return self.conversations.ended(conversation_id)

    def latest_handoff(self, conversation_id: str) -> HandoffView | None:
        """The conversation's latest handoff (None when it was never handed off)."""
        return next(reversed(self.handoffs.for_conversation(conversation_id)), None)  # oldest first

    def _active(self, conversation_id: str) -> int | None:
        for handoff in reversed(self.handoffs.for_conversation(conversation_id)):
            if handoff.state in ACTIVE:
                return handoff.id
        return None

    def _open_handoff(self, conversation_id: str, question: str, answer: Answer) -> int:
        active = self._active(conversation_id)
        if active is not None:
            return active  # the rep already working this conversation sees the new question in its transcript
        return self.handoffs.open(
            conversation_id=conversation_id,
            question=question,
            reasons=answer.handoff_reasons,
            intents=answer.intents.probabilities() | {"labels": list(answer.intents.labels)},
            sources=answer.sources,
            draft=answer.draft,
            draft_citations=[citation_dict(c) for c in answer.draft_citations],
            knowledge_gap=answer.knowledge_gap,
            confidence=answer.confidence,
        )
