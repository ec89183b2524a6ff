"""Evidence reranking: re-order the fused candidates by how well their best sentence answers the question.

Each chunk's candidate sentences (as evidence selection splits them; a FAQ row's answer whole) are scored
by the sentence-level evidence scorer (assistant/evidence_scorer.py) against the question, with the
chunk's heading or FAQ question as context; the chunk's score is then
`weight * best P(answers) + (1 - weight) * its fused score min-max normalised over the candidates`.
`EvidenceReranker` implements `knowledge.reranker.Reranker` (`evidence_rerank=True`; off by default); it lives here, not in knowledge/, because
the scorer is an assistant part. Sentence vectors stored at ingest are used where present.
`python -m evals.rerank_eval` measures it and chose the default weight on the dev splits (docs/retrieval.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from assistant.evidence_scorer import EvidenceCandidate, EvidenceScorer
from assistant.sentences import is_question, split_sentences
from knowledge.sentence_vectors import SentenceVectorStore
from knowledge.text import FAQ_ROW
from knowledge.types import Chunk, Hit

DEFAULT_WEIGHT = 0.1  # chosen on the dev splits by evals/rerank_eval.py (docs/retrieval.md)


def chunk_candidates(chunk: Chunk) -> list[tuple[str, str]]:
    """(sentence, context) pairs the scorer sees for a chunk: a FAQ row's answer under its question, else
    the chunk's sentences (questions left out, as evidence selection does) under its heading."""
    faq = FAQ_ROW.match(chunk.text)
    if faq:
        return [(faq.group(2).strip(), faq.group(1).strip())]
    sentences = [s for s in split_sentences(chunk.text) if not is_question(s) and s != chunk.heading]
    return [(s, chunk.heading) for s in dict.fromkeys(sentences)]


def best_answer_scores(
    scorer: EvidenceScorer,
    question: str,
    hits: Sequence[Hit],
    *,
    question_vector: np.ndarray | None = None,
    stored: Mapping[str, np.ndarray] | None = None,
) -> list[float]:
    """Per hit, the highest P(answers) of its sentences (0.0 for a chunk with none); one scorer call."""
    stored = stored or {}
    candidates: list[EvidenceCandidate] = []
    owners: list[int] = []
    for index, hit in enumerate(hits):
        for sentence, context in chunk_candidates(hit.chunk):
            candidates.append(
                EvidenceCandidate(
                    sentence, context, stored.get(sentence), stored.get(context) if context else None
                )
            )
            owners.append(index)
    best = [0.0] * len(hits)
    for owner, result in zip(
        owners, scorer.score(question, candidates, question_vector=question_vector), strict=True
    ):
        best[owner] = max(best[owner], result.answers)
    return best


def normalised(values: Sequence[float]) -> list[float]:
    """Min-max scaled to [0, 1]; all equal -> all 1 (the fused order then decides alone through ties)."""
    low, high = min(values, default=0.0), max(values, default=0.0)
    return [1.0 if high == low else (v - low) / (high - low) for v in values]


def combined(answer_scores: Sequence[float], fused_scores: Sequence[float], weight: float) -> list[float]:
    return [
        weight * a + (1.0 - weight) * f for a, f in zip(answer_scores, normalised(fused_scores), strict=True)
    ]


def reordered(hits: Sequence[Hit], answer_scores: Sequence[float], weight: float) -> list[Hit]:
    """The hits by their combined score, highest first; a stable sort, so ties keep the fused order."""
    scores = combined(answer_scores, [h.score for h in hits], weight)
    return [hits[i] for i in sorted(range(len(hits)), key=lambda i: scores[i], reverse=True)]


class EvidenceReranker:
    """`Reranker` by the evidence scorer's best sentence per chunk, mixed with the chunk's fused score."""

    def __init__(
        self,
        scorer: EvidenceScorer,
        sentence_vectors: SentenceVectorStore | None = None,
        *,
        weight: float = DEFAULT_WEIGHT,
    ) -> None:
        self.scorer = scorer  # embeds the question itself, in one batch with any sentence not stored
        self.sentence_vectors = sentence_vectors
        self.weight = weight

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        if not hits:
            return []
        stored = self.sentence_vectors.vectors([h.chunk.id for h in hits]) if self.sentence_vectors else {}
        answers = best_answer_scores(self.scorer, query, hits, stored=stored)
        # Unlike a cross-encoder's, the hits keep their fused scores: confidence reads the top one as the
        # dense/lexical agreement (assistant/pipeline.py), which a [0, 1] mix would saturate.
        return reordered(hits, answers, self.weight)
