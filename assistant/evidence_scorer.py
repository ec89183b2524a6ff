"""The sentence-level evidence scorer: does this sentence answer this question, and does it say yes or no?

`EvidenceScorer` is the protocol (one method, `score`); `LogRegEvidenceScorer` is the offline default: two
logistic regressions over `assistant.evidence_features` (the frozen MiniLM vectors a turn already has, plus
lexical cues), one for P(answers), one for P(yes) of an answering sentence to a yes/no question. The
weights are plain JSON (`assistant/models/evidence.json`), rebuilt byte-identically by
`lastmile models train-evidence`; nothing is unpickled and inference is numpy only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.evidence_features import design, is_yes_no_question
from knowledge.embedder import Embedder

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "models" / "evidence.json"
FORMAT = "lastmile-evidence/1"


class Polarity(StrEnum):
    AFFIRMS = "affirms"
    DENIES = "denies"
    ABSTAIN = "abstain"  # not a yes/no question, or the sentence does not settle it clearly enough


@dataclass(frozen=True, eq=False)
class EvidenceCandidate:
    """A candidate sentence, its context (chunk heading or FAQ question) and, when known, their vectors."""

    sentence: str
    context: str = ""
    vector: np.ndarray | None = None  # unit-length embedding of `sentence`
    context_vector: np.ndarray | None = None  # unit-length embedding of `context`


@dataclass(frozen=True)
class EvidenceScore:
    answers: float  # P(the sentence answers the question)
    yes_no: bool  # the question asks yes or no
    polarity: Polarity  # what the sentence says, if it answers; ABSTAIN unless yes_no and clear enough
    polarity_probability: float  # P of the stated polarity (for ABSTAIN: of the likelier side)
    p_yes: float  # P(the sentence says yes | it answers a yes/no question)


class EvidenceScorer(Protocol):
    name: str

    def score(
        self,
        question: str,
        candidates: Sequence[EvidenceCandidate],
        *,
        question_vector: np.ndarray | None = None,
    ) -> list[EvidenceScore]: ...


@dataclass
class LinearHead:
    """A logistic regression over named feature blocks (standardisation folded into the weights)."""

    blocks: tuple[str, ...]
    coef: np.ndarray
    intercept: float

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(rows @ self.coef + self.intercept)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "blocks": list(self.blocks),
            "intercept": round(float(self.intercept), 8),
            "coef": [round(float(v), 8) for v in self.coef],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinearHead:
        return cls(
            tuple(data["blocks"]), np.asarray(data["coef"], dtype=np.float64), float(data["intercept"])
        )


@dataclass
class EvidenceModel:
    name: str
    answer: LinearHead
    polarity: LinearHead
    affirm_at: float  # P(yes) at or above this: AFFIRMS (chosen on dev for few wrong verdicts)
    deny_at: float  # P(yes) at or below this: DENIES
    dimension: int = 384  # all-MiniLM-L6-v2's output size
    meta: dict[str, Any] = field(default_factory=dict)  # data hashes, params, dev metrics

    def rows(
        self,
        question: str,
        question_vector: np.ndarray,
        candidates: Sequence[EvidenceCandidate],
    ) -> tuple[np.ndarray, np.ndarray]:
        vectors = np.vstack([np.asarray(c.vector, dtype=np.float64).reshape(-1) for c in candidates])
        if vectors.shape[1] != self.dimension:
            raise ValueError(f"expected {self.dimension}-d sentence vectors, got {vectors.shape[1]}-d")
        return design(
            question,
            question_vector,
            [c.sentence for c in candidates],
            [c.context for c in candidates],
            vectors,
            [c.context_vector for c in candidates],
            answer_blocks=self.answer.blocks,
            polarity_blocks=self.polarity.blocks,
        )

    def decide(self, p_yes: float, yes_no: bool) -> tuple[Polarity, float]:
        if yes_no and p_yes >= self.affirm_at:
            return Polarity.AFFIRMS, p_yes
        if yes_no and p_yes <= self.deny_at:
            return Polarity.DENIES, 1.0 - p_yes
        return Polarity.ABSTAIN, max(p_yes, 1.0 - p_yes)

    def save(self, path: Path) -> None:
        payload = {
            "format": FORMAT,
            "name": self.name,
            "dimension": self.dimension,
            "affirm_at": self.affirm_at,
            "deny_at": self.deny_at,
            "answer": self.answer.as_dict(),
            "polarity": self.polarity.as_dict(),
            "meta": self.meta,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL_PATH) -> EvidenceModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} file")
        return cls(
            name=data["name"],
            answer=LinearHead.from_dict(data["answer"]),
            polarity=LinearHead.from_dict(data["polarity"]),
            affirm_at=float(data["affirm_at"]),
            deny_at=float(data["deny_at"]),
            dimension=int(data["dimension"]),
            meta=data.get("meta", {}),
        )


class LogRegEvidenceScorer:
    """`EvidenceScorer` over an `EvidenceModel`; embeds (in one batch) only the vectors not given."""

    def __init__(self, model: EvidenceModel, embedder: Embedder | None = None) -> None:
        self.model = model
        self.embedder = embedder
        self.name = model.name

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL_PATH, embedder: Embedder | None = None) -> LogRegEvidenceScorer:
        return cls(EvidenceModel.load(path), embedder)

    def score(
        self,
        question: str,
        candidates: Sequence[EvidenceCandidate],
        *,
        question_vector: np.ndarray | None = None,
    ) -> list[EvidenceScore]:
        if not candidates:
            return []
        question_vector, candidates = self._with_vectors(question, candidates, question_vector)
        answer_rows, polarity_rows = self.model.rows(question, question_vector, candidates)
        answers = self.model.answer.probabilities(answer_rows)
        p_yes = self.model.polarity.probabilities(polarity_rows)
        yes_no = is_yes_no_question(question)
        scores = []
        for p_answer, p in zip(answers, p_yes, strict=True):
            polarity, probability = self.model.decide(float(p), yes_no)
            scores.append(EvidenceScore(float(p_answer), yes_no, polarity, float(probability), float(p)))
        return scores

    def _with_vectors(
        self, question: str, candidates: Sequence[EvidenceCandidate], question_vector: np.ndarray | None
    ) -> tuple[np.ndarray, list[EvidenceCandidate]]:
        needed: list[str] = []
        if question_vector is None:
            needed.append(question)
        for c in candidates:
            if c.vector is None:
                needed.append(c.sentence)
            if c.context and c.context_vector is None:
                needed.append(c.context)
        if not needed:
            return np.asarray(question_vector), list(candidates)
        if self.embedder is None:
            raise ValueError("vectors missing and no embedder to compute them")
        unique = list(dict.fromkeys(needed))
        vectors = dict(zip(unique, self.embedder.embed(unique), strict=True))
        filled = [
            EvidenceCandidate(
                c.sentence,
                c.context,
                c.vector if c.vector is not None else vectors[c.sentence],
                c.context_vector if c.context_vector is not None or not c.context else vectors[c.context],
            )
            for c in candidates
        ]
        return (vectors[question] if question_vector is None else np.asarray(question_vector)), filled
