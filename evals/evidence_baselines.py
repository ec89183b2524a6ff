"""Baselines the evidence scorer is measured against, as `EvidenceScorer`s: BM25 over the candidate set and
plain cosine of the MiniLM vectors (neither gives a polarity: always ABSTAIN), and polarity by rules."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from assistant.evidence_features import POLARITY_NAMES, QuestionView, is_yes_no_question, polarity_scalars
from assistant.evidence_scorer import EvidenceCandidate, EvidenceScore, Polarity
from assistant.sentences import stem
from knowledge.text import STOPWORDS

BM25_K1 = 1.2  # the usual Okapi defaults (Robertson & Zaragoza); not tuned
BM25_B = 0.75
_WORD = re.compile(r"[a-z0-9]+")


def _abstaining(question: str, values: Sequence[float]) -> list[EvidenceScore]:
    yes_no = is_yes_no_question(question)
    return [EvidenceScore(float(v), yes_no, Polarity.ABSTAIN, 0.5, 0.5) for v in values]


class Bm25EvidenceScorer:
    """Okapi BM25 of the question's terms in each candidate (sentence and context), IDF over the set."""

    name = "bm25"

    def score(
        self,
        question: str,
        candidates: Sequence[EvidenceCandidate],
        *,
        question_vector: np.ndarray | None = None,
    ) -> list[EvidenceScore]:
        documents = [Counter(_terms(f"{c.context} {c.sentence}")) for c in candidates]
        n = len(documents)
        average = sum(sum(d.values()) for d in documents) / n if n else 0.0
        df = Counter(t for d in documents for t in d)
        query = set(_terms(question))
        values = []
        for d in documents:
            length = sum(d.values())
            total = 0.0
            for term in query & set(d):
                idf = math.log(1.0 + (n - df[term] + 0.5) / (df[term] + 0.5))
                tf = d[term]
                total += (
                    idf
                    * tf
                    * (BM25_K1 + 1)
                    / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / (average or 1)))
                )
            values.append(total)
        return _abstaining(question, values)


class CosineEvidenceScorer:
    """Cosine similarity of the question's and the sentence's all-MiniLM-L6-v2 vectors."""

    name = "minilm-cosine"

    def score(
        self,
        question: str,
        candidates: Sequence[EvidenceCandidate],
        *,
        question_vector: np.ndarray | None = None,
    ) -> list[EvidenceScore]:
        if question_vector is None or any(c.vector is None for c in candidates):
            raise ValueError("the cosine baseline needs precomputed vectors")
        vectors = np.vstack([np.asarray(c.vector, dtype=np.float64) for c in candidates])
        return _abstaining(question, list(vectors @ np.asarray(question_vector, dtype=np.float64)))


def _terms(text: str) -> list[str]:
    return [stem(t) for t in _WORD.findall(text.lower()) if t not in STOPWORDS]


class RulePolarityScorer:
    """Cosine for P(answers); polarity by rules: an opening yes affirms, an opening no or a negation whose
    clause holds a focus term of the question denies, anything else abstains."""

    name = "rules-polarity"

    def score(
        self,
        question: str,
        candidates: Sequence[EvidenceCandidate],
        *,
        question_vector: np.ndarray | None = None,
    ) -> list[EvidenceScore]:
        cosines = CosineEvidenceScorer().score(question, candidates, question_vector=question_vector)
        view = QuestionView.of(question)
        scores = []
        for cosine, candidate in zip(cosines, candidates, strict=True):
            cues = dict(
                zip(POLARITY_NAMES, polarity_scalars(view, candidate.sentence, 0.0, 0.0), strict=True)
            )
            if not view.yes_no:
                polarity = Polarity.ABSTAIN
            elif cues["starts_yes"]:
                polarity = Polarity.AFFIRMS
            elif cues["starts_no"] or cues["negation_on_focus"]:
                polarity = Polarity.DENIES
            else:
                polarity = Polarity.ABSTAIN
            p_yes = {Polarity.AFFIRMS: 1.0, Polarity.DENIES: 0.0}.get(polarity, 0.5)
            scores.append(EvidenceScore(cosine.answers, view.yes_no, polarity, max(p_yes, 1 - p_yes), p_yes))
        return scores
