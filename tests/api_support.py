"""Helpers for the HTTP API tests: the real app over the real chat service (sample knowledge base, SQLite),
a real uvicorn on a free port, and a parser for server-sent events."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.rep_desk import RepDesk
from assistant.service import ChatService
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore
from assistant.storage.database import Database, sqlite_url
from assistant.storage.handoffs import HandoffStore
from assistant.wiring import build_desk

CITED = "Which data residency regions can we choose?"
UNCOVERED = "Do you have a native connector for Lotus Notes 6?"
ROOMY = {"api_rate_limit_ip": "10000/minute", "api_rate_limit_conversation": "1000/minute"}


@dataclass
class Stack:
    chat: ChatService
    desk: RepDesk
    database: Database


def chat_stack(assistant, folder: Path) -> Stack:
    """A chat service and a rep desk on a fresh SQLite database, around an already built assistant."""
    folder.mkdir(parents=True, exist_ok=True)
    database = Database(sqlite_url(folder / "lastmile.sqlite3"))
    conversations, handoffs = ConversationStore(database), HandoffStore(database)
    return Stack(
        chat=ChatService(assistant=assistant, conversations=conversations, handoffs=handoffs),
        desk=build_desk(Settings(home=folder), database=database),
        database=database,
    )


def settings(home: Path, **overrides) -> Settings:
    return Settings(home=home, **(ROOMY | overrides))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def uvicorn_server(app) -> Iterator[str]:
    """The app on a real uvicorn, on a free loopback port, in a thread of this process; yields its URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Event:
    event: str
    data: dict


def parse_sse(lines: Iterator[str]) -> Iterator[Event]:
    """Server-sent events from a stream of lines (the spec's field parsing; comments skipped)."""
    name, data = "message", []
    for line in lines:
        if line == "":
            if data:
                yield Event(name, json.loads("\n".join(data)))
            name, data = "message", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    if data:
        yield Event(name, json.loads("\n".join(data)))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
