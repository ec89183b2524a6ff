"""The concern rules, one sentence each: a negated reassuring word, a person's temperament, "risk" naming a
business function or a document and "won't" said of a thing are no worry; a demand phrased with "no" still is; a
worried clause that names its own topic does not lend it the other clause's; worries told in other words (a
fine, a sync that falls over, a failure nobody noticed, ...) are concerns."""

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
        # A negated worry with a filler between: "isn't really a worry".
        "Performance isn't really a worry for us, our largest table is about 40 million rows.",
        # A risk register is a document.
        "Quick question about your risk register: is it part of the SOC 2 report or separate?",
        # Spending time is not spending money; no worry, no concern.
        "I spend a day a week on reporting. Is there a scheduler?",
        # A sync, a maintenance window or a stopped feed named without a worry.
        "How often does the HubSpot sync run, and when is your maintenance window?",
        "Can we get an alert within minutes if data stops arriving?",
        # Asking for a figure is not doubting one; the buyer's size is not the product's performance.
        "If the primary region went down overnight, what's the realistic time to restore service?",
        "What does support look like for a team at our scale, is there a named engineer?",
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
        # A second word is negated only if it is a filler: "can't take that risk" is still a worry.
        ("If card data leaks, that's the end of us. I can't take that risk.", [Topic.SECURITY]),
        # Told in other words: a fine, a requirement set for a regulator, a sync that falls over (time spent
        # fixing it is no price), a failure nobody noticed, people who stopped filing tickets, something they
        # cannot be without, running their own cluster.
        ("Our regulator fined a peer bank over records kept outside the EU.", [Topic.COMPLIANCE]),
        ("We need to keep claims data for ten years for the regulator.", [Topic.COMPLIANCE]),
        (
            "Every time we add a field, the current sync falls over and someone spends a day fixing it.",
            [Topic.INTEGRATION],
        ),
        ("When the old feed stopped collecting over a long weekend, nobody noticed.", [Topic.RELIABILITY]),
        (
            "Our vendor closes every ticket with a canned reply, so our engineers have stopped filing them.",
            [Topic.SUPPORT],
        ),
        (
            "Our clinics can't be without their morning reports; if the overnight load fails, the day starts blind.",
            [Topic.RELIABILITY],
        ),
        (
            "Running our own cluster last year ate half our time and I won't go back to that.",
            [Topic.IMPLEMENTATION],
        ),
        # Batch 6 (dev): worries told as feeling or consequence, a project told by how long it dragged.
        (
            "Your onboarding plan says six weeks. Is that realistic for a team of three?",
            [Topic.IMPLEMENTATION],
        ),
        (
            "Our order feeds can't go dark during the cutover, not for an hour.",
            [Topic.MIGRATION, Topic.RELIABILITY],
        ),
        ("Our sites can't be down on a Monday morning, we lose real money.", [Topic.RELIABILITY]),
        ("We're fed up with a support line that closes tickets unanswered.", [Topic.SUPPORT]),
        ("The last tool took two years to roll out and nobody uses it.", [Topic.IMPLEMENTATION]),
        ("Our finance lead thinks we're overpaying for the current warehouse licence.", [Topic.PRICING]),
        ("We were cited for weak retention controls at our last inspection.", [Topic.COMPLIANCE]),
        ("We were let down by a vendor's roadmap once, the feature never shipped.", [Topic.VENDOR]),
        (
            "That's a non-starter: a leaver keeping access is a security incident waiting to happen.",
            [Topic.SECURITY],
        ),
        ("Our last platform was so managed that we ended up patching it ourselves.", [Topic.IMPLEMENTATION]),
    ],
)
def test_concern(text, expected):
    assert sorted(topics(text)) == sorted(expected)
