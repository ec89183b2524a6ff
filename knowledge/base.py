"""The knowledge base: the dense index, the registry and the lexical index kept in agreement.

A document is applied so that a crash at any point leaves either its old or its new version visible:
new chunks are added to the dense index first, then the registry and lexical index switch over in one
SQLite transaction (the commit point), then chunks no longer referenced are deleted. Anything a crash
leaves behind is an orphan that `reconcile()` removes; retrieval ignores orphans meanwhile.

Several documents may be applied together: their new chunks are embedded in one call (small documents
one by one would leave the model running tiny batches) while each still commits in its own transaction.
A chunk's sentences are embedded in the same passes and stored with it (knowledge/sentence_vectors.py).

Every write holds the data folder's writer lock (knowledge/writer.py), so `reconcile()` only ever meets
leftovers of dead processes, and bumps the generation that tells other processes' readers to reopen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge import consistency, trust
from knowledge.batching import length_batches
from knowledge.chroma_index import ChromaIndex
from knowledge.consistency import StoreHealth
from knowledge.embedder import Embedder
from knowledge.lexical_index import LexicalIndex
from knowledge.lexical_pg import PostgresLexicalIndex
from knowledge.registry import DocumentRegistry
from knowledge.sentence_vectors import SentenceVectorStore, chunk_sentences
from knowledge.sparse_index import SparseIndex
from knowledge.store_db import KnowledgeDB
from knowledge.store_pg import PostgresKnowledgeDB
from knowledge.text import embedding_text
from knowledge.trust import FlaggedDocument
from knowledge.types import Chunk
from knowledge.writer import WriterCoordination


@dataclass(frozen=True)
class PendingDocument:
    """A document's new version, chunked and ready to apply."""

    document_id: str
    content_hash: str
    title: str
    type: str
    chunks: list[Chunk]
    owner: str = ""
    size_bytes: int = 0
    source_root: str = ""  # the resolved folder it came from; '' for an upload or a saved reply
    authoritative: bool | None = None  # None: keep the document's mark (a new document is authoritative)
    flags: Mapping[str, Sequence[str]] = field(default_factory=dict)  # chunk id -> injection signals


@dataclass(frozen=True)
class AppliedDocument:
    chunks: int
    embedded: int  # chunks that needed a new embedding
    removed: int  # chunks of the previous version that are gone
    sentences: int = 0  # sentence vectors computed for its chunks (none when they were stored)


@dataclass(frozen=True)
class Reconciliation:
    orphans_removed: int  # dense or lexical entries no document owns
    documents_reset: int  # documents whose chunks were missing from the dense index


class KnowledgeBase:
    def __init__(
        self, *, embedder: Embedder, dense: ChromaIndex, db: KnowledgeDB | PostgresKnowledgeDB
    ) -> None:
        self.embedder = embedder
        self.dense = dense
        self.db = db
        self.registry = DocumentRegistry(db)
        if db.dialect == "postgresql":
            # PostgreSQL full text is the shared lexical store of record; each process searches an
            # in-memory BM25 over its rows, kept current by the generation counter like the embedded one
            # (ts_rank over every matching row cost p50 419 ms at 100k chunks against 4 ms in memory).
            self.lexical = PostgresLexicalIndex(db)
            self.sparse = SparseIndex(db, record=self.lexical)
        else:
            self.lexical = LexicalIndex(db)  # FTS5: the lexical store of record
            self.sparse = SparseIndex(db)  # in-memory BM25 over the same rows: what searches read by default
        self.sentences = SentenceVectorStore(db)
        self.writer = WriterCoordination(db, dense)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the data folder's writer lock (re-entrant); raises `WriterBusy` after a long wait."""
        with self.writer.writing():
            yield

    def refresh(self) -> bool:
        """See other processes' writes (reopens the dense index if anyone wrote); cheap when nobody did."""
        return self.writer.refresh()

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
        """Apply one document on its own (a batch of one)."""
        pending = PendingDocument(document_id, content_hash, title, type, chunks, owner, size_bytes)
        return self.apply_documents([pending], on_embedded=on_embedded)[0]

    def apply_documents(
        self,
        documents: Sequence[PendingDocument],
        *,
        on_embedded: Callable[[int], None] | None = None,
        on_applied: Callable[[PendingDocument, AppliedDocument], None] | None = None,
    ) -> list[AppliedDocument]:
        """Embed the documents' new chunks in one call, then commit each document on its own.

        If this raises, the documents already passed to `on_applied` have landed and the others are
        untouched (their new chunks, if already in the dense index, are orphans until `reconcile`).
        """
        ids = [doc.document_id for doc in documents]
        if len(set(ids)) != len(ids):
            raise ValueError("a document may appear only once in a batch")
        for doc in documents:
            if not doc.chunks:
                raise ValueError(f"{doc.document_id}: a document needs at least one chunk")
        with self.writing():
            return self._apply(documents, on_embedded, on_applied)

    def _apply(
        self,
        documents: Sequence[PendingDocument],
        on_embedded: Callable[[int], None] | None,
        on_applied: Callable[[PendingDocument, AppliedDocument], None] | None,
    ) -> list[AppliedDocument]:
        previous = {doc.document_id: self.registry.chunk_ids(doc.document_id) for doc in documents}
        all_chunks = {chunk.id: chunk for doc in documents for chunk in doc.chunks}
        present = self.dense.existing(list(all_chunks))
        to_embed = [chunk for chunk in all_chunks.values() if chunk.id not in present]
        # Chunks stored before sentence vectors existed get theirs now; stored ones are reused.
        with_sentences = self.sentences.stored_chunks(list(all_chunks))
        sentences = {
            chunk.id: texts
            for chunk in all_chunks.values()
            if chunk.id not in with_sentences and (texts := chunk_sentences(chunk))
        }
        sentence_texts = [text for texts in sentences.values() for text in texts]
        sentence_vectors: dict[str, np.ndarray] = {}
        if to_embed or sentence_texts:
            vectors = self._embed_texts(
                [embedding_text(chunk) for chunk in to_embed] + sentence_texts, len(to_embed), on_embedded
            )
            if to_embed:
                self.dense.add(to_embed, vectors[: len(to_embed)])
            offset = len(to_embed)
            for chunk_id, texts in sentences.items():
                sentence_vectors[chunk_id] = vectors[offset : offset + len(texts)]
                offset += len(texts)
        fresh = {chunk.id for chunk in to_embed}
        results = []
        for doc in documents:
            with self.db.transaction() as conn:  # the commit point of this document
                DocumentRegistry.write(
                    conn,
                    document_id=doc.document_id,
                    content_hash=doc.content_hash,
                    title=doc.title,
                    type=doc.type,
                    owner=doc.owner,
                    size_bytes=doc.size_bytes,
                    chunks=doc.chunks,
                    source_root=doc.source_root,
                    authoritative=doc.authoritative,
                    flags=doc.flags,
                )
                LexicalIndex.write(conn, doc.document_id, doc.chunks)
                stale = previous[doc.document_id] - {chunk.id for chunk in doc.chunks}
                SentenceVectorStore.remove(conn, stale)
                written = 0
                for chunk in doc.chunks:
                    if chunk.id in sentences:
                        SentenceVectorStore.write(
                            conn, chunk.id, sentences[chunk.id], sentence_vectors[chunk.id]
                        )
                        written += len(sentences.pop(chunk.id))
                self.writer.bump(conn)
            self.dense.delete(stale)
            applied = AppliedDocument(
                chunks=len(doc.chunks),
                embedded=sum(1 for chunk in doc.chunks if chunk.id in fresh),
                removed=len(stale),
                sentences=written,
            )
            results.append(applied)
            if on_applied:
                on_applied(doc, applied)
        return results

    def embed_chunks(self, chunks: list[Chunk]) -> np.ndarray:
        """Vectors for these chunks, as applying them would compute (`knowledge.consistency` restores with it)."""
        return self._embed_texts([embedding_text(chunk) for chunk in chunks], len(chunks), None)

    def _embed_texts(
        self, texts: list[str], chunk_texts: int, on_embedded: Callable[[int], None] | None
    ) -> np.ndarray:
        """Vectors in `texts` order, computed in passes of similar length (see `knowledge.batching`); the
        first `chunk_texts` are chunks, the rest their sentences. One call per pass also lets a progress
        bar move (by the chunks in the pass) while a batch is embedded."""
        measure = getattr(self.embedder, "token_lengths", None)
        # Without a tokenizer, characters are a fair proxy (~4 per word-piece).
        lengths = measure(texts) if measure else [len(text) // 4 + 2 for text in texts]
        passes = length_batches(lengths, max_items=int(getattr(self.embedder, "batch_size", 64)))
        parts = []
        for indices in passes:
            parts.append(self.embedder.embed([texts[i] for i in indices]))
            chunks_done = sum(1 for i in indices if i < chunk_texts)
            if on_embedded and chunks_done:
                on_embedded(chunks_done)
        vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        vectors[[i for indices in passes for i in indices]] = np.concatenate(parts)
        return vectors

    def delete_document(self, document_id: str) -> bool:
        with self.writing():
            record = self.registry.get(document_id)
            if record is None:
                return False
            owned = self.registry.chunk_ids(document_id)
            with self.db.transaction() as conn:
                LexicalIndex.remove(conn, document_id)
                SentenceVectorStore.remove(conn, owned)
                DocumentRegistry.remove(conn, document_id)
                self.writer.bump(conn)
            self.dense.delete(owned)
            return True

    def reconcile(self) -> Reconciliation:
        """Remove what an interrupted apply left behind; reset documents whose dense chunks are missing.

        Run under the writer lock: no other writer is alive, so whatever no document owns is a leftover.
        When the last writer finished cleanly, Chroma holds no leftover and is not even opened.
        """
        with self.writing():
            return self._reconcile()

    def _reconcile(self) -> Reconciliation:
        owned = self.registry.chunk_ids()
        # The last writer finished and nobody replaced Chroma's file since: nothing in Chroma can be a
        # leftover, so it is not opened (see knowledge/writer.py).
        dense_ids = owned if self.writer.settled_before else self.dense.ids()
        dense_orphans = dense_ids - owned
        self.dense.delete(dense_orphans)
        with self.db.transaction() as conn:
            # FTS rows follow their chunk (same transaction, delete trigger): this finds none unless
            # the file was edited by hand; the check is one join, cheap next to the dense id scan.
            lexical_orphans = [
                row[0]
                for row in conn.execute(
                    "SELECT f.rowid FROM chunks_fts f LEFT JOIN chunks c ON c.seq = f.rowid "
                    "WHERE c.seq IS NULL OR c.id != f.chunk_id"
                )
            ]
            conn.executemany(
                "DELETE FROM chunks_fts WHERE rowid = ?", [(rowid,) for rowid in lexical_orphans]
            )
            SentenceVectorStore.remove_orphans(conn)
            missing = owned - dense_ids
            docs = {row[1] for row in conn.execute("SELECT id, document_id FROM chunks") if row[0] in missing}
            # Forgetting the hash makes the next sync treat the document as changed and re-embed it.
            for document_id in docs:
                DocumentRegistry.forget_hash(conn, document_id)
            self.writer.bump(conn)
        return Reconciliation(
            orphans_removed=len(dense_orphans) + len(lexical_orphans), documents_reset=len(docs)
        )

    def consistency(self) -> StoreHealth:
        """Whether registry, lexical index and Chroma agree: three counts and a file check, cheap enough
        for every answer. Not `ok` means answers are degraded: warn loudly (`message()` says how)."""
        return consistency.health(self)

    def flagged_documents(self) -> list[FlaggedDocument]:
        """Documents with passages that carry planted instructions, for an admin to review."""
        return trust.flagged_documents(self.db)

    def approve(self, document_id: str, *, by: str) -> bool:
        """Let the document's current content answer despite its flagged passages."""
        with self.writing(), self.db.transaction() as conn:
            return trust.approve(conn, document_id, by)

    def set_authoritative(self, document_id: str, authoritative: bool) -> bool:
        with self.writing(), self.db.transaction() as conn:
            return trust.set_authoritative(conn, document_id, authoritative)

    def is_empty(self) -> bool:
        return not self.registry.list()

    def close(self) -> None:
        self.writer.close()
        self.db.close()


def open_knowledge_db(home: Path, database_url: str | None = None) -> KnowledgeDB | PostgresKnowledgeDB:
    """The registry and lexical index: in PostgreSQL when a URL is given, else the SQLite file under home."""
    if database_url:
        return PostgresKnowledgeDB(database_url)
    home.mkdir(parents=True, exist_ok=True)
    return KnowledgeDB(home / "knowledge.sqlite3")


def open_knowledge(
    home: Path,
    embedder: Embedder,
    *,
    chroma_url: str | None = None,
    collection: str = "lastmile_chunks",
    database_url: str | None = None,
) -> KnowledgeBase:
    """The stores as `Settings` lays them out: under `home` (Chroma directory + SQLite file) by default,
    a Chroma server and a PostgreSQL database when their URLs are given."""
    home.mkdir(parents=True, exist_ok=True)
    dense = ChromaIndex(
        path=None if chroma_url else str(home / "chroma"), url=chroma_url, collection=collection
    )
    return KnowledgeBase(embedder=embedder, dense=dense, db=open_knowledge_db(home, database_url))
