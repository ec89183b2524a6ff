"""Resolving follow-ups ("and does that work with SSO?") against the conversation for retrieval.

The conversation is used only when the question alone is incomplete: it opens like a continuation ("and
for Growth?", "what about GPUs for that?") or is a short question that points back ("do they get copied
to another region?"). "It" is not such a pointer: buyers say "it" for the product ("Does it run
on-premises, air-gapped?" after a pricing question is a new question, not a pricing one). Measured on the
multi-turn confirmations (evals/data/confirmations, `followup`): 17 of 20 right, no question glued to one
it does not follow (the old rule, "it" counted and up to 3 words: 15 of 20, 5 glued wrongly).
"""

from __future__ import annotations

import re

from assistant.sentences import content_terms

_FOLLOWUP_START = re.compile(
    r"^\s*(and|also|what about|how about|same (for|with)|ok(ay)?,? (and|what about)|but|plus)\b", re.I
)
_REFERENCE = re.compile(
    r"\b(that|this|those|these|them|they|same)\b", re.I
)  # not "there": "is there a Go SDK?"
MAX_POINTING_TERMS = 4  # a question that points back and says little more is incomplete alone


def is_followup(question: str) -> bool:
    if _FOLLOWUP_START.match(question):
        return True
    return len(content_terms(question)) <= MAX_POINTING_TERMS and bool(_REFERENCE.search(question))


def retrieval_query(question: str, earlier_questions: list[str]) -> str:
    """The text to retrieve with: the question itself, or with the previous question when it depends on it."""
    if earlier_questions and is_followup(question):
        return f"{earlier_questions[-1]} {question}"
    return question
