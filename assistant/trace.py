"""The trace of one turn: what every stage produced, for evals and the rep console to read (instead of
probing answer fields or running retrieval again)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.composition import Composition
from assistant.confidence import ConfidenceParts
from assistant.evidence import Evidence
from assistant.grounding import Grounding
from assistant.types import ClaimVerdict, Intents
from knowledge.types import Hit


@dataclass(frozen=True)
class Understanding:
    """The message as the pipeline reads it, before retrieval."""

    question: str  # checked and stripped
    retrieval_query: str  # the question, or with the one it follows when it is a follow-up
    intents: Intents
    injection_suspected: bool
    unknown_names: list[str] = field(default_factory=list)  # capitalised names no document mentions


@dataclass(frozen=True)
class Trace:
    understanding: Understanding
    hits: list[Hit]
    evidence: list[Evidence]
    composition: Composition
    grounding: Grounding
    confidence: ConfidenceParts
    top_similarity: float
    claim_verdicts: list[ClaimVerdict] = field(default_factory=list)  # a confirmation's, per claim

    def as_dict(self) -> dict:
        """A JSON-ready summary for staff: what was retrieved, quoted and checked, and what scored."""
        return {
            "retrieval_query": self.understanding.retrieval_query,
            "injection_suspected": self.understanding.injection_suspected,
            "unknown_names": self.understanding.unknown_names,
            "hits": [
                {
                    "source": hit.chunk.document_id,
                    "chunk_id": hit.chunk.id,
                    "score": round(float(hit.score), 4),
                    "similarity": None if hit.similarity is None else round(float(hit.similarity), 4),
                }
                for hit in self.hits
            ],
            "evidence": [
                {"sentence": e.sentence, "position": e.position, "score": round(e.score, 4)}
                for e in self.evidence
            ],
            "composer": self.composition.composer,
            "grounding": [
                {"sentence": s.text, "supported": s.supported, "claim": s.claim, "reason": s.reason}
                for s in self.grounding.sentences
            ],
            "confidence": self.confidence.as_dict(),
            "top_similarity": round(self.top_similarity, 4),
            "claim_verdicts": [v.as_dict() for v in self.claim_verdicts],
        }
