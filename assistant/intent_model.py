"""The default intent classifier: one-vs-rest logistic regression on the query's sentence embedding.

Features per message: the 384-d normalised all-MiniLM-L6-v2 vector the pipeline already computed for
retrieval (so a turn embeds once), concatenated with a small TF-IDF bag of words and word pairs. The words
carry what the sentence embedding blurs: "is it ...?" versus "how does ...?" (measured in docs/intents.md).

The trained model is plain JSON (`assistant/models/intents.json`): weights, thresholds, vocabulary,
training-data hash and metrics. Nothing is unpickled; inference is numpy only. Training needs scikit-learn
and is deterministic (lbfgs, fixed seed): `lastmile train-intents` rebuilds the shipped file.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.intents import MODEL_LABELS, decide_intents
from assistant.types import Intents
from knowledge.embedder import Embedder

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "models" / "intents.json"
FORMAT = "lastmile-intents/1"


@dataclass(frozen=True)
class TrainParams:
    """Chosen on dev (docs/intents.md lists what was tried)."""

    C: float = 3.0  # inverse L2 strength
    class_weight: str | None = "balanced"  # wants_human and out_of_scope are ~7% of messages
    max_words: int = 500  # vocabulary size: most frequent unigrams and bigrams seen in >= 2 messages
    min_df: int = 2
    ngram_max: int = 2
    word_scale: float = 1.5  # weight of the word block next to the unit-length embedding
    seed: int = 0


class WordFeatures:
    """TF-IDF (sublinear tf, l2-normalised) over a fixed vocabulary; equals scikit-learn's transform."""

    TOKEN = re.compile(r"(?u)\b\w+\b|\?")  # words, and the question mark as a token of its own

    def __init__(self, vocabulary: list[str], idf: list[float], *, ngram_max: int, scale: float) -> None:
        self.vocabulary = list(vocabulary)
        self.index = {term: i for i, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_max = ngram_max
        self.scale = scale

    def terms(self, text: str) -> list[str]:
        tokens = self.TOKEN.findall(text.lower())
        grams = list(tokens)
        for n in range(2, self.ngram_max + 1):
            grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return grams

    def transform(self, text: str) -> np.ndarray:
        row = np.zeros(len(self.vocabulary), dtype=np.float64)
        for term, count in Counter(self.terms(text)).items():
            i = self.index.get(term)
            if i is not None:
                row[i] = (1.0 + math.log(count)) * self.idf[i]
        norm = np.linalg.norm(row)
        return row / norm * self.scale if norm else row

    def as_dict(self) -> dict[str, Any]:
        return {
            "vocabulary": self.vocabulary,
            "idf": [round(float(v), 6) for v in self.idf],
            "ngram_max": self.ngram_max,
            "scale": self.scale,
        }


@dataclass
class IntentModel:
    """Weights of one logistic regression per label, over [embedding | words]."""

    name: str
    labels: tuple[str, ...]
    coef: np.ndarray  # (labels, dimension + words)
    intercept: np.ndarray  # (labels,)
    thresholds: dict[str, float]
    words: WordFeatures
    dimension: int = 384  # all-MiniLM-L6-v2's output size
    meta: dict[str, Any] = field(default_factory=dict)  # embedding model, params, data hash, metrics

    def features(self, text: str, vector: np.ndarray) -> np.ndarray:
        vector = np.asarray(vector, dtype=np.float64).reshape(-1)
        if vector.shape[0] != self.dimension:
            raise ValueError(f"expected a {self.dimension}-d query vector, got {vector.shape[0]}-d")
        return np.concatenate([vector, self.words.transform(text)])

    def probabilities(self, text: str, vector: np.ndarray) -> dict[str, float]:
        scores = self.coef @ self.features(text, vector) + self.intercept
        probs = 1.0 / (1.0 + np.exp(-scores))
        return {label: float(p) for label, p in zip(self.labels, probs, strict=True)}

    def save(self, path: Path) -> None:
        payload = {
            "format": FORMAT,
            "name": self.name,
            "labels": list(self.labels),
            "dimension": self.dimension,
            "thresholds": self.thresholds,
            "intercept": [round(float(v), 8) for v in self.intercept],
            "coef": [[round(float(v), 8) for v in row] for row in self.coef],
            "words": self.words.as_dict(),
            "meta": self.meta,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL_PATH) -> IntentModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} file")
        words = data["words"]
        return cls(
            name=data["name"],
            labels=tuple(data["labels"]),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=np.asarray(data["intercept"], dtype=np.float64),
            thresholds={k: float(v) for k, v in data["thresholds"].items()},
            words=WordFeatures(
                words["vocabulary"], words["idf"], ngram_max=words["ngram_max"], scale=words["scale"]
            ),
            dimension=int(data["dimension"]),
            meta=data.get("meta", {}),
        )


class LogRegIntentClassifier:
    """`IntentClassifier` over a trained `IntentModel`; embeds the text only when no vector is given."""

    def __init__(self, model: IntentModel, embedder: Embedder | None = None) -> None:
        self.model = model
        self.embedder = embedder
        self.name = model.name

    @classmethod
    def load(
        cls, path: Path = DEFAULT_MODEL_PATH, embedder: Embedder | None = None
    ) -> LogRegIntentClassifier:
        return cls(IntentModel.load(path), embedder)

    def probabilities(self, text: str, vector: np.ndarray | None = None) -> dict[str, float]:
        if vector is None:
            if self.embedder is None:
                raise ValueError("no query vector given and no embedder to compute one")
            vector = self.embedder.embed([text])[0]
        return self.model.probabilities(text, vector)

    def classify(self, text: str, vector: np.ndarray | None = None) -> Intents:
        probs = self.probabilities(text, vector)
        return decide_intents(probs, self.model.thresholds, classifier=self.name)


def tune_threshold(probs: np.ndarray, truth: np.ndarray) -> float:
    """The threshold with the best F1 on these examples; the middle one of a tie, for a wider margin."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = []
    for t in grid:
        predicted = probs >= t
        tp = float(np.sum(predicted & truth))
        denominator = float(np.sum(predicted) + np.sum(truth))
        scores.append(2 * tp / denominator if denominator else 0.0)
    best = np.flatnonzero(np.isclose(scores, max(scores)))
    return float(grid[best[len(best) // 2]])


def most_frequent_terms(texts: list[str], params: TrainParams) -> list[str]:
    """The `max_words` most frequent terms seen in at least `min_df` messages, in alphabetical order.

    What scikit-learn's `max_features` keeps, except that ties at the cut are broken by the term itself:
    scikit-learn breaks them with numpy's argsort, whose order for equal counts depends on the CPU's
    vector instructions, so the shipped vocabulary changed from one machine to the next."""
    from sklearn.feature_extraction.text import CountVectorizer

    counter = CountVectorizer(
        lowercase=True,
        token_pattern=WordFeatures.TOKEN.pattern,
        ngram_range=(1, params.ngram_max),
        min_df=params.min_df,
    )
    totals = np.asarray(counter.fit_transform(texts).sum(axis=0)).ravel()
    terms = counter.get_feature_names_out()
    ranked = sorted(range(len(terms)), key=lambda i: (-int(totals[i]), str(terms[i])))
    return sorted(str(terms[i]) for i in ranked[: params.max_words])


def fit_intent_model(
    texts: list[str],
    vectors: np.ndarray,
    targets: np.ndarray,
    dev: tuple[list[str], np.ndarray, np.ndarray],
    *,
    params: TrainParams = TrainParams(),
    name: str = "logreg-minilm-words-v1",
) -> IntentModel:
    """Fit one logistic regression per label on train; tune each label's threshold on dev.

    `targets` and dev's targets are 0/1 arrays with one column per label of `MODEL_LABELS`.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vocabulary = most_frequent_terms(texts, params)
    tfidf = TfidfVectorizer(
        lowercase=True,
        token_pattern=WordFeatures.TOKEN.pattern,
        ngram_range=(1, params.ngram_max),
        vocabulary=vocabulary,
        sublinear_tf=True,
    ).fit(texts)
    idf = [round(float(v), 6) for v in tfidf.idf_]  # as the JSON file stores it: saved scores as fitted
    words = WordFeatures(vocabulary, idf, ngram_max=params.ngram_max, scale=params.word_scale)

    def design(batch_texts: list[str], batch_vectors: np.ndarray) -> np.ndarray:
        return np.vstack(
            [np.concatenate([v, words.transform(t)]) for t, v in zip(batch_texts, batch_vectors, strict=True)]
        )

    train_x = design(texts, vectors)
    dev_texts, dev_vectors, dev_targets = dev
    dev_x = design(dev_texts, dev_vectors)
    coef, intercept, thresholds = [], [], {}
    for j, label in enumerate(MODEL_LABELS):
        regression = LogisticRegression(
            C=params.C,
            class_weight=params.class_weight,
            solver="lbfgs",
            max_iter=5000,
            random_state=params.seed,
        ).fit(train_x, targets[:, j])
        coef.append(regression.coef_[0])
        intercept.append(regression.intercept_[0])
        dev_probs = regression.predict_proba(dev_x)[:, 1]
        thresholds[label] = tune_threshold(dev_probs, dev_targets[:, j].astype(bool))
    return IntentModel(
        name=name,
        labels=MODEL_LABELS,
        coef=np.round(np.asarray(coef), 8),
        intercept=np.round(np.asarray(intercept), 8),
        thresholds=thresholds,
        words=words,
        dimension=vectors.shape[1],
        meta={"params": params.__dict__},
    )
