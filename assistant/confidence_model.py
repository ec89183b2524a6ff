"""The calibrated confidence model: P(the composed answer is correct) from the confidence parts.

A logistic regression over a few named features of `ConfidenceParts` (the best sentence's P(answers) from
the evidence scorer, dense/lexical agreement, focus coverage, groundedness, retrieval strength, the intent
probabilities, unknown names, an undocumented verdict), fitted on the dev splits of the eval sets by
`lastmile eval --calibrate --fit-confidence` (evals/confidence_fit.py) and shipped as plain JSON
(`assistant/models/confidence.json`) with the handoff threshold chosen on the same dev rows. Inference is
numpy only; without the file the hand-set formula of assistant/confidence.py stands.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_CONFIDENCE_MODEL = Path(__file__).resolve().parent / "models" / "confidence.json"
FORMAT = "lastmile-confidence/1"

# The features, in order, each read from a parts mapping (ConfidenceParts.as_dict(), or a row's copy).
FEATURES = (
    "answers",  # the best evidence sentence's P(answers); 0 without a scorer
    "answers_cited",  # P(answers) of the sentence the answer quotes first; 0 when none
    # best minus second-best P(answers): one clear answer against two near-equal ones (sample dev rows,
    # fitted and measured in-sample: confidence AUC 0.740 -> 0.787)
    "answers_margin",
    "agreement",  # dense and lexical retrieval agree on the top passage (1: both rank it first)
    "retrieval",  # top cosine mapped onto [0, 1]
    "coverage",  # share of the question's focus terms the cited quotes hold
    "groundedness",  # share of composed claims a passage supports; 0 when nothing was composed
    "nothing_composed",
    "clarification",
    "confirmation",
    "confidence",
    "unknown_names",  # at most 2 count
    "not_documented",  # a confirmation the documents do not settle
    "rule_score",  # the hand-set formula's score, as a feature
)


def feature_vector(parts: Mapping[str, Any]) -> np.ndarray:
    intents = parts.get("intents") or {}
    grounded = parts.get("groundedness")
    values = {
        "answers": parts.get("answers") or 0.0,
        "answers_cited": parts.get("answers_cited") or 0.0,
        "answers_margin": (parts.get("answers") or 0.0) - (parts.get("answers_second") or 0.0),
        "agreement": parts.get("agreement") if parts.get("agreement") is not None else 0.5,
        "retrieval": parts.get("retrieval") or 0.0,
        "coverage": parts.get("coverage") or 0.0,
        "groundedness": grounded or 0.0,
        "nothing_composed": float(grounded is None),
        "clarification": intents.get("clarification", 0.0),
        "confirmation": intents.get("confirmation", 0.0),
        "confidence": intents.get("confidence", 0.0),
        "unknown_names": min(int(parts.get("unknown_names") or 0), 2),
        "not_documented": float(parts.get("verdict") == "not_documented"),
        "rule_score": parts.get("rule_score", parts.get("score")) or 0.0,
    }
    return np.asarray([float(values[name]) for name in FEATURES], dtype=np.float64)


@dataclass
class ConfidenceModel:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float  # the handoff threshold chosen on the dev rows it was fitted on
    meta: dict[str, Any] = field(default_factory=dict)  # data, settings, dev figures

    def probability(self, parts: Mapping[str, Any]) -> float:
        x = (feature_vector(parts) - self.mean) / self.scale
        return float(1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept))))

    def save(self, path: Path = DEFAULT_CONFIDENCE_MODEL) -> None:
        payload = {
            "format": FORMAT,
            "features": list(self.features),
            "mean": [round(float(v), 8) for v in self.mean],
            "scale": [round(float(v), 8) for v in self.scale],
            "coef": [round(float(v), 8) for v in self.coef],
            "intercept": round(float(self.intercept), 8),
            "threshold": round(float(self.threshold), 4),
            "meta": self.meta,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT_CONFIDENCE_MODEL) -> ConfidenceModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} file")
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path}: fitted on other features; refit with lastmile eval --calibrate")
        return cls(
            features=tuple(data["features"]),
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            meta=data.get("meta", {}),
        )
