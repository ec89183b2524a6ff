"""The SQL schema of conversations, messages, handoffs and users (SQLAlchemy 2 declarative models)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored naive, always UTC


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, list[Any]: JSON}


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # unguessable token
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)  # the buyer ended it: no new turns


class ConversationToken(Base):
    """The bearer token of an HTTP API conversation, stored only as its SHA-256 (the buyer holds the token)."""

    __tablename__ = "conversation_tokens"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    token_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("messages_by_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # buyer | assistant | rep
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120), default="")  # the rep's name for rep messages
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the answer's JSON for assistant turns
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Handoff(Base):
    __tablename__ = "handoffs"
    __table_args__ = (Index("handoffs_by_state", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))  # a HandoffState value (assistant/storage/handoffs.py)
    question: Mapped[str] = mapped_column(Text)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    intents: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    draft: Mapped[str] = mapped_column(Text, default="")
    draft_citations: Mapped[list[Any]] = mapped_column(default=list)
    knowledge_gap: Mapped[bool] = mapped_column(default=False)  # handed off for lack of evidence
    confidence: Mapped[float] = mapped_column(default=0.0)
    rep: Mapped[str] = mapped_column(String(120), default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    saved_document: Mapped[str] = mapped_column(String(512), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    replied_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # rep | admin
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignInFailure(Base):
    """Failed sign-ins in a row of one account name or one client address, and how long it is locked out
    (`assistant/accounts.py` holds the policy). Kept in the database so every session and process shares it."""

    __tablename__ = "sign_in_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "account:<name>" | "address:<ip>"
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
