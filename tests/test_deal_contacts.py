"""Buyer contacts with consent, and erasure on request, on real SQLite: consent is required and stored with
its time, bad input loses nothing, `forget` anonymises every trace, and no log line carries contact data."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from assistant.deals.brief import DealBriefs
from assistant.deals.contacts import ContactBook, ContactError
from assistant.deals.events import Event
from assistant.deals.redact import REDACTED
from assistant.deals.webhooks import WebhookOutbox
from assistant.outcomes import Reason, ReasonCode
from assistant.storage.conversations import ConversationStore, UnknownConversation
from assistant.storage.handoffs import HandoffStore
from assistant.storage.models import utcnow
from tests.deal_support import CONSENT, store_turn

NAME, EMAIL, COMPANY = "Zelda Quartermaine", "Zelda.Q@Quillfeather.example", "Quillfeather Analytics Ltd"


@pytest.fixture
def conversations(database):
    return ConversationStore(database)


class RecordingSink:
    def __init__(self):
        self.events = []

    def emit(self, event, data, *, conversation_id=""):
        self.events.append((event, data))
        return "delivery-1"


def leave(book, conversation_id, **overrides):
    details = {"name": NAME, "email": EMAIL, "company": COMPANY, "consent_text": CONSENT, "consented": True}
    return book.leave(conversation_id, **(details | overrides))


def test_contact_is_stored_with_its_consent_and_time(database, conversations):
    conversation = conversations.start()
    before = utcnow()
    contact = leave(ContactBook(database), conversation)
    assert contact == ContactBook(database).get(conversation)
    assert (contact.name, contact.email, contact.company) == (NAME, EMAIL.lower(), COMPANY)
    assert contact.consent_text == CONSENT
    assert before <= contact.consented_at <= utcnow()
    assert contact.account == "quillfeatheranalytics"


def test_no_consent_means_nothing_is_stored(database, conversations):
    conversation = conversations.start()
    book = ContactBook(database)
    with pytest.raises(ContactError, match="consent"):
        leave(book, conversation, consented=False)
    with pytest.raises(ContactError, match="consent"):
        leave(book, conversation, consent_text="  ")
    assert book.get(conversation) is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("email", "not-an-address", "e-mail"), ("name", "", "name"), ("name", "x" * 201, "name")],
)
def test_bad_details_are_refused_and_the_previous_ones_kept(database, conversations, field, value, message):
    conversation = conversations.start()
    book = ContactBook(database)
    first = leave(book, conversation)
    with pytest.raises(ContactError, match=message):
        leave(book, conversation, **{field: value})
    assert book.get(conversation) == first


def test_unknown_conversation_is_refused(database):
    with pytest.raises(UnknownConversation):
        leave(ContactBook(database), "no-such-conversation")


def test_leaving_details_again_replaces_them_and_emits_contact_left(database, conversations):
    conversation = conversations.start()
    sink = RecordingSink()
    book = ContactBook(database, events=sink)
    leave(book, conversation)
    leave(book, conversation, company="Other Corp", email="zelda@other.example")
    assert book.get(conversation).company == "Other Corp"
    assert len(book.all()) == 1
    assert [event for event, _data in sink.events] == [Event.CONTACT_LEFT, Event.CONTACT_LEFT]
    data = sink.events[-1][1]
    assert data["contact"]["email"] == "zelda@other.example"
    assert data["consent"]["text"] == CONSENT
    assert conversation not in str(data)  # the conversation id is the buyer's token: only its digest leaves


def test_contact_can_carry_company_size_and_industry(database, conversations):
    from assistant.deals.attribution import Attributions

    conversation = conversations.start()
    leave(ContactBook(database), conversation, company_size="320", industry="  Financial Services ")
    segment = Attributions(database).get(conversation)
    assert (segment.company_size, segment.industry) == ("250-999", "financial services")


def _conversation_with_traces(database, conversations):
    """A buyer who typed their details, left them with consent, was handed off and got a webhook event."""
    conversation = conversations.start()
    store_turn(conversations, conversation, "Does DataPlane support SSO with Okta?", verdict="supported")
    store_turn(
        conversations,
        conversation,
        f"I'm Zelda Quartermaine, CISO at Quillfeather; write to {EMAIL.lower()}. Our CFO is worried about cost.",
        labels=("confidence",),
        claims=[{"text": "Quillfeather can keep data in the EU", "verdict": "not_documented"}],
        handoff=True,
    )
    handoff_id = HandoffStore(database).open(
        conversation_id=conversation,
        question=f"Zelda from Quillfeather asks (mail {EMAIL})",
        reasons=[Reason(ReasonCode.NO_EVIDENCE, "test")],
        intents={},
        sources=[],
        draft="",
        draft_citations=[],
        knowledge_gap=True,
        confidence=0.2,
    )
    leave(ContactBook(database), conversation)
    DealBriefs(database).update(conversation)
    WebhookOutbox(database).add(Event.CONTACT_LEFT, {"email": EMAIL.lower()}, conversation_id=conversation)
    return conversation, handoff_id


def test_forget_anonymises_the_conversation_and_keeps_nothing_else(database, conversations):
    conversation, handoff_id = _conversation_with_traces(database, conversations)
    other = conversations.start()
    store_turn(conversations, other, "Zelda is a great name for a product. How do notebooks work?")
    erasure = ContactBook(database).forget(EMAIL.upper())
    assert (erasure.contacts, erasure.conversations, erasure.briefs, erasure.deliveries) == (1, 1, 1, 1)
    assert ContactBook(database).get(conversation) is None
    assert WebhookOutbox(database).list() == []
    stored = repr(conversations.messages(conversation)) + repr(HandoffStore(database).get(handoff_id))
    for secret in ("Zelda", "Quartermaine", "Quillfeather", "zelda.q", "quillfeather.example"):
        assert secret.lower() not in stored.lower()
    assert REDACTED in stored
    assert "Our CFO is worried about cost." in stored  # what is not contact data stays
    brief = DealBriefs(database).brief_for(conversation)  # rebuilt from the anonymised transcript
    assert brief.account == ""
    assert "zelda" not in repr(brief).lower()
    assert conversations.messages(other)[0].text.startswith("Zelda is a great name")  # another buyer's words


def test_forget_finds_an_address_only_typed_in_the_chat(database, conversations):
    conversation = conversations.start()
    store_turn(conversations, conversation, "Please reply to jo.bloggs@northwind.example about pricing.")
    erasure = ContactBook(database).forget("jo.bloggs@northwind.example")
    assert (erasure.contacts, erasure.conversations, erasure.messages) == (0, 1, 1)
    assert conversations.messages(conversation)[0].text == f"Please reply to {REDACTED} about pricing."


def test_no_contact_data_reaches_the_logs(database, conversations, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, every level
    conversation, _handoff = _conversation_with_traces(database, conversations)
    ContactBook(database).forget(EMAIL)
    messages = [r.getMessage() for r in caplog.records]
    assert any("contact left" in m for m in messages)
    assert any("erased a buyer" in m for m in messages)
    text = "\n".join(messages)
    for secret in ("Zelda", "Quartermaine", "Quillfeather", EMAIL.lower(), conversation):
        assert secret.lower() not in text.lower()


def test_cli_forget(tmp_path, database, conversations):
    from ui.cli import app

    conversation, _handoff = _conversation_with_traces(database, conversations)
    result = CliRunner().invoke(app, ["buyers", "forget", EMAIL, "--home", str(tmp_path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "1 contact(s) removed, 1 conversation(s) anonymised" in result.output
    assert EMAIL.lower() not in result.output.lower()
    assert ContactBook(database).get(conversation) is None
    bad = CliRunner().invoke(app, ["buyers", "forget", "nonsense", "--home", str(tmp_path), "--yes"])
    assert bad.exit_code == 2
    assert "not an e-mail" in bad.output
