"""Intent classification: the `IntentClassifier` protocol and the keyword placeholder.

The placeholder is labelled as such in every output (`classifier: "placeholder-keywords"`); the trained
classifier replaces it.
"""

from __future__ import annotations

import re
from typing import Protocol

import numpy as np

from assistant.types import INTENT_LABELS, Intents


class IntentClassifier(Protocol):
    name: str

    def classify(self, text: str, vector: np.ndarray | None = None) -> Intents: ...


_CUES = {
    "clarification": r"\b(how|what|why|explain|which|where|when|difference|mean|work)\b",
    "confirmation": r"\b(can i|is it|is that|does it|do you|correct|right\?|true|confirm|supported|without)\b",
    "confidence": r"\b(worr|risk|concern|afraid|nervous|miss|not seeing|safe|fail|downtime|problem)",
}
_HUMAN = (
    r"\b(talk|speak) to (a |an |someone|somebody|a human|sales|a person)|\b(human|real person|sales rep)\b"
)
_SMALL_TALK = r"^\s*(hi|hello|hey|thanks|thank you|ok|bye)[!. ]*$"


class KeywordIntentClassifier:
    """Placeholder: regular-expression cues. Kept only as a fallback with no trained model available."""

    name = "placeholder-keywords"

    def classify(self, text: str, vector: np.ndarray | None = None) -> Intents:
        lowered = text.lower()
        scores = {label: 0.8 if re.search(cue, lowered) else 0.1 for label, cue in _CUES.items()}
        if max(scores.values()) < 0.5:
            scores["clarification"] = 0.55
        labels = tuple(label for label in INTENT_LABELS if scores[label] >= 0.5)
        return Intents(
            **scores,
            wants_human=bool(re.search(_HUMAN, lowered)),
            out_of_scope=bool(re.match(_SMALL_TALK, lowered)),
            labels=labels,
            classifier=self.name,
        )
