"""Readiness pull cues, one sentence each: a concrete step towards buying told in other words makes a buyer
ready to talk; a question about the same things does not."""

from __future__ import annotations

import pytest

from assistant.deals.readiness import readiness_of
from assistant.deals.turns import BuyerTurn
from assistant.deals.types import ClaimItem, ClaimVerdict, Readiness


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


@pytest.mark.parametrize(
    "text",
    [
        "Please send me the Enterprise price breakdown for 60 users.",
        "My CFO is happy to sign a two-year contract if the numbers work.",
    ],
)
def test_asking_for_prices_or_signing_is_ready_to_talk(text):
    assert level(text) == Readiness.READY


@pytest.mark.parametrize(
    "text",
    [
        # "trial" and "contract" as plain nouns of the buyer's business are no step towards buying.
        "We're a contract research lab and handle clinical trial data every day.",
        "Our partners send files under strict contracts.",
    ],
)
def test_trial_data_or_a_contract_lab_is_no_step(text):
    assert level(text) == Readiness.EXPLORING


def test_a_no_from_us_blocks():
    assert level("Then it's a no from us for the time being.") == Readiness.BLOCKED


def test_a_step_after_a_blocker_supersedes_it():
    turns = [
        BuyerTurn(1, "Manual deprovisioning is a non-starter for us."),
        BuyerTurn(2, "Fine, quote us Enterprise then."),
    ]
    signal = readiness_of(turns, [], [], [])
    assert signal.level == Readiness.READY
    assert any("non-starter" in item.quote for item in signal.blockers)  # still listed for the rep
    # The other order still blocks: the blocker is the buyer's last word.
    later_blocker = [BuyerTurn(1, turns[1].text), BuyerTurn(2, turns[0].text)]
    assert readiness_of(later_blocker, [], [], []).level == Readiness.BLOCKED


def test_a_contradicted_claim_still_blocks_after_a_step():
    claims = [ClaimItem("You have a Canadian region, right?", ClaimVerdict.CONTRADICTED, 1)]
    turns = [BuyerTurn(1, "You have a Canadian region, right?"), BuyerTurn(2, "Can you send a quote?")]
    assert readiness_of(turns, claims, [], []).level == Readiness.BLOCKED
