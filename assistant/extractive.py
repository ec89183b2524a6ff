"""The offline composer: quotes the retrieved sentences that answer the question, shaped by intent.

clarification → explain with the best passages; confirmation → a verdict first, then the evidence;
confidence → the documented facts about limits, risks and support, and an offer to talk to an expert.
Several intents give one answer with each part. Every quote carries the [n] of the passage it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.evidence import Evidence
from assistant.types import Intents
from assistant.verdict import VERDICT_TEXT, Verdict, asks_yes_or_no, verdict

EXPLAIN = "Here is what the documentation says:"
REASSURE = "What the documentation commits to on this:"
EXPERT_OFFER = "If you'd like to go through your situation with a product expert, choose Talk to an expert."
FRAMING = frozenset({EXPLAIN, REASSURE, EXPERT_OFFER, *VERDICT_TEXT.values()})
MIN_EVIDENCE_SCORE = 0.25


@dataclass(frozen=True)
class Composition:
    text: str  # with [n] markers: n is the 1-based position of the cited hit
    verdict: Verdict | None = None


def _quote(evidence: Evidence) -> str:
    return f"\u201c{evidence.sentence}\u201d [{evidence.position}]"


class ExtractiveComposer:
    name = "extractive"

    def compose(
        self,
        question: str,
        intents: Intents,
        evidence: list[Evidence],
    ) -> Composition:
        usable = [e for e in evidence if e.score >= MIN_EVIDENCE_SCORE and e.coverage > 0]
        labels = set(intents.labels) or {"clarification"}
        if "confirmation" in labels and not asks_yes_or_no(question):
            labels = (labels - {"confirmation"}) | {
                "clarification"
            }  # "what are the limits?" wants an explanation
        parts: list[str] = []
        used: set[str] = set()

        def take(pool: list[Evidence], count: int) -> list[str]:
            picked = [e for e in pool if e.sentence not in used][:count]
            used.update(e.sentence for e in picked)
            return [_quote(e) for e in picked]

        outcome: Verdict | None = None
        if "confirmation" in labels:
            outcome = verdict(question, usable)
            parts.append(VERDICT_TEXT[outcome])
            if outcome != "not_documented":
                parts.extend(take(usable, 2))
        if "clarification" in labels:
            quotes = take(usable, 3 if len(labels) == 1 else 2)
            if quotes:
                parts.extend([EXPLAIN, *quotes])
        if "confidence" in labels:
            risk_first = sorted(usable, key=lambda e: not e.about_risk)
            quotes = take(risk_first, 3 if len(labels) == 1 else 2)
            if quotes:
                parts.extend([REASSURE, *quotes])
            parts.append(EXPERT_OFFER)
        if not any(part.endswith("]") for part in parts):
            return Composition(text="", verdict=outcome)  # nothing documented to say
        return Composition(text="\n".join(parts), verdict=outcome)
