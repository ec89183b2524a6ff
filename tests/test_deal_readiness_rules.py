"""Readiness pull cues, one sentence each: a concrete step towards buying told in other words makes a buyer
ready to talk; a question about the same things does not."""

from __future__ import annotations

import pytest

from assistant.deals.readiness import readiness_of
from assistant.deals.turns import BuyerTurn
from assistant.deals.types import Readiness


def level(text: str) -> Readiness:
    return readiness_of([BuyerTurn(1, text)], [], [], []).level


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, I'll send the questionnaire on Monday.",
        "Our lawyers will review the DPA next.",
        "Let's get a migration assessment on the calendar.",
        "Great, please send pricing for 40 seats.",
        "We'll start with the free tier and see how it goes.",
        "Our plant managers will try it on one line first.",
    ],
)
def test_a_step_towards_buying_is_ready_to_talk(text):
    assert level(text) == Readiness.READY


@pytest.mark.parametrize(
    "text",
    [
        "Is there a free tier for small teams?",
        "What does the DPA cover?",
        "How is pricing calculated for viewers?",
    ],
)
def test_a_question_is_exploring(text):
    assert level(text) == Readiness.EXPLORING
