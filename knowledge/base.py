"""The knowledge base: the dense index, the registry and the lexical index kept in agreement.

A document is applied so that a crash at any point leaves either its old or its new version visible:
new chunks are added to the dense index first, then the registry and lexical index switch over in one
SQLite transaction (the commit point), then chunks no longer referenced are deleted. Anything a crash
leaves behind is an orphan that `reconcile()` removes; retrieval ignores orphans meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from knowledge.chroma_index import ChromaIndex
from knowledge.embedder import Embedder
from knowledge.lexical_index import LexicalIndex
from knowledge.registry import DocumentRegistry
from knowledge.store_db import KnowledgeDB
from knowledge.text import embedding_text
from knowledge.types import Chunk


@dataclass(frozen=True)
class AppliedDocument:
    chunks: int
    embedded: int  # chunks that needed a new embedding
    removed: int  # chunks of the previous version that are gone


@dataclass(frozen=True)
class Reconciliation:
    orphans_removed: int  # dense or lexical entries no document owns
    documents_reset: int  # documents whose chunks were missing from the dense index


class KnowledgeBase:
    def __init__(self, *, embedder: Embedder, dense: ChromaIndex, db: KnowledgeDB) -> None:
        self.embedder = embedder
        self.dense = dense
        self.db = db
        self.registry = DocumentRegistry(db)
        self.lexical = LexicalIndex(db)

    def apply_document(
        self,
        *,
        document_id: str,
        content_hash: str,
        title: str,
        type: str,
        chunks: list[Chunk],
        owner: str = "",
        size_bytes: int = 0,
        on_embedded: Callable[[int], None] | None = None,
    ) -> AppliedDocument:
        if not chunks:
            raise ValueError(f"{document_id}: a document needs at least one chunk")
        previous = self.registry.chunk_ids(document_id)
        new_ids = [chunk.id for chunk in chunks]
        present = self.dense.existing(new_ids)
        to_embed = [chunk for chunk in chunks if chunk.id not in present]
        if to_embed:
            vectors = self.embedder.embed([embedding_text(chunk) for chunk in to_embed])
            self.dense.add(to_embed, vectors)
        if on_embedded:
            on_embedded(len(to_embed))
        with self.db.transaction() as conn:  # the commit point
            DocumentRegistry.write(
                conn,
                document_id=document_id,
                content_hash=content_hash,
                title=title,
                type=type,
                owner=owner,
                size_bytes=size_bytes,
                chunks=chunks,
            )
            LexicalIndex.write(conn, document_id, chunks)
        stale = previous - set(new_ids)
        self.dense.delete(stale)
        return AppliedDocument(chunks=len(chunks), embedded=len(to_embed), removed=len(stale))

    def delete_document(self, document_id: str) -> bool:
        record = self.registry.get(document_id)
        if record is None:
            return False
        owned = self.registry.chunk_ids(document_id)
        with self.db.transaction() as conn:
            DocumentRegistry.remove(conn, document_id)
            LexicalIndex.remove(conn, document_id)
        self.dense.delete(owned)
        return True

    def reconcile(self) -> Reconciliation:
        """Remove what an interrupted apply left behind; reset documents whose dense chunks are missing."""
        owned = self.registry.chunk_ids()
        dense_ids = self.dense.ids()
        dense_orphans = dense_ids - owned
        self.dense.delete(dense_orphans)
        lexical_orphans = self.lexical.chunk_ids() - owned
        reset = 0
        with self.db.transaction() as conn:
            for chunk_id in lexical_orphans:
                conn.execute("DELETE FROM chunks_fts WHERE chunk_id = ?", (chunk_id,))
            missing = owned - dense_ids
            docs = {row[1] for row in conn.execute("SELECT id, document_id FROM chunks") if row[0] in missing}
            for document_id in docs:
                DocumentRegistry.forget_hash(conn, document_id)
            reset = len(docs)
        return Reconciliation(
            orphans_removed=len(dense_orphans) + len(lexical_orphans), documents_reset=reset
        )

    def is_empty(self) -> bool:
        return not self.registry.list()
