"""The confidence score in [0, 1]: retrieval strength, evidence coverage and grounding together, kept as
its parts so evals and the rep console can see what made it.

With a calibrated model (assistant/confidence_model.py) the score is its P(the answer is correct) over
these parts; without one, the hand-set formula below (kept in every case as `rule_score`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

from assistant.tuning import DEFAULT_TUNING, Tuning
from assistant.verdict import Verdict

if TYPE_CHECKING:
    from assistant.confidence_model import ConfidenceModel


@dataclass(frozen=True)
class ConfidenceParts:
    retrieval: float  # top cosine mapped onto [0, 1] between the floor and floor + span
    coverage: float  # share of the question's focus terms the cited quotes hold
    groundedness: float | None  # share of the composed claims a passage supports; None: nothing composed
    unknown_names: int
    verdict: Verdict | None
    score: float
    answers: float | None = None  # the best evidence sentence's P(answers); None without a scorer
    answers_cited: float | None = None  # P(answers) of the sentence the answer quotes first
    answers_second: float | None = None  # the second-best P(answers): a clear winner is surer than a tie
    agreement: float | None = None  # dense and lexical agree on the top passage; None outside hybrid mode
    intents: dict[str, float] | None = None  # the intent probabilities
    rule_score: float | None = None  # the hand-set formula's score (the score itself without a model)

    def as_dict(self) -> dict:
        return asdict(self)


def confidence_parts(
    *,
    top_similarity: float,
    coverage: float,
    groundedness: float | None,
    verdict: Verdict | None,
    unknown_entities: int = 0,
    answers: float | None = None,
    answers_cited: float | None = None,
    answers_second: float | None = None,
    agreement: float | None = None,
    intents: dict[str, float] | None = None,
    model: ConfidenceModel | None = None,
    tuning: Tuning = DEFAULT_TUNING,
) -> ConfidenceParts:
    t = tuning
    retrieval = min(1.0, max(0.0, (top_similarity - t.similarity_floor) / t.similarity_span))
    score = t.retrieval_weight * retrieval + (1 - t.retrieval_weight) * min(1.0, coverage)
    if groundedness is None:  # nothing documented to say
        score = min(score, t.nothing_composed_cap)
    else:
        score *= groundedness
    penalty = t.unknown_name_penalty ** min(unknown_entities, t.unknown_names_counted)
    score *= penalty
    if groundedness is not None and answers_cited is not None and answers_cited >= t.answers_trusted:
        score = max(score, answers_cited * groundedness * penalty)
    if verdict == "not_documented":
        score = min(score, t.not_documented_cap)
    rule = round(max(0.0, min(1.0, score)), 4)
    parts = ConfidenceParts(
        retrieval=round(retrieval, 4),
        coverage=round(coverage, 4),
        groundedness=groundedness,
        unknown_names=unknown_entities,
        verdict=verdict,
        score=rule,
        answers=None if answers is None else round(answers, 4),
        answers_cited=None if answers_cited is None else round(answers_cited, 4),
        answers_second=None if answers_second is None else round(answers_second, 4),
        agreement=None if agreement is None else round(agreement, 4),
        intents=intents,
        rule_score=rule,
    )
    if model is None:
        return parts
    return replace(parts, score=round(model.probability(parts.as_dict()), 4))
