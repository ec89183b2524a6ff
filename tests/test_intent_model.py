"""The trained intent model without the embedder: features, decision rule, artifact, determinism."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.intent_model import (
    DEFAULT_MODEL_PATH,
    IntentModel,
    LogRegIntentClassifier,
    TrainParams,
    WordFeatures,
    fit_intent_model,
    tune_threshold,
)
from assistant.intents import MODEL_LABELS, decide_intents

TEXTS = [
    "How does the connector handle schema changes?",
    "SSO is included in the Growth plan, right?",
    "what am I missing here? the numbers look too good",
    "Do you support SAML? How is it configured?",
    "get me a human",
    "thanks",
    "is the warranty 2 years including parts?",
    "how do you price it, per seat or per machine?",
    "has anyone our size done this? I'm nervous",
    "what's the weather in Paris",
] * 3
TARGETS = np.array(
    [
        [1, 0, 0, 0, 0],
        [0, 1, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [1, 1, 0, 0, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 0, 1],
        [0, 1, 0, 0, 0],
        [1, 0, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 0, 1],
    ]
    * 3
)
THRESHOLDS = dict.fromkeys(MODEL_LABELS, 0.5)


def unit_vectors(n: int, seed: int = 7) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, 384)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def small_model() -> IntentModel:
    vectors = unit_vectors(len(TEXTS))
    return fit_intent_model(
        TEXTS, vectors, TARGETS, (TEXTS, vectors, TARGETS), params=TrainParams(max_words=50)
    )


def test_word_features_equal_scikit_learns_tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(token_pattern=WordFeatures.TOKEN.pattern, ngram_range=(1, 2), sublinear_tf=True)
    tfidf.fit(TEXTS)
    vocabulary = sorted(tfidf.vocabulary_, key=tfidf.vocabulary_.__getitem__)
    words = WordFeatures(vocabulary, list(tfidf.idf_), ngram_max=2, scale=1.0)
    for text in ["How does SSO work? is SSO included?", "thanks thanks THANKS", "nothing known at all"]:
        expected = tfidf.transform([text]).toarray()[0]
        np.testing.assert_allclose(words.transform(text), expected, atol=1e-12)


def test_training_is_deterministic(tmp_path):
    first, second = small_model(), small_model()
    first.save(tmp_path / "a.json")
    second.save(tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_saved_model_scores_as_the_fitted_one(tmp_path):
    model = small_model()
    model.save(tmp_path / "intents.json")
    loaded = IntentModel.load(tmp_path / "intents.json")
    vector = unit_vectors(1, seed=3)[0]
    for text in ("is SSO included?", "hello there"):
        assert loaded.probabilities(text, vector) == pytest.approx(
            model.probabilities(text, vector), abs=1e-9
        )


def test_shipped_model_is_plain_json_with_thresholds_hash_and_metrics():
    data = json.loads(DEFAULT_MODEL_PATH.read_text())  # JSON: loading it runs no code, unlike a pickle
    assert data["labels"] == list(MODEL_LABELS)
    assert np.asarray(data["coef"]).shape == (5, 384 + len(data["words"]["vocabulary"]))
    assert set(data["thresholds"]) == set(MODEL_LABELS)
    assert all(0 < t < 1 for t in data["thresholds"].values())
    assert len(data["meta"]["training_data_sha256"]) == 64
    assert data["meta"]["metrics"]["test"]["macro_f1"] >= 0.85
    assert DEFAULT_MODEL_PATH.stat().st_size < 200_000


def test_a_vector_of_the_wrong_size_is_refused():
    classifier = LogRegIntentClassifier(small_model())
    with pytest.raises(ValueError, match="384-d"):
        classifier.classify("is SSO included?", np.ones(768, dtype=np.float32))
    with pytest.raises(ValueError, match="no embedder"):
        classifier.classify("is SSO included?")


def test_tuned_threshold_is_the_middle_of_the_best_range():
    probs = np.array([0.1, 0.2, 0.8, 0.9])
    truth = np.array([False, False, True, True])
    assert tune_threshold(probs, truth) == pytest.approx(0.5, abs=0.02)  # any of 0.21..0.80 is perfect


def probabilities(**given: float) -> dict[str, float]:
    return dict.fromkeys(MODEL_LABELS, 0.0) | given


def test_labels_are_those_over_threshold():
    intents = decide_intents(probabilities(clarification=0.9, confirmation=0.6), THRESHOLDS, classifier="t")
    assert intents.labels == ("clarification", "confirmation")


def test_a_product_question_always_gets_its_most_likely_intent():
    intents = decide_intents(probabilities(clarification=0.2, confidence=0.3), THRESHOLDS, classifier="t")
    assert intents.labels == ("confidence",)


def test_out_of_scope_carries_no_intent():
    intents = decide_intents(probabilities(clarification=0.7, out_of_scope=0.9), THRESHOLDS, classifier="t")
    assert intents.out_of_scope
    assert intents.labels == ()


def test_a_bare_request_for_a_person_gets_no_forced_intent():
    intents = decide_intents(probabilities(confirmation=0.3, wants_human=0.9), THRESHOLDS, classifier="t")
    assert intents.wants_human
    assert intents.labels == ()


def test_the_flags_never_hold_together():
    intents = decide_intents(probabilities(wants_human=0.6, out_of_scope=0.9), THRESHOLDS, classifier="t")
    assert (intents.wants_human, intents.out_of_scope) == (False, True)


def test_probabilities_are_clamped_to_the_unit_interval():
    intents = decide_intents(probabilities(clarification=1.7, confirmation=-0.2), THRESHOLDS, classifier="t")
    assert intents.probabilities() == {"clarification": 1.0, "confirmation": 0.0, "confidence": 0.0}
