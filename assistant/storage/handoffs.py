"""The handoff lifecycle: open → claimed(rep) → replied → resolved, stored (its states, `HandoffState`,
are in assistant/handoff_states.py).

States are stored as their plain values ("open", ...). Each transition is one conditional UPDATE
(`... WHERE state = <expected>`), so two reps claiming the same handoff at once cannot both win, on SQLite
or PostgreSQL alike.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from assistant.handoff_states import HELD, HandoffError, HandoffState
from assistant.outcomes import Reason
from assistant.storage.database import Database
from assistant.storage.models import Handoff, utcnow


@dataclass(frozen=True)
class HandoffView:
    id: int
    conversation_id: str
    state: HandoffState
    question: str
    reasons: list[Reason]
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
    fields = {
        name: getattr(row, name) for name in HandoffView.__dataclass_fields__
    }  # same names as the model
    reasons = [Reason.from_stored(value) for value in row.reasons]
    return HandoffView(**fields | {"state": HandoffState(row.state), "reasons": reasons})


class HandoffStore:
    # `list` below is a method: annotations in this class name the built-in type as builtins.list.
    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def database(self) -> Database:
        """The database it writes to: services open a unit of work on it (`Database.transaction`)."""
        return self._db

    def open(
        self,
        *,
        conversation_id: str,
        question: str,
        reasons: list[Reason],
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
                state=HandoffState.OPEN.value,
                question=question,
                reasons=[reason.as_dict() for reason in reasons],
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

    def list(self, *, state: HandoffState | None = None, limit: int = 200) -> list[HandoffView]:
        query = select(Handoff).order_by(Handoff.created_at.desc(), Handoff.id.desc()).limit(limit)
        if state:
            query = query.where(Handoff.state == HandoffState(state).value)
        with self._db.session() as session:
            return [_view(row) for row in session.scalars(query)]

    def for_conversation(self, conversation_id: str) -> builtins.list[HandoffView]:
        query = select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id)
        with self._db.session() as session:
            return [_view(row) for row in session.scalars(query)]

    def counts(self) -> dict[HandoffState, int]:
        with self._db.session() as session:
            rows = session.execute(select(Handoff.state, func.count()).group_by(Handoff.state)).all()
        return {state: 0 for state in HandoffState} | {HandoffState(state): count for state, count in rows}

    def claim(self, handoff_id: int, rep: str) -> None:
        self._transition(
            handoff_id,
            expect={HandoffState.OPEN},
            values={"state": HandoffState.CLAIMED.value, "rep": rep, "claimed_at": utcnow()},
        )

    def reply(self, handoff_id: int, rep: str, text: str) -> None:
        if not text.strip():
            raise HandoffError("a reply needs text")
        self._transition(
            handoff_id,
            expect=HELD,
            rep=rep,
            values={"state": HandoffState.REPLIED.value, "reply": text, "replied_at": utcnow()},
        )

    def resolve(self, handoff_id: int, rep: str) -> None:
        self._transition(
            handoff_id,
            expect=HELD,
            rep=rep,
            values={"state": HandoffState.RESOLVED.value, "resolved_at": utcnow()},
        )

    def mark_saved(self, handoff_id: int, document_id: str) -> None:
        with self._db.session() as session:
            session.execute(
                update(Handoff).where(Handoff.id == handoff_id).values(saved_document=document_id)
            )

    def _transition(
        self,
        handoff_id: int,
        *,
        expect: Collection[HandoffState],
        values: dict[str, Any],
        rep: str | None = None,
    ) -> None:
        expected = [state for state in HandoffState if state in expect]  # lifecycle order, for the message
        condition = [Handoff.id == handoff_id, Handoff.state.in_([state.value for state in expected])]
        if rep is not None:
            condition.append(Handoff.rep == rep)  # only the rep who claimed it may reply or resolve
        with self._db.session() as session:
            result = session.execute(update(Handoff).where(*condition).values(**values))
            changed = cast(CursorResult, result).rowcount
        if changed != 1:
            current = self.get(handoff_id)  # raises for an unknown id
            owner = f" by {current.rep}" if current.rep else ""
            raise HandoffError(
                f"handoff {handoff_id} is {current.state}{owner}; expected {' or '.join(expected)}"
            )
