"""The confidence score in [0, 1]: retrieval strength, evidence coverage and grounding together."""

from __future__ import annotations

from assistant.verdict import Verdict

SIMILARITY_FLOOR = 0.20  # all-MiniLM-L6-v2 cosine below which passages are unrelated
SIMILARITY_SPAN = 0.45  # ... and the span above the floor at which retrieval counts as fully strong


UNKNOWN_NAME_PENALTY = 0.85  # each name the documents never mention keeps this share of the score


def confidence(
    *,
    top_similarity: float,
    coverage: float,
    groundedness: float | None,
    verdict: Verdict | None,
    unknown_entities: int = 0,
) -> float:
    retrieval = min(1.0, max(0.0, (top_similarity - SIMILARITY_FLOOR) / SIMILARITY_SPAN))
    score = 0.5 * retrieval + 0.5 * min(1.0, coverage)
    if groundedness is None:  # nothing documented to say
        score = min(score, 0.15)
    else:
        score *= groundedness
    score *= UNKNOWN_NAME_PENALTY ** min(unknown_entities, 2)
    if verdict == "not_documented":
        score = min(score, 0.3)
    return round(max(0.0, min(1.0, score)), 4)
