"""The handoff lifecycle: open → claimed(rep) → replied → resolved.

Each transition is one conditional UPDATE (`... WHERE state = <expected>`), so two reps claiming the same
handoff at once cannot both win, on SQLite or PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from assistant.storage.database import Database
from assistant.storage.models import Handoff, utcnow

STATES = ("open", "claimed", "replied", "resolved")


class HandoffError(Exception):
    """A transition that is not allowed (wrong state, wrong rep, unknown id)."""


@dataclass(frozen=True)
class HandoffView:
    id: int
    conversation_id: str
    state: str
    question: str
    reasons: list[str]
    intents: dict[str, Any]
    sources: list[str]
    draft: str
    draft_citations: list[dict[str, Any]]
    knowledge_gap: bool
    confidence: float
    rep: str
    reply: str
    saved_document: str
    created_at: datetime
    claimed_at: datetime | None
    replied_at: datetime | None
    resolved_at: datetime | None


def _view(row: Handoff) -> HandoffView:
    return HandoffView(
        **{name: getattr(row, name) for name in HandoffView.__dataclass_fields__}  # same names as the model
    )


class HandoffStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def open(
        self,
        *,
        conversation_id: str,
        question: str,
        reasons: list[str],
        intents: dict[str, Any],
        sources: list[str],
        draft: str,
        draft_citations: list[dict[str, Any]],
        knowledge_gap: bool,
        confidence: float,
    ) -> int:
        with self._db.session() as session:
            row = Handoff(
                conversation_id=conversation_id,
                question=question,
                reasons=reasons,
                intents=intents,
                sources=sources,
                draft=draft,
                draft_citations=draft_citations,
                knowledge_gap=knowledge_gap,
                confidence=confidence,
            )
            session.add(row)
            session.flush()
            return row.id

    def get(self, handoff_id: int) -> HandoffView:
        with self._db.session() as session:
            row = session.get(Handoff, handoff_id)
            if row is None:
                raise HandoffError(f"no handoff {handoff_id}")
            return _view(row)

    def list(self, *, state: str | None = None, limit: int = 200) -> list[HandoffView]:
        query = select(Handoff).order_by(Handoff.created_at.desc(), Handoff.id.desc()).limit(limit)
        if state:
            query = query.where(Handoff.state == state)
        with self._db.session() as session:
            return [_view(row) for row in session.scalars(query)]

    def for_conversation(self, conversation_id: str) -> list[HandoffView]:
        query = select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id)
        with self._db.session() as session:
            return [_view(row) for row in session.scalars(query)]

    def counts(self) -> dict[str, int]:
        with self._db.session() as session:
            rows = session.execute(select(Handoff.state, func.count()).group_by(Handoff.state)).all()
        return {state: 0 for state in STATES} | {state: count for state, count in rows}

    def claim(self, handoff_id: int, rep: str) -> None:
        self._transition(
            handoff_id, expect=("open",), values={"state": "claimed", "rep": rep, "claimed_at": utcnow()}
        )

    def reply(self, handoff_id: int, rep: str, text: str) -> None:
        if not text.strip():
            raise HandoffError("a reply needs text")
        self._transition(
            handoff_id,
            expect=("claimed", "replied"),
            rep=rep,
            values={"state": "replied", "reply": text, "replied_at": utcnow()},
        )

    def resolve(self, handoff_id: int, rep: str) -> None:
        self._transition(
            handoff_id,
            expect=("claimed", "replied"),
            rep=rep,
            values={"state": "resolved", "resolved_at": utcnow()},
        )

    def mark_saved(self, handoff_id: int, document_id: str) -> None:
        with self._db.session() as session:
            session.execute(
                update(Handoff).where(Handoff.id == handoff_id).values(saved_document=document_id)
            )

    def _transition(
        self, handoff_id: int, *, expect: tuple[str, ...], values: dict[str, Any], rep: str | None = None
    ) -> None:
        condition = [Handoff.id == handoff_id, Handoff.state.in_(expect)]
        if rep is not None:
            condition.append(Handoff.rep == rep)  # only the rep who claimed it may reply or resolve
        with self._db.session() as session:
            changed = session.execute(update(Handoff).where(*condition).values(**values)).rowcount
        if changed != 1:
            current = self.get(handoff_id)  # raises for an unknown id
            owner = f" by {current.rep}" if current.rep else ""
            raise HandoffError(
                f"handoff {handoff_id} is {current.state}{owner}; expected {' or '.join(expect)}"
            )
