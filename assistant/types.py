"""Typed values of one assistant turn: intents, citations, the answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.types import Hit

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


@dataclass
class Answer:
    text: str
    citations: list[Citation]
    hits: list[Hit]
    confidence: float
    handoff: bool
    handoff_reasons: list[str]
    intents: Intents
    composer: str
    verdict: str | None = None  # confirmation questions: supported | contradicted | not_documented
    groundedness: float | None = None  # share of the composed answer's claims a passage supports
    knowledge_gap: bool = False  # handed off because the documents lack the answer
    draft: str = ""  # the grounded answer a rep starts from when the turn is handed off
    draft_citations: list[Citation] = field(default_factory=list)
    retrieval_query: str = ""
    extras: dict = field(default_factory=dict)

    @property
    def sources(self) -> list[str]:
        """Retrieved document ids, best first, without repeats."""
        seen: list[str] = []
        for hit in self.hits:
            if hit.chunk.document_id not in seen:
                seen.append(hit.chunk.document_id)
        return seen

    def as_dict(self) -> dict:
        return {
            "answer": self.text,
            "citations": [
                {
                    "marker": c.marker,
                    "source": c.source,
                    "title": c.title,
                    "quote": c.quote,
                    "heading": c.heading,
                    "page": c.page,
                }
                for c in self.citations
            ],
            "sources": self.sources,
            "confidence": round(self.confidence, 4),
            "handoff": self.handoff,
            "handoff_reasons": self.handoff_reasons,
            "intents": self.intents.probabilities(),
            "intent_labels": list(self.intents.labels),
            "wants_human": self.intents.wants_human,
            "out_of_scope": self.intents.out_of_scope,
            "intent_classifier": self.intents.classifier,
            "composer": self.composer,
            "verdict": self.verdict,
            "groundedness": self.groundedness,
            "knowledge_gap": self.knowledge_gap,
        }
