"""Eval metric functions on cases computed by hand."""

from __future__ import annotations

import pytest

from assistant.extractive import EXPERT_OFFER
from assistant.outcomes import Reason, ReasonCode
from evals.calibrate import best_f1, calibration, for_precision, sweep
from evals.compare import compare
from evals.dataset import PROBE_PREFIX, DatasetError, load_dataset, with_probes
from evals.metrics import (
    answer_tokens,
    citation_precision,
    first_gold_rank,
    handoff_at,
    handoff_confusion,
    intent_macro_f1,
    mean_reciprocal_rank,
    precision_recall_f1,
    recall_at_k,
    sentence_support,
    summarize,
    token_f1,
)
from evals.rows import Row


def row(
    *, answerable=True, handoff=False, confidence=0.5, reasons=(), ranking=(), gold=(), cited=(), **extra
) -> Row:
    values = {
        "id": "q",
        "question": "?",
        "answerable": answerable,
        "probe": False,
        "gold_sources": list(gold),
        "reference_answer": "",
        "gold_intents": None,
        "predicted_intents": [],
        "answer": "",
        "composer": "extractive",
        "confidence": confidence,
        "handoff": handoff,
        "reasons": [reason.as_dict() for reason in reasons],
        "sources": list(ranking),
        "ranking": list(ranking),
        "cited": list(cited),
        "sentences": 0,
        "supported_sentences": 0,
        "latency_ms": 10.0,
    }
    values.update(extra)
    return Row(**values)


def test_token_f1_squad_style():
    prediction = "\u201cData is encrypted with AES-256.\u201d [1]"
    reference = "The data is encrypted at rest with AES-256."
    assert answer_tokens(prediction) == ["data", "is", "encrypted", "with", "aes256"]
    # 5 shared tokens; precision 5/5, recall 5/7 -> F1 = 10/12
    assert token_f1(prediction, reference) == pytest.approx(10 / 12)
    assert token_f1("nothing alike", reference) == 0.0
    assert token_f1("", "") == 1.0


def test_recall_at_k_and_mrr_over_document_ranks():
    assert first_gold_rank(["a", "b", "c"], {"c", "z"}) == 3
    assert first_gold_rank(["a", "b"], {"z"}) is None
    ranks = [1, 3, None, 6]
    assert recall_at_k(ranks, 1) == 0.25
    assert recall_at_k(ranks, 5) == 0.5
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 1 / 6) / 4)
    assert recall_at_k([], 5) is None


def test_citation_precision_counts_documents():
    assert citation_precision(["a", "b"], ["a"]) == 0.5
    assert citation_precision([], ["a"]) is None


def test_handoff_precision_recall_f1_from_a_known_confusion_matrix():
    rows = (
        [row(answerable=False, handoff=True)] * 3  # TP
        + [row(answerable=True, handoff=True)] * 1  # FP
        + [row(answerable=False, handoff=False)] * 2  # FN
        + [row(answerable=True, handoff=False)] * 4  # TN
    )
    assert handoff_confusion(rows) == (3, 1, 2, 4)
    precision, recall, f1 = precision_recall_f1(3, 1, 2)
    assert (precision, recall) == (0.75, 0.6)
    assert f1 == pytest.approx(2 / 3)
    summary = summarize(rows)
    assert summary["handoff_precision"] == 0.75
    assert summary["handoff_recall"] == 0.6
    assert summary["handoff_f1"] == pytest.approx(0.6667)
    assert summary["answered_rate"] == 0.6


def test_handoff_metrics_are_null_without_questions_expecting_one():
    summary = summarize([row(handoff=True), row()])
    assert summary["handoff_precision"] is None
    assert summary["handoff_f1"] is None
    assert summary["intent_macro_f1"] is None
    assert summary["recall_at_5"] is None


def test_threshold_replay_keeps_reasons_that_are_not_about_confidence():
    weak = row(confidence=0.3, handoff=True, reasons=[Reason(ReasonCode.LOW_CONFIDENCE, by_threshold=True)])
    sensitive = row(confidence=0.8, handoff=True, reasons=[Reason(ReasonCode.SENSITIVE_NOT_STATED)])
    assert not handoff_at(weak, 0.2)
    assert handoff_at(weak, 0.45)
    assert handoff_at(sensitive, 0.0)
    refused = row(confidence=0.05, handoff=False, reasons=[Reason(ReasonCode.OUT_OF_SCOPE)])
    assert not handoff_at(refused, 0.45), "a decision not to hand off stays too"
    fallback = row(confidence=0.6, handoff=False, reasons=[Reason(ReasonCode.LLM_FALLBACK, "timeout")])
    assert handoff_at(fallback, 0.7), "a note decides nothing: confidence does"


def test_calibration_picks_thresholds_from_the_sweep():
    rows = [
        row(answerable=False, confidence=0.2),
        row(answerable=False, confidence=0.4),
        row(answerable=True, confidence=0.5),
        row(answerable=True, confidence=0.9),
    ]
    points = sweep(rows)
    # Thresholds in (0.4, 0.5] hand off exactly the two that should: precision = recall = 1.
    best = best_f1(points)
    assert best is not None
    assert (best.threshold, best.f1) == (0.41, 1.0)
    target = for_precision(points, 0.9)
    assert target is not None
    assert target.recall == 1.0
    assert 0.4 < target.threshold <= 0.5
    assert calibration(rows)["f1_best"]["threshold"] == 0.41
    assert calibration(rows[2:])["f1_best"] is None, "nothing expects a handoff: nothing to calibrate"


def test_intent_macro_f1_by_hand():
    pairs = [
        (["clarification"], ["clarification"]),
        (["confirmation"], ["clarification"]),
        (["confidence", "confirmation"], ["confidence"]),
    ]
    # clarification 2/3, confirmation 0, confidence 1
    assert intent_macro_f1(pairs) == pytest.approx((2 / 3 + 0 + 1) / 3)


def test_sentence_support_by_substring_or_word_overlap():
    passage = "All customer data at rest is encrypted with AES-256. Keys rotate every 90 days."
    answer = (
        "From the documentation:\n\n"
        "\u201cAll customer data at rest is encrypted with AES-256.\u201d [1]\n\n"
        "Encryption keys rotate every 90 days [1].\n\n"
        "We also include free onboarding for every customer."
    )
    # the lead-in is not a claim; the quote is verbatim; the paraphrase shares 5 of its 6 content words
    assert sentence_support(answer, [passage]) == (2, 3)
    assert sentence_support(answer, []) == (0, 3)


def test_compare_fails_only_on_drops_beyond_the_tolerance():
    baseline = {"mrr": 0.80, "handoff_f1": 0.50, "groundedness": None, "recall_at_5": 0.9}
    current = {"mrr": 0.78, "handoff_f1": 0.47, "groundedness": 0.1, "recall_at_5": None}
    results = {r.metric: r.ok for r in compare(current, baseline, metrics=list(baseline))}
    assert results == {"mrr": True, "handoff_f1": False, "groundedness": True, "recall_at_5": False}


def test_dataset_and_probes(tmp_path):
    data = tmp_path / "q.jsonl"
    data.write_text(
        '{"id": "a", "question": "Q1?", "gold_sources": ["x.md"], "intents": ["clarification"]}\n\n'
        '{"id": "b", "question": "Q2?", "answerable": false}\n'
    )
    questions = with_probes(load_dataset(data), data)
    assert [q.id for q in questions] == ["a", "b", PROBE_PREFIX + "a", PROBE_PREFIX + "b"]
    probe = questions[2]
    assert (probe.answerable, probe.gold_sources, probe.intents, probe.probe) == (
        False,
        (),
        ("clarification",),
        True,
    )
    data.write_text('{"id": "a", "question": "Q?", "intents": ["curiosity"]}\n')
    with pytest.raises(DatasetError, match="curiosity"):
        load_dataset(data)


def test_groundedness_without_framing_sets_the_composers_fixed_lines_aside():
    passage = "All customer data at rest is encrypted with AES-256."
    answer = f"\u201cAll customer data at rest is encrypted with AES-256.\u201d [1]\n\n{EXPERT_OFFER}"
    assert sentence_support(answer, [passage]) == (1, 2)  # the offer counts as unsupported here
    assert sentence_support(answer, [passage], skip_framing=True) == (1, 1)
    # A sentence that is not one of the fixed lines still counts, supported or not.
    unsupported = answer + "\n\nWe also include free onboarding for every customer."
    assert sentence_support(unsupported, [passage], skip_framing=True) == (1, 2)
    rows = [
        row(sentences=2, supported_sentences=1, extras={"quote_sentences": 1, "quote_supported": 1}),
        row(sentences=3, supported_sentences=1, extras={"quote_sentences": 2, "quote_supported": 1}),
        row(handoff=True, extras={"quote_sentences": 5, "quote_supported": 0}),  # handed off: not counted
    ]
    summary = summarize(rows)
    assert summary["groundedness"] == pytest.approx(2 / 5, abs=1e-4)  # figures are rounded to 4 places
    assert summary["groundedness_without_framing"] == pytest.approx(2 / 3, abs=1e-4)
    assert summary["n_sentences_without_framing"] == 3
