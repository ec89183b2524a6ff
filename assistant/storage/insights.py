"""Read-only queries for the insights and knowledge-gap pages: the assistant's answered turns and the
handoffs opened for lack of evidence. Nothing here writes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from assistant.storage.database import Database
from assistant.storage.handoffs import HandoffView, _view
from assistant.storage.models import Handoff, Message
from assistant.types import AnsweredTurn


def answered_turns(db: Database, *, since: datetime | None = None) -> list[AnsweredTurn]:
    """Every assistant answer (oldest first); notes without an answer payload are left out."""
    query = select(Message.created_at, Message.payload).where(Message.role == "assistant")
    if since is not None:
        query = query.where(Message.created_at >= since)
    with db.session() as session:
        rows = session.execute(query.order_by(Message.id)).all()
    return [
        AnsweredTurn(
            created_at=created_at,
            intents=tuple(payload.get("intent_labels") or ()),
            confidence=float(payload["confidence"]),
            handoff=bool(payload.get("handoff")),
            knowledge_gap=bool(payload.get("knowledge_gap")),
            wants_human=bool(payload.get("wants_human")),
            out_of_scope=bool(payload.get("out_of_scope")),
        )
        for created_at, payload in rows
        if isinstance(payload, dict) and "confidence" in payload
    ]


def knowledge_gaps(db: Database, *, since: datetime | None = None, limit: int = 2000) -> list[HandoffView]:
    """Handoffs opened because the documents lacked the answer, newest first."""
    query = select(Handoff).where(Handoff.knowledge_gap.is_(True))
    if since is not None:
        query = query.where(Handoff.created_at >= since)
    with db.session() as session:
        rows = session.scalars(query.order_by(Handoff.created_at.desc(), Handoff.id.desc()).limit(limit))
        return [_view(row) for row in rows]
