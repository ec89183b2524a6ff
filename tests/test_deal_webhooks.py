"""The CRM webhook against a real local receiver (http.server on a free 127.0.0.1 port): signed bodies,
retries with exponential back-off after a 500, no duplicate delivery, and a delivery log."""

from __future__ import annotations

import json
import threading

import pytest

from assistant.deals.events import Event
from assistant.deals.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    WebhookDispatcher,
    WebhookOutbox,
    WebhookSender,
    verify_signature,
)
from tests.deal_support import Receiver

SECRET = "whsec-test-7f1c"


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def dispatcher(database, url, *, retries=3, timeout_s=5.0, sleeps=None):
    waits = sleeps if sleeps is not None else []
    return WebhookDispatcher(
        outbox=WebhookOutbox(database),
        sender=WebhookSender(url=url, secret=SECRET, timeout_s=timeout_s),
        retries=retries,
        backoff_s=2.0,
        background=False,
        sleep=waits.append,  # records the back-off instead of waiting it out
    )


def test_delivery_is_signed_over_the_exact_body(database, receiver):
    hooks = dispatcher(database, receiver.url)
    delivery_id = hooks.emit(Event.CONTACT_LEFT, {"contact": {"company": "Acme"}}, conversation_id="c1")
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert verify_signature(SECRET, body, headers[SIGNATURE_HEADER])
    assert not verify_signature("another-secret", body, headers[SIGNATURE_HEADER])
    assert not verify_signature(SECRET, body + b" ", headers[SIGNATURE_HEADER])
    assert headers[DELIVERY_HEADER] == delivery_id == json.loads(body)["id"]
    assert headers[EVENT_HEADER] == "contact.left"
    assert json.loads(body)["data"] == {"contact": {"company": "Acme"}}
    assert WebhookOutbox(database).get(delivery_id).status == "delivered"


def test_a_500_is_retried_with_back_off_under_the_same_id(database, receiver):
    receiver.statuses = [500, 503]
    waits: list[float] = []
    hooks = dispatcher(database, receiver.url, sleeps=waits)
    delivery_id = hooks.emit(Event.HANDOFF_OPENED, {"handoff": {"id": 7}})
    assert [r["headers"][DELIVERY_HEADER] for r in receiver.requests] == [delivery_id] * 3
    assert waits == [2.0, 4.0]  # exponential: backoff, then twice that
    assert all(verify_signature(SECRET, r["body"], r["headers"][SIGNATURE_HEADER]) for r in receiver.requests)
    log = WebhookOutbox(database).get(delivery_id)
    assert (log.status, log.attempts, log.last_status) == ("delivered", 3, 200)
    assert list(receiver.processed) == [delivery_id]


def test_retries_stop_after_the_configured_number(database, receiver):
    receiver.statuses = [500] * 10
    hooks = dispatcher(database, receiver.url, retries=2)
    delivery_id = hooks.emit(Event.HANDOFF_RESOLVED, {})
    log = WebhookOutbox(database).get(delivery_id)
    assert (log.status, log.attempts, log.last_status) == ("failed", 3, 500)
    assert len(receiver.requests) == 3
    assert hooks.deliver(delivery_id) is None
    assert len(receiver.requests) == 3


def test_a_rejected_delivery_is_not_retried(database, receiver):
    receiver.statuses = [400]
    hooks = dispatcher(database, receiver.url)
    delivery_id = hooks.emit(Event.HANDOFF_REPLIED, {})
    assert WebhookOutbox(database).get(delivery_id).status == "failed"
    assert len(receiver.requests) == 1


def test_a_delivered_event_is_never_sent_again(database, receiver):
    hooks = dispatcher(database, receiver.url)
    delivery_id = hooks.emit(Event.CONTACT_LEFT, {})
    assert hooks.deliver(delivery_id) is None
    assert hooks.deliver_due() == {}
    assert len(receiver.requests) == 1


def test_two_workers_never_send_one_delivery_twice(database, receiver):
    receiver.delays = [0.3]  # the first worker is still waiting for its answer when the second tries
    outbox = WebhookOutbox(database)
    delivery_id, _body = outbox.add(Event.HANDOFF_OPENED, {"handoff": {"id": 1}})
    workers = [dispatcher(database, receiver.url) for _ in range(2)]
    threads = [threading.Thread(target=w.deliver, args=(delivery_id,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(receiver.requests) == 1
    assert outbox.get(delivery_id).status == "delivered"


def test_a_lost_answer_is_resent_under_the_same_id_so_the_receiver_drops_it(database, receiver):
    receiver.delays = [1.0]  # processed, but the answer comes after the client's timeout
    hooks = dispatcher(database, receiver.url, timeout_s=0.3, retries=1)
    delivery_id = hooks.emit(Event.CONTACT_LEFT, {"n": 1})
    assert [r["headers"][DELIVERY_HEADER] for r in receiver.requests] == [delivery_id, delivery_id]
    assert list(receiver.processed) == [delivery_id]  # the receiver kept one
    assert WebhookOutbox(database).get(delivery_id).status == "delivered"


def test_a_delivery_left_behind_is_finished_by_deliver_due(database, receiver):
    outbox = WebhookOutbox(database)
    delivery_id, _body = outbox.add(Event.HANDOFF_OPENED, {})  # as if the process stopped before sending
    assert dispatcher(database, receiver.url).deliver_due() == {"delivered": 1}
    assert list(receiver.processed) == [delivery_id]


def test_background_delivery_reaches_the_receiver(database, receiver):
    hooks = WebhookDispatcher(
        outbox=WebhookOutbox(database), sender=WebhookSender(url=receiver.url, secret=SECRET), background=True
    )
    delivery_id = hooks.emit(Event.CONTACT_LEFT, {})
    hooks.drain()
    hooks.close()
    assert list(receiver.processed) == [delivery_id]


def test_logs_name_the_delivery_never_the_body(database, receiver, caplog):
    caplog.set_level("DEBUG")
    hooks = dispatcher(database, receiver.url)
    hooks.emit(Event.CONTACT_LEFT, {"contact": {"name": "Zelda Quartermaine", "email": "zq@acme.example"}})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "contact.left" in text
    assert "Zelda" not in text
    assert "zq@acme.example" not in text


def test_no_url_means_no_events_and_a_url_needs_a_secret(database):
    from assistant.deals.events import NoEvents
    from assistant.settings import Settings
    from assistant.wiring import build_webhook

    assert isinstance(build_webhook(Settings(), database), NoEvents)
    with pytest.raises(ValueError, match="SECRET"):
        build_webhook(Settings(webhook_url="http://127.0.0.1:9/x"), database)
    sink = build_webhook(Settings(webhook_url="http://127.0.0.1:9/x", webhook_secret="s"), database)
    assert isinstance(sink, WebhookDispatcher)
    sink.close()
