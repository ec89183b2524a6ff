"""The concern rules' exclusions, one sentence each: a negated reassuring word, a person's temperament, "risk"
naming a business function and "won't" said of a thing are no worry; a demand phrased with "no" still is; a
worried clause that names its own topic does not lend it the other clause's."""

from __future__ import annotations

import pytest

from assistant.deals.concerns import turn_concerns
from assistant.deals.turns import BuyerTurn
from assistant.deals.types import Topic


def topics(text: str) -> list[Topic]:
    return [concern.topic for concern in turn_concerns(BuyerTurn(1, text))]


@pytest.mark.parametrize(
    "text",
    [
        "We never had problems with uptime on our current platform. How do backups work?",
        "No problem with the price. Can we pay yearly?",
        "Don't worry about the billing side, finance handles it.",
        "That won't affect our pricing tier, right?",
        "Our managing partner is very risk averse, he will want to know who can restore a backup.",
        "We run risk analytics on Oracle. How does the connector sync?",
        "Have you had any outages this year?",
        "I can't find the pricing page, where is it?",
        "I'm not sure where the Security and Compliance page is on your site.",
    ],
)
def test_no_concern(text):
    assert topics(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My CFO wants a fixed annual price, no usage surprises.", [Topic.PRICING]),
        ("Our CISO won't approve a vendor without SSO.", [Topic.SECURITY]),
        ("We had issues with downtime during our last migration.", [Topic.MIGRATION, Topic.RELIABILITY]),
        ("Is there a risk of data loss during failover?", [Topic.RELIABILITY]),
        # The worry's own clause names its topic: the regulators are context, not a second concern.
        (
            "We had a serious outage at quarter end and the regulators asked questions.",
            [Topic.RELIABILITY],
        ),
        ("No connector would be a deal-breaker, we are not going back to CSV exports.", [Topic.INTEGRATION]),
        ("Being stuck with a vendor is the one thing our board will not accept again.", [Topic.VENDOR]),
    ],
)
def test_concern(text, expected):
    assert sorted(topics(text)) == sorted(expected)
