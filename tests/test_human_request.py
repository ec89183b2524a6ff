"""A buyer who asks for a person gets one; a question about a person the offer includes is answered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.decision import TurnFacts, decide
from assistant.intents import asks_for_contact
from assistant.outcomes import Outcome, ReasonCode
from assistant.tuning import DEFAULT_TUNING

INTENT_DATA = Path(__file__).resolve().parents[1] / "evals" / "data" / "intents"
QUOTE = (
    "Enterprise includes a named Customer Success Manager (CSM) and a named Technical Account Manager (TAM)."
)


def facts(question: str, *, wants_human: bool = True) -> TurnFacts:
    """A confident, grounded turn whose classifier set the wants_human flag."""
    return TurnFacts(
        question=question,
        wants_human=wants_human,
        out_of_scope=False,
        injection_suspected=False,
        confidence=0.73,
        top_similarity=0.5,
        verdict="supported",
        cited_quotes=[QUOTE],
        unsupported=[],
        unknown_names=[],
    )


def decided(question: str, **kwargs) -> tuple[Outcome, list[ReasonCode]]:
    decision = decide(facts(question, **kwargs), threshold=0.5, tuning=DEFAULT_TUNING)
    return decision.outcome, [reason.code for reason in decision.reasons]


def test_a_question_about_a_named_account_manager_is_answered():
    # dev question qm-110: the learned flag fired, and a correct, cited answer went to a person.
    assert decided("Do we get a named technical account manager?") == (Outcome.ANSWERED, [])


@pytest.mark.parametrize(
    "question",
    [
        "Can I talk to a real person from your sales team please?",
        "Who is my account manager? I'd like to talk to them directly.",
        "can u escalate this to a manager",
        "get me a human",
        "agent please",
        "Could somebody ring me this afternoon?",
    ],
)
def test_a_request_for_a_person_still_goes_to_one(question):
    assert decided(question) == (Outcome.HANDED_OFF, [ReasonCode.HUMAN_REQUESTED])


def test_the_words_alone_hand_nothing_off():
    assert decided("Can someone restore a dropped table?", wants_human=False) == (Outcome.ANSWERED, [])


@pytest.mark.parametrize("split", ["train", "dev"])
def test_every_labelled_request_for_a_person_has_the_words_of_one(split):
    rows = [json.loads(line) for line in (INTENT_DATA / f"{split}.jsonl").read_text().splitlines() if line]
    requests = [row["text"] for row in rows if row["wants_human"]]
    assert requests
    assert [text for text in requests if not asks_for_contact(text)] == []
