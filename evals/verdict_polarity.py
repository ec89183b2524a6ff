"""The verdict rules on real shoppers' yes/no questions: ePQA (../shared/evaldata/epqa/, read in place).

For every label-2 candidate (the annotators say it answers) whose written answer opens "Yes." or "No.",
the question is split into claims and its first claim judged against that one sentence (its community
question as context) by the same judge the assistant uses. Figures per split (by product, evals/epqa.py):
accuracy (the verdict's direction equals the annotators' answer, over all such pairs), the share judged,
and the wrong rate where a yes or no was given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from assistant.claim_verdicts import Candidate, judge
from assistant.claims import Claim, split_claims
from evals.epqa import EpqaQuestion, candidates


def polarity_of(question: str, sentence: str, context: str = "") -> str | None:
    """ "yes", "no", or None (abstained) for one question against one answering sentence."""
    claims = split_claims(question) or [Claim(question)]
    verdict = judge(claims[0], [Candidate(sentence, context)], set()).verdict
    if verdict in ("yes", "yes_with_conditions"):
        return "yes"
    return "no" if verdict == "no" else None


def polarity_figures(questions: Sequence[EpqaQuestion]) -> dict:
    counts: Counter[str] = Counter()
    for candidate in candidates(questions):
        if candidate.label != 2 or candidate.polarity is None:
            continue
        given = polarity_of(candidate.question, candidate.sentence, candidate.context)
        counts["pairs"] += 1
        counts[f"expected_{candidate.polarity}"] += 1
        if given is None:
            counts["abstained"] += 1
        elif given == candidate.polarity:
            counts["correct"] += 1
        else:
            counts["wrong"] += 1
    pairs, judged = counts["pairs"], counts["correct"] + counts["wrong"]
    return {
        "pairs": pairs,
        "expected_yes": counts["expected_yes"],
        "expected_no": counts["expected_no"],
        "accuracy": round(counts["correct"] / pairs, 4) if pairs else None,
        "judged": round(judged / pairs, 4) if pairs else None,
        "wrong_where_judged": round(counts["wrong"] / judged, 4) if judged else None,
        "correct": counts["correct"],
        "wrong": counts["wrong"],
        "abstained": counts["abstained"],
    }
