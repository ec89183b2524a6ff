"""Buyer conversations and their messages. A conversation id is an unguessable token: whoever holds it is
that buyer, and no call lists other buyers' conversations."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from assistant.storage.database import Database
from assistant.storage.models import Conversation, Message, utcnow

TOKEN_BYTES = 24  # 192 bits: not enumerable


class UnknownConversation(LookupError):
    pass


@dataclass(frozen=True)
class MessageView:
    id: int
    role: str
    text: str
    author: str
    payload: dict[str, Any]
    created_at: datetime


class ConversationStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def start(self) -> str:
        conversation_id = secrets.token_urlsafe(TOKEN_BYTES)
        with self._db.session() as session:
            session.add(Conversation(id=conversation_id))
        return conversation_id

    def exists(self, conversation_id: str) -> bool:
        with self._db.session() as session:
            return session.get(Conversation, conversation_id) is not None

    def add(
        self, conversation_id: str, role: str, text: str, *, author: str = "", payload: dict | None = None
    ) -> int:
        with self._db.session() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise UnknownConversation(conversation_id)
            message = Message(
                conversation_id=conversation_id, role=role, text=text, author=author, payload=payload or {}
            )
            session.add(message)
            conversation.updated_at = utcnow()
            session.flush()
            return message.id

    def messages(self, conversation_id: str, *, after_id: int = 0) -> list[MessageView]:
        with self._db.session() as session:
            if session.get(Conversation, conversation_id) is None:
                raise UnknownConversation(conversation_id)
            rows = session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.id > after_id)
                .order_by(Message.id)
            ).all()
            return [
                MessageView(m.id, m.role, m.text, m.author, dict(m.payload or {}), m.created_at) for m in rows
            ]

    def buyer_questions(self, conversation_id: str, limit: int = 3) -> list[str]:
        """The buyer's latest questions, oldest first (for resolving follow-ups)."""
        questions = [m.text for m in self.messages(conversation_id) if m.role == "buyer"]
        return questions[-limit:]
