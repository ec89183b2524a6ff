"""The signed CRM webhook: an outbox of deliveries in SQL, each POSTed with an HMAC-SHA256 signature of its
exact body, retried with exponential back-off, and logged (status, attempts, last HTTP status).

Receivers verify `X-Lastmile-Signature: sha256=<hex>` over the raw body with the shared secret
(`verify_signature`) and drop repeats by `X-Lastmile-Delivery` (also the body's `id`): a delivery whose
answer was lost in transit is sent again under the same id. Two workers never send one delivery at once:
each attempt first claims the row with a conditional UPDATE, as handoff claims do.

Logs carry the delivery id, the event and HTTP statuses, never a body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update

from assistant.deals.events import Event
from assistant.storage.database import Database
from assistant.storage.deal_tables import WebhookDelivery
from assistant.storage.models import utcnow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Lastmile-Signature"
DELIVERY_HEADER = "X-Lastmile-Delivery"
EVENT_HEADER = "X-Lastmile-Event"
# Worth retrying: the receiver is down or overloaded, or asks us to slow down. Any other 4xx is final
# (a bad signature or a rejected payload will not get better by sending it again).
RETRYABLE_4XX = frozenset({408, 409, 425, 429})
LEASE_MARGIN_S = 30.0  # a claimed delivery whose worker vanished is claimable again after timeout + this


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """For receivers (and tests): constant-time check of the signature header against the raw body."""
    return bool(header) and hmac.compare_digest(sign(secret, body), header or "")


@dataclass(frozen=True)
class Attempt:
    delivered: bool
    retryable: bool
    status: int | None  # HTTP status, None when no answer came (refused, timed out)
    error: str = ""


@dataclass(frozen=True)
class Claim:
    event: str
    body: bytes
    attempts: int  # made before this one


@dataclass(frozen=True)
class DeliveryView:
    id: str
    event: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


def _view(row: WebhookDelivery) -> DeliveryView:
    return DeliveryView(
        row.id, row.event, row.status, row.attempts, row.last_status, row.last_error, row.created_at,
        row.delivered_at,
    )  # fmt: skip


class WebhookSender:
    """One signed POST; the only code here that touches the network."""

    def __init__(self, *, url: str, secret: str, timeout_s: float = 10.0) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret to sign its deliveries")
        self.url = url
        self._secret = secret
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False)
        self.timeout_s = timeout_s

    def send(self, delivery_id: str, event: str, body: bytes) -> Attempt:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Lastmile-Webhook/1",
            SIGNATURE_HEADER: sign(self._secret, body),
            DELIVERY_HEADER: delivery_id,
            EVENT_HEADER: event,
        }
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return Attempt(False, True, None, type(error).__name__)
        if 200 <= response.status_code < 300:
            return Attempt(True, False, response.status_code)
        retryable = response.status_code >= 500 or response.status_code in RETRYABLE_4XX
        return Attempt(False, retryable, response.status_code, f"HTTP {response.status_code}")

    def close(self) -> None:
        self._client.close()


class WebhookOutbox:
    """The delivery log: what is due, who holds it, how it went."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, event: Event, data: dict[str, Any], *, conversation_id: str = "") -> tuple[str, bytes]:
        delivery_id = uuid.uuid4().hex
        created = utcnow()
        envelope = {
            "id": delivery_id,
            "event": str(event),
            "created_at": created.isoformat(timespec="seconds") + "Z",
            "data": data,
        }
        body = json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        with self._db.session() as session:
            session.add(
                WebhookDelivery(
                    id=delivery_id,
                    event=str(event),
                    conversation_id=conversation_id,
                    body=body,
                    created_at=created,
                    next_attempt_at=created,
                )
            )
        return delivery_id, body.encode()

    def claim(self, delivery_id: str, *, lease_s: float, due_only: bool = True) -> Claim | None:
        """Take a delivery for one attempt; None if it is delivered, failed, or another worker holds it.

        A pending delivery is taken once due (`due_only=False`: by the worker that scheduled its retry and
        waited for it); one held by a worker is taken only after that worker's lease ran out.
        """
        now = utcnow()
        free = WebhookDelivery.status == "pending"
        if due_only:
            free = free & (WebhookDelivery.next_attempt_at <= now)
        abandoned = (WebhookDelivery.status == "sending") & (WebhookDelivery.next_attempt_at <= now)
        with self._db.session() as session:
            changed = session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery_id, or_(free, abandoned))
                .values(status="sending", next_attempt_at=now + timedelta(seconds=lease_s))
            ).rowcount  # type: ignore[attr-defined]
            row = session.get(WebhookDelivery, delivery_id)
            if changed != 1 or row is None:
                return None
            return Claim(row.event, row.body.encode(), row.attempts)

    def record(self, delivery_id: str, attempt: Attempt, *, retry_in_s: float | None) -> str:
        """Log an attempt; `retry_in_s` None means no more attempts. Returns the delivery's new status."""
        now = utcnow()
        if attempt.delivered:
            values: dict[str, Any] = {"status": "delivered", "delivered_at": now}
        elif retry_in_s is None:
            values = {"status": "failed"}
        else:
            values = {"status": "pending", "next_attempt_at": now + timedelta(seconds=retry_in_s)}
        with self._db.session() as session:
            row = session.get(WebhookDelivery, delivery_id)
            values |= {
                "attempts": (row.attempts if row else 0) + 1,
                "last_status": attempt.status,
                "last_error": attempt.error,
            }
            session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values))
        return values["status"]

    def due(self, *, limit: int = 100) -> list[str]:
        now = utcnow()
        with self._db.session() as session:
            return list(
                session.scalars(
                    select(WebhookDelivery.id)
                    .where(
                        WebhookDelivery.status.in_(("pending", "sending")),
                        WebhookDelivery.next_attempt_at <= now,
                    )
                    .order_by(WebhookDelivery.created_at)
                    .limit(limit)
                )
            )

    def get(self, delivery_id: str) -> DeliveryView | None:
        with self._db.session() as session:
            row = session.get(WebhookDelivery, delivery_id)
            return _view(row) if row else None

    def list(self, *, status: str | None = None, limit: int = 200) -> list[DeliveryView]:
        query = select(WebhookDelivery).order_by(WebhookDelivery.created_at.desc()).limit(limit)
        if status:
            query = query.where(WebhookDelivery.status == status)
        with self._db.session() as session:
            return [_view(row) for row in session.scalars(query)]


class WebhookDispatcher:
    """The `EventSink` the services call: stores the event, then delivers it off the caller's thread.

    `retries` more attempts follow a failed first one, `backoff_s * 2**n` seconds apart. A process that stops
    mid-way leaves its deliveries in the log; `deliver_due` (run by `lastmile crm deliver`) finishes them.
    """

    def __init__(
        self,
        *,
        outbox: WebhookOutbox,
        sender: WebhookSender,
        retries: int = 5,
        backoff_s: float = 2.0,
        background: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.outbox = outbox
        self.sender = sender
        self.retries = retries
        self.backoff_s = backoff_s
        self._sleep = sleep
        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="webhook") if background else None
        )
        self._lease_s = sender.timeout_s + LEASE_MARGIN_S

    def emit(self, event: Event, data: dict[str, Any], *, conversation_id: str = "") -> str:
        delivery_id, _body = self.outbox.add(event, data, conversation_id=conversation_id)
        if self._executor is not None:
            self._executor.submit(self.deliver, delivery_id)
        else:
            self.deliver(delivery_id)
        return delivery_id

    def delay(self, attempts_made: int) -> float:
        return self.backoff_s * 2 ** (attempts_made - 1)

    def attempt(self, delivery_id: str, *, due_only: bool = True) -> str | None:
        """One attempt if the delivery is free; its new status, or None if it was not taken."""
        claim = self.outbox.claim(delivery_id, lease_s=self._lease_s, due_only=due_only)
        if claim is None:
            return None
        event = claim.event
        result = self.sender.send(delivery_id, event, claim.body)
        made = claim.attempts + 1
        retry_in = self.delay(made) if result.retryable and made <= self.retries else None
        status = self.outbox.record(delivery_id, result, retry_in_s=retry_in)
        log.info(
            "webhook %s %s: attempt %d -> %s (%s)",
            event,
            delivery_id,
            made,
            status,
            result.status or result.error,
        )
        return status

    def deliver(self, delivery_id: str) -> str | None:
        """Attempt until delivered, failed for good, or taken by another worker, sleeping between tries."""
        status = self.attempt(delivery_id)
        while status == "pending":
            view = self.outbox.get(delivery_id)
            self._sleep(self.delay(view.attempts) if view else 0.0)
            status = self.attempt(delivery_id, due_only=False)  # this worker scheduled the retry and waited
        return status

    def deliver_due(self) -> dict[str, int]:
        """One attempt for every delivery now due (pending retries, or abandoned by a stopped process)."""
        counts: dict[str, int] = {}
        for delivery_id in self.outbox.due():
            status = self.attempt(delivery_id)
            if status is not None:
                counts[status] = counts.get(status, 0) + 1
        return counts

    def drain(self) -> None:
        """Wait for background deliveries (tests, shutdown)."""
        if self._executor is not None:
            self._executor.submit(lambda: None).result()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        self.sender.close()
