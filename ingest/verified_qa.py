"""Saving a rep's approved reply as a verified Q&A document, through the normal ingest path.

Only the rep's words become the document. The buyer's question is untrusted text: it stays in the handoff
row (the document id names the handoff), and is never written into the document, its title or the index,
so nothing a buyer typed can come back to another buyer as "documented".
"""

from __future__ import annotations

from datetime import UTC, datetime

from ingest.sync import KEPT_ON_PRUNE, Syncer

VERIFIED_PREFIX = KEPT_ON_PRUNE[0]  # document ids of saved replies; `--prune` of a folder leaves them alone


def verified_document(*, answer: str, owner: str, when: datetime | None = None) -> bytes:
    """The document: a fixed title, who verified it and when, and the reply."""
    stamp = (when or datetime.now(UTC)).date().isoformat()
    return f"# Verified answer\n\nVerified by {owner} on {stamp}.\n\n{answer.strip()}\n".encode()


def verified_document_id(handoff_id: int) -> str:
    return f"{VERIFIED_PREFIX}handoff-{handoff_id}.md"


def save_verified_answer(syncer: Syncer, *, handoff_id: int, answer: str, owner: str) -> str:
    """Ingest the reply as `verified-qa/handoff-<id>.md` and return its document id."""
    document_id = verified_document_id(handoff_id)
    report = syncer.sync_bytes(document_id, verified_document(answer=answer, owner=owner), owner=owner)
    if report.failed:
        raise ValueError(f"could not save the reply: {report.failed[0].reason}")
    return document_id
