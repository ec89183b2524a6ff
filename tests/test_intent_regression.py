"""The shipped intent model on the held-out test split, with the real embedder: no regression allowed.

The committed figure is evals/data/intents/metrics.json (written by `lastmile train-intents`); the test
fails if macro-F1 over the three intents drops more than 0.03 below it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.intent_model import (
    DEFAULT_MODEL_PATH,
    IntentModel,
    LogRegIntentClassifier,
    TrainParams,
    most_frequent_terms,
)
from evals.intents import METRICS_PATH, embed_split, evaluate, train

TOLERANCE = 0.03


@pytest.fixture(scope="module")
def classifier(embedder) -> LogRegIntentClassifier:
    return LogRegIntentClassifier.load(DEFAULT_MODEL_PATH, embedder)


@pytest.fixture(scope="module")
def held_out_report(classifier, embedder) -> dict:
    """The shipped classifier's metrics on the held-out test split."""
    return evaluate(classifier, *embed_split(embedder, "test"))


def test_test_split_macro_f1_holds_the_committed_figure(held_out_report):
    committed = json.loads(METRICS_PATH.read_text())["test"]["macro_f1"]
    assert held_out_report["messages"] >= 180
    assert held_out_report["macro_f1"] >= committed - TOLERANCE, held_out_report
    assert held_out_report["macro_f1"] >= 0.85


def test_a_message_asking_two_things_gets_two_labels(classifier):
    intents = classifier.classify("How does SSO work, and is SAML included in the Growth plan?")
    assert {"clarification", "confirmation"} <= set(intents.labels)


def test_asking_for_a_human_sets_wants_human(classifier):
    intents = classifier.classify("can I talk to a human")
    assert intents.wants_human
    assert not intents.out_of_scope


def test_the_weather_is_out_of_scope(classifier):
    intents = classifier.classify("what's the weather")
    assert intents.out_of_scope
    assert intents.labels == ()


def test_probabilities_are_in_the_unit_interval(classifier, embedder):
    examples, vectors = embed_split(embedder, "dev")
    for example, vector in zip(examples, vectors, strict=True):
        probabilities = classifier.model.probabilities(example.text, vector)
        assert all(0.0 <= p <= 1.0 for p in probabilities.values())


def test_the_pipelines_vector_gives_the_same_answer_as_embedding_the_text(classifier, embedder):
    text = "Is the API rate limit per user? I'm worried we will hit it during month-end."
    given = classifier.classify(text, embedder.embed([text])[0])
    embedded = classifier.classify(text)
    assert given.labels == embedded.labels == ("confirmation", "confidence")
    assert given.probabilities() == pytest.approx(embedded.probabilities(), abs=1e-4)


@pytest.mark.slow
def test_train_intents_rebuilds_the_shipped_model(embedder, tmp_path):
    metrics = train(embedder, out=tmp_path / "intents.json", metrics_out=None)
    rebuilt, shipped = IntentModel.load(tmp_path / "intents.json"), IntentModel.load(DEFAULT_MODEL_PATH)
    assert rebuilt.words.vocabulary == shipped.words.vocabulary
    assert rebuilt.thresholds == shipped.thresholds
    np.testing.assert_allclose(rebuilt.coef, shipped.coef, atol=1e-4)
    assert metrics["test"]["macro_f1"] == pytest.approx(
        json.loads(METRICS_PATH.read_text())["test"]["macro_f1"], abs=0.005
    )


def test_ties_at_the_vocabulary_cut_are_broken_by_the_term_not_by_the_sort():
    # Five terms, each counted twice: the three kept are the alphabetically first, whatever order numpy's
    # sort leaves equal counts in on this CPU.
    texts = ["alpha zulu delta", "alpha zulu delta", "echo bravo", "echo bravo"]
    params = TrainParams(max_words=3, min_df=2, ngram_max=1)
    assert most_frequent_terms(texts, params) == ["alpha", "bravo", "delta"]
