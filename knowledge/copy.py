"""Copying a knowledge base to other stores (an embedded home up to a Chroma server and PostgreSQL).

Vectors (chunks' and their sentences') are copied, never re-embedded: each document's chunks are read back from the source Chroma with
their vectors, upserted into the target, and then the document's registry row (version, dates, trust
marks and approvals as they were) and lexical rows commit in one target transaction, the same commit point
as an ingest (knowledge/base.py). So the copy is resumable: a crash leaves at most one document's vectors
unowned (the closing `reconcile()` removes them), and a second run skips every document whose content hash
and chunk ids the target already holds. Both writer locks are held, so nobody changes either side meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from knowledge.lexical_index import LexicalIndex
from knowledge.registry import DocumentRecord, DocumentRegistry
from knowledge.sentence_vectors import SentenceVectorStore

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase

_KEPT = ("version", "updated_at", "approved_hash", "approved_by")  # as the source had them, not as now


@dataclass
class CopyReport:
    copied: list[str] = field(default_factory=list)  # documents written to the target
    unchanged: list[str] = field(default_factory=list)  # already there with the same content and chunks
    only_in_target: list[str] = field(default_factory=list)  # left alone: the target's own documents
    chunks: int = 0  # chunks (vectors and lexical rows) copied
    orphans_removed: int = 0  # what an interrupted earlier copy had left in the target

    def as_dict(self) -> dict:
        return asdict(self)


def copy_knowledge(
    source: KnowledgeBase,
    target: KnowledgeBase,
    *,
    on_document: Callable[[str], None] | None = None,
) -> CopyReport:
    """Make `target` hold every document of `source`, vectors included; see the module docstring."""
    report = CopyReport()
    with source.writing(), target.writing():
        records = source.registry.list()
        wanted = {record.id for record in records}
        report.only_in_target = sorted(r.id for r in target.registry.list() if r.id not in wanted)
        for record in records:
            if _same(source, target, record):
                report.unchanged.append(record.id)
            else:
                report.chunks += _copy_document(source, target, record)
                report.copied.append(record.id)
            if on_document:
                on_document(record.id)
        report.orphans_removed = target.reconcile().orphans_removed
    return report


def _same(source: KnowledgeBase, target: KnowledgeBase, record: DocumentRecord) -> bool:
    there = target.registry.get(record.id)
    return (
        there is not None
        and there.content_hash == record.content_hash
        and target.registry.chunk_ids(record.id) == source.registry.chunk_ids(record.id)
        and asdict(there) == asdict(record)
    )


def _copy_document(source: KnowledgeBase, target: KnowledgeBase, record: DocumentRecord) -> int:
    order = [
        row[0]
        for row in source.db.query(
            "SELECT id FROM chunks WHERE document_id = ? ORDER BY ordinal", (record.id,)
        )
    ]
    chunks = source.dense.get(order)
    vectors = source.dense.vectors(order)
    if len(chunks) != len(order) or len(vectors) != len(order):
        raise RuntimeError(
            f"{record.id}: the source's Chroma lacks some of its chunks; run `lastmile kb repair` there first"
        )
    flags = {
        row[0]: row[1].split(",")
        for row in source.db.query(
            "SELECT id, flag FROM chunks WHERE document_id = ? AND flag != ''", (record.id,)
        )
    }
    sentence_rows = source.db.query(
        "SELECT s.chunk_id, s.text_hash, s.text, s.vector FROM sentence_vectors s "
        "JOIN chunks c ON c.id = s.chunk_id WHERE c.document_id = ?",
        (record.id,),
    )
    stale = target.registry.chunk_ids(record.id) - set(order)
    target.dense.add(chunks, [vectors[chunk.id] for chunk in chunks])
    kept = source.db.query(f"SELECT {', '.join(_KEPT)} FROM documents WHERE id = ?", (record.id,))[0]
    with target.db.transaction() as conn:  # the commit point of this document in the target
        DocumentRegistry.write(
            conn,
            document_id=record.id,
            content_hash=record.content_hash,
            title=record.title,
            type=record.type,
            owner=record.owner,
            size_bytes=record.size_bytes,
            chunks=chunks,
            source_root=record.source_root,
            authoritative=record.authoritative,
            flags=flags,
        )
        conn.execute(
            f"UPDATE documents SET {', '.join(f'{name} = ?' for name in _KEPT)} WHERE id = ?",
            (*(kept[name] for name in _KEPT), record.id),
        )
        LexicalIndex.write(conn, record.id, chunks)
        SentenceVectorStore.remove(conn, stale)
        conn.executemany(  # the sentence vectors too: a turn on the target embeds only the buyer's message
            "INSERT INTO sentence_vectors(chunk_id, text_hash, text, vector) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chunk_id, text_hash) DO UPDATE SET text = excluded.text, vector = excluded.vector",
            [(row[0], row[1], row[2], bytes(row[3])) for row in sentence_rows],
        )
        target.writer.bump(conn)
    target.dense.delete(stale)
    return len(chunks)
