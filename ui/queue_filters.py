"""The rep console's queue filters (state, intent, age) as plain functions over handoff views."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from assistant.outcomes import ReasonCode
from assistant.rep_desk import HandoffState, HandoffView, utcnow

HUMAN_ASKED = "asked for a human"
KNOWLEDGE_GAP = "knowledge gap"
INTENT_FILTERS = ("clarification", "confirmation", "confidence", HUMAN_ASKED, KNOWLEDGE_GAP)
AGES: dict[str, tuple[timedelta, timedelta | None]] = {  # label -> (at least, under)
    "any age": (timedelta(0), None),
    "under 1 hour": (timedelta(0), timedelta(hours=1)),
    "under 24 hours": (timedelta(0), timedelta(hours=24)),
    "over 24 hours": (timedelta(hours=24), None),
    "over 7 days": (timedelta(days=7), None),
}


def tags(handoff: HandoffView) -> list[str]:
    """The intent labels of the handed-off turn, plus the two filterable flags."""
    found = [label for label in handoff.intents.get("labels", []) if label in INTENT_FILTERS]
    if any(reason.code is ReasonCode.HUMAN_REQUESTED for reason in handoff.reasons):
        found.append(HUMAN_ASKED)
    if handoff.knowledge_gap:
        found.append(KNOWLEDGE_GAP)
    return found


def filter_queue(
    handoffs: Iterable[HandoffView],
    *,
    states: Sequence[HandoffState] = (),
    intents: Sequence[str] = (),
    age: str = "any age",
    now: datetime | None = None,
) -> list[HandoffView]:
    """Handoffs in any of `states` (all when empty), tagged with any of `intents` (all when empty), of `age`."""
    now = now or utcnow()
    at_least, under = AGES[age]
    kept = []
    for handoff in handoffs:
        waited = now - handoff.created_at
        if states and handoff.state not in states:
            continue
        if intents and not set(intents) & set(tags(handoff)):
            continue
        if waited < at_least or (under is not None and waited >= under):
            continue
        kept.append(handoff)
    return kept


def age_text(since: datetime, now: datetime | None = None) -> str:
    seconds = max(0, int(((now or utcnow()) - since).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"
