"""The answer-quality metrics of #12 on rows built by hand: first-sentence-answers, answered-and-correct,
confidence AUC, the reliability table and the per-split figures."""

from __future__ import annotations

import pytest

from assistant.extractive import EXPERT_OFFER, EXPLAIN
from assistant.verdict import VERDICT_TEXT
from evals.answer_sentences import answering_sentences, question_split, set_name_of, split_of
from evals.metrics import (
    answered_correctly,
    by_split,
    confidence_auc,
    first_answer_sentence,
    first_sentence_answers,
    reliability,
    roc_auc,
    summarize,
)
from tests.conftest import SAMPLES
from tests.test_eval_metrics import row

ROWS_CAP = "Result sets downloaded in the web UI are capped at 1 million rows; the API export endpoint allows up to 10 GB per export."
COLUMNS = "Maximum of 4,096 columns per table."


def test_first_sentence_skips_framing_and_verdicts():
    text = f"{VERDICT_TEXT['supported']}\n{EXPLAIN}\n\u201c{ROWS_CAP}\u201d [2]\n\u201c{COLUMNS}\u201d [1]\n{EXPERT_OFFER}"
    assert first_answer_sentence(text) == ROWS_CAP
    assert first_answer_sentence(f"{EXPLAIN}\n{EXPERT_OFFER}") is None


def test_first_sentence_answers_only_when_the_lead_quote_is_labelled():
    leads = row(
        answer=f"{EXPLAIN}\n\u201c{ROWS_CAP}\u201d [1]\n\u201c{COLUMNS}\u201d [2]",
        answer_sentences=[ROWS_CAP],
    )
    buried = row(
        answer=f"{EXPLAIN}\n\u201c{COLUMNS}\u201d [2]\n\u201c{ROWS_CAP}\u201d [1]",
        answer_sentences=[ROWS_CAP],
    )
    assert first_sentence_answers(leads) is True
    assert first_sentence_answers(buried) is False
    # Not scored: handed off, no labels, unanswerable.
    assert first_sentence_answers(row(handoff=True, answer=ROWS_CAP, answer_sentences=[ROWS_CAP])) is None
    assert first_sentence_answers(row(answer=ROWS_CAP)) is None
    assert first_sentence_answers(row(answerable=False, answer=ROWS_CAP, answer_sentences=[ROWS_CAP])) is None
    summary = summarize([leads, buried, row(answer=ROWS_CAP)])
    assert summary["first_sentence_answers"] == 0.5
    assert summary["n_first_sentence_scored"] == 2


def test_answered_and_correct_needs_a_gold_document_cited_first():
    right = row(gold=["a.md"], cited=["a.md", "b.md"])
    second = row(gold=["a.md"], cited=["b.md", "a.md"])
    handed = row(gold=["a.md"], cited=["a.md"], handoff=True)
    assert [answered_correctly(r) for r in (right, second, handed)] == [True, False, False]
    unanswerable = row(answerable=False, cited=["a.md"])  # not in the denominator
    assert summarize([right, second, handed, unanswerable])["answered_and_correct"] == pytest.approx(
        1 / 3, abs=1e-4
    )


def test_confidence_auc_ranks_correct_drafts_above_the_rest():
    good = [row(gold=["a.md"], draft_cited=["a.md"], confidence=c) for c in (0.9, 0.8)]
    wrong_source = row(gold=["a.md"], draft_cited=["b.md"], confidence=0.85)
    unanswerable = row(answerable=False, draft_cited=["a.md"], confidence=0.2)
    # Positives 0.9, 0.8 against negatives 0.85, 0.2: 3 of 4 pairs ordered right.
    assert confidence_auc([*good, wrong_source, unanswerable]) == 0.75
    assert confidence_auc(good) is None  # one class only
    assert roc_auc([0.5, 0.5], [True, False]) == 0.5  # a tie counts a half


def test_reliability_bins_confidence_against_correct_answers():
    rows = [
        row(gold=["a.md"], draft_cited=["a.md"], confidence=0.95),
        row(gold=["a.md"], draft_cited=["b.md"], confidence=0.91),
        row(answerable=False, confidence=0.05),
        row(gold=["a.md"], draft_cited=["a.md"], confidence=1.0),  # the top bin holds 1.0
    ]
    table = reliability(rows, bins=10)
    assert len(table) == 10
    assert (table[0]["n"], table[0]["correct_rate"]) == (1, 0.0)
    assert table[9]["n"] == 3
    assert table[9]["correct_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert all(b["n"] == 0 and b["correct_rate"] is None for b in table[1:9])


def test_by_split_keeps_dev_and_test_apart():
    rows = [
        row(split="dev", gold=["a.md"], cited=["a.md"]),
        row(split="test", gold=["a.md"], cited=["b.md"]),
        row(split="test", gold=["a.md"], cited=["a.md"]),
    ]
    splits = by_split(rows)
    assert splits["dev"]["answered_and_correct"] == 1.0
    assert splits["test"]["answered_and_correct"] == 0.5
    assert splits["test"]["n"] == 2


def test_labelled_sets_and_question_splits():
    assert set_name_of(SAMPLES) == "sample"
    assert set_name_of("/data/samsung-s10/kb") == "samsung-s10"
    labels = answering_sentences("sample")
    assert ROWS_CAP in labels["qm-078"]["query-engine.md"]  # the question of the issue
    assert question_split("sample", "qm-078", ["query-engine.md"]) == split_of("sample", "query-engine.md")
    # Without gold documents (unanswerable, probes) by the bare id: a probe keeps its question's split.
    assert question_split("samsung-s10", "probe:qm-001", []) == question_split("sample", "qm-001", [])
