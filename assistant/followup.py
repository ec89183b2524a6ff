"""Resolving follow-ups ("and does that work with SSO?") against the conversation for retrieval."""

from __future__ import annotations

import re

from assistant.sentences import content_terms

_FOLLOWUP_START = re.compile(
    r"^\s*(and|also|what about|how about|same (for|with)|ok(ay)?,? (and|what about)|but|then|so|plus)\b", re.I
)
_REFERENCE = re.compile(r"\b(that|this|it|those|these|them|same|there)\b", re.I)


def is_followup(question: str) -> bool:
    terms = content_terms(question)
    return bool(_FOLLOWUP_START.match(question)) or (len(terms) <= 3 and bool(_REFERENCE.search(question)))


def retrieval_query(question: str, earlier_questions: list[str]) -> str:
    """The text to retrieve with: the question itself, or with the previous question when it depends on it."""
    if earlier_questions and is_followup(question):
        return f"{earlier_questions[-1]} {question}"
    return question
