"""Contact details and attribution through the buyer HTTP API, against the real app (the real assistant on
the bundled samples, real SQLite): the conversation token authorises leaving contact details on its own
conversation only, consent is required and its text is the server's, and where the widget was opened is
kept with a new conversation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.deals.attribution import Attributions
from tests.api_support import bearer, chat_stack, settings
from ui.api.app import create_app

pytestmark = pytest.mark.slow

DANA = {"name": "Dana White", "email": "dana@halcyonfreight.example", "company": "Halcyon", "consent": True}


@pytest.fixture(scope="module")
def stack(sample_assistant, tmp_path_factory):
    built = chat_stack(sample_assistant, tmp_path_factory.mktemp("api-contact-db"))
    yield built
    built.database.dispose()


@pytest.fixture
def client(stack, tmp_path):
    with TestClient(create_app(stack.chat, settings(tmp_path)), raise_server_exceptions=False) as test_client:
        yield test_client


def start(client, body=None) -> tuple[str, str]:
    response = client.post("/v1/conversations", json=body) if body else client.post("/v1/conversations")
    assert response.status_code == 201, response.text
    return response.json()["conversation_id"], response.json()["token"]


def contact_path(conversation_id: str) -> str:
    return f"/v1/conversations/{conversation_id}/contact"


def test_a_buyer_leaves_contact_details_on_their_own_conversation(client, stack):
    consent = client.get("/v1/consent").json()["consent_text"]
    assert consent == stack.chat.consent_text
    conversation, token = start(client)
    response = client.post(contact_path(conversation), json=DANA, headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["email"], body["consent_text"]) == ("Dana White", DANA["email"], consent)
    assert stack.chat.contact(conversation).company == "Halcyon"


def test_a_buyer_cannot_set_contact_on_another_buyers_conversation(client, stack):
    victim, victim_token = start(client)
    client.post(contact_path(victim), json=DANA, headers=bearer(victim_token))
    attacker, attacker_token = start(client)
    forged = DANA | {"name": "Mallory", "email": "mallory@evil.example"}
    refused = client.post(contact_path(victim), json=forged, headers=bearer(attacker_token))
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "conversation_not_found"
    assert client.post(contact_path(victim), json=forged).status_code == 401  # no token at all
    assert stack.chat.contact(victim).name == "Dana White"  # untouched
    assert stack.chat.contact(attacker) is None


def test_consent_is_required_and_its_text_cannot_be_supplied(client, stack):
    conversation, token = start(client)
    refused = client.post(contact_path(conversation), json=DANA | {"consent": False}, headers=bearer(token))
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_request"  # the schema itself wants consent: true
    bad_email = client.post(
        contact_path(conversation), json=DANA | {"email": "dana at x"}, headers=bearer(token)
    )
    assert bad_email.json()["error"]["code"] == "invalid_request"  # not an address's shape
    own_text = client.post(
        contact_path(conversation), json=DANA | {"consent_text": "I agree to nothing"}, headers=bearer(token)
    )
    assert own_text.json()["error"]["code"] == "invalid_request"  # the consent text is the server's
    assert stack.chat.contact(conversation) is None


def test_where_the_widget_was_opened_is_kept(client, stack):
    conversation, _ = start(
        client,
        {
            "landing_url": "https://vendor.example/pricing?utm_source=newsletter&email=dana@x.example",
            "referrer": "https://www.news.example/issue-12?reader=dana",
            "utm_campaign": "q3-launch",
        },
    )
    kept = Attributions(stack.database).get(conversation)
    assert (kept.landing_page, kept.referrer) == ("https://vendor.example/pricing", "news.example")
    assert (kept.utm_source, kept.utm_campaign) == ("newsletter", "q3-launch")
    refused = client.post("/v1/conversations", json={"landing_url": "x", "visitor_id": "123"})
    assert refused.status_code == 422
