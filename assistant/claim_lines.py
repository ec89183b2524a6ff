"""The answer's opening lines for a confirmation: one line per claim, with the [n] of its evidence.

"Yes, on the Enterprise tier only [1]." / "No [2]." followed by the documented alternative /
"That is not documented." / "Not settled by the documentation: here is what it says." With several claims
each line names its claim. The lines are plain text; the buyer's words in them are shown as text only.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.types import ClaimVerdict, Condition

NOT_DOCUMENTED_LINE = "That is not documented."
NOT_SETTLED_LINE = "The documentation does not settle this; here is what it says."


def condition_words(conditions: Sequence[Condition]) -> str:
    words = []
    for condition in conditions:
        if condition.kind == "tier":
            words.append(f"on the {condition.value} tier only")
        elif condition.kind == "version":
            words.append(
                f"from {condition.value}" if not condition.value[0].isdigit() else f"since {condition.value}"
            )
        elif condition.kind == "edition":
            words.append(f"only on the {condition.value}")
        elif condition.kind == "limit":
            words.append(condition.value)  # "depending on the tier"
        else:
            words.append(f"{condition.kind}: {condition.value}")
    return ", ".join(words)


def verdict_head(verdict: ClaimVerdict) -> str:
    if verdict.verdict == "yes":
        return "Yes"
    if verdict.verdict == "yes_with_conditions":
        return f"Yes, {condition_words(verdict.conditions)}"
    if verdict.verdict == "no":
        return "No"
    if verdict.verdict == "not_documented":
        return NOT_DOCUMENTED_LINE.rstrip(".")
    return NOT_SETTLED_LINE.rstrip(".")


def claim_line(verdict: ClaimVerdict, *, named: bool) -> str:
    """One claim's line; the marker only where a verdict rests on a sentence."""
    head = verdict_head(verdict)
    if named:
        head = f"\u201c{verdict.claim}\u201d: {head[0].lower()}{head[1:]}"
    marker = f" [{verdict.position}]" if verdict.settled and verdict.position else ""
    return f"{head}{marker}."
