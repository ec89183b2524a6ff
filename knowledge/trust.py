"""What of the knowledge base may reach a buyer: flagged chunks, approvals, authoritative documents.

A chunk whose text carries planted instructions (found at ingest by `ingest.injection`) is flagged with
its signal codes and is not retrievable until an admin approves its document; an approval names the
content hash it covers, so a changed document is checked afresh. A document marked not authoritative
(saved rep replies, anything an admin marks) still answers questions, but the assistant must not pass on
its sensitive statements; the retriever sets `Chunk.authoritative` on every hit for that.
"""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.store_db import KnowledgeDB
from knowledge.store_pg import PostgresKnowledgeDB

_APPROVED = "(d.approved_hash != '' AND d.approved_hash = d.content_hash)"
PARAMETERS = 500  # ids per IN (...) query, under SQLite's bound-parameter limit


@dataclass(frozen=True)
class FlaggedPassage:
    chunk_id: str
    heading: str
    signals: list[str]
    text: str


@dataclass(frozen=True)
class FlaggedDocument:
    document_id: str
    title: str
    signals: list[str]  # every signal found in the document, sorted
    approved: bool
    approved_by: str
    passages: list[FlaggedPassage]


def retrievable(db: KnowledgeDB | PostgresKnowledgeDB, chunk_ids: Sequence[str]) -> dict[str, bool]:
    """Of these chunk ids, those a search may return (a registered document owns them, and they are
    unflagged or approved), each with its document's `authoritative` mark."""
    found: dict[str, bool] = {}
    for start in range(0, len(chunk_ids), PARAMETERS):
        part = list(chunk_ids[start : start + PARAMETERS])
        rows = db.query(
            "SELECT c.id, d.authoritative FROM chunks c JOIN documents d ON d.id = c.document_id "
            f"WHERE c.id IN ({','.join('?' * len(part))}) AND (c.flag = '' OR {_APPROVED})",
            part,
        )
        found.update((row[0], bool(row[1])) for row in rows)
    return found


def flagged_documents(db: KnowledgeDB | PostgresKnowledgeDB) -> builtins.list[FlaggedDocument]:
    """Every document with flagged chunks, its passages, and whether an admin approved it."""
    rows = db.query(
        f"SELECT d.id, d.title, {_APPROVED} AS approved, d.approved_by, c.id AS chunk_id, c.heading, "
        "c.flag, f.body FROM chunks c JOIN documents d ON d.id = c.document_id "
        "JOIN chunks_fts f ON f.rowid = c.seq WHERE c.flag != '' ORDER BY d.id, c.ordinal"
    )
    documents: dict[str, FlaggedDocument] = {}
    for row in rows:
        document = documents.get(row["id"])
        if document is None:
            approved = bool(row["approved"])
            document = FlaggedDocument(
                row["id"], row["title"], [], approved, row["approved_by"] if approved else "", []
            )
            documents[row["id"]] = document
        signals = row["flag"].split(",")
        document.passages.append(FlaggedPassage(row["chunk_id"], row["heading"], signals, row["body"]))
        document.signals[:] = sorted(set(document.signals) | set(signals))
    return list(documents.values())


def approve(conn: sqlite3.Connection, document_id: str, by: str) -> bool:
    """Let the document's current content answer despite its flags; False when there is no such document."""
    cursor = conn.execute(
        "UPDATE documents SET approved_hash = content_hash, approved_by = ? WHERE id = ?", (by, document_id)
    )
    return cursor.rowcount > 0


def set_authoritative(conn: sqlite3.Connection, document_id: str, authoritative: bool) -> bool:
    cursor = conn.execute(
        "UPDATE documents SET authoritative = ? WHERE id = ?", (int(authoritative), document_id)
    )
    return cursor.rowcount > 0
