"""Saving a rep's approved reply as a verified Q&A document, through the normal ingest path."""

from __future__ import annotations

from datetime import UTC, datetime

from ingest.sync import KEPT_ON_PRUNE, Syncer

VERIFIED_PREFIX = KEPT_ON_PRUNE[0]  # document ids of saved replies; `--prune` of a folder leaves them alone


def verified_document(*, question: str, answer: str, owner: str, when: datetime | None = None) -> bytes:
    stamp = (when or datetime.now(UTC)).date().isoformat()
    return (
        f"# Verified answer: {question.strip()[:120]}\n\n"
        f"Verified by {owner} on {stamp}.\n\n"
        f"## Question\n\n{question.strip()}\n\n"
        f"## Answer\n\n{answer.strip()}\n"
    ).encode()


def save_verified_answer(syncer: Syncer, *, handoff_id: int, question: str, answer: str, owner: str) -> str:
    """Ingest the reply as `verified-qa/handoff-<id>.md` and return its document id."""
    document_id = f"{VERIFIED_PREFIX}handoff-{handoff_id}.md"
    report = syncer.sync_bytes(
        document_id, verified_document(question=question, answer=answer, owner=owner), owner=owner
    )
    if report.failed:
        raise ValueError(f"could not save the reply: {report.failed[0].reason}")
    return document_id
