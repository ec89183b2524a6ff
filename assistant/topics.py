"""Topics Lastmile never guesses: price, discounts, contract terms, legal/compliance commitments, roadmap dates.

A question on such a topic is answered only when the cited evidence states the thing asked; discounts and
roadmap dates always go to a human, with any documented policy quoted. The evidence is checked too: a
sentence on price, discounts, contracts or the roadmap may reach a buyer only from an authoritative
document (`statement_topics`; assistant/authority.py says which documents are).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.normalise import folded

_TOPICS: dict[str, str] = {
    "price": r"\b(price[sd]?|pricing|cost[s]?|fees?|per (month|year|user|seat)|quote|budget|invoice)\b|\$\s?\d"
    r"|\bhow much (is|are|does|do|would|will|for|to pay)\b",
    "discount": r"\b(discount\w*|cheaper|reduced price|price match\w*|negotiat\w*|waive\w*|coupon|promo\w*|rebate)\b"
    r"|% off|percent off|\bfor free\b|\bfree of charge\b|\bbest price\b",
    "contract": r"\b(contract\w*|indemn\w*|liabilit\w*|terminat\w*|renewal|auto-?renew\w*|msa|penalt\w*|warrant\w*)\b"
    r"|terms and conditions",
    "legal": r"\b(guarantee\w*|legally|liable|certif\w*|complian\w*|gdpr|hipaa|soc ?2|iso ?27001|fedramp|pci)\b",
    "roadmap": r"\b(roadmap|road map|eta|planned|upcoming|coming soon|next (release|version|quarter)|future release)\b"
    r"|\bwhen (will|are you going to|do you plan)\b|\bwill you (add|support|release|ship|build)\b",
}
_COMPILED = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in _TOPICS.items()}
ALWAYS_HUMAN = ("discount", "roadmap")  # commercial concessions and future dates are a person's call
_MONEY = re.compile(r"[$€£]\s?\d|\b\d[\d,.]*\s?(usd|eur|gbp|dollars|euros)\b", re.IGNORECASE)
_NAMED_TERM = re.compile(
    r"\b(gdpr|hipaa|baa|soc ?2|iso ?\d{4,5}|fedramp|pci|ccpa|dpa|renewal|liability|indemn\w*|terminat\w*|"
    r"warrant\w*|penalt\w*)\b",
    re.IGNORECASE,
)


# What only an authoritative document may state to a buyer. Not "legal": a saved reply saying "we are
# SOC 2 certified" repeats what the security documents state, while a price, a concession, a contract term
# or a date written for one buyer's case is a commitment a person makes.
STATEMENT_TOPICS = ("price", "discount", "contract", "roadmap")


def _key(term: str) -> str:
    """What the evidence must contain for a named term: its number when it has one ("iso 27001" → "27001",
    so "ISO/IEC 27001:2022" counts), else the word without spaces ("soc 2" → "soc2")."""
    digits = re.search(r"\d{3,}", term)
    return digits.group(0) if digits else re.sub(r"\W+", "", term.lower())


@dataclass(frozen=True)
class SensitiveTopic:
    name: str
    needs_human: bool  # always handed off, whatever the documents say
    required_terms: tuple[str, ...] = ()  # terms the evidence must contain


def sensitive_topics(question: str) -> list[SensitiveTopic]:
    question = folded(question)  # a look-alike letter or a zero-width space hides no topic
    found = []
    for name, pattern in _COMPILED.items():
        if pattern.search(question):
            terms = tuple(sorted({m.group(0).lower() for m in _NAMED_TERM.finditer(question)}))
            found.append(SensitiveTopic(name, name in ALWAYS_HUMAN, terms))
    return found


def statement_topics(sentence: str) -> list[str]:
    """The topics of STATEMENT_TOPICS a document sentence speaks of (an amount of money counts as price)."""
    sentence = folded(sentence)
    found = [name for name in STATEMENT_TOPICS if _COMPILED[name].search(sentence)]
    if "price" not in found and _MONEY.search(sentence):
        found.insert(0, "price")
    return found


def unstated(topic: SensitiveTopic, evidence: str) -> bool:
    """True when the evidence does not state what a question on this topic asks."""
    if topic.needs_human:
        return True
    if topic.name == "price":
        return _MONEY.search(evidence) is None
    squeezed = re.sub(r"\W+", "", evidence.lower())
    return any(_key(term) not in squeezed for term in topic.required_terms)
