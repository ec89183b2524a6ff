"""The last-mile profile of a conversation: which need (clarification, confirmation, confidence) led each
turn, which dominated, and how the conversation moved, read from the intents stored with each answer."""

from __future__ import annotations

from collections import Counter

from assistant.deals.turns import BuyerTurn
from assistant.deals.types import IntentStep, LastMileProfile
from assistant.types import INTENT_LABELS


def leading_intent(turn: BuyerTurn) -> str | None:
    """The turn's most probable intent among those over their thresholds, else the most probable one."""
    probabilities = turn.probabilities
    if not probabilities:
        return None
    candidates = [label for label in turn.intent_labels if label in INTENT_LABELS] or list(INTENT_LABELS)
    return max(candidates, key=lambda label: (probabilities.get(label, 0.0), -INTENT_LABELS.index(label)))


def last_mile_profile(turns: list[BuyerTurn]) -> LastMileProfile:
    steps = []
    for turn in turns:
        label = leading_intent(turn)
        if label is not None:
            steps.append(IntentStep(turn.message_id, label, turn.probabilities))
    counts = Counter(step.label for step in steps)
    phases: list[str] = []
    for step in steps:
        if not phases or phases[-1] != step.label:
            phases.append(step.label)
    dominant = None
    if steps:
        # Most turns wins; a tie goes to the need voiced last, since that is where the buyer now is.
        last_seen = {step.label: index for index, step in enumerate(steps)}
        dominant = max(counts, key=lambda label: (counts[label], last_seen[label]))
    return LastMileProfile(
        dominant=dominant,
        counts={label: counts.get(label, 0) for label in INTENT_LABELS},
        steps=tuple(steps),
        phases=tuple(phases),
    )
