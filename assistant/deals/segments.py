"""Insights per segment (where conversations came from, or the buyer's company size or industry) and per
landing page: answered, handed-off, contact-left and rep-resolved rates, each with its counts and a 95%
Wilson interval, and the claims the documents most often left undocumented. Read-only.

Units, so a rate always says what it counts:
- answered: assistant answers given without handing off, of all assistant answers;
- handed off: conversations with at least one handoff, of all conversations;
- contact left: conversations where the buyer left their details, of all conversations;
- rep resolved: handoffs a rep resolved, of all handoffs opened.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from assistant.deals.claims import claims_of
from assistant.deals.turns import buyer_turns
from assistant.deals.types import ClaimVerdict
from assistant.storage.conversations import MessageView
from assistant.storage.database import Database
from assistant.storage.deal_tables import BuyerContact, ConversationSegment
from assistant.storage.models import Conversation, Handoff, Message

DIMENSIONS = (
    "landing_page", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "company_size", "industry",
)  # fmt: skip
NO_VALUE = "(none)"
Z95 = 1.959964  # the standard normal quantile for a two-sided 95% interval


@dataclass(frozen=True)
class Rate:
    successes: int
    trials: int
    low: float  # 95% Wilson interval
    high: float

    @property
    def value(self) -> float | None:
        return self.successes / self.trials if self.trials else None


def wilson(successes: int, trials: int, z: float = Z95) -> Rate:
    """The Wilson score interval: sound for small counts and for rates near 0 or 1, unlike p ± z·se."""
    if trials == 0:
        return Rate(0, 0, 0.0, 1.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return Rate(successes, trials, max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class UndocumentedClaim:
    text: str  # as first asked
    count: int  # conversations that asked it


@dataclass(frozen=True)
class SegmentRow:
    segment: str
    conversations: int
    answered: Rate
    handed_off: Rate
    contact_left: Rate
    rep_resolved: Rate
    top_undocumented: tuple[UndocumentedClaim, ...]


def _claim_key(text: str) -> str:
    return re.sub(r"[\s?!.]+$", "", " ".join(text.casefold().split()))


def segment_report(
    db: Database, *, by: str = "utm_source", since: datetime | None = None, top_claims: int = 5
) -> list[SegmentRow]:
    """One row per value of `by` (conversations without one under "(none)"), most conversations first."""
    if by not in DIMENSIONS:
        raise ValueError(f"segment by one of {', '.join(DIMENSIONS)}, not {by!r}")
    with db.session() as session:
        query = select(Conversation.id, getattr(ConversationSegment, by)).outerjoin(
            ConversationSegment, ConversationSegment.conversation_id == Conversation.id
        )
        if since is not None:
            query = query.where(Conversation.created_at >= since)
        segment_of = {
            cid: (value or NO_VALUE)
            for cid, value in session.execute(query.order_by(Conversation.created_at))
        }  # oldest first, so a claim is shown as first asked
        ids = list(segment_of)
        contacts = set(
            session.scalars(select(BuyerContact.conversation_id).where(BuyerContact.conversation_id.in_(ids)))
        )
        handoffs = session.execute(
            select(Handoff.conversation_id, Handoff.state).where(Handoff.conversation_id.in_(ids))
        ).all()
        messages: dict[str, list[MessageView]] = defaultdict(list)
        for m in session.scalars(
            select(Message)
            .where(Message.conversation_id.in_(ids), Message.role.in_(("buyer", "assistant")))
            .order_by(Message.id)
        ):
            messages[m.conversation_id].append(
                MessageView(m.id, m.role, m.text, m.author, dict(m.payload or {}), m.created_at)
            )
    return _rows(segment_of, contacts, handoffs, messages, top_claims)


def page_report(db: Database, *, since: datetime | None = None, top_claims: int = 5) -> list[SegmentRow]:
    return segment_report(db, by="landing_page", since=since, top_claims=top_claims)


def _rows(segment_of, contacts, handoffs, messages, top_claims) -> list[SegmentRow]:
    tally: dict[str, Counter] = defaultdict(Counter)
    handed: dict[str, set[str]] = defaultdict(set)
    claims: dict[str, Counter] = defaultdict(Counter)
    first_text: dict[str, str] = {}
    for cid, segment in segment_of.items():
        counts = tally[segment]
        counts["conversations"] += 1
        counts["contacts"] += cid in contacts
        for message in messages.get(cid, []):
            if message.role == "assistant" and "confidence" in message.payload:
                counts["answers"] += 1
                counts["answered"] += not message.payload.get("handoff")
        asked = set()
        for claim in claims_of(buyer_turns(messages.get(cid, []))):
            if claim.verdict == ClaimVerdict.UNDOCUMENTED:
                key = _claim_key(claim.text)
                first_text.setdefault(key, claim.text)
                asked.add(key)
        claims[segment].update(asked)  # a conversation counts a claim once
    for cid, state in handoffs:
        segment = segment_of[cid]
        handed[segment].add(cid)
        tally[segment]["handoffs"] += 1
        tally[segment]["resolved"] += state == "resolved"
    rows = [
        SegmentRow(
            segment=segment,
            conversations=c["conversations"],
            answered=wilson(c["answered"], c["answers"]),
            handed_off=wilson(len(handed[segment]), c["conversations"]),
            contact_left=wilson(c["contacts"], c["conversations"]),
            rep_resolved=wilson(c["resolved"], c["handoffs"]),
            top_undocumented=tuple(
                UndocumentedClaim(first_text[key], n)
                for key, n in sorted(claims[segment].items(), key=lambda kv: (-kv[1], kv[0]))[:top_claims]
            ),
        )
        for segment, c in tally.items()
    ]
    return sorted(rows, key=lambda row: (-row.conversations, row.segment))
