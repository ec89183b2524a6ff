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
# Words a request for a person carries: a way to reach one (talk, call, book, escalate...), someone to do it
# (someone, a human, a rep, not a bot), or "who can ...". Every message labelled wants_human in the intent
# train and dev sets has one (tests/test_human_request.py); "Do we get a named technical account manager?"
# (a question about what a plan includes, which the learned flag took for a request) has none.
_CONTACT = re.compile(
    r"\b(talk|speak|chat|discuss|call|ring|phone|e-?mail|reach|contact|connect|touch|transfer|escalate|loop in"
    r"|book|meet|meeting|visit|come|review|look at|check|demo|arrange|explain)\b"
    r"|\b(someone|somebody|anyone|anybody|person|people|human|agent|rep|representative|salesman|sales ?person"
    r"|not a (bot|chatbot))\b|\bwho (can|do|should|is|would)\b",
    re.IGNORECASE,
)


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


def asks_for_contact(text: str) -> bool:
    """Whether the message has the words of a request for a person (`_CONTACT`): what a wants_human flag
    must be backed by before a turn goes to a person for that reason alone."""
    return bool(_CONTACT.search(text))


FLAG_LABELS = ("wants_human", "out_of_scope")
MODEL_LABELS = INTENT_LABELS + FLAG_LABELS  # every label a classifier scores, intents first


def decide_intents(
    probabilities: dict[str, float], thresholds: dict[str, float], *, classifier: str
) -> Intents:
    """Turn a probability per label into `Intents`: the same decision rule for every classifier.

    - A flag is set when its probability reaches its threshold; both flags never hold at once (the
      dataset's rule), so the one further over its threshold wins.
    - Out of scope: no intent labels.
    - Otherwise the intents over their thresholds; if none is and the buyer did not only ask for a person,
      the most probable intent, so a product question always carries at least one label.
    """
    probs = {label: min(1.0, max(0.0, float(probabilities.get(label, 0.0)))) for label in MODEL_LABELS}
    margins = {flag: probs[flag] - thresholds[flag] for flag in FLAG_LABELS}
    wants_human, out_of_scope = (margins[flag] >= 0 for flag in FLAG_LABELS)
    if wants_human and out_of_scope:
        wants_human, out_of_scope = (
            margins["wants_human"] >= margins["out_of_scope"],
            margins["out_of_scope"] > margins["wants_human"],
        )
    labels: tuple[str, ...] = ()
    if not out_of_scope:
        labels = tuple(label for label in INTENT_LABELS if probs[label] >= thresholds[label])
        if not labels and not wants_human:
            labels = (max(INTENT_LABELS, key=lambda label: probs[label]),)
    return Intents(
        clarification=probs["clarification"],
        confirmation=probs["confirmation"],
        confidence=probs["confidence"],
        wants_human=wants_human,
        out_of_scope=out_of_scope,
        labels=labels,
        classifier=classifier,
    )
