"""Sentences that hold most of a claim's words but not what the claim says about them.

The judge lets a sentence miss a quarter of a claim's content words (paraphrase). That is safe for a word
that names the topic, not for the word that *is* the fact ("Professional Services packages are
included"), nor for a word the sentence replaces with another in the same place ("per workspace or per
cluster" against the claim's "per user"). Such a sentence settles nothing about the claim.
"""

from __future__ import annotations

import re
from itertools import pairwise

from assistant.qualifiers import terms_of

# Words that are the fact a claim states, not its topic: a sentence without them does not settle it.
_PREDICATES = terms_of(
    "included include includes free covered automatic automatically default unlimited contractual guaranteed "
    "immediately instantly permanently erase erases delete deletes wipe wipes"
)
# "excluded from the SLA" answers "covered by the SLA" (the clause polarity then says no).
_EXCLUDED = re.compile(r"\bexclud(?:ed|es)\b|\bnot (?:included|covered)\b", re.IGNORECASE)
_AS_IS = re.compile(
    r"\bas (?:they|it) (?:are|is)\b|\bas[- ]is\b|\bunchanged\b|\bwithout (?:any )?changes?\b", re.IGNORECASE
)
_WORD = re.compile(r"[A-Za-z0-9][\w'.+-]*[A-Za-z0-9]|[A-Za-z0-9]")
# Prepositions that open a slot ("per user", "on AWS"); "to" and "into" are left out: too often a verb's.
_SLOT = {"per", "on", "in", "for", "with", "via", "through", "from"}


def near_miss(claim: str, missing: set[str], sentence: str) -> str:
    """Why `sentence`, lacking the claim's `missing` terms, does not settle `claim` (empty: it may)."""
    lacking = unstated_predicate(claim, missing, sentence)
    if lacking:
        return f"the sentence does not say {lacking!r}"
    other = another_in_place(claim, missing, sentence)
    return f"the sentence names {other}" if other else ""


def unstated_predicate(claim: str, missing: set[str], sentence: str) -> str:
    """What the claim asserts that the sentence lacks ("included", "as they are"): empty when nothing."""
    # "(included on Growth and Enterprise)" after another noun says nothing of the claim's subject.
    claimed = terms_of(claim) & _PREDICATES
    aside_only = (claimed & terms_of(sentence)) - terms_of(_own_words(sentence, terms_of(claim) - claimed))
    lacking = (missing & _PREDICATES) | aside_only
    if lacking and not _EXCLUDED.search(sentence):
        return sorted(lacking)[0]
    found = _AS_IS.search(claim)
    if found and not _AS_IS.search(sentence):
        return found.group()
    return ""


_ASIDE = re.compile(r"\([^()]*\)")


def _own_words(sentence: str, terms: set[str]) -> str:
    """`sentence` without the bracketed asides about a noun the claim does not name ("the Migration
    Assistant (included on Growth)"); an aside after one of the claim's `terms`, or holding one, stays."""

    def aside(match: re.Match) -> str:
        before = sentence[: match.start()].split()
        about = (before and terms_of(before[-1]) & terms) or terms_of(match.group()) & terms
        return match.group() if about else " "

    return _ASIDE.sub(aside, sentence)


def another_in_place(claim: str, missing: set[str], sentence: str) -> str:
    """A word the sentence puts where the claim has one it lacks ("per workspace" for the claim's "per
    user"): the sentence is about something else in that place (empty when none)."""
    words = [w.lower() for w in _WORD.findall(claim)]
    slots = {before for before, word in pairwise(words) if before in _SLOT and terms_of(word) & missing}
    if not slots:
        return ""
    said = [w.lower() for w in _WORD.findall(sentence)]
    claim_terms = terms_of(claim)
    for before, word in pairwise(said):
        if before in slots and terms_of(word) and not terms_of(word) & claim_terms:
            return f"{before} {word}"
    return ""
