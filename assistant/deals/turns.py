"""A conversation as the brief extractors read it: the buyer's turns, each with the stored answer payload
(`Answer.as_dict()`) that replied to it, and the buyer's sentences, each a verbatim slice of the message."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.storage.conversations import MessageView

# A sentence ends at . ! ? (or a line break) followed by space: buyers often type in lower case, so no
# capital is required after it, unlike the document splitter. "e.g." and "i.e." do not end a sentence.
_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class BuyerTurn:
    message_id: int
    text: str
    answer: dict[str, Any] = field(default_factory=dict)  # {} when no answer was stored for it

    @property
    def intent_labels(self) -> tuple[str, ...]:
        return tuple(self.answer.get("intent_labels") or ())

    @property
    def probabilities(self) -> dict[str, float]:
        return {k: float(v) for k, v in (self.answer.get("intents") or {}).items()}


def buyer_turns(messages: Iterable[MessageView]) -> list[BuyerTurn]:
    """Pair each buyer message with the first assistant answer after it (a rep's reply is not an answer)."""
    turns: list[BuyerTurn] = []
    pending: tuple[int, str] | None = None
    for message in messages:
        if message.role == "buyer":
            if pending is not None:
                turns.append(BuyerTurn(*pending))
            pending = (message.id, message.text)
        elif message.role == "assistant" and pending is not None and "confidence" in message.payload:
            turns.append(BuyerTurn(pending[0], pending[1], dict(message.payload)))
            pending = None
    if pending is not None:
        turns.append(BuyerTurn(*pending))
    return turns


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _END.split(text) if part and part.strip()]
