"""Buyer conversations and their messages. A conversation id is an unguessable token: whoever holds it is
that buyer, and no call lists other buyers' conversations.

Conversations started through the HTTP API also carry a bearer token, handed to the buyer once and stored
only as its SHA-256: the token, not the id, authorises every later API call."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from assistant.storage.database import Database
from assistant.storage.models import Conversation, ConversationToken, Message, utcnow

TOKEN_BYTES = 24  # 192 bits: not enumerable
API_TOKEN_BYTES = 32  # 256 bits, the API's bearer token: as strong as the SHA-256 it is stored as


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

    @property
    def database(self) -> Database:
        """The database it writes to: services open a unit of work on it (`Database.transaction`)."""
        return self._db

    def start(self) -> str:
        conversation_id = secrets.token_urlsafe(TOKEN_BYTES)
        with self._db.session() as session:
            session.add(Conversation(id=conversation_id))
        return conversation_id

    def start_with_token(self) -> tuple[str, str]:
        """A new conversation and its bearer token (returned once; only its hash is stored), in one
        transaction."""
        conversation_id = secrets.token_urlsafe(TOKEN_BYTES)
        token = secrets.token_urlsafe(API_TOKEN_BYTES)
        with self._db.session() as session:
            session.add(Conversation(id=conversation_id))
            session.flush()
            session.add(ConversationToken(conversation_id=conversation_id, token_sha256=_sha256(token)))
        return conversation_id, token

    def token_matches(self, conversation_id: str, token: str) -> bool:
        """Whether `token` is this conversation's bearer token (False for an unknown conversation)."""
        offered = _sha256(token)
        with self._db.session() as session:
            row = session.get(ConversationToken, conversation_id)
            stored = row.token_sha256 if row is not None else _sha256("")
        return hmac.compare_digest(stored, offered) and row is not None

    def end(self, conversation_id: str) -> None:
        """The buyer ends the conversation: it takes no new turns; its transcript stays readable."""
        with self._db.session() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise UnknownConversation(conversation_id)
            if conversation.ended_at is None:
                conversation.ended_at = utcnow()

    def ended(self, conversation_id: str) -> bool:
        with self._db.session() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise UnknownConversation(conversation_id)
            return conversation.ended_at is not None

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


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
