"""The rep's side of a handoff: the queue, one handoff and its conversation, claim, reply (shown in the
buyer's conversation), resolve, and saving the reply to the knowledge base as a verified Q&A document.

What the rep console and `lastmile handoffs ...` call; neither reaches the stores. Needs only the SQL
stores: the knowledge base (and its embedding model) is opened only when a reply is saved. A reply and a
resolve emit `handoff.replied` / `handoff.resolved` for the CRM webhook once committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.deals.hooks import DealHooks
from assistant.handoff_states import HELD, STATES, HandoffError, HandoffState
from assistant.storage.conversations import ConversationStore, MessageView
from assistant.storage.handoffs import HandoffStore, HandoffView
from assistant.storage.models import utcnow

ADMIN = "admin"  # the role that may save any rep's reply (assistant/storage/users.py ROLES)

if TYPE_CHECKING:
    from ingest.sync import Syncer  # imported when a reply is saved: every `lastmile` command imports this

# Re-exported for the surfaces, which import no store.
__all__ = [
    "HELD",
    "STATES",
    "HandoffError",
    "HandoffState",
    "HandoffView",
    "MessageView",
    "RepDesk",
    "utcnow",
]


class RepDesk:
    def __init__(
        self,
        *,
        conversations: ConversationStore,
        handoffs: HandoffStore,
        syncer: Callable[[], Syncer],
        deals: DealHooks | None = None,
    ) -> None:
        if conversations.database is not handoffs.database:
            raise ValueError("conversations and handoffs must share one database: a reply is one transaction")
        self._conversations = conversations
        self._handoffs = handoffs
        self._database = conversations.database
        self._syncer = syncer  # called only to save a reply: opening the knowledge base loads the model
        self._deals = deals or DealHooks(self._database)  # offline default: no webhook

    def queue(self, *, state: HandoffState | None = None, limit: int = 200) -> list[HandoffView]:
        """Handoffs newest first, all or those in `state`."""
        return self._handoffs.list(state=state, limit=limit)

    def counts(self) -> dict[HandoffState, int]:
        """How many handoffs are in each state (every state present, zero included)."""
        return self._handoffs.counts()

    def get(self, handoff_id: int) -> HandoffView:
        """One handoff; `HandoffError` for an unknown id."""
        return self._handoffs.get(handoff_id)

    def transcript(self, handoff_id: int) -> list[MessageView]:
        """The whole conversation the handoff came from, oldest message first."""
        return self._conversations.messages(self._handoffs.get(handoff_id).conversation_id)

    def claim(self, handoff_id: int, rep: str) -> None:
        self._handoffs.claim(handoff_id, rep)

    def reply(self, handoff_id: int, rep: str, text: str) -> None:
        """Send the holder's reply: the handoff turns `replied` and the reply appears in the buyer's
        conversation, in one transaction (both or neither)."""
        with self._database.transaction():
            handoff = self._handoffs.get(handoff_id)
            self._handoffs.reply(handoff_id, rep, text)
            self._conversations.add(handoff.conversation_id, "rep", text.strip(), author=rep)
        self._deals.handoff_replied(handoff.conversation_id, handoff_id)

    def resolve(self, handoff_id: int, rep: str) -> None:
        self._handoffs.resolve(handoff_id, rep)
        self._deals.handoff_resolved(self._handoffs.get(handoff_id).conversation_id, handoff_id)

    def save_reply(self, handoff_id: int, *, by: str, role: str) -> str:
        """Ingest the reply sent on this handoff as a verified Q&A document owned by `by`; returns its
        document id. Only the rep's words are saved: the buyer's question stays in the handoff.

        `by` is the acting user and `role` their current role: an admin may save any reply, a rep only the
        reply of a handoff they hold. `HandoffError` when refused or when nothing was replied yet,
        `ValueError` when ingesting fails."""
        from ingest.verified_qa import save_verified_answer

        handoff = self._handoffs.get(handoff_id)
        if not handoff.reply.strip():
            raise HandoffError(f"handoff {handoff_id} has no reply to save: send a reply first")
        if role != ADMIN and not (by and handoff.rep == by):
            holder = f"{handoff.rep}, who holds it," if handoff.rep else "the rep who holds it"
            raise HandoffError(f"only an admin or {holder} may save the reply of handoff {handoff_id}")
        document_id = save_verified_answer(
            self._syncer(), handoff_id=handoff.id, answer=handoff.reply, owner=by
        )
        self._handoffs.mark_saved(handoff.id, document_id)
        return document_id
