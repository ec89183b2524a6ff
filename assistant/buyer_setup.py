"""What the buyer says they already have: their plan, edition or version ("We're on Growth", "as a Starter
customer", "our phone is an S10e", "We run Oracle 12c").

A claim that names no plan of its own is about the buyer's plan, so the verdict rules compare the documents'
conditions with it as they do with a plan the claim names: "SSO requires Growth or Enterprise" is a plain yes
on Growth, "SCIM ... Enterprise only" a no. Only statements about the buyer's own setup count; a plan the
message names elsewhere ("thinking of moving to Enterprise") makes the stated one unsafe to assume.
"""

from __future__ import annotations

import re

from assistant.qualifiers import plans_named

# "We're on Growth", "we have the Enterprise plan", "we run Oracle 12c", "our phone is an S10e",
# "Our data science boxes are still on Python 3.8": the object (a name) runs to the end of the clause.
_STATED = re.compile(
    r"\b(?:we|i|our(?: [a-z]+){1,3}?|my(?: [a-z]+){1,2}?)\s*"
    r"(?:'re|'m|'ve got|\bare|\bam|\bis|\bhave(?: got)?|\bhas|\bruns?|\buses?)"
    r"(?: (?:currently|still|already|now|all))?(?: (?:on|running|using|in))?"
    r" (?:the |an? |our )?(?P<what>[A-Z](?:[^.?!,;]|\.(?=\d)){0,60})",
    re.IGNORECASE,
)
_AS_A = re.compile(
    r"\b(?i:as) (?:an? )?(?P<what>[A-Z]\w* (?:customer|user|subscriber|account|tier|plan)s?)\b"
)
_ON_OUR = re.compile(r"\bon our (?P<what>[A-Z]\w* (?:plan|tier|subscription|edition|license|licence))\b")
_ASKED = re.compile(
    r"\b(?:can|could|do|does|did|will|would|should|shall|may|might|must|is|are|am|was|were|have|has)\s*$",
    re.IGNORECASE,
)
# "we're on Growth and moving to Enterprise": an intended change, so the stated plan may not be the one asked.
_CHANGING = re.compile(
    r"\b(?:upgrad\w*|downgrad\w*|mov(?:e|ing) to|switch\w*|migrat\w* to|consider\w*|thinking|plan(?:ning)? to|"
    r"evaluat\w*|trial)\b",
    re.IGNORECASE,
)


def own_setup(message: str) -> str:
    """The parts of `message` where the buyer states what they have (plan, edition, product version), joined;
    empty when none, or when the message also talks of changing plan."""
    if _CHANGING.search(message):
        return ""
    found = []
    for pattern in (_STATED, _AS_A, _ON_OUR):
        for match in pattern.finditer(message):
            what = match.group("what")
            asked = _ASKED.search(message[: match.start()])  # "Can we use CDC on it?" asks, it does not state
            if what[0].isupper() and not asked:  # a name: a plan, an edition, a product and its version
                found.append(what.strip())
    return " ; ".join(dict.fromkeys(found))


def own_plans(message: str, claim_texts: list[str]) -> set[str]:
    """The plans the buyer says they are on, when every plan the message names outside its claims is one."""
    setup = own_setup(message)
    plans = plans_named(setup)
    if not plans:
        return set()
    elsewhere = plans_named(message) - plans - set().union(*(plans_named(c) for c in claim_texts))
    return set() if elsewhere else plans


def without_setup(claim: str) -> str:
    """`claim` without a leading statement of the buyer's setup ("As a Growth customer, do we get SSO" →
    "do we get SSO"): it is not a word the evidence must hold."""
    for pattern in (_AS_A, _STATED):
        match = pattern.match(claim)
        rest = claim[match.end() + 1 :].strip() if match and claim[match.end() :].startswith(",") else ""
        if _QUESTION.match(rest):  # "..., so our limits are higher": the rest leans on it, kept whole
            return rest
    return claim


_QUESTION = re.compile(
    r"(?:can|could|do|does|will|would|is|are|may|should|have|has)\b(?! (?:to|been)\b)", re.IGNORECASE
)
