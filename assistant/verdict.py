"""The verdict a confirmation question gets first: supported, contradicted, or not documented."""

from __future__ import annotations

import re
from typing import Literal

from assistant.evidence import Evidence, coverage_of
from assistant.sentences import question_focus
from assistant.tuning import DEFAULT_TUNING, Tuning

Verdict = Literal["supported", "contradicted", "not_documented"]
VERDICT_TEXT: dict[Verdict, str] = {
    "supported": "Yes, that is documented.",
    "contradicted": "Not as described: the documentation says otherwise.",
    "not_documented": "That is not documented, so I've asked an expert to confirm.",
}
_NEGATION = re.compile(
    r"\b(not|no|never|cannot|can't|isn't|aren't|doesn't|don't|won't|without|unsupported|unavailable|"
    r"excluded|only)\b|n't\b",
    re.IGNORECASE,
)
# Figures a buyer might get wrong: amounts, percentages, sizes, durations (not version numbers or names).
_QUANTITY = re.compile(
    r"[$€£]\s?(\d+(?:[.,]\d+)*)|(\d+(?:[.,]\d+)*)\s?(%|percent|tb|gb|pb|mb|ms|seconds?|minutes?|hours?|days?|"
    r"weeks?|months?|years?|users?|seats?|queries|requests|regions?|x\b)",
    re.IGNORECASE,
)


_YES_NO = re.compile(
    r"(^|[.?!]\s+|\b(so|and|but|just to confirm|to confirm|confirm)[:,]?\s+)"
    r"(is|are|am|can|could|does|do|did|will|would|should|has|have|was|were|may|must)\b"
    r"|\b(right|correct|true|confirm|yes or no|isn't it|aren't they|doesn't it|don't you)\b",
    re.IGNORECASE,
)
_ANSWER_WORD = re.compile(r"^\s*(yes|no)\b", re.IGNORECASE)


def negated(text: str) -> bool:
    """Whether a sentence denies rather than affirms; an FAQ answer's leading Yes/No settles it."""
    leading = _ANSWER_WORD.match(text)
    if leading:
        return leading.group(1).lower() == "no"
    return bool(_NEGATION.search(text))


def asks_yes_or_no(question: str) -> bool:
    """A verdict only makes sense for a question that can be answered yes or no."""
    return bool(_YES_NO.search(question.strip()))


def _quantities(text: str) -> set[str]:
    return {(m.group(1) or m.group(2)).replace(",", "") for m in _QUANTITY.finditer(text)}


def verdict(question: str, evidence: list[Evidence], tuning: Tuning = DEFAULT_TUNING) -> Verdict:
    top = evidence[:2]  # the two best sentences: a third was off-topic on most sample-set questions
    if not top:
        return "not_documented"
    coverage = coverage_of(question_focus(question), [e.sentence for e in top])
    # A paraphrase shares few words but much meaning: the semantic score counts as coverage too.
    coverage = max(coverage, max((e.semantic or 0.0) for e in top))
    evidence_text = " ".join(e.sentence for e in top)
    asked_numbers = _quantities(question)
    stated_numbers = _quantities(evidence_text)
    if asked_numbers and not asked_numbers <= stated_numbers:
        # The buyer names a figure the evidence does not: a different figure on the same topic contradicts it.
        return (
            "contradicted"
            if stated_numbers and coverage >= tuning.contradiction_coverage
            else "not_documented"
        )
    if coverage >= tuning.contradiction_coverage and negated(top[0].sentence) != negated(question):
        return "contradicted"
    return "supported" if coverage >= tuning.supported_coverage else "not_documented"
