"""A stand-in for an OpenAI-compatible server: the protocol, not a model.

A real `http.server` on 127.0.0.1 (a free port) that answers `POST /v1/chat/completions` with replies
scripted by the test, in the chat-completions wire format, both whole (`"stream": false`) and as
server-sent events (`"stream": true`). Every request is recorded, so a test can assert on what a client
sent (path, headers with lower-case names, parsed JSON body). It understands nothing: what it answers is what the test enqueued.

    with OpenAIStandin(replies=['{"clarification": 0.9, ...}']) as server:
        chat = ChatOpenAI(base_url=server.base_url, api_key="test", model="standin")
        chat.invoke("...")
        server.requests[0]["body"]["messages"]

`enqueue(text)` adds a reply; `enqueue_error(status, message)` makes the next request fail with that HTTP
status. With nothing queued, the server answers 500 "no scripted reply", so a test never passes by
accident. `GET /v1/models` lists the one model name.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "standin"


class OpenAIStandin:
    def __init__(self, replies: list[str] | None = None, *, model: str = MODEL, chunk_chars: int = 8) -> None:
        self.model = model
        self.chunk_chars = chunk_chars  # a streamed reply is cut into deltas of this many characters
        self.requests: list[dict[str, Any]] = []
        self._queue: deque[tuple[int, str]] = deque((200, reply) for reply in replies or [])
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # The script -------------------------------------------------------------------------------------
    def enqueue(self, text: str) -> None:
        with self._lock:
            self._queue.append((200, text))

    def enqueue_error(self, status: int = 500, message: str = "scripted failure") -> None:
        with self._lock:
            self._queue.append((status, message))

    def _next(self) -> tuple[int, str]:
        with self._lock:
            return self._queue.popleft() if self._queue else (500, "no scripted reply")

    # The server -------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the stand-in is not running: use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> OpenAIStandin:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # The wire format --------------------------------------------------------------------------------
    def completion(self, text: str) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-standin-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": len(text.split()), "total_tokens": 0},
        }

    def chunks(self, text: str) -> list[dict[str, Any]]:
        base = {
            "id": f"chatcmpl-standin-{len(self.requests)}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.model,
        }
        deltas = [{"role": "assistant", "content": ""}]
        deltas += [{"content": text[i : i + self.chunk_chars]} for i in range(0, len(text), self.chunk_chars)]
        events = [base | {"choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas]
        events.append(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        return events


def _handler(standin: OpenAIStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def _send_json(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._send_json(200, {"object": "list", "data": [{"id": standin.model, "object": "model"}]})
            else:
                self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"_raw": raw.decode(errors="replace")}
            headers = {key.lower(): value for key, value in self.headers.items()}
            standin.requests.append({"path": self.path, "headers": headers, "body": body})
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            status, text = standin._next()
            if status != 200:
                self._send_json(status, {"error": {"message": text, "type": "standin_error", "code": status}})
            elif body.get("stream"):
                self._stream(standin.chunks(text))
            else:
                self._send_json(200, standin.completion(text))

        def _stream(self, events: list[dict[str, Any]]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for event in events:
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler
