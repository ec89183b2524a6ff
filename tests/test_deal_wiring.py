"""Deal intelligence hooked into the services as `assistant/wiring.py` builds them: each `ChatService.ask`
keeps the conversation's brief current, a new handoff, a rep's reply and resolve, and a buyer's contact reach
a real local webhook receiver (signed), contact details need consent and carry the configured consent text,
and where a conversation started from is kept. Real SQLite, the real assistant on real embeddings."""

from __future__ import annotations

import json

import pytest

from assistant.deals.attribution import Attributions
from assistant.deals.webhooks import SIGNATURE_HEADER, verify_signature
from assistant.service import ChatService, ContactError, attribution_from
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore
from assistant.storage.deal_tables import BuyerContact, DealBriefRow
from assistant.storage.handoffs import HandoffStore
from assistant.wiring import build_deal_hooks, build_desk
from tests.deal_support import Receiver

SECRET = "whsec-wiring-3b9e"
CONSENT = "Custom consent: Quarrymark may keep my details with this conversation and call me about it."
UNKNOWN_TOPIC = "Do you ship a native connector for Lotus Notes 6 databases?"
SECURITY = "Our CISO is worried about key management. Is data encrypted at rest?"


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path, receiver):
    return Settings(
        home=tmp_path / "home", webhook_url=receiver.url, webhook_secret=SECRET, contact_consent_text=CONSENT
    )


@pytest.fixture
def wired(settings, database, sample_assistant):
    """The chat service and the rep desk sharing one set of deal hooks, as `build_services` wires them."""
    hooks = build_deal_hooks(settings, database)
    chat = ChatService(
        assistant=sample_assistant,
        conversations=ConversationStore(database),
        handoffs=HandoffStore(database),
        deals=hooks,
    )
    yield chat, build_desk(settings, database=database, deals=hooks), hooks
    hooks.sink.close()


def _stored_brief(database, conversation_id):
    with database.session() as session:
        row = session.get(DealBriefRow, conversation_id)
        return (row.last_message_id, row.brief) if row else None


def test_each_turn_stores_a_current_brief(wired, database):
    chat, _desk, _hooks = wired
    conversation = chat.start()
    assert _stored_brief(database, conversation) is None
    chat.ask(conversation, "How does DataPlane ingest data from Kafka?")
    first_id, _ = _stored_brief(database, conversation)
    assert first_id == chat.transcript(conversation)[-1].id  # stored by the turn itself, not on read
    chat.ask(conversation, SECURITY)
    last_id, brief = _stored_brief(database, conversation)
    assert last_id == chat.transcript(conversation)[-1].id > first_id
    assert [p["role_key"] for p in brief["stakeholders"]] == ["security_leader"]
    assert [c["topic"] for c in brief["concerns"]] == ["security"]


def _events(receiver, hooks):
    hooks.sink.drain()
    return [(r["headers"]["X-Lastmile-Event"], json.loads(r["body"])) for r in receiver.requests]


def test_handoffs_and_a_contact_reach_the_signed_webhook(wired, receiver):
    chat, desk, hooks = wired
    conversation = chat.start()
    turn = chat.ask(conversation, UNKNOWN_TOPIC)
    assert turn.handoff_id is not None
    again = chat.ask(conversation, "And a connector for Lotus Notes 5 databases?")
    assert again.handoff_id in (None, turn.handoff_id)  # joins the open handoff: no second handoff.opened
    chat.leave_contact(
        conversation,
        name="Dana White",
        email="Dana@HalcyonFreight.example",
        company="Halcyon",
        consented=True,
    )
    desk.claim(turn.handoff_id, "rita")
    desk.reply(turn.handoff_id, "rita", "Not natively: export to CSV and use the file connector.")
    desk.resolve(turn.handoff_id, "rita")

    events = _events(receiver, hooks)
    assert [name for name, _ in events] == [
        "handoff.opened",
        "contact.left",
        "handoff.replied",
        "handoff.resolved",
    ]
    for request in receiver.requests:
        assert verify_signature(SECRET, request["body"], request["headers"][SIGNATURE_HEADER])
    opened, left, replied, resolved = (body["data"] for _, body in events)
    assert opened["handoff"]["id"] == turn.handoff_id
    assert opened["contact"] is None
    assert left["contact"]["email"] == "dana@halcyonfreight.example"
    assert left["consent"]["text"] == CONSENT
    assert replied["handoff"]["state"] == "replied"
    assert replied["contact"]["name"] == "Dana White"
    assert resolved["handoff"]["state"] == "resolved"
    assert conversation not in json.dumps([body for _, body in events])  # the bearer id never leaves


def test_asking_for_an_expert_emits_handoff_opened_once(wired, receiver):
    chat, _desk, hooks = wired
    conversation = chat.start()
    chat.ask(conversation, "How does DataPlane ingest data from Kafka?")
    first = chat.request_human(conversation)
    assert chat.request_human(conversation) == first  # already open: nothing new
    assert [name for name, _ in _events(receiver, hooks)] == ["handoff.opened"]


def test_contact_needs_consent_and_keeps_the_configured_text(wired, database, receiver):
    chat, _desk, hooks = wired
    conversation = chat.start()
    assert chat.consent_text == CONSENT
    with pytest.raises(ContactError):
        chat.leave_contact(conversation, name="Dana", email="dana@halcyon.example", consented=False)
    with pytest.raises(ContactError):
        chat.leave_contact(conversation, name="Dana", email="not an address", consented=True)
    assert chat.contact(conversation) is None
    assert _events(receiver, hooks) == []
    view = chat.leave_contact(conversation, name="Dana", email="dana@halcyon.example", consented=True)
    assert (view.consent_text, chat.contact(conversation).email) == (CONSENT, "dana@halcyon.example")
    with database.session() as session:
        assert session.query(BuyerContact).count() == 1
    assert _stored_brief(database, conversation) is not None  # the brief now names the account


def test_start_keeps_where_the_buyer_came_from(wired, database):
    chat, _desk, _hooks = wired
    opened = attribution_from(
        landing_url="https://vendor.example/pricing?utm_source=newsletter&utm_campaign=q3#plans",
        referrer_url="https://www.news.example/issue-12?reader=dana@x.example",
    )
    conversation = chat.start(attribution=opened)
    conversation_with_token, _token = chat.start_with_token(attribution=opened)
    for started in (conversation, conversation_with_token):
        kept = Attributions(database).get(started)
        assert (kept.landing_page, kept.referrer) == ("https://vendor.example/pricing", "news.example")
        assert (kept.utm_source, kept.utm_campaign) == ("newsletter", "q3")
    assert Attributions(database).get(chat.start()) is None  # nothing given, nothing kept
