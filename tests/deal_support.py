"""Helpers for the deal-intelligence tests: a real SQLite database, scripted turns stored the way the
ChatService stores them, and a real local HTTP receiver for webhooks."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from assistant.outcomes import Outcome, Reason, ReasonCode
from assistant.storage.conversations import ConversationStore
from assistant.storage.database import Database
from assistant.types import Answer, Intents

CONSENT = "I agree that the vendor may keep my name, work e-mail and company with this conversation."


def open_database(folder: Path) -> Database:
    return Database(f"sqlite:///{folder / 'lastmile.sqlite3'}")


def store_turn(
    conversations: ConversationStore,
    conversation_id: str,
    text: str,
    *,
    labels: tuple[str, ...] = ("clarification",),
    verdict: str | None = None,
    claims: list[dict] | None = None,
    handoff: bool = False,
) -> int:
    """A buyer message and its stored answer, as `ChatService.ask` writes them; returns the buyer's id."""
    probabilities = {
        label: (0.9 if label in labels else 0.1) for label in ("clarification", "confirmation", "confidence")
    }
    answer = Answer(
        text="(answer)",
        citations=[],
        outcome=Outcome.HANDED_OFF if handoff else Outcome.ANSWERED,
        reasons=[Reason(ReasonCode.LOW_CONFIDENCE, "test", by_threshold=True)] if handoff else [],
        confidence=0.3 if handoff else 0.8,
        intents=Intents(**probabilities, labels=labels, classifier="test"),
        verdict=verdict,
        composer="test",
    )
    payload = answer.as_dict()
    if claims is not None:
        payload["claims"] = claims
    buyer_id = conversations.add(conversation_id, "buyer", text)
    conversations.add(conversation_id, "assistant", answer.text, payload=payload)
    return buyer_id


@dataclass
class Receiver:
    """A CRM stand-in: a real HTTP server on 127.0.0.1 that answers with scripted statuses."""

    statuses: list[int] = field(default_factory=list)  # answered in order; 200 once they run out
    delays: list[float] = field(default_factory=list)  # seconds to wait before answering, in order
    requests: list[dict] = field(default_factory=list)
    processed: dict[str, dict] = field(default_factory=dict)  # delivery id -> body, duplicates dropped
    url: str = ""
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    delay = receiver.delays.pop(0) if receiver.delays else 0.0
                    if status < 300:
                        receiver.processed.setdefault(self.headers["X-Lastmile-Delivery"], json.loads(body))
                if delay:
                    threading.Event().wait(delay)  # a slow receiver
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # port 0: a free port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/lastmile"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
