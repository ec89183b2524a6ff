"""The LLM intent classifier: few-shot through any OpenAI-compatible endpoint, same interface as the default.

The model is asked for a JSON object with a probability per label; the reply is parsed leniently (code
fences, prose around the object, "0.8" as a string, yes/no). Any failure (network, HTTP error, no usable
JSON) falls back to the embedding classifier for that message, and the result's `classifier` says so.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.intents import INTENT_LABELS, MODEL_LABELS, IntentClassifier, decide_intents
from assistant.types import Intents

SYSTEM_PROMPT = (Path(__file__).resolve().parent / "prompts" / "intents_system.txt").read_text(
    encoding="utf-8"
)
THRESHOLDS = dict.fromkeys(MODEL_LABELS, 0.5)  # the model states probabilities; nothing tuned on top
MAX_TOKENS = 120  # the expected reply, one JSON object of five scores, is 103 characters (~40 tokens)
MAX_RETRIES = 0  # a slow or failing endpoint costs one try, then the embedding model answers

# Few-shot examples, taken from evals/data/intents/train.jsonl (never dev or test): one or two per kind.
EXAMPLES: list[tuple[str, dict[str, float]]] = [
    ("Can you explain the API limits - concurrency or per day?", {"clarification": 1}),
    ("Candidates can apply without creating an account, yes?", {"confirmation": 1}),
    ("Am I missing something? Price is half of CrowdStrike. Where's the catch?", {"confidence": 1}),
    (
        "How are firmware updates delivered? Does the line need to be stopped?",
        {"clarification": 1, "confirmation": 1},
    ),
    ("I've heard upgrades break custom scripts all the time. True?", {"confirmation": 1, "confidence": 1}),
    (
        "We got ransomware last year. How does rollback actually work, and has it ever failed for a customer?",
        {"clarification": 1, "confidence": 1},
    ),
    ("need a rep to call me about lease options", {"wants_human": 1}),
    (
        "Honestly I'm not confident we can tune this ourselves. Can I get someone from your SOC team on a call?",
        {"confidence": 1, "wants_human": 1},
    ),
    ("How do I bake sourdough bread?", {"out_of_scope": 1}),
    ("merci beaucoup", {"out_of_scope": 1}),
]


class UnusableReply(ValueError):
    """The model's reply holds no JSON object with the three intent probabilities."""


def fenced(text: str) -> str:
    return "<<<\n" + text.replace("<<<", "").replace(">>>", "") + "\n>>>"


def answer_json(scores: dict[str, float]) -> str:
    return json.dumps({label: float(scores.get(label, 0)) for label in MODEL_LABELS})


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and value.strip().lower() in ("yes", "true"):
        number = 1.0
    elif isinstance(value, str) and value.strip().lower() in ("no", "false", ""):
        number = 0.0
    elif isinstance(value, str):
        number = float(value.strip().rstrip("%")) / (100 if value.strip().endswith("%") else 1)
    else:
        raise UnusableReply(f"not a probability: {value!r}")
    if not np.isfinite(number):
        raise UnusableReply(f"not a probability: {value!r}")
    return min(1.0, max(0.0, number / 100 if 1 < number <= 100 else number))


def parse_reply(text: str) -> dict[str, float]:
    """The probabilities in a model's reply: the first JSON object that names the three intents."""
    for match in re.finditer(r"\{[^{}]*\}", text, flags=re.DOTALL):
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict):
            continue
        lowered = {str(key).strip().lower().replace(" ", "_"): value for key, value in data.items()}
        if all(label in lowered for label in INTENT_LABELS):
            return {label: _number(lowered.get(label, 0.0)) for label in MODEL_LABELS}
    raise UnusableReply(f"no JSON object with {', '.join(INTENT_LABELS)} in the reply: {text[:200]!r}")


class LLMIntentClassifier:
    """`IntentClassifier` that asks a chat model (built by `assistant.wiring.build_llm_intent_classifier`
    with `MAX_TOKENS` and `MAX_RETRIES`); falls back to `fallback` on any error."""

    def __init__(self, chat: Any, *, model: str, fallback: IntentClassifier) -> None:
        self._chat = chat
        self.fallback = fallback
        self.name = f"llm-fewshot:{model}"

    def messages(self, text: str) -> list[tuple[str, str]]:
        shots: list[tuple[str, str]] = []
        for example, scores in EXAMPLES:
            shots += [("human", fenced(example)), ("ai", answer_json(scores))]
        return [("system", SYSTEM_PROMPT), *shots, ("human", fenced(text))]

    def classify(self, text: str, vector: np.ndarray | None = None) -> Intents:
        try:
            reply = self._chat.invoke(self.messages(text))
            probabilities = parse_reply(str(reply.content))
        except Exception as error:  # any failure: the embedding classifier answers, and says why
            intents = self.fallback.classify(text, vector)
            reason = f"{self.name} failed: {type(error).__name__}"
            return replace(intents, classifier=f"{intents.classifier} (fallback; {reason})")
        return decide_intents(probabilities, THRESHOLDS, classifier=self.name)
