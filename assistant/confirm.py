"""The claim checker: a confirmation's claims, each judged against the turn's retrieved passages.

Runs for every message that asks yes or no; the verdicts travel as data on the answer and its trace, the
offline answer opens with one line per claim, and an LLM's own verdicts are kept only where these agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.buyer_setup import own_plans, own_setup, without_setup
from assistant.claim_verdicts import Setup, candidates_from, judge, points_back
from assistant.claims import split_claims
from assistant.ports import Vocabulary
from assistant.sentences import content_terms, sentence_spans
from assistant.types import ClaimVerdict
from assistant.verdict import asks_yes_or_no
from knowledge.types import Hit

# A statement asked back ("Query history is kept for a year?"), a question after a framing clause ("If
# an outage is ours, is it covered?") or a reported claim ("I read that ..."): a yes/no question too.
_OPEN_QUESTION = re.compile(r"^\W*(?:and\s+|so\s+)?(?:how|what|which|when|where|why|who|whom|whose)\b", re.I)
_ELLIPTICAL = re.compile(r"^\W*(?:and|or|but|also)\b", re.I)
_FRAMED_QUESTION = re.compile(
    r",\s+(?:is|are|can|could|does|do|did|will|would|should|has|have|was|were|may|must)\s+\w", re.I
)
_REPORTED = re.compile(r"^\s*(?:i|we)\s+(?:read|heard|was told|were told|saw)\s+that\b", re.I)
MIN_STATEMENT_WORDS = 4  # "And for query submission?" continues a question: not a claim of its own


def asks_to_confirm(message: str) -> bool:
    """Whether `message` asks for a yes or no on something it states."""
    if asks_yes_or_no(message) or _REPORTED.match(message):
        return True
    spans = [s.strip() for s in sentence_spans(message) if s.strip()]
    last = spans[-1] if spans else ""
    if not last.endswith("?") or _OPEN_QUESTION.match(last):
        return False
    if _FRAMED_QUESTION.search(last):
        return True
    return len(last.split()) >= MIN_STATEMENT_WORDS and not _ELLIPTICAL.match(last)


COMMON_SHARE = 0.3  # a word in this share of all chunks names the product, not a fact (dev split)
MAX_CLAIMS = 6  # a longer list is a requirements document, not a confirmation: judged as given, capped


class ClaimChecker:
    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary

    def check(self, question: str, hits: Sequence[Hit], *, context: str = "") -> list[ClaimVerdict]:
        """The verdicts on `question`'s claims; `context` is the earlier question a follow-up continues."""
        if not asks_to_confirm(question):
            return []
        claims = split_claims(question)[:MAX_CLAIMS]
        if not claims:
            return []
        unseen = self.vocabulary.unseen_terms(question) if self.vocabulary is not None else set()
        common_terms = getattr(self.vocabulary, "common_terms", None)
        common = common_terms(f"{context} {question}", COMMON_SHARE) if common_terms else set()
        candidates = candidates_from(hits)
        claims = [replace(c, text=without_setup(c.text)) for c in claims]
        # "We're on Growth. Do we get SSO?": the buyer's plan, edition or version is that of every claim.
        said = f"{context} {question}".strip()
        setup = Setup(own_setup(said), frozenset(own_plans(said, [c.text for c in claims])))
        # "We run Oracle 12c. Can we use CDC on it?": "it" is named in the message, so its names count.
        return [
            judge(
                claim,
                candidates,
                unseen,
                said if points_back(claim.text) else context,
                common,
                setup,
            )
            for claim in claims
        ]


def turn_verdict(verdicts: Sequence[ClaimVerdict]) -> str | None:
    """The turn's one-word verdict from its claims (for confidence and the hand-off decision):
    contradicted when any claim is a "no", not_documented when every claim is, supported when every claim
    is a yes; None when something is not settled."""
    if not verdicts:
        return None
    labels = [v.verdict for v in verdicts]
    if "no" in labels:
        return "contradicted"
    if all(label == "not_documented" for label in labels):
        return "not_documented"
    if all(label in ("yes", "yes_with_conditions") for label in labels):
        return "supported"
    return None


_VERDICT_OPENING = re.compile(
    r"^\s*(?P<word>yes|no|correct|that'?s (?:right|correct)|that is (?:right|correct)|not quite|"
    r"unfortunately,? not|not as described|incorrect)\b",
    re.IGNORECASE,
)
_NEGATIVE_WORDS = ("no", "not", "unfortunately", "incorrect")


def vet_verdicts(text: str, verdicts: Sequence[ClaimVerdict]) -> tuple[str, list[str]]:
    """An LLM answer with every verdict sentence the claim check does not back removed.

    A sentence opening with a verdict ("Yes, ...", "No, ...", "Correct", "Not quite") stays only when the
    claim it is about (the claim sharing most of its words) has a settled verdict of the same direction;
    a verdict on a claim the evidence does not settle is removed, never shown. Returns the text and the
    removed sentences.
    """
    kept_lines, removed = [], []
    for line in text.splitlines():
        kept = []
        for sentence in sentence_spans(line, keep_quotes=True):
            opening = _VERDICT_OPENING.match(sentence)
            if opening and not _backed(sentence, opening.group("word").lower(), verdicts):
                removed.append(sentence)
                continue
            kept.append(sentence)
        if kept or not line.strip():
            kept_lines.append(" ".join(kept))
    return "\n".join(kept_lines).strip(), removed


def _backed(sentence: str, word: str, verdicts: Sequence[ClaimVerdict]) -> bool:
    if not verdicts:
        return False
    terms = content_terms(sentence)
    claim = max(verdicts, key=lambda v: len(content_terms(v.claim) & terms))
    if not claim.settled:
        return False
    says_no = word.startswith(_NEGATIVE_WORDS)
    return says_no == (claim.verdict == "no")
