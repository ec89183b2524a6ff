"""Buyer questions against the bundled sample knowledge base: the right document is cited, or it hands off."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES

# Hand-written buyer questions, each with the phrase that states the answer. The expected documents are
# the sample documents whose text contains that phrase (several documents may state the same fact).
ANSWERABLE = [
    # The FAQ row "Will you sign a HIPAA BAA? Yes, on the Enterprise tier only." states it as well as the
    # documents that spell out "Business Associate Agreement".
    ("Do you sign a BAA for HIPAA workloads, and on which tier?", "BAA"),
    ("What RPO and RTO do you commit to if a whole region goes down?", "RTO"),
    ("Can we deploy DataPlane on our own bare-metal servers on premises?", "bare-metal"),
    ("How many concurrent queries can one workspace run?", "500 concurrent"),
    ("What does the Growth tier cost per month?", "$9,800"),
    ("Is there a free trial of the Starter tier?", "14 days"),
    ("Since which release is Oracle CDC supported?", "Oracle CDC"),
    ("How long did Vellmar Health's Teradata migration take?", "Vellmar"),
    ("What are the REST API rate limits?", "requests per minute"),
    ("What does the QMA migration assistant convert automatically?", "QMA"),
]


@pytest.fixture(scope="module")
def documents_stating():
    from ingest.loaders import load_bytes

    texts = {path.name: load_bytes(path.name, path.read_bytes()).text.lower() for path in SAMPLES.iterdir()}
    return lambda phrase: {name for name, text in texts.items() if phrase.lower() in text}


@pytest.mark.parametrize(("question", "phrase"), ANSWERABLE)
def test_expected_document_is_cited(sample_assistant, documents_stating, question, phrase):
    expected = documents_stating(phrase)
    assert expected, f"no sample document states {phrase!r}: the test data is stale"
    answer = sample_assistant.ask(question)
    assert not answer.handoff, answer.handoff_reasons
    cited = {citation.source for citation in answer.citations}
    assert cited & expected, f"cited {cited}, expected one of {expected}"


@pytest.mark.parametrize(
    "question",
    [
        "Does DataPlane come with a built-in quantum annealing scheduler for our satellite fleet?",
        "Do you have a native connector for Lotus Notes 6 databases?",
    ],
)
def test_question_the_docs_never_mention_hands_off(sample_assistant, question):
    answer = sample_assistant.ask(question)
    assert answer.handoff
    assert answer.handoff_reasons
    assert answer.citations == []


def test_unrelated_request_is_declined_without_citations(sample_assistant):
    answer = sample_assistant.ask("What is the weather going to be in Lisbon tomorrow?")
    assert answer.intents.out_of_scope or answer.handoff
    assert answer.citations == []
    assert "Lisbon" not in answer.text
