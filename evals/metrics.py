"""Eval metrics: pure functions over rows, and `summarize`, which turns a run's rows into summary.json.

Every definition here is written out in docs/evals.md; a metric is None (null in JSON) where the data
lacks what it needs (no gold sources, no reference answers, no question expecting a handoff, ...).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from assistant.extractive import FRAMING
from assistant.outcomes import Reason
from assistant.types import INTENT_LABELS
from evals.rows import Row
from knowledge.sentences import sentence_spans
from knowledge.text import STOPWORDS

RECALL_CUTOFFS = (1, 5)
SUPPORT_OVERLAP = 0.6  # share of a sentence's content words a passage must hold to support it

_MARKER = re.compile(r"\[\d+\]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_QUOTES = '\u201c\u201d\u201e\u00ab\u00bb"'
_EDGE_QUOTES = _QUOTES + "'\u2018\u2019"
_WORD = re.compile(r"[a-z0-9]+(?:['.+-][a-z0-9]+)*")


# --- answer text -----------------------------------------------------------------------------------


def answer_tokens(text: str) -> list[str]:
    """SQuAD normalisation: drop [n] markers, lowercase, delete punctuation, drop articles, split on spaces."""
    text = _MARKER.sub(" ", text).lower()
    text = "".join(ch for ch in text if not _is_punctuation(ch))
    return _ARTICLES.sub(" ", text).split()


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD token F1 of two texts (1.0 when both normalise to nothing, 0.0 when only one does)."""
    predicted, gold = answer_tokens(prediction), answer_tokens(reference)
    if not predicted or not gold:
        return float(predicted == gold)
    same = sum((Counter(predicted) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(predicted), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def _is_punctuation(ch: str) -> bool:
    return ch in string.punctuation or unicodedata.category(ch).startswith("P")


# --- groundedness ----------------------------------------------------------------------------------


def claim_sentences(text: str) -> list[str]:
    """The answer's sentences that make a claim: [n] markers and quote marks stripped; lead-ins that end
    with a colon ("From the documentation:") and fragments without a content word are left out."""
    sentences = []
    for part in sentence_spans(_MARKER.sub(" ", text)):
        sentence = " ".join(part.split()).strip(_EDGE_QUOTES + " ")
        sentence = "".join(ch for ch in sentence if ch not in _QUOTES).strip()
        if sentence and not sentence.endswith(":") and content_words(sentence):
            sentences.append(sentence)
    return sentences


def content_words(text: str) -> set[str]:
    return {word for word in _WORD.findall(_plain(text)) if word not in STOPWORDS}


def is_supported(sentence: str, passage: str) -> bool:
    """Verbatim (case and spacing aside) in the passage, or >= 60% of its content words are."""
    if _plain(sentence) in _plain(passage):
        return True
    words = content_words(sentence)
    return bool(words) and len(words & content_words(passage)) / len(words) >= SUPPORT_OVERLAP


def sentence_support(text: str, passages: Sequence[str], *, skip_framing: bool = False) -> tuple[int, int]:
    """(supported, total) claim sentences of `text`, each checked against every cited passage; with
    `skip_framing`, the composer's fixed lines (a verdict line, "not settled", the expert offer) aside."""
    sentences = claim_sentences(text)
    if skip_framing:
        sentences = [s for s in sentences if s not in _FRAMING_SENTENCES]
    supported = sum(1 for s in sentences if any(is_supported(s, p) for p in passages))
    return supported, len(sentences)


def _plain(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.lower().split())


# --- does the answer answer? --------------------------------------------------------------------------

# The composers' own lines (verdicts, the expert offer), which are not the answer itself.
_FRAMING_SENTENCES = frozenset(s for text in FRAMING for s in claim_sentences(text))


def first_answer_sentence(text: str) -> str | None:
    """The answer's first claim sentence that is not the composer's own framing (a verdict line, the
    expert offer): the sentence a buyer reads as the answer. None when there is none."""
    return next((s for s in claim_sentences(text) if s not in _FRAMING_SENTENCES), None)


def is_labelled_answer(sentence: str, labelled: Iterable[str]) -> bool:
    """The sentence is one of the labelled answering sentences (or, cut differently by a splitter, holds
    one or is held by one: over 20 characters)."""
    plain = _plain(sentence)
    for label in labelled:
        gold = _plain(label).strip(_EDGE_QUOTES + " ")
        if plain == gold or (len(plain) > 20 and len(gold) > 20 and (gold in plain or plain in gold)):
            return True
    return False


def first_sentence_answers(row: Row) -> bool | None:
    """Whether an answered row's first sentence is a labelled answer sentence; None where not scored
    (handed off, unanswerable, or no labels for the question)."""
    if row.handoff or not row.answerable or not row.answer_sentences:
        return None
    first = first_answer_sentence(row.answer)
    return first is not None and is_labelled_answer(first, row.answer_sentences)


def answered_correctly(row: Row) -> bool:
    """Answered (not handed off) with a gold document cited first."""
    return not row.handoff and bool(row.cited) and row.cited[0] in row.gold_sources


def correct_draft(row: Row) -> bool:
    """The composed answer, sent or not, would be correct: answerable, and it cites a gold document first.
    What confidence should predict."""
    return row.answerable and bool(row.draft_cited) and row.draft_cited[0] in row.gold_sources


def roc_auc(scores: Sequence[float], positives: Sequence[bool]) -> float | None:
    """Mann-Whitney ROC AUC (ties count a half); None unless both classes are present."""
    pos = np.asarray([s for s, p in zip(scores, positives, strict=True) if p], dtype=float)
    neg = np.asarray([s for s, p in zip(scores, positives, strict=True) if not p], dtype=float)
    if not len(pos) or not len(neg):
        return None
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def confidence_auc(rows: Sequence[Row]) -> float | None:
    """How well confidence ranks correct answers (`correct_draft`) above the rest: unanswerable
    questions and answers citing a wrong document first."""
    return roc_auc([row.confidence for row in rows], [correct_draft(row) for row in rows])


def reliability(rows: Sequence[Row], bins: int = 10) -> list[dict]:
    """Confidence in equal-width bins against the share of correct answers (`correct_draft`) in each."""
    table = []
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        inside = [r for r in rows if low <= r.confidence < high or (index == bins - 1 and r.confidence == 1)]
        table.append(
            {
                "low": round(low, 4),
                "high": round(high, 4),
                "n": len(inside),
                "mean_confidence": _round(_mean([r.confidence for r in inside])),
                "correct_rate": _round(_mean([float(correct_draft(r)) for r in inside])),
            }
        )
    return table


# --- retrieval -------------------------------------------------------------------------------------


def first_gold_rank(ranking: Sequence[str], gold: Iterable[str]) -> int | None:
    """1-based rank of the first gold document in a document ranking, or None when none appears."""
    wanted = set(gold)
    return next((rank for rank, doc in enumerate(ranking, start=1) if doc in wanted), None)


def recall_at_k(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of questions with a gold document in the top k (None for no questions)."""
    return _mean([1.0 if r is not None and r <= k else 0.0 for r in ranks])


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    return _mean([1.0 / r if r is not None else 0.0 for r in ranks])


def citation_precision(cited: Sequence[str], gold: Iterable[str]) -> float | None:
    """Share of the cited documents that are gold (None when nothing is cited)."""
    if not cited:
        return None
    wanted = set(gold)
    return sum(1 for doc in cited if doc in wanted) / len(cited)


# --- handoff ---------------------------------------------------------------------------------------


def handoff_at(row: Row, threshold: float) -> bool:
    """Whether this answer would be handed off with `threshold`.

    A reason the threshold does not touch (a sensitive topic, an unsupported claim, "out of scope") decided
    the outcome, handed off or not, and keeps it at every threshold; otherwise confidence below it decides.
    """
    reasons = [Reason.from_dict(data) for data in row.reasons]
    if any(not reason.by_threshold and not reason.is_note for reason in reasons):
        return row.handoff
    return row.confidence < threshold


def precision_recall_f1(tp: int, fp: int, fn: int) -> tuple[float | None, float | None, float | None]:
    """None where undefined: precision with nothing predicted, recall with nothing to find, F1 with both."""
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return precision, recall, f1


def handoff_confusion(rows: Sequence[Row], threshold: float | None = None) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) with positive = should hand off; actual decisions, or those at `threshold`."""
    tp = fp = fn = tn = 0
    for row in rows:
        predicted = row.handoff if threshold is None else handoff_at(row, threshold)
        expected = not row.answerable
        tp += predicted and expected
        fp += predicted and not expected
        fn += expected and not predicted
        tn += not expected and not predicted
    return tp, fp, fn, tn


# --- intents ---------------------------------------------------------------------------------------


def intent_macro_f1(pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> float | None:
    """Macro F1 over the three labels of (gold, predicted) label sets; a label neither gold nor predicted
    anywhere has no F1 and is left out of the mean."""
    scores = []
    for label in INTENT_LABELS:
        tp = sum(1 for gold, pred in pairs if label in gold and label in pred)
        fp = sum(1 for gold, pred in pairs if label not in gold and label in pred)
        fn = sum(1 for gold, pred in pairs if label in gold and label not in pred)
        f1 = precision_recall_f1(tp, fp, fn)[2]
        if f1 is not None:
            scores.append(f1)
    return _mean(scores)


# --- the summary -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def retrieval_rows(rows: Sequence[Row]) -> list[Row]:
    """Rows that count for retrieval metrics and citation precision: answerable, with gold sources."""
    return [row for row in rows if row.answerable and row.gold_sources]


def summarize(rows: Sequence[Row]) -> dict:
    """The metrics of summary.json, rounded to 4 places, None where the data lacks what one needs."""
    scored = retrieval_rows(rows)
    ranks = [first_gold_rank(row.ranking, row.gold_sources) for row in scored]
    cited = [citation_precision(row.cited, row.gold_sources) for row in scored if not row.handoff]
    answered = [row for row in rows if not row.handoff]
    f1_rows = [row for row in answered if row.answerable and row.reference_answer]
    intent_rows = [row for row in rows if row.gold_intents is not None]
    tp, fp, fn, _ = handoff_confusion(rows)
    precision, recall, f1 = precision_recall_f1(tp, fp, fn) if tp + fn else (None, None, None)
    sentences = sum(row.sentences for row in answered)
    quote_sentences = sum(row.extras.get("quote_sentences", 0) for row in answered)
    latencies = [row.latency_ms for row in rows]
    first = [first_sentence_answers(row) for row in rows]
    metrics = {
        "n": len(rows),
        **{f"recall_at_{k}": recall_at_k(ranks, k) for k in RECALL_CUTOFFS},
        "mrr": mean_reciprocal_rank(ranks),
        "citation_precision": _mean([c for c in cited if c is not None]),
        "answer_token_f1": _mean([token_f1(row.answer, row.reference_answer) for row in f1_rows]),
        "groundedness": sum(row.supported_sentences for row in answered) / sentences if sentences else None,
        # Reported beside it, not gated: the same without the composer's fixed lines, which no passage can
        # support, so that answering more turns is not read as saying more unsupported things.
        "groundedness_without_framing": (
            sum(row.extras.get("quote_supported", 0) for row in answered) / quote_sentences
            if quote_sentences
            else None
        ),
        "answered_rate": len(answered) / len(rows) if rows else None,
        "answered_and_correct": _mean([float(answered_correctly(row)) for row in scored]),
        "first_sentence_answers": _mean([float(f) for f in first if f is not None]),
        "confidence_auc": confidence_auc(rows),
        "handoff_precision": precision,
        "handoff_recall": recall,
        "handoff_f1": f1,
        "intent_macro_f1": intent_macro_f1(
            [(row.gold_intents or [], row.predicted_intents) for row in intent_rows]
        ),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }
    own = [row.extras.get("pipeline_groundedness") for row in answered]
    counts = {
        # The pipeline's own groundedness (Answer.groundedness) where it reports one, for comparison.
        "pipeline_groundedness": _mean([g for g in own if g is not None]),
        "n_sentences_without_framing": quote_sentences,
        "n_answerable": sum(1 for row in rows if row.answerable),
        "n_expect_handoff": sum(1 for row in rows if not row.answerable),
        "n_probes": sum(1 for row in rows if row.probe),
        "n_retrieval_scored": len(scored),
        "n_citation_scored": sum(1 for c in cited if c is not None),
        "n_token_f1_scored": len(f1_rows),
        "n_answered": len(answered),
        "n_first_sentence_scored": sum(1 for f in first if f is not None),
        "n_answer_sentences": sentences,
        "n_intent_scored": len(intent_rows),
    }
    return {key: _round(value) for key, value in {**metrics, **counts}.items()}


# The figures the answer-quality targets are set on (#12), reported per split: only test figures are results.
SPLIT_METRICS = (
    "answered_and_correct",
    "handoff_recall",
    "confidence_auc",
    "first_sentence_answers",
    "answer_token_f1",
    "answered_rate",
    "handoff_f1",
    "n",
    "n_answerable",
    "n_expect_handoff",
    "n_first_sentence_scored",
)


def by_split(rows: Sequence[Row]) -> dict[str, dict]:
    """SPLIT_METRICS over the dev and the test questions apart (rows without a split are left out)."""
    return {
        split: {key: summarize(part)[key] for key in SPLIT_METRICS}
        for split in ("dev", "test")
        if (part := [row for row in rows if row.split == split])
    }


def recall_curve(rows: Sequence[Row], max_k: int = 10) -> list[tuple[int, float]]:
    ranks = [first_gold_rank(row.ranking, row.gold_sources) for row in retrieval_rows(rows)]
    if not ranks:
        return []
    return [(k, recall_at_k(ranks, k) or 0.0) for k in range(1, max_k + 1)]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _round(value):
    return round(value, 4) if isinstance(value, float) else value
