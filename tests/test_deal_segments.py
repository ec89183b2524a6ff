"""Segments on real SQLite: where conversations came from is recorded once, and the insights query gives
answered, handed-off, contact-left and rep-resolved rates per segment and per landing page, with counts,
95% Wilson intervals (checked against SciPy's), and the top undocumented claims."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest

from assistant.deals.attribution import Attribution, Attributions, attribution_from, size_band
from assistant.deals.contacts import ContactBook
from assistant.deals.segments import NO_VALUE, page_report, segment_report, wilson
from assistant.storage.conversations import ConversationStore
from assistant.storage.handoffs import HandoffStore
from tests.deal_support import CONSENT, store_turn


def test_attribution_keeps_the_page_without_its_query_and_the_referrer_host():
    seen = attribution_from(
        landing_url="https://Quarrymark.example/pricing?utm_source=linkedin&utm_campaign=q3-cfo&email=a@b.example#x",
        referrer_url="https://www.google.com/search?q=zelda+quartermaine",
    )
    assert seen.landing_page == "https://quarrymark.example/pricing"
    assert seen.referrer == "google.com"
    assert (seen.utm_source, seen.utm_campaign, seen.utm_medium) == ("linkedin", "q3-cfo", "")
    explicit = attribution_from(
        landing_url="https://q.example/?utm_source=x", utm={"utm_source": "newsletter"}
    )
    assert explicit.utm_source == "newsletter"


@pytest.mark.parametrize(
    ("given", "band"),
    [("12", "1-49"), ("60", "50-249"), ("200-500", "50-249"), ("5k", "5000+"), ("10,000+", "5000+"),
     ("250-999", "250-999"), ("lots", ""), ("", "")],
)  # fmt: skip
def test_company_size_bands(given, band):
    assert size_band(given) == band


def test_first_touch_wins(database):
    conversation = ConversationStore(database).start()
    store = Attributions(database)
    store.record(conversation, Attribution(landing_page="https://q.example/a", utm_source="google"))
    store.record(
        conversation, Attribution(landing_page="https://q.example/b", utm_source="bing", industry="Retail")
    )
    seen = store.get(conversation)
    assert (seen.landing_page, seen.utm_source, seen.industry) == ("https://q.example/a", "google", "retail")


@pytest.mark.parametrize(("k", "n"), [(0, 7), (3, 7), (7, 7), (1, 1), (81, 263)])
def test_wilson_interval_matches_scipy(k, n):
    ours = wilson(k, n)
    theirs = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert ours.low == pytest.approx(theirs.low, abs=1e-6)
    assert ours.high == pytest.approx(theirs.high, abs=1e-6)
    assert ours.value == k / n


def test_no_trials_gives_the_whole_interval():
    empty = wilson(0, 0)
    assert (empty.value, empty.low, empty.high) == (None, 0.0, 1.0)


def _conversation(database, source, page, *, handoff=False, resolved=False, contact=False, claim=None):
    conversations = ConversationStore(database)
    conversation = conversations.start()
    Attributions(database).record(conversation, Attribution(landing_page=page, utm_source=source))
    store_turn(conversations, conversation, "How do notebooks work?")
    if claim:
        store_turn(conversations, conversation, claim + "?", verdict="not_documented", handoff=True)
    if handoff:
        handoffs = HandoffStore(database)
        handoff_id = handoffs.open(
            conversation_id=conversation, question="q", reasons=[], intents={}, sources=[], draft="",
            draft_citations=[], knowledge_gap=False, confidence=0.1,
        )  # fmt: skip
        if resolved:
            handoffs.claim(handoff_id, "rita")
            handoffs.resolve(handoff_id, "rita")
    if contact:
        ContactBook(database).leave(
            conversation, name="A Buyer", email=f"{conversation[:6].lower()}@acme.example", consent_text=CONSENT,
            consented=True,
        )  # fmt: skip
    return conversation


def test_rates_per_segment_with_counts_and_intervals(database):
    pricing, docs = "https://q.example/pricing", "https://q.example/docs"
    _conversation(
        database, "linkedin", pricing, handoff=True, resolved=True, contact=True, claim="Can we pay yearly"
    )
    _conversation(database, "linkedin", pricing, handoff=True, claim="can we pay yearly")
    _conversation(database, "linkedin", docs, contact=True, claim="Is there a Sage connector")
    _conversation(database, "google", docs)
    ConversationStore(database).start()  # opened, never attributed
    rows = {row.segment: row for row in segment_report(database, by="utm_source")}
    assert list(rows) == ["linkedin", NO_VALUE, "google"]  # most conversations first, then by name
    linkedin = rows["linkedin"]
    assert linkedin.conversations == 3
    assert (linkedin.handed_off.successes, linkedin.handed_off.trials) == (2, 3)
    assert (linkedin.contact_left.successes, linkedin.contact_left.trials) == (2, 3)
    assert (linkedin.rep_resolved.successes, linkedin.rep_resolved.trials) == (1, 2)
    assert (linkedin.answered.successes, linkedin.answered.trials) == (
        3,
        6,
    )  # 3 how-answers, 3 handed-off turns
    assert linkedin.handed_off.low < 2 / 3 < linkedin.handed_off.high
    assert [(c.text, c.count) for c in linkedin.top_undocumented] == [
        ("Can we pay yearly?", 2), ("Is there a Sage connector?", 1),
    ]  # fmt: skip
    google = rows["google"]
    assert (google.handed_off.successes, google.handed_off.trials, google.rep_resolved.trials) == (0, 1, 0)
    assert google.top_undocumented == ()
    pages = {row.segment: row.conversations for row in page_report(database)}
    assert pages == {pricing: 2, docs: 2, NO_VALUE: 1}


def test_unknown_dimension_is_refused(database):
    with pytest.raises(ValueError, match="segment by one of"):
        segment_report(database, by="email")
