"""The confidence score in [0, 1]: retrieval strength, evidence coverage and grounding together, kept as
its parts so evals and the rep console can see what made it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from assistant.tuning import DEFAULT_TUNING, Tuning
from assistant.verdict import Verdict


@dataclass(frozen=True)
class ConfidenceParts:
    retrieval: float  # top cosine mapped onto [0, 1] between the floor and floor + span
    coverage: float  # share of the question's focus terms the cited quotes hold
    groundedness: float | None  # share of the composed claims a passage supports; None: nothing composed
    unknown_names: int
    verdict: Verdict | None
    score: float

    def as_dict(self) -> dict:
        return asdict(self)


def confidence_parts(
    *,
    top_similarity: float,
    coverage: float,
    groundedness: float | None,
    verdict: Verdict | None,
    unknown_entities: int = 0,
    tuning: Tuning = DEFAULT_TUNING,
) -> ConfidenceParts:
    t = tuning
    retrieval = min(1.0, max(0.0, (top_similarity - t.similarity_floor) / t.similarity_span))
    score = t.retrieval_weight * retrieval + (1 - t.retrieval_weight) * min(1.0, coverage)
    if groundedness is None:  # nothing documented to say
        score = min(score, t.nothing_composed_cap)
    else:
        score *= groundedness
    score *= t.unknown_name_penalty ** min(unknown_entities, t.unknown_names_counted)
    if verdict == "not_documented":
        score = min(score, t.not_documented_cap)
    return ConfidenceParts(
        retrieval=round(retrieval, 4),
        coverage=round(coverage, 4),
        groundedness=groundedness,
        unknown_names=unknown_entities,
        verdict=verdict,
        score=round(max(0.0, min(1.0, score)), 4),
    )
