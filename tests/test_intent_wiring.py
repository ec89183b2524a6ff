"""Which intent classifier the composition root picks, and the CLI commands that expose it."""

from __future__ import annotations

import json
import subprocess
import sys

from assistant.intent_llm import LLMIntentClassifier
from assistant.intent_model import LogRegIntentClassifier
from assistant.intents import KeywordIntentClassifier
from assistant.settings import Settings
from assistant.wiring import build_intent_classifier
from tests.conftest import REPO


class NoEmbedder:
    dimension = 384
    name = "unused"

    def embed(self, texts):
        raise AssertionError("choosing a classifier must not embed anything")


def test_the_trained_model_is_the_default():
    classifier = build_intent_classifier(Settings(), NoEmbedder())
    assert isinstance(classifier, LogRegIntentClassifier)
    assert classifier.name == "logreg-minilm-words-v1"


def test_without_the_model_file_the_keyword_placeholder_answers(tmp_path):
    classifier = build_intent_classifier(Settings(), NoEmbedder(), model_path=tmp_path / "missing.json")
    assert isinstance(classifier, KeywordIntentClassifier)


def test_the_llm_classifier_needs_both_the_setting_and_an_llm():
    assert isinstance(
        build_intent_classifier(
            Settings(intent_classifier="llm", openai_base_url=None, openai_api_key=None), NoEmbedder()
        ),
        LogRegIntentClassifier,
    )
    configured = Settings(intent_classifier="llm", openai_base_url="http://127.0.0.1:9/v1", llm_model="m")
    classifier = build_intent_classifier(configured, NoEmbedder())
    assert isinstance(classifier, LLMIntentClassifier)
    assert isinstance(classifier.fallback, LogRegIntentClassifier)
    assert isinstance(
        build_intent_classifier(Settings(intent_classifier="keywords"), NoEmbedder()), KeywordIntentClassifier
    )


def lastmile(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )


def test_classify_prints_probabilities_and_flags_as_json(tmp_path):
    result = lastmile("classify", "Do you support SAML single sign-on?", "--json", "--home", str(tmp_path))
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["labels"] == ["confirmation"]
    assert set(payload["probabilities"]) == {"clarification", "confirmation", "confidence"}
    assert (payload["wants_human"], payload["out_of_scope"]) == (False, False)
    assert payload["classifier"] == "logreg-minilm-words-v1"


def test_eval_intents_prints_per_label_scores_and_macro_f1(tmp_path):
    result = lastmile("eval-intents", "--split", "dev", "--json", "--home", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["split"] == "dev"
    assert set(report["labels"]) == {
        "clarification",
        "confirmation",
        "confidence",
        "wants_human",
        "out_of_scope",
    }
    assert set(report["labels"]["confidence"]) == {"precision", "recall", "f1", "support"}
    assert 0.85 <= report["macro_f1"] <= 1.0
