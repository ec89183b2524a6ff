"""Evidence selection: the retrieved sentences that best answer a question, scored lexically and, when an
embedding function is given, semantically (`stored_first` serves the sentence vectors stored at ingest and
embeds, in one batch, only those missing)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.sentences import content_terms, is_question, split_sentences
from assistant.tuning import DEFAULT_TUNING, Tuning
from knowledge.text import FAQ_ROW
from knowledge.types import Hit

EmbedFn = Callable[[Sequence[str]], np.ndarray]
_FAQ = FAQ_ROW
_RISK = content_terms(
    "limit limits limitation not cannot downtime outage risk migration cutover rollback freeze sla uptime "
    "credit support response severity backup recovery rpo rto failover dual-run validation guarantee"
)


def stored_first(stored: Mapping[str, np.ndarray], embed: EmbedFn) -> EmbedFn:
    """An embedding function that takes stored vectors where it can and embeds the rest in one call."""

    def lookup(texts: Sequence[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in stored]
        computed = dict(zip(missing, embed(missing), strict=True)) if missing else {}
        rows = [stored[text] if text in stored else computed[text] for text in texts]
        return np.vstack(rows) if rows else embed([])

    return lookup


@dataclass(frozen=True)
class Evidence:
    hit: Hit
    position: int  # 1-based rank of the hit: the [n] marker the composer writes
    sentence: str
    score: float
    coverage: float  # share of the question's content terms the sentence contains
    semantic: float | None = None
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)  # when it was embedded
    answers: float | None = None  # P(the sentence answers the question), from the evidence scorer

    @property
    def context(self) -> str:
        """What the sentence answers under: its FAQ row's question, or its section heading."""
        faq = _FAQ.match(self.hit.chunk.text)
        return faq.group(1).strip() if faq else self.hit.chunk.heading

    @property
    def about_risk(self) -> bool:
        return bool(content_terms(self.sentence) & _RISK)


def select_evidence(
    question: str,
    hits: list[Hit],
    *,
    embed: EmbedFn | None = None,
    question_vector: np.ndarray | None = None,
    limit: int = 8,
    tuning: Tuning = DEFAULT_TUNING,
) -> list[Evidence]:
    t = tuning
    wanted = content_terms(question)
    candidates: list[tuple[int, Hit, str, float]] = []
    faq_answers: list[Evidence] = []
    for position, hit in enumerate(hits[: t.evidence_hits], start=1):
        faq = _FAQ.match(hit.chunk.text)
        if faq:
            # A FAQ row answers its own question as a whole: the answer is one piece of evidence, and the
            # row's question counts towards how well it covers the buyer's.
            answer = faq.group(2).strip()
            coverage = len(wanted & content_terms(hit.chunk.text)) / (len(wanted) or 1)
            similarity = hit.similarity or 0.0
            score = t.coverage_weight * coverage + t.semantic_weight * similarity + t.rank_prior / position
            faq_answers.append(Evidence(hit, position, answer, score, coverage, similarity))
            continue
        for order, sentence in enumerate(split_sentences(hit.chunk.text)):
            terms = content_terms(sentence)
            if len(terms) < 2 or is_question(sentence):  # an FAQ's question is not evidence
                continue
            if len(sentence.split()) < t.min_sentence_words or sentence in (
                hit.chunk.title,
                hit.chunk.heading,
            ):
                continue
            coverage = len(wanted & terms) / (len(wanted) or 1)
            candidates.append((position, hit, sentence, coverage - t.order_penalty * order))
    if not candidates:
        return sorted(faq_answers, key=lambda e: e.score, reverse=True)[:limit]
    candidates.sort(key=lambda c: c[3] + t.rank_prior / c[0], reverse=True)
    semantic: list[float | None] = [None] * len(candidates)
    vectors: list[np.ndarray | None] = [None] * len(candidates)
    if embed is not None and question_vector is not None:
        pool = candidates[: t.semantic_pool]
        embedded = embed([sentence for _, _, sentence, _ in pool])
        semantic[: len(pool)] = [float(v) for v in embedded @ question_vector]
        vectors[: len(pool)] = list(embedded)
        candidates, semantic, vectors = candidates[: len(pool)], semantic[: len(pool)], vectors[: len(pool)]
    scored = list(faq_answers)
    for (position, hit, sentence, coverage), cosine, vector in zip(
        candidates, semantic, vectors, strict=True
    ):
        prior = t.rank_prior / position
        score = (
            coverage + prior
            if cosine is None
            else t.coverage_weight * coverage + t.semantic_weight * cosine + prior
        )
        scored.append(Evidence(hit, position, sentence, score, max(0.0, coverage), cosine, vector))
    scored.sort(key=lambda e: e.score, reverse=True)
    unique: list[Evidence] = []
    for evidence in scored:
        if all(evidence.sentence != kept.sentence for kept in unique):
            unique.append(evidence)
        if len(unique) == limit:
            break
    return unique


def coverage_of(question: str, sentences: Sequence[str]) -> float:
    """Share of the question's content terms that the sentences contain together."""
    wanted = content_terms(question)
    if not wanted:
        return 0.0
    found: set[str] = set()
    for sentence in sentences:
        found |= content_terms(sentence)
    return len(wanted & found) / len(wanted)
