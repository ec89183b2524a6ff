"""Stakeholder rules, one sentence each: who is named (a pronoun "it" is no IT team) and the stance their part
of the sentence states."""

from __future__ import annotations

import pytest

from assistant.deals.stakeholders import find_mentions, sentence_mentions
from assistant.deals.types import Stance


@pytest.mark.parametrize(
    ("sentence", "roles"),
    [
        ("We're PCI DSS Level 1 ourselves, our auditors renewed it in March.", []),
        ("Our IT team won't manage users by hand.", ["it_team"]),
        ("our it guys will set it up", ["it_team"]),
        # A product or a page named after a team is not the team; trustees are the board.
        ("Is that the marketing version of the timeline?", []),
        ("We'd load the Marketing Cloud exports from S3.", []),
        ("Our trustees approved the budget.", ["board"]),
        ("Our agronomists and our hotel managers want it.", ["end_users", "end_users"]),
    ],
)
def test_who_is_named(sentence, roles):
    assert [m.role_key for m in find_mentions(sentence)] == roles


@pytest.mark.parametrize(
    "sentence",
    [
        "Our CISO will be glad to hear that.",
        "Our analysts were impressed, the slowest dashboard loaded in two seconds.",
    ],
)
def test_glad_or_impressed_is_supportive(sentence):
    [(_role, mention)] = sentence_mentions(sentence, 1)
    assert mention.stance == Stance.SUPPORTIVE
