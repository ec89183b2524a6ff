"""The rep's side of a handoff: claim, reply (shown in the buyer's conversation), resolve.

Needs only the stores, not the assistant: rep tools start without loading the embedding model.
"""

from __future__ import annotations

from assistant.storage.conversations import ConversationStore
from assistant.storage.handoffs import HandoffStore


class RepDesk:
    def __init__(self, *, conversations: ConversationStore, handoffs: HandoffStore) -> None:
        self.conversations = conversations
        self.handoffs = handoffs

    def claim(self, handoff_id: int, rep: str) -> None:
        self.handoffs.claim(handoff_id, rep)

    def reply(self, handoff_id: int, rep: str, text: str) -> None:
        handoff = self.handoffs.get(handoff_id)
        self.handoffs.reply(handoff_id, rep, text)
        self.conversations.add(handoff.conversation_id, "rep", text.strip(), author=rep)

    def resolve(self, handoff_id: int, rep: str) -> None:
        self.handoffs.resolve(handoff_id, rep)


def open_desk(database_url: str) -> RepDesk:
    from assistant.storage.database import Database

    database = Database(database_url)
    return RepDesk(conversations=ConversationStore(database), handoffs=HandoffStore(database))
