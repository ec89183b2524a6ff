"""What a sentence says besides yes or no: the conditions it binds a fact to, the figures it states, and
whether the clause about a subject denies it.

"HIPAA only on Enterprise." is a yes with a tier condition, not a denial; "since 4.2" is a version
condition; "SQL and Python UDFs, but not procedural stored procedures" denies only the clause that holds
"procedural"; "30 minutes with Enterprise Support, 4 business hours with Standard" states two figures for
two things, so a claim's figure is compared only with a figure stated alone for the same unit.
"""

from __future__ import annotations

import re

from assistant.sentences import content_terms as _content_terms
from assistant.types import Condition


def terms_of(text: str) -> set[str]:
    """Content terms with a final "e" dropped too, so "mistake" meets "mistakes" (stemmed "mistak")."""
    return {t[:-1] if len(t) > 4 and t.endswith("e") else t for t in _content_terms(text)}


_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|none|nothing|neither|nor|without|unsupported|unavailable|disallowed|prohibited|"
    r"ended|discontinued|no longer|excluded|excludes|"
    r"doesnt|dont|isnt|arent|cant|wont|didnt|wasnt)\b|n't\b",
    re.IGNORECASE,
)
_NEGATORS = {"doesnt", "dont", "isnt", "arent", "cant", "wont", "didnt", "wasnt", "nothing", "none"}
# Clause boundaries: ";", ", but", "while", "except", and a comma before a new clause or aside.
_CLAUSE = re.compile(
    r";|,?\s+\bbut\b\s+|,\s+(?:while|whereas|except|unless|although|though|and|so)\b|"
    r"\s+\b(?:whereas|except|unless)\b|,\s+(?=(?:it|this|they|we|i|you|he|she|there)\b)|,\s+(?=not\b)",
    re.IGNORECASE,
)
PLAN_WORDS = ("Starter", "Growth", "Enterprise", "Standard", "Premium", "Business", "Professional", "Free")
_PLAN = "|".join(PLAN_WORDS)
_TIER_ONLY = re.compile(
    rf"\bonly (?:on|in|with|for) (?:the )?(?P<a>{_PLAN})\b|\b(?P<b>{_PLAN})(?: (?:tier|plan|edition|Support))? only\b"
    rf"|(?<!not )(?<!never )\b(?:available|included|offered) (?:only )?(?:on|in|with) (?:the )?"
    rf"(?P<c>{_PLAN})(?: (?:tier|plan))?"
    rf"(?! and| or|,)\b",
)
_VERSION = re.compile(
    r"\b(?:since|from|as of|starting (?:with|in)) (?:release |version |v)?(?P<v>\d+(?:\.\d+)+)\b"
    r"|(?P<w>\b[A-Za-z][\w-]* \d+(?:\.\d+)*[a-z]?) (?:or|and) (?:later|newer|higher)\b",
    re.IGNORECASE,
)
_EDITION = re.compile(r"\bonly (?:on|for) (?:the )?(?P<e>Galaxy [A-Z]\d+\w*|[A-Z]\d+\w*)\b")
# "within the time-travel window of their tier": bound to a tier the sentence leaves open.
_BY_TIER = re.compile(
    r"\b(?:of|on|for|by) (?:their|your|its|each|the customer's) (?:tier|plan)\b"
    r"|\bdepend(?:s|ing)? on (?:the |their |your )?(?:tier|plan)\b",
    re.IGNORECASE,
)
BY_TIER = "depending on the tier"
# "%" is not followed by a word boundary ("99.9% for"), so it stands outside the \b.
_FIGURE = re.compile(
    r"(?<![\w.])(?P<n>\d+(?:[.,]\d+)*)\s?(?:(?P<m>thousand|million|billion) )?"
    r"(?:(?:compute |concurrent )?(?:business |calendar |working )?)"
    r"(?P<u>%|(?:percent|tb|gb|pb|mb|ms|seconds?|minutes?|hours?|days?|"
    r"weeks?|months?|years?|users?|seats?|credits?|regions?|workspaces?|vcpus?|requests?|columns?|rows?|"
    r"recipients?|times|levels?|items?|tiles?|clusters?|queries|query|meters?|centimeters?|gbps)\b)",
    re.IGNORECASE,
)
_COMPARATOR = re.compile(
    r"\b(?:under|less than|fewer than|more than|over|at least|at most|up to|within|above|below|"
    r"or more|or less|maximum|minimum|max|min|capped at|no more than)\b",
    re.IGNORECASE,
)


# Phrases with a negation word that affirm ("can't beat the price", "no problem").
_AFFIRMING = re.compile(
    r"\b(?:can ?not|can't|cant) beat\b|\bno (?:problems?|issues?|doubt|complaints?)\b|\bnot only\b"
    r"|\b(?:at )?no (?:additional|extra) (?:cost|charge|fee)s?\b",
    re.IGNORECASE,
)


_ASIDE = re.compile(r"\([^()]*\)")  # "(not included)": an aside about something else


def negated(clause: str, terms: set[str] = frozenset()) -> bool:
    """Whether the clause denies; an aside in brackets counts only when it follows one of `terms`
    ("a microSD card (not included)" denies the card; "headsets (not included)" does not deny answering)."""

    def aside(match: re.Match) -> str:
        before = clause[: match.start()].split()
        return match.group() if before and terms_of(before[-1]) & terms else " "

    return bool(_NEGATION.search(_AFFIRMING.sub(" ", _ASIDE.sub(aside, clause))))


_HEDGE = terms_of("lot much bit little really quite very all always though")


def clauses_of(sentence: str) -> list[str]:
    """A sentence cut at clause boundaries; a table row's value cells go with their subject cell."""
    if "|" in sentence:
        cells = [cell.strip() for cell in sentence.split("|") if cell.strip()]
        return [" ".join(cells)] if cells else [sentence]
    return [c.strip() for c in _CLAUSE.split(sentence) if c and c.strip(" ,")] or [sentence]


def governing_clause(sentence: str, terms: set[str]) -> str:
    """The clause of `sentence` that holds most of `terms` (the claim's subject)."""
    return max(clauses_of(sentence), key=lambda c: len(terms_of(c) & terms))


def stance(sentence: str, terms: set[str]) -> bool | None:
    """Whether the sentence denies the subject `terms` name (True), affirms it (False), or leaves it
    unclear (None): polarity comes from the clauses holding most of the subject, not from a negation
    elsewhere in the sentence ("SQL and Python UDFs, but not procedural stored procedures" affirms
    UDFs). Unclear when those clauses disagree, or when another clause is a bare negation that can only
    be about the subject ("it should recline a little, but it doesn't")."""
    clauses = clauses_of(sentence)
    overlaps = [len(terms_of(c) & terms) for c in clauses]
    best = max(overlaps)
    governing = [c for c, o in zip(clauses, overlaps, strict=True) if o == best]
    polarities = {negated(c, terms) for c in governing}
    if len(polarities) > 1:
        return None
    polarity = polarities.pop()
    held = set().union(*(terms_of(c) for c in governing)) & terms
    for clause, overlap in zip(clauses, overlaps, strict=True):
        if overlap == best or negated(clause) == polarity:
            continue
        if len(terms_of(clause) - _HEDGE - _NEGATORS) <= 2 and not overlap:
            return None  # a bare "but it doesn't"
        if negated(clause) and (terms_of(clause) & terms) - held:
            return None  # "against platform failure, not against every mistake": part of it is denied
    return polarity


def conditions_in(text: str) -> list[Condition]:
    found: list[Condition] = []
    for match in _TIER_ONLY.finditer(text):
        value = match.group("a") or match.group("b") or match.group("c")
        found.append(Condition("tier", value))
    for match in _VERSION.finditer(text):
        found.append(Condition("version", match.group("v") or match.group("w")))
    for match in _EDITION.finditer(text):
        found.append(Condition("edition", match.group("e")))
    if _BY_TIER.search(text):
        found.append(Condition("limit", BY_TIER))
    return list(dict.fromkeys(found))


def plans_named(text: str) -> set[str]:
    return set(re.findall(rf"\b({_PLAN})\b", text))


# "it is not available on Starter": a plan the fact is withheld from.
_NOT_ON = re.compile(
    rf"\b(?:not|never) (?:available|included|offered|supported) (?:on|in|with|for) (?:the )?(?P<plan>{_PLAN})\b"
)


def plans_excluded(text: str) -> tuple[set[str], str]:
    """The plans `text` withholds the fact from, and the text without those phrases (what it says of the
    other plans)."""
    plans = {m.group("plan") for m in _NOT_ON.finditer(text)}
    return plans, _NOT_ON.sub(" ", text)


_MONEY = re.compile(r"[$€£]\s?(?P<n>\d+(?:[.,]\d+)*)")


_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
# "Maximum of 4,096 columns", "capped at 1 million rows", "up to 100 recipients": the most there can be.
_UPPER_BOUND = re.compile(
    r"\b(?:up to|at most|no more than|maximum(?: of)?|max(?:imum)?\.?|capped at|limited to|a limit of)\s+(?=[$€£]?\d)",
    re.IGNORECASE,
)


def without_figures(text: str) -> str:
    """`text` with the numbers of its figures left out ("5,000 columns" → "columns")."""
    return _MONEY.sub(" ", _FIGURE.sub(lambda m: m.group("u"), text))


def upper_bounds(text: str) -> set[tuple[str, str]]:
    """The figures `text` states as a maximum."""
    bounds = set()
    for match in _UPPER_BOUND.finditer(text):
        stated = _FIGURE.match(text, match.end())
        if stated:
            bounds |= figures(stated.group())
    return bounds


# "85 to 90% of SQL", "4 to 8 hours", "1-2 minutes": the first number shares the second's unit.
_RANGE = re.compile(r"(?<![\w.])(?P<lo>\d+(?:\.\d+)?)\s?(?:to|-|\u2013)\s?(?=\d)")


def ranges(text: str) -> set[tuple[float, float, str]]:
    """(low, high, unit) of every range `text` states ("85 to 90%" → (85.0, 90.0, "%"))."""
    out = set()
    for match in _RANGE.finditer(text):
        stated = _FIGURE.match(text, match.end())
        if stated:
            for number, unit in figures(stated.group()):
                out.add((float(match.group("lo")), float(number), unit))
    return out


def figures(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs, units singular and lower-case: ("90", "day"); money as ("0.50", "$")."""
    out = {(m.group("n").replace(",", ""), "$") for m in _MONEY.finditer(text)}
    for match in _FIGURE.finditer(text):
        unit = match.group("u").lower()
        unit = {"percent": "%", "queries": "query"}.get(unit, unit.rstrip("s") if len(unit) > 3 else unit)
        number = match.group("n").replace(",", "")
        if match.group("m"):  # "5 million rows" is 5000000 rows, as "5,000,000 rows" is
            number = f"{float(number) * _SCALE[match.group('m').lower()]:.0f}"
        out.add((number, unit))
    return out


# Units of one quantity, in its smallest unit: "1 hour" is "60 minutes", "5 weeks" is "35 days".
_BASE = {
    "second": ("second", 1),
    "minute": ("second", 60),
    "hour": ("second", 3600),
    "day": ("second", 86400),
    "week": ("second", 604800),
    "year": ("second", 31536000),
    "mb": ("mb", 1),
    "gb": ("mb", 1e3),
    "tb": ("mb", 1e6),
    "pb": ("mb", 1e9),
}


def in_base_units(found: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Figures with time and size units in one base unit each, so "1 hour" meets "60 minutes"."""
    out = set()
    for number, unit in found:
        base, factor = _BASE.get(unit, (unit, 1))
        out.add((f"{float(number) * factor:g}", base))
    return out


def compares(text: str) -> bool:
    return bool(_COMPARATOR.search(text))
