"""Typed values of a deal brief: the last-mile profile, claims, concerns, stakeholders and the readiness
signal. Every item carries the id of the buyer message it came from and quotes that message verbatim.

Briefs are stored as JSON (`as_dict`) and read back (`brief_from_dict`); the two are exact inverses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Topic(StrEnum):
    SECURITY = "security"
    COMPLIANCE = "compliance"
    PRICING = "pricing"
    MIGRATION = "migration"
    INTEGRATION = "integration"
    PERFORMANCE = "performance"
    RELIABILITY = "reliability"
    SUPPORT = "support"
    IMPLEMENTATION = "implementation"
    VENDOR = "vendor"  # lock-in, the vendor's viability, getting the data out


class Stance(StrEnum):
    SUPPORTIVE = "supportive"  # keen, pushing for it, sold
    CONDITIONAL = "conditional"  # states a requirement: "wants a fixed annual price"
    SKEPTICAL = "skeptical"  # worried, unconvinced, pushing back
    BLOCKING = "blocking"  # a refusal or veto in force: "won't sign off (unless ...)"
    UNSTATED = "unstated"  # mentioned, or asking for information, with no position


class ClaimVerdict(StrEnum):
    CONFIRMED = "confirmed"  # the documents support the buyer's claim
    CONTRADICTED = "contradicted"
    UNDOCUMENTED = "undocumented"


class Readiness(StrEnum):
    EXPLORING = "exploring"  # learning how it works; nothing pulled for yet
    EVALUATING = "evaluating"  # checking claims, voicing concerns, at most one step towards buying
    READY = "ready_to_talk"  # several steps towards buying and nothing hard in the way
    BLOCKED = "blocked"  # something stated stops the deal: a contradicted claim, a veto, a deal-breaker


class Signal(StrEnum):
    """Why an item is in the readiness evidence."""

    PULL = "pull"  # the buyer moves towards buying: next steps, a quote, a pilot, a date
    CONFIRMED_CLAIM = "confirmed_claim"
    CONTRADICTED_CLAIM = "contradicted_claim"  # hard blocker
    VETO = "veto"  # a stakeholder blocking: hard blocker
    CONDITIONAL_VETO = "conditional_veto"  # "won't approve without X", X not (yet) refused: still open
    DEAL_BREAKER = "deal_breaker"  # the buyer says something rules the product out: hard blocker
    UNDOCUMENTED_CLAIM = "undocumented_claim"  # still open: an expert has to answer
    SKEPTIC = "skeptic"  # a stakeholder unconvinced: still open


HARD_BLOCKERS = frozenset({Signal.CONTRADICTED_CLAIM, Signal.VETO, Signal.DEAL_BREAKER})


@dataclass(frozen=True)
class IntentStep:
    message_id: int  # the buyer message
    label: str  # the turn's leading intent
    probabilities: dict[str, float]


@dataclass(frozen=True)
class LastMileProfile:
    dominant: str | None  # the intent most turns led with; None before any answered turn
    counts: dict[str, int]  # turns led by each intent
    steps: tuple[IntentStep, ...]
    phases: tuple[str, ...]  # the leading intent per turn with repeats merged: how the conversation moved

    @property
    def moved(self) -> bool:
        return len(self.phases) > 1


@dataclass(frozen=True)
class ClaimItem:
    text: str
    verdict: ClaimVerdict
    message_id: int  # the buyer message that made the claim


@dataclass(frozen=True)
class Concern:
    topic: Topic
    quote: str  # the buyer's sentence, verbatim
    message_id: int


@dataclass(frozen=True)
class Mention:
    message_id: int
    quote: str  # the buyer's sentence, verbatim
    stance: Stance
    wants: str  # what the sentence says this person wants or needs, verbatim ("" when none)


@dataclass(frozen=True)
class Stakeholder:
    role_key: str  # the kind of person, to merge mentions: "security_leader"
    role: str  # as the buyer named them: "CISO"
    stance: Stance  # the latest stance stated, else unstated
    is_buyer: bool  # "I'm the head of data": the buyer themselves
    mentions: tuple[Mention, ...]
    conversation_id: str = ""


@dataclass(frozen=True)
class Evidence:
    signal: Signal
    quote: str  # the buyer's words (or the claim text for claims)
    message_id: int


@dataclass(frozen=True)
class ReadinessSignal:
    level: Readiness
    pulls: tuple[Evidence, ...]  # what the buyer pulled for
    blockers: tuple[Evidence, ...]  # what is still in the way (hard first)

    @property
    def hard_blockers(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.blockers if e.signal in HARD_BLOCKERS)


@dataclass(frozen=True)
class ReadinessDispute:
    """A rep's reading of readiness where it differs from the rules', with their reason."""

    level: Readiness
    rep: str
    note: str
    at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class DealBrief:
    conversation_id: str
    account: str  # "" when the buyer left no company or work email
    company: str  # as the buyer typed it
    through_message_id: int  # the brief reflects messages up to this id
    profile: LastMileProfile
    claims: tuple[ClaimItem, ...]
    concerns: tuple[Concern, ...]
    stakeholders: tuple[Stakeholder, ...]
    readiness: ReadinessSignal
    version: int = 0  # the extractor version that built it
    dispute: ReadinessDispute | None = None  # the rep's reading, shown beside the rules' signal
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def readiness_level(self) -> Readiness:
        """What to act on: the rep's reading when they disputed the signal, else the rules'."""
        return self.dispute.level if self.dispute else self.readiness.level

    def claims_by(self, verdict: ClaimVerdict) -> list[ClaimItem]:
        return [c for c in self.claims if c.verdict == verdict]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def brief_from_dict(data: dict[str, Any]) -> DealBrief:
    profile = data["profile"]
    readiness = data["readiness"]
    return DealBrief(
        conversation_id=data["conversation_id"],
        account=data["account"],
        company=data["company"],
        through_message_id=int(data["through_message_id"]),
        profile=LastMileProfile(
            dominant=profile["dominant"],
            counts=dict(profile["counts"]),
            steps=tuple(IntentStep(**s) for s in profile["steps"]),
            phases=tuple(profile["phases"]),
        ),
        claims=tuple(
            ClaimItem(c["text"], ClaimVerdict(c["verdict"]), c["message_id"]) for c in data["claims"]
        ),
        concerns=tuple(Concern(Topic(c["topic"]), c["quote"], c["message_id"]) for c in data["concerns"]),
        stakeholders=tuple(_stakeholder(s) for s in data["stakeholders"]),
        readiness=ReadinessSignal(
            level=Readiness(readiness["level"]),
            pulls=tuple(_evidence(e) for e in readiness["pulls"]),
            blockers=tuple(_evidence(e) for e in readiness["blockers"]),
        ),
        version=int(data.get("version", 0)),
        dispute=_dispute(data.get("dispute")),
        extras=dict(data.get("extras") or {}),
    )


def _stakeholder(data: dict[str, Any]) -> Stakeholder:
    return Stakeholder(
        role_key=data["role_key"],
        role=data["role"],
        stance=Stance(data["stance"]),
        is_buyer=bool(data["is_buyer"]),
        mentions=tuple(
            Mention(m["message_id"], m["quote"], Stance(m["stance"]), m["wants"]) for m in data["mentions"]
        ),
        conversation_id=data.get("conversation_id", ""),
    )


def _dispute(data: dict[str, Any] | None) -> ReadinessDispute | None:
    if not data:
        return None
    return ReadinessDispute(Readiness(data["level"]), data["rep"], data["note"], data["at"])


def _evidence(data: dict[str, Any]) -> Evidence:
    return Evidence(Signal(data["signal"]), data["quote"], data["message_id"])
