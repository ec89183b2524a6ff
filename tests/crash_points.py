"""A process that runs one handoff write of the real services and stops dead between two of its writes,
for tests/test_atomic_handoffs.py: the test kills it there with SIGKILL (kill -9).

    python -m tests.crash_points ask DATABASE_URL KNOWLEDGE_HOME CONVERSATION QUESTION
    python -m tests.crash_points expert DATABASE_URL KNOWLEDGE_HOME CONVERSATION
    python -m tests.crash_points reply DATABASE_URL KNOWLEDGE_HOME HANDOFF

The stores are the real ones; the only change is a pause, announced on stdout, at the start of one store
call: the handoff insert (`ask`, `expert`) or the rep's message insert (`reply`). Everything the service
wrote before that point is what a crash would leave behind.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from assistant.storage.conversations import ConversationStore
from assistant.storage.database import Database
from assistant.storage.handoffs import HandoffStore

PAUSED = "paused between writes"


def _pause() -> None:
    print(PAUSED, flush=True)
    time.sleep(600)  # the test kills this process here


class HandoffsStoppingAtOpen(HandoffStore):
    def open(self, **fields):  # type: ignore[override]
        _pause()
        return super().open(**fields)


class ConversationsStoppingAtRepMessage(ConversationStore):
    def add(self, conversation_id, role, text, **options):  # type: ignore[override]
        if role == "rep":
            _pause()
        return super().add(conversation_id, role, text, **options)


def main(scenario: str, url: str, home: str, target: str, question: str = "") -> None:
    from knowledge.embedder import hub_offline

    hub_offline()
    from assistant.rep_desk import RepDesk
    from assistant.service import ChatService
    from assistant.settings import Settings
    from assistant.wiring import build_assistant

    database = Database(url)
    if scenario == "reply":
        desk = RepDesk(
            conversations=ConversationsStoppingAtRepMessage(database),
            handoffs=HandoffStore(database),
            syncer=lambda: None,  # type: ignore[arg-type,return-value]  # nothing is saved here
        )
        desk.reply(int(target), "ann", "Here is the answer you asked for.")
        return
    chat = ChatService(
        # "talk to an expert" asks the assistant nothing: only `ask` loads it
        assistant=build_assistant(Settings(home=Path(home))) if scenario == "ask" else None,  # type: ignore[arg-type]
        conversations=ConversationStore(database),
        handoffs=HandoffsStoppingAtOpen(database),
    )
    if scenario == "ask":
        chat.ask(target, question)
    else:
        chat.request_human(target)


if __name__ == "__main__":
    main(*sys.argv[1:])
