"""With `answer_first` (the default), offline answers lead with the sentence most likely to answer and never quote the
same thing twice."""

from __future__ import annotations

from itertools import combinations

import pytest

from assistant.extractive import TOP_PASSAGE_PRIOR, _same_thing
from assistant.settings import Settings
from assistant.wiring import build_assistant


@pytest.fixture(scope="module")
def answer_first(sample_kb, tmp_path_factory):
    settings = Settings(home=tmp_path_factory.mktemp("answer-first"))  # on by default
    return build_assistant(settings, kb=sample_kb)


@pytest.mark.parametrize(
    "question",
    [
        "Is DataPlane SOC 2 certified?",  # the FAQ row and the security page both say SOC 2 Type II
        "What uptime do you commit to?",  # the FAQ row and the SLA document both give the figures
    ],
)
def test_no_two_quotes_say_the_same_thing(answer_first, question):
    answer = answer_first.ask(question)
    quotes = [citation.quote for citation in answer.draft_citations]  # composed, whether sent or handed off
    assert quotes, answer.text
    assert len(quotes) <= 3, "the direct sentence and at most two supporting quotes"
    for first, second in combinations(quotes, 2):
        assert not _same_thing(first, second), (first, second)


def test_the_first_quote_is_the_best_scored_answer(answer_first):
    answer = answer_first.ask("Which identity providers can we use for single sign-on?")
    scored = [e for e in answer.trace.evidence if e.answers is not None]
    assert scored, "the evidence scorer ran"
    best = max(scored, key=lambda e: e.answers + TOP_PASSAGE_PRIOR * (e.position == 1))
    assert answer.citations[0].quote == best.sentence
