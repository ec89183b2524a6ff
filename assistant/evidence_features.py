"""What the evidence scorer sees of a (question, candidate sentence) pair: cues that carry across domains.

Lexical cues: coverage of the question's focus terms by the sentence (and by its context: the chunk's
heading or the FAQ row's question), IDF-weighted over the candidate set; the kind of question (yes/no,
how much, how to, what is) and the kind of sentence (a definition, a limit with a number and unit, a step,
a yes/no answer) and their matches; negation, contrast and hedging, and whether a negation governs a
focus term (its clause holds one). Embedding cues come from the frozen all-MiniLM-L6-v2 vectors the turn
already has: cosine of question and sentence, of question and context, and optional InferSent-style
blocks (u*v, |u-v|, u, v). `design` turns a question and its candidates into the model's rows.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.sentences import content_terms, question_focus, stem
from knowledge.text import STOPWORDS

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
AUXILIARIES = frozenset(
    """is are was were am do does did can could will would should shall may might must has have had
    isn't aren't wasn't weren't don't doesn't didn't can't cannot couldn't won't wouldn't shouldn't
    hasn't haven't""".split()
)
NEGATIONS = frozenset(
    """not no never none nothing neither nor cannot without unable lacks lack nope n't isn't aren't
    wasn't weren't don't doesn't didn't can't couldn't won't wouldn't shouldn't hasn't haven't hadn't
    unsupported doesnt dont cant wont isnt arent didnt wasnt hasnt havent wouldnt couldnt shouldnt""".split()
)  # the apostrophe-less spellings are common in buyer text
_CONTRAST = frozenset("but however although though except only unless whereas instead".split())
_HEDGE = re.compile(r"\b(not sure|don'?t know|i think|i believe|maybe|perhaps|probably|might|not certain)\b")
_YES_START = re.compile(r"^\W*(yes|yep|yeah|yup|absolutely|definitely|sure|correct|of course)\b")
_NO_START = re.compile(r"^\W*(no|nope|not|unfortunately|sadly)\b")
_UNIT = (
    r"%|percent|[kmgt]b|gbps|mbps|ms|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|"
    r"rows?|users?|seats?|queries|requests?|connections?|lbs?|pounds?|kg|grams?|g|oz|ounces?|inch(?:es)?|"
    r"in|cm|mm|ft|feet|foot|meters?|m|watts?|w|volts?|v|mah|amps?|a|hz|times|x|\"|'|gallons?|liters?|ml|"
    r"qt|quarts?|cups?|pieces?|pcs|count|ct|packs?|degrees?|f|c|mph"
)
_LIMIT = re.compile(
    rf"(\d[\d,.]*\s*(?:{_UNIT})\b|\b(up to|maximum|minimum|at most|at least|limit(?:ed)?|capped)\b)"
)
_DEFINITION = re.compile(r"^[\w\s\-/()&]{1,60}?\b(is|are|refers to|means)\s+(a|an|the|our)\b")
_STEP_VERBS = frozenset(
    """tap click select open go press choose enter run install set use swipe touch drag turn create add
    remove navigate type call configure enable disable follow connect attach insert plug pull push rotate
    slide hold place put download upload sign log copy paste update restart""".split()
)
_QUANTITY = re.compile(
    r"\bhow (many|much|long|big|large|tall|wide|heavy|far|fast|often|old|high|deep|thick|small)\b|"
    r"\b(size|capacity|weight|dimensions?|maximum|minimum|max|min|limit|length|width|height|price|cost)\b"
)
_ASKED_UNIT = re.compile(
    r"\b(?:how many|number of|amount of|count of|maximum|minimum|max|min)\s+(?:number of\s+|amount of\s+)?"
    r"([a-z][a-z-]+)"
)
_HOW_TO = re.compile(r"^\W*how (do|can|to|would|should|does|did)\b|\bhow to\b|\bsteps?\b")
_WHAT_IS = re.compile(r"^\W*what (is|are|does|do)\b")

SCALAR_NAMES = (
    "cos_sentence",  # cosine of question and sentence vectors
    "cos_faq_question",  # cosine of question and the context when that is a question (a FAQ row's); else 0
    "has_faq_question",
    "cos_heading",  # cosine of question and the context when that is a heading path; else 0
    "has_heading",
    "coverage",  # share of the question's focus terms in the sentence
    "coverage_with_context",  # ... in the sentence or its context
    "idf_coverage",  # IDF-weighted share, IDF over the candidate set
    "log_words",
    "short",  # fewer than 4 words
    "long",  # more than 60 words
    "is_question",
    "s_definition",
    "s_limit",
    "s_step",
    "s_yes_no",
    "s_negated",
    "s_number",
    "s_hedge",
    "q_yes_no",
    "q_quantity",
    "q_how_to",
    "q_what_is",
    "yes_no_match",
    "quantity_match",
    "how_to_match",
    "definition_match",
    "number_match",  # a number of the question appears in the sentence
    "asked_unit_match",  # "how many rows" / "maximum number of rows": a number beside the word "rows"
    "asked_unit_miss",  # ... a number, but of something else ("4,096 columns")
)
POLARITY_NAMES = (
    "starts_yes",
    "starts_no",
    "negations",  # count, capped at 3
    "negated",
    "negation_on_focus",  # a negation's clause holds a focus term of the question
    "first_clause_negated",
    "focus_affirmed",  # a focus term of the question appears outside any negation's scope
    "affirming_phrase",  # "it does", "they fit", "works with" ... not negated
    "limiting_phrase",  # "only", "too small", "unfortunately", "instead", "I wish"
    "figure_mismatch",  # both name figures or model codes, and none of the question's is in the sentence
    "question_negated",
    "negation_flip",  # negated xor question negated
    "contrast",
    "hedge",
    "coverage",
    "cos_sentence",
)
BLOCKS = ("scalar", "product", "difference", "question", "sentence", "signed_difference", "polarity")


_FIGURE = re.compile(r"\b[a-z]*\d[\w./-]*")


def figures(text: str) -> frozenset[str]:
    """Numbers and model codes ("3.75", "259112-302", "du943pwkt0"), as written."""
    return frozenset(f.rstrip(".-/") for f in _FIGURE.findall(text.lower()))


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def is_question_text(text: str) -> bool:
    """A question (a FAQ row's, a community answer's), as opposed to a heading path ("What Strata is not
    designed for" is a heading: a wh-word alone does not make a question)."""
    stripped = text.strip()
    first = words(stripped)[:1]
    return stripped.endswith("?") or bool(first and first[0] in AUXILIARIES)


def is_yes_no_question(text: str) -> bool:
    """Does the asking part of `text` open (or a clause of it open) with an auxiliary verb?"""
    focus = question_focus(text).lower()
    clauses = [c for c in re.split(r"[,;:.?!]|\band\b|\bor\b", focus) if c.strip()]
    return any(words(c)[:1] and words(c)[0] in AUXILIARIES for c in clauses[:4])


@dataclass(frozen=True)
class QuestionView:
    """What every pair of one question shares, computed once per call."""

    text: str
    focus_terms: frozenset[str]
    numbers: frozenset[str]
    figures: frozenset[str]
    asked_units: frozenset[str]  # what a quantity question counts ("rows"), stemmed
    yes_no: bool
    quantity: bool
    how_to: bool
    what_is: bool
    negated: bool

    @classmethod
    def of(cls, question: str) -> QuestionView:
        focus = question_focus(question).strip()
        lower = focus.lower()
        return cls(
            text=question,
            focus_terms=frozenset(
                t for t in content_terms(focus) if len(t) > 1 or t.isdigit()
            ),  # not "what's" s
            numbers=frozenset(_NUMBER.findall(focus)),
            figures=figures(focus),
            asked_units=frozenset(
                stem(u)
                for u in _ASKED_UNIT.findall(lower)
                if u not in STOPWORDS and u not in ("number", "amount")
            ),
            yes_no=is_yes_no_question(question),
            quantity=bool(_QUANTITY.search(lower)),
            how_to=bool(_HOW_TO.search(lower)),
            what_is=bool(_WHAT_IS.search(lower)) and not _QUANTITY.search(lower),
            negated=any(w in NEGATIONS or w.endswith("n't") for w in words(focus)),
        )


def _negated_positions(tokens: list[str]) -> list[bool]:
    """Which tokens a negation governs: the next 7 tokens of its clause, up to a contrast word or comma."""
    governed = [False] * len(tokens)
    for i, token in enumerate(tokens):
        if token in NEGATIONS or token.endswith("n't"):
            for j in range(i + 1, min(i + 8, len(tokens))):
                if tokens[j] in _CONTRAST or tokens[j] == ",":
                    break
                governed[j] = True
    return governed


def _clauses_tokens(sentence: str) -> list[str]:
    # Punctuation ends a negation's scope: a comma token marks the boundary.
    return [t for part in re.split(r"[,;:()]", sentence.lower()) for t in [*words(part), ","]]


_AFFIRMING = re.compile(
    r"\b(it|they|this|that|these|mine|you|one)\s+(does|do|is|are|will|can|did|has|have|fits?|works?)\b(?!\s+not)"
    r"|\b(works?|fits?|compatible)\s+(with|on|in|for|great|perfectly|fine)\b"
)
_LIMITING = re.compile(
    r"\b(only|unfortunately|sadly|instead|wish|wished|too (small|big|large|short|long|narrow|wide|tight|loose|thick|thin|"
    r"heavy|weak|much))\b"
)


def polarity_scalars(q: QuestionView, sentence: str, coverage: float, cos_sentence: float) -> list[float]:
    """The polarity model's cues, in POLARITY_NAMES order."""
    lower = sentence.lower().strip()
    tokens = words(sentence)
    negations = sum(1 for t in tokens if t in NEGATIONS or t.endswith("n't"))
    scoped = _clauses_tokens(sentence)
    governed = _negated_positions(scoped)
    focus_hits = [g for t, g in zip(scoped, governed, strict=True) if stem(t) in q.focus_terms]
    first_clause = scoped[: scoped.index(",")] if "," in scoped else scoped
    sentence_figures = figures(lower)
    negated = negations > 0
    return [
        float(bool(_YES_START.match(lower))),
        float(bool(_NO_START.match(lower))),
        float(min(negations, 3)),
        float(negated),
        float(any(focus_hits)),
        float(any(t in NEGATIONS or t.endswith("n't") for t in first_clause)),
        float(any(not g for g in focus_hits)),
        float(bool(_AFFIRMING.search(lower))),
        float(bool(_LIMITING.search(lower))),
        float(bool(q.figures) and bool(sentence_figures) and not (q.figures & sentence_figures)),
        float(q.negated),
        float(negated != q.negated),
        float(any(t in _CONTRAST for t in tokens)),
        float(bool(_HEDGE.search(lower))),
        coverage,
        cos_sentence,
    ]


def pair_scalars(
    q: QuestionView,
    sentence: str,
    context: str,
    cos_sentence: float,
    cos_context: float | None,
    idf: dict[str, float],
) -> tuple[list[float], list[float]]:
    """(answer scalars, polarity scalars) of one pair, in SCALAR_NAMES / POLARITY_NAMES order."""
    lower = sentence.lower().strip()
    tokens = words(sentence)
    terms = content_terms(sentence)
    faq = is_question_text(context)
    context_terms = content_terms(context) if context else set()
    focus = q.focus_terms
    covered = focus & terms
    coverage = len(covered) / len(focus) if focus else 0.0
    with_context = len(focus & (terms | context_terms)) / len(focus) if focus else 0.0
    idf_total = math.fsum(idf.get(t, 0.0) for t in focus)  # fsum: exact, so set order cannot change a bit
    idf_coverage = math.fsum(idf.get(t, 0.0) for t in covered) / idf_total if idf_total else coverage
    negations = sum(1 for t in tokens if t in NEGATIONS or t.endswith("n't"))
    s_definition = bool(_DEFINITION.match(lower))
    s_limit = bool(_LIMIT.search(lower))
    s_step = bool(tokens and tokens[0] in _STEP_VERBS) or " > " in sentence
    s_yes_no = bool(_YES_START.match(lower) or re.match(r"^\W*(no|nope)\b", lower))
    s_number = bool(_NUMBER.search(lower))
    hedge = bool(_HEDGE.search(lower))
    numbers = set(_NUMBER.findall(lower))
    answer = [
        cos_sentence,
        cos_context if cos_context is not None and faq else 0.0,
        float(cos_context is not None and faq),
        cos_context if cos_context is not None and not faq else 0.0,
        float(cos_context is not None and not faq),
        coverage,
        with_context,
        idf_coverage,
        math.log1p(len(tokens)),
        float(len(tokens) < 4),
        float(len(tokens) > 60),
        float(lower.endswith("?")),
        float(s_definition),
        float(s_limit),
        float(s_step),
        float(s_yes_no),
        float(negations > 0),
        float(s_number),
        float(hedge),
        float(q.yes_no),
        float(q.quantity),
        float(q.how_to),
        float(q.what_is),
        float(q.yes_no and s_yes_no),
        float(q.quantity and (s_limit or s_number)),
        float(q.how_to and s_step),
        float(q.what_is and s_definition),
        float(bool(q.numbers & numbers)),
        float(bool(q.asked_units & terms) and s_number),
        float(bool(q.asked_units) and s_number and not q.asked_units & terms),
    ]
    polarity = polarity_scalars(q, sentence, coverage, cos_sentence)
    return answer, polarity


def candidate_idf(term_sets: Sequence[set[str]]) -> dict[str, float]:
    """BM25's IDF of each term over the candidates (their sentence and context together)."""
    n = len(term_sets)
    df = Counter(t for terms in term_sets for t in terms)
    return {t: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


def block(name: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """One embedding block of a pair, for rows of sentence vectors `v` against question vector `u`."""
    if name == "product":
        return v * u
    if name == "difference":
        return np.abs(v - u)
    if name == "signed_difference":
        return v - u
    if name == "question":
        return np.broadcast_to(u, v.shape)
    if name == "sentence":
        return v
    raise ValueError(f"unknown feature block {name!r}")


def design(
    question: str,
    question_vector: np.ndarray,
    sentences: Sequence[str],
    contexts: Sequence[str],
    sentence_vectors: np.ndarray,
    context_vectors: Sequence[np.ndarray | None],
    *,
    answer_blocks: Sequence[str],
    polarity_blocks: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    """The answer model's and the polarity model's feature rows for one question's candidates."""
    q = QuestionView.of(question)
    u = np.asarray(question_vector, dtype=np.float64).reshape(-1)
    v = np.asarray(sentence_vectors, dtype=np.float64).reshape(len(sentences), -1)
    idf = candidate_idf(
        [content_terms(s) | content_terms(c) for s, c in zip(sentences, contexts, strict=True)]
    )
    cosines = v @ u
    answer_rows, polarity_rows = [], []
    for i, (sentence, context) in enumerate(zip(sentences, contexts, strict=True)):
        c = context_vectors[i]
        cos_context = float(np.asarray(c, dtype=np.float64) @ u) if c is not None and context else None
        a, p = pair_scalars(q, sentence, context, float(cosines[i]), cos_context, idf)
        answer_rows.append(a)
        polarity_rows.append(p)
    parts = {"scalar": np.asarray(answer_rows), "polarity": np.asarray(polarity_rows)}

    def assemble(names: Sequence[str]) -> np.ndarray:
        return np.hstack([parts[n] if n in parts else block(n, u, v) for n in names])

    return assemble(answer_blocks), assemble(polarity_blocks)
