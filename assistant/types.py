"""Typed values of one assistant turn: intents, citations, the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from assistant.outcomes import Outcome, Reason, is_knowledge_gap
from knowledge.types import Hit

if TYPE_CHECKING:
    from assistant.trace import Trace

INTENT_LABELS = ("clarification", "confirmation", "confidence")


@dataclass(frozen=True)
class Intents:
    """What the buyer needs, a probability per label, plus two flags."""

    clarification: float
    confirmation: float
    confidence: float
    wants_human: bool = False
    out_of_scope: bool = False
    labels: tuple[str, ...] = ()  # the labels over their tuned thresholds
    classifier: str = ""  # which classifier produced these

    def probabilities(self) -> dict[str, float]:
        return {label: round(float(getattr(self, label)), 4) for label in INTENT_LABELS}


@dataclass(frozen=True)
class Citation:
    marker: int  # the [n] in the answer text
    source: str  # document id
    title: str
    quote: str  # verbatim text from the cited chunk
    chunk_id: str
    heading: str = ""
    page: int | None = None


def citation_dict(citation: Citation) -> dict:
    return {
        "marker": citation.marker,
        "source": citation.source,
        "title": citation.title,
        "quote": citation.quote,
        "heading": citation.heading,
        "page": citation.page,
    }


VERDICT_LABELS = ("yes", "yes_with_conditions", "no", "not_documented", "abstain")


@dataclass(frozen=True)
class Condition:
    """What a documented yes is bound to: a tier, version, region, edition or limit."""

    kind: str  # tier | version | region | edition | limit
    value: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "value": self.value}


@dataclass(frozen=True)
class ClaimVerdict:
    """One claim of a confirmation and what the documents settle about it.

    verdict: yes | yes_with_conditions | no | not_documented | abstain ("not settled": the evidence found
    is not clearly about the claim, so no verdict is given and the documents are shown instead).
    `position` is the [n] of the retrieved passage the evidence sentence comes from.
    """

    claim: str
    polarity: str  # asserted | denied (the buyer says it is NOT so / NOT needed)
    verdict: str
    conditions: tuple[Condition, ...] = ()
    alternative: str = ""  # for "no": what the documents say instead
    evidence: str = ""  # the sentence the verdict rests on, verbatim
    source: str = ""  # its document id
    position: int | None = None
    reason: str = ""  # why, in words, for staff

    @property
    def settled(self) -> bool:
        return self.verdict in ("yes", "yes_with_conditions", "no")

    def as_dict(self) -> dict:
        return {
            "claim": self.claim,
            "polarity": self.polarity,
            "verdict": self.verdict,
            "conditions": [c.as_dict() for c in self.conditions],
            "alternative": self.alternative,
            "evidence": self.evidence,
            "source": self.source,
            "reason": self.reason,
        }


@dataclass
class Answer:
    """A turn's result: the buyer's reply, the rep's draft, and the trace of how it was reached."""

    # What the buyer sees.
    text: str
    citations: list[Citation]
    outcome: Outcome
    # Why, and how sure.
    reasons: list[Reason]
    confidence: float
    intents: Intents
    verdict: str | None  # confirmation questions: supported | contradicted | not_documented
    composer: str
    # What a rep starts from when the turn is handed off: the grounded answer, even when not sent.
    draft: str = ""
    draft_citations: list[Citation] = field(default_factory=list)
    # Every stage's output, for evals and the rep console (None only for answers built outside the pipeline).
    trace: Trace | None = None
    # Confirmations: a verdict per claim the buyer made (empty for other questions).
    claim_verdicts: list[ClaimVerdict] = field(default_factory=list)

    @property
    def handoff(self) -> bool:
        return self.outcome is Outcome.HANDED_OFF

    @property
    def handoff_reasons(self) -> list[str]:
        """The reasons in words, for people."""
        return [reason.detail for reason in self.reasons]

    @property
    def knowledge_gap(self) -> bool:
        """Handed off because the documents lack the answer."""
        return is_knowledge_gap(self.outcome, self.reasons)

    @property
    def hits(self) -> list[Hit]:
        return self.trace.hits if self.trace else []

    @property
    def groundedness(self) -> float | None:
        """Share of the composed answer's claims a passage supports."""
        return self.trace.grounding.groundedness if self.trace else None

    @property
    def retrieval_query(self) -> str:
        return self.trace.understanding.retrieval_query if self.trace else ""

    @property
    def sources(self) -> list[str]:
        """Retrieved document ids, best first, without repeats."""
        return list(dict.fromkeys(hit.chunk.document_id for hit in self.hits))

    def citation_of(self, quote: str) -> int | None:
        """The [n] the buyer sees for a quoted sentence (a claim's evidence), if it is cited."""
        return next((c.marker for c in self.citations if quote and c.quote == quote), None)

    def as_dict(self) -> dict:
        return {
            "answer": self.text,
            "citations": [citation_dict(c) for c in self.citations],
            "sources": self.sources,
            "confidence": round(self.confidence, 4),
            "outcome": self.outcome.value,
            "handoff": self.handoff,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "handoff_reasons": self.handoff_reasons,
            "intents": self.intents.probabilities(),
            "intent_labels": list(self.intents.labels),
            "wants_human": self.intents.wants_human,
            "out_of_scope": self.intents.out_of_scope,
            "intent_classifier": self.intents.classifier,
            "composer": self.composer,
            "verdict": self.verdict,
            "claim_verdicts": [
                {**v.as_dict(), "citation": self.citation_of(v.evidence)} for v in self.claim_verdicts
            ],
            "groundedness": self.groundedness,
            "knowledge_gap": self.knowledge_gap,
        }


@dataclass(frozen=True)
class AnsweredTurn:
    """One assistant answer, as its stored payload (the `Answer` JSON) describes it (read back by
    `assistant.storage.insights`; here so the admin can name it without loading SQLAlchemy)."""

    created_at: datetime
    intents: tuple[str, ...]
    confidence: float
    handoff: bool
    knowledge_gap: bool
    wants_human: bool
    out_of_scope: bool
