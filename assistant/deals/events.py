"""Deal events leaving Lastmile (for a CRM): their names, the sink the services hand them to, and the
reference that stands for a conversation outside Lastmile.

A conversation id is the buyer's bearer token: whoever holds it can read and write that conversation. It
never leaves in an event, an export or a log line; `conversation_ref` (a one-way digest) stands for it.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any, Protocol

REF_CHARS = 16  # 64 bits of a SHA-256: no collisions in any realistic number of conversations


class Event(StrEnum):
    HANDOFF_OPENED = "handoff.opened"
    HANDOFF_REPLIED = "handoff.replied"
    HANDOFF_RESOLVED = "handoff.resolved"
    CONTACT_LEFT = "contact.left"


def conversation_ref(conversation_id: str) -> str:
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:REF_CHARS]


class EventSink(Protocol):
    def emit(self, event: Event, data: dict[str, Any], *, conversation_id: str = "") -> str | None:
        """Queue `event` for delivery; returns its delivery id, or None when nothing is configured."""
        ...


class NoEvents:
    """The offline default: no webhook configured, nothing stored, nothing sent."""

    def emit(self, event: Event, data: dict[str, Any], *, conversation_id: str = "") -> str | None:
        return None
