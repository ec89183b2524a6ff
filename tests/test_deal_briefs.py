"""Deal briefs: extraction measured on the team's scripted conversations (held-back test split), every item
citing a buyer message verbatim, briefs kept current and stored, and an account's committee built up
across buyers. Real SQLite, the real intent model on real embeddings."""

from __future__ import annotations

import pytest

from assistant.deals.brief import EXTRACTOR_VERSION, DealBriefs, build_brief
from assistant.deals.contacts import ContactBook
from assistant.deals.types import ClaimVerdict, Readiness, Signal, Stance, Topic, brief_from_dict
from assistant.storage.conversations import ConversationStore
from assistant.storage.deal_tables import DealBriefRow
from evals.deal_briefs import BATCHES, evaluate, load
from tests.deal_support import CONSENT, open_database, store_turn

PRECISION_FLOOR = 0.9  # the issue's bar for stakeholders and concerns on the held-back split
CONCERN_FLOOR = 0.8  # a regression floor: measured 0.83 on the test split (metrics.json), below the bar


@pytest.fixture(scope="module")
def test_split_score(embedder):
    from assistant.intent_model import DEFAULT_MODEL_PATH, LogRegIntentClassifier

    score = evaluate(
        load("test"), LogRegIntentClassifier.load(DEFAULT_MODEL_PATH, embedder), keep_errors=False
    )
    print("deal brief extraction on the test split:", score.as_dict())  # figures in the -s / -ra output
    return score.as_dict()


def test_dataset_is_big_enough_and_split_by_id():
    rows, dev, test = load(), load("dev"), load("test")
    assert len(rows) >= 40
    assert {r["id"] for r in dev}.isdisjoint({r["id"] for r in test})
    assert len(dev) + len(test) == len(rows)
    assert min(len(dev), len(test)) >= 0.3 * len(rows)
    # The eval scores each batch BATCHES names: a batch added to the data but not there would go unscored.
    assert {r.get("batch", 1) for r in rows} == set(BATCHES)


def test_stakeholder_precision_on_the_test_split(test_split_score):
    assert test_split_score["stakeholders"]["precision"] >= PRECISION_FLOOR
    assert test_split_score["stakeholders"]["expected"] >= 30


@pytest.mark.xfail(
    strict=True,
    reason="not met: concern precision on the held-back split is 0.83 (40 of 48, recall 0.40 of 100), below "
    "the issue's 0.9, after a label review, batch 5 and batch 6 (written blind to the rules); "
    "see evals/data/deal_briefs/README.md. Strict: this starts failing the day the bar is reached.",
)
def test_concern_precision_meets_the_issue_bar(test_split_score):
    assert test_split_score["concerns"]["precision"] >= PRECISION_FLOOR


def test_concern_precision_does_not_regress(test_split_score):
    assert test_split_score["concerns"]["precision"] >= CONCERN_FLOOR
    assert test_split_score["concerns"]["expected"] >= 30


def test_claims_are_read_exactly_from_the_verdicts(test_split_score):
    claims = test_split_score["claims"]
    assert (claims["precision"], claims["recall"]) == (1.0, 1.0)


def test_readiness_is_mostly_right_on_the_test_split(test_split_score):
    # measured 0.74 on 109 conversations (0.77 on 87 before batch 6): evals/data/deal_briefs/metrics.json
    assert test_split_score["readiness_accuracy"] >= 0.7


def _security_conversation(database, conversations=None):
    conversations = conversations or ConversationStore(database)
    conversation = conversations.start()
    ids = [
        store_turn(conversations, conversation, "How does ingestion from Oracle work?"),
        store_turn(
            conversations,
            conversation,
            "Our CISO is worried about key management. Is data encrypted with our own keys?",
            labels=("confirmation", "confidence"),
            claims=[{"text": "Data is encrypted with customer-managed keys", "verdict": "supported"}],
        ),
        store_turn(
            conversations,
            conversation,
            "You have a Canadian region, right? That's mandatory for our regulators.",
            labels=("confirmation",),
            verdict="contradicted",
        ),
        store_turn(
            conversations, conversation, "My CFO loves the notebooks. Can you send a quote for 40 seats?"
        ),
    ]
    return conversation, ids


def test_every_item_cites_a_buyer_message_verbatim(database):
    conversation, ids = _security_conversation(database)
    brief = DealBriefs(database).update(conversation)
    texts = {m.id: m.text for m in ConversationStore(database).messages(conversation) if m.role == "buyer"}
    quoted = [(c.message_id, c.quote) for c in brief.concerns]
    quoted += [(m.message_id, m.quote) for p in brief.stakeholders for m in p.mentions]
    quoted += [
        (e.message_id, e.quote)
        for e in brief.readiness.pulls + brief.readiness.blockers
        if e.signal == Signal.PULL
    ]
    assert quoted
    for message_id, quote in quoted:
        assert quote in texts[message_id]
    assert {c.message_id for c in brief.claims} <= set(ids)


def test_brief_reads_profile_claims_concerns_stakeholders_and_readiness(database):
    conversation, ids = _security_conversation(database)
    brief = DealBriefs(database).brief_for(conversation)
    assert brief.profile.phases == ("clarification", "confirmation", "clarification")
    assert [s.message_id for s in brief.profile.steps] == ids
    assert [(c.verdict, c.message_id) for c in brief.claims] == [
        (ClaimVerdict.CONFIRMED, ids[1]), (ClaimVerdict.CONTRADICTED, ids[2]),
    ]  # fmt: skip
    assert brief.claims[1].text == "You have a Canadian region, right?"  # the question, from the verdict
    assert {(c.topic, c.message_id) for c in brief.concerns} >= {(Topic.SECURITY, ids[1])}
    people = {p.role_key: p for p in brief.stakeholders}
    assert (people["security_leader"].stance, people["finance_leader"].stance) == (
        Stance.SKEPTICAL, Stance.SUPPORTIVE,
    )  # fmt: skip
    assert brief.readiness.level == Readiness.BLOCKED  # a contradicted must-have, though the buyer pulls
    assert [e.signal for e in brief.readiness.hard_blockers] == [Signal.CONTRADICTED_CLAIM]
    assert any(e.signal == Signal.PULL and e.message_id == ids[3] for e in brief.readiness.pulls)


def test_brief_survives_storage_exactly(database):
    conversation, _ids = _security_conversation(database)
    brief = DealBriefs(database).update(conversation)
    assert brief_from_dict(brief.as_dict()) == brief
    assert DealBriefs(database).brief_for(conversation) == brief


def test_stored_brief_is_used_only_while_current(database):
    conversations = ConversationStore(database)
    conversation, _ids = _security_conversation(database, conversations)
    briefs = DealBriefs(database)
    first = briefs.update(conversation)
    store_turn(conversations, conversation, "Our legal team won't sign without a DPA.")  # update hook missed
    current = briefs.brief_for(conversation)
    assert current.through_message_id > first.through_message_id
    assert "legal" in {p.role_key for p in current.stakeholders}
    with database.session() as session:  # a brief from older rules is rebuilt, not served
        row = session.get(DealBriefRow, conversation)
        row.version = EXTRACTOR_VERSION - 1
        row.brief = {"broken": True}
    assert briefs.brief_for(conversation) == current


def test_a_brief_needs_no_storage_and_no_answers():
    from assistant.storage.conversations import MessageView
    from assistant.storage.models import utcnow

    messages = [
        MessageView(1, "buyer", "Our data team is excited. When can we start a pilot?", "", {}, utcnow())
    ]
    brief = build_brief("c", messages)
    assert brief.profile.dominant is None  # no stored intents yet
    assert brief.readiness.level == Readiness.READY
    assert brief.stakeholders[0].stance == Stance.SUPPORTIVE


def test_account_committee_builds_up_across_buyers(database):
    conversations, book, briefs = ConversationStore(database), ContactBook(database), DealBriefs(database)
    first = conversations.start()
    store_turn(conversations, first, "I'm the head of data at Halcyon. Our CISO is skeptical about SSO.")
    book.leave(first, name="Dana White", email="dana@halcyon-freight.example", company="Halcyon Freight",
               consent_text=CONSENT, consented=True)  # fmt: skip
    second = conversations.start()
    store_turn(conversations, second, "Our CISO signed off on the architecture. My CFO wants a fixed price.")
    book.leave(second, name="Ingrid Sale", email="ingrid@halcyon-freight.example", company="",
               consent_text=CONSENT, consented=True)  # fmt: skip
    other = conversations.start()
    store_turn(conversations, other, "Our CTO is keen.")
    book.leave(other, name="Oskar", email="oskar@brightline.example", company="Brightline",
               consent_text=CONSENT, consented=True)  # fmt: skip
    for company in ("Halcyon Freight Ltd", "halcyon-freight.example", "ingrid@halcyon-freight.example"):
        committee = briefs.account_committee(company)
        assert [b.name for b in committee.buyers] == ["Dana White", "Ingrid Sale"]
    members = {m.role_key: m for m in committee.members}
    assert set(members) == {"data_leader", "security_leader", "finance_leader"}
    ciso = members["security_leader"]
    assert ciso.stance == Stance.SUPPORTIVE  # skeptical first, signed off later: the latest stance counts
    assert [m.conversation_id for m in ciso.mentions] == [first, second]
    assert members["data_leader"].buyer_names == ("Dana White",)
    assert committee.companies == ("Halcyon Freight",)
    assert briefs.account_committee("Nobody Inc").buyers == ()


def test_chat_service_turns_feed_the_brief(tmp_path, sample_assistant):
    """The hook point: after real `ChatService.ask` turns, `DealBriefs.update` reads the stored answers."""
    from assistant.service import ChatService
    from assistant.storage.handoffs import HandoffStore

    database = open_database(tmp_path)
    conversations = ConversationStore(database)
    chat = ChatService(
        assistant=sample_assistant, conversations=conversations, handoffs=HandoffStore(database)
    )
    conversation = chat.start()
    chat.ask(conversation, "How does DataPlane ingest data from Kafka?")
    chat.ask(conversation, "Our CISO is worried about security. Is data encrypted at rest?")
    brief = DealBriefs(database).update(conversation)
    buyer_ids = [m.id for m in conversations.messages(conversation) if m.role == "buyer"]
    assert [step.message_id for step in brief.profile.steps] == buyer_ids  # every turn's stored intents read
    assert all(step.label in ("clarification", "confirmation", "confidence") for step in brief.profile.steps)
    assert [(p.role_key, p.stance) for p in brief.stakeholders] == [("security_leader", Stance.SKEPTICAL)]
    assert [(c.topic, c.message_id) for c in brief.concerns] == [(Topic.SECURITY, buyer_ids[1])]
    database.dispose()


def test_a_rep_can_dispute_readiness_and_it_survives_rebuilds(database):
    conversations = ConversationStore(database)
    conversation, _ids = _security_conversation(database, conversations)
    briefs = DealBriefs(database)
    assert briefs.brief_for(conversation).readiness_level == Readiness.BLOCKED
    disputed = briefs.dispute_readiness(
        conversation, rep="rita", level=Readiness.READY, note="the Canadian region ships next month"
    )
    assert disputed.readiness.level == Readiness.BLOCKED  # the rules' signal and its evidence stay visible
    assert (disputed.readiness_level, disputed.dispute.rep) == (Readiness.READY, "rita")
    store_turn(conversations, conversation, "Thanks, talk soon.")
    assert briefs.brief_for(conversation).dispute.note == "the Canadian region ships next month"
    assert briefs.dispute_readiness(conversation, rep="rita", level=None).dispute is None
    with pytest.raises(ValueError, match="rep"):
        briefs.dispute_readiness(conversation, rep=" ", level=Readiness.EXPLORING)


def test_cli_brief_and_account(tmp_path, database):
    from typer.testing import CliRunner

    from ui.cli import app

    conversation, _ids = _security_conversation(database)
    ContactBook(database).leave(
        conversation, name="Ana Ruiz", email="ana@halcyon.example", company="Halcyon", consent_text=CONSENT,
        consented=True,
    )  # fmt: skip
    result = CliRunner().invoke(app, ["buyers", "brief", conversation, "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Readiness: blocked" in result.output
    assert '"You have a Canadian region, right?"' in result.output
    result = CliRunner().invoke(app, ["buyers", "account", "halcyon.example", "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "buyer Ana Ruiz (Halcyon): blocked" in result.output
    assert "CISO: skeptical" in result.output
    missing = CliRunner().invoke(app, ["buyers", "brief", "no-such-conversation", "--home", str(tmp_path)])
    assert missing.exit_code == 2
