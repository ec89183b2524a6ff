"""Handoff writes are atomic (issue 14, item 8): a buyer's turn (their message, the assistant's reply, the
handoff it opens), "talk to an expert" (the handoff and the message announcing it) and a rep's reply (the
handoff turning `replied` and the reply in the buyer's transcript) each commit in one transaction.

Each test runs the real service in another process, which stops between two of the writes and is killed
there with SIGKILL, then reads what the real SQLite file holds: nothing half-written, and never a buyer
told that an expert is coming without a handoff behind it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from assistant.outcomes import Reason, ReasonCode
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore
from assistant.storage.database import Database
from assistant.storage.handoffs import HandoffState, HandoffStore
from assistant.wiring import build_desk
from tests.conftest import REPO
from tests.crash_points import PAUSED

UNCOVERED = "Do you have a native connector for Lotus Notes 6?"
STARTUP_S = 300  # the `ask` process loads the embedding model and the knowledge base first: slow when busy


@pytest.fixture
def database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'lastmile.sqlite3'}")
    yield db
    db.dispose()


def killed_between_writes(*args: str) -> None:
    """Run `tests/crash_points.py` with these arguments and SIGKILL it once it says it is between writes."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_points", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert line.strip() == PAUSED, (
            f"never reached the pause: {line!r} {process.stderr.read() if process.stderr else ''}"
        )
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def expert_promised(messages) -> bool:
    return any(m.role == "assistant" and "expert" in m.text for m in messages)


def test_a_turn_killed_before_its_handoff_leaves_nothing(database, sample_home):
    conversations, handoffs = ConversationStore(database), HandoffStore(database)
    conversation = conversations.start()

    killed_between_writes("ask", database.url, str(sample_home), conversation, UNCOVERED)

    messages = conversations.messages(conversation)
    assert not expert_promised(messages), "the buyer was told an expert is coming, with no handoff"
    assert messages == [], [(m.role, m.text[:60]) for m in messages]
    assert handoffs.for_conversation(conversation) == []


def test_talk_to_an_expert_killed_midway_promises_nothing(database, tmp_path):
    conversations, handoffs = ConversationStore(database), HandoffStore(database)
    conversation = conversations.start()
    conversations.add(conversation, "buyer", "Which regions do you support?")

    killed_between_writes("expert", database.url, str(tmp_path / "home"), conversation)

    assert handoffs.for_conversation(conversation) == []
    assert not expert_promised(conversations.messages(conversation))


def test_a_reply_killed_midway_is_neither_replied_nor_shown(database, tmp_path):
    conversations, handoffs = ConversationStore(database), HandoffStore(database)
    conversation = conversations.start()
    conversations.add(conversation, "buyer", UNCOVERED)
    handoff_id = handoffs.open(
        conversation_id=conversation, question=UNCOVERED, reasons=[Reason(ReasonCode.NO_EVIDENCE, "r")],
        intents={}, sources=[], draft="", draft_citations=[], knowledge_gap=True, confidence=0.1,
    )  # fmt: skip
    handoffs.claim(handoff_id, "ann")

    killed_between_writes("reply", database.url, str(tmp_path / "home"), str(handoff_id))

    handoff = handoffs.get(handoff_id)
    assert handoff.state is HandoffState.CLAIMED, "replied, with no reply in the buyer's transcript"
    assert handoff.reply == ""
    assert [m.role for m in conversations.messages(conversation)] == ["buyer"]

    desk = build_desk(Settings(home=tmp_path / "home"), database=database)
    desk.reply(handoff_id, "ann", "Not supported; export to CSV.")  # the rep tries again: it all lands
    assert handoffs.get(handoff_id).state is HandoffState.REPLIED
    assert [m.role for m in conversations.messages(conversation)] == ["buyer", "rep"]
