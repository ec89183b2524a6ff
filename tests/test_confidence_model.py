"""The calibrated confidence model: fitted on dev rows only, replayed decisions, the shipped JSON and its
threshold, and the pipeline's use of it."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from assistant.confidence_model import FEATURES, ConfidenceModel, feature_vector
from assistant.outcomes import Reason, ReasonCode
from assistant.settings import Settings
from evals.confidence_fit import NoRowsToFit, fit, replay
from evals.metrics import correct_draft
from tests.test_eval_metrics import row


def parts(answers: float, coverage: float = 0.5, **extra) -> dict:
    base = {
        "retrieval": 0.6,
        "coverage": coverage,
        "groundedness": 1.0,
        "unknown_names": 0,
        "verdict": None,
        "score": 0.5,
        "answers": answers,
        "answers_cited": answers,
        "agreement": 0.8,
        "intents": {"clarification": 0.9, "confirmation": 0.1, "confidence": 0.1},
        "rule_score": 0.5,
    }
    return {**base, **extra}


def fit_rows(split: str, count: int, *, seed: int) -> list:
    """Rows whose correctness follows the best sentence's P(answers), with a little noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(count):
        answers = float(rng.uniform())
        correct = answers + rng.normal(0, 0.15) > 0.5
        rows.append(
            row(
                id=f"{split}-{index}",
                split=split,
                answerable=bool(correct) or index % 2 == 0,
                gold=["a.md"],
                draft_cited=["a.md"] if correct else ["b.md"],
                cited=["a.md"] if correct else ["b.md"],
                extras={"confidence_parts": parts(answers, coverage=float(rng.uniform()))},
            )
        )
    return rows


def test_feature_vector_reads_every_part_in_order():
    vector = feature_vector(parts(0.7, unknown_names=5, verdict="not_documented", groundedness=None))
    values = dict(zip(FEATURES, vector, strict=True))
    assert values["answers"] == 0.7
    assert values["unknown_names"] == 2, "at most two names count"
    assert values["not_documented"] == 1.0
    assert (values["groundedness"], values["nothing_composed"]) == (0.0, 1.0)
    assert values["clarification"] == 0.9


def test_the_margin_over_the_runner_up_is_a_feature():
    values = dict(zip(FEATURES, feature_vector(parts(0.7, answers_second=0.5)), strict=True))
    assert values["answers_margin"] == pytest.approx(0.2)
    alone = dict(zip(FEATURES, feature_vector(parts(0.7)), strict=True))
    assert alone["answers_margin"] == pytest.approx(0.7), "no runner-up: the whole score is the margin"


def test_fit_learns_what_predicts_a_correct_answer_from_dev_only():
    dev, test = fit_rows("dev", 120, seed=1), fit_rows("test", 60, seed=2)
    model = fit(dev + test)
    assert model.coef[FEATURES.index("answers")] > 0
    assert model.probability(parts(0.9)) > 0.8 > 0.2 > model.probability(parts(0.1))
    assert 0.05 <= model.threshold <= 0.95
    # Test rows change nothing: flip every test label and refit.
    flipped = [replace(t, draft_cited=["b.md"] if correct_draft(t) else ["a.md"]) for t in test]
    again = fit(dev + flipped)
    assert np.array_equal(again.coef, model.coef)
    assert again.threshold == model.threshold
    assert model.meta["dev_rows"] == 120


def test_fit_needs_dev_rows_of_both_kinds():
    with pytest.raises(NoRowsToFit):
        fit(fit_rows("test", 40, seed=3))


def test_replay_sends_the_draft_above_the_threshold_and_holds_below():
    low = Reason(ReasonCode.LOW_CONFIDENCE, "low confidence", by_threshold=True)
    held = row(
        handoff=True,
        confidence=0.3,
        reasons=[low],
        gold=["a.md"],
        draft_cited=["a.md"],
        answer="handed off",
        extras={"draft": "\u201cAnswer.\u201d [1]"},
    )
    sent = replay(held, 0.8, 0.5)
    assert (sent.handoff, sent.cited, sent.answer) == (False, ["a.md"], "\u201cAnswer.\u201d [1]")
    assert replay(held, 0.4, 0.5).handoff
    answered = row(confidence=0.9, gold=["a.md"], cited=["a.md"], draft_cited=["a.md"])
    assert replay(answered, 0.2, 0.5).handoff
    # A reason the threshold does not touch keeps the outcome.
    sensitive = Reason(ReasonCode.SENSITIVE_DECIDED_BY_PEOPLE, "price")
    kept = row(handoff=True, confidence=0.2, reasons=[sensitive])
    assert replay(kept, 0.99, 0.5).handoff


def test_a_fitted_model_round_trips_through_plain_json(tmp_path):
    model = fit(fit_rows("dev", 80, seed=4))
    path = tmp_path / "confidence.json"
    model.save(path)
    data = json.loads(path.read_text())
    assert data["format"] == "lastmile-confidence/1"
    assert data["features"] == list(FEATURES)
    again = ConfidenceModel.load(path)
    assert again.threshold == model.threshold
    assert again.probability(parts(0.7)) == pytest.approx(model.probability(parts(0.7)), abs=1e-6)
    data["features"] = data["features"][:-1]
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="other features"):
        ConfidenceModel.load(path)


def test_the_threshold_is_the_models_unless_set_explicitly():
    from assistant.wiring import handoff_threshold

    model = fit(fit_rows("dev", 80, seed=5))
    model.threshold = 0.37
    assert handoff_threshold(Settings(_env_file=None), model) == 0.37
    assert handoff_threshold(Settings(handoff_threshold=0.42, _env_file=None), model) == 0.42
    assert handoff_threshold(Settings(_env_file=None), None) == Settings(_env_file=None).handoff_threshold


def test_the_pipeline_scores_confidence_with_the_model(sample_kb, tmp_path):
    from assistant.wiring import build_assistant

    question = "How long are access tokens valid?"
    settings = Settings(home=tmp_path, calibrated_confidence=False, _env_file=None)
    assistant = build_assistant(settings, kb=sample_kb)
    plain = assistant.ask(question)
    recorded = plain.trace.confidence
    assert recorded.answers is not None, "the evidence scorer ran"
    assert recorded.answers_second is not None, "the runner-up is recorded: a tie is less sure than a winner"
    assert recorded.answers_second <= recorded.answers
    assert plain.confidence == recorded.rule_score, "without a model, the hand-set formula"

    assistant.confidence_model = fit(fit_rows("dev", 80, seed=6))
    calibrated = assistant.ask(question)
    expected = assistant.confidence_model.probability(calibrated.trace.confidence.as_dict())
    assert calibrated.confidence == pytest.approx(expected, abs=1e-4)
    assert calibrated.confidence != plain.confidence


def test_the_shipped_model_scores_confidence_when_turned_on(sample_kb, tmp_path):
    from assistant.confidence_model import DEFAULT_CONFIDENCE_MODEL
    from assistant.wiring import build_assistant

    settings = Settings(home=tmp_path, calibrated_confidence=True, _env_file=None)
    assistant = build_assistant(settings, kb=sample_kb)
    shipped = ConfidenceModel.load(DEFAULT_CONFIDENCE_MODEL)
    assert assistant.confidence_model is not None
    assert assistant.handoff_threshold == shipped.threshold, "the threshold chosen on dev with it"
    answer = assistant.ask("How long are access tokens valid?")
    assert answer.confidence == pytest.approx(
        shipped.probability(answer.trace.confidence.as_dict()), abs=1e-4
    )
    off = build_assistant(Settings(home=tmp_path, _env_file=None), kb=sample_kb)
    assert off.confidence_model is None, "off by default (docs/answers.md)"
