"""Synthetic chunks to grow a knowledge base to a given size without embedding (random unit vectors for
chunks and their sentences, text drawn from a real vocabulary so the lexical index sees realistic term
statistics)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from knowledge.base import KnowledgeBase
from knowledge.lexical_index import LexicalIndex
from knowledge.registry import DocumentRegistry
from knowledge.sentence_vectors import SentenceVectorStore, chunk_sentences
from knowledge.types import Chunk

CHUNKS_PER_DOCUMENT = 100


def vocabulary(folder: Path, limit: int = 5000) -> list[str]:
    words: dict[str, int] = {}
    for path in sorted(folder.glob("*.md")):
        for word in re.findall(
            r"[a-z][a-z-]{2,}", path.read_text(encoding="utf-8", errors="replace").lower()
        ):
            words[word] = words.get(word, 0) + 1
    return sorted(words, key=words.get, reverse=True)[:limit]  # type: ignore[arg-type]


def fill(kb: KnowledgeBase, *, total_chunks: int, words: list[str], seed: int = 7) -> int:
    """Add synthetic documents until the store holds `total_chunks`; returns how many were added."""
    rng = np.random.default_rng(seed)
    missing = total_chunks - kb.dense.count()
    added = 0
    document = 0
    while added < missing:
        count = min(CHUNKS_PER_DOCUMENT, missing - added)
        document_id = f"synthetic/doc-{document:05d}.md"
        chunks = [
            Chunk(
                id=f"syn-{document:05d}-{i:03d}",
                document_id=document_id,
                text=" ".join(rng.choice(words, size=120)) + ".",
                title=f"Synthetic document {document}",
                ordinal=i,
            )
            for i in range(count)
        ]
        vectors = rng.standard_normal((count, kb.embedder.dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        kb.dense.add(chunks, vectors)
        with kb.db.transaction() as conn:
            DocumentRegistry.write(
                conn, document_id=document_id, content_hash=f"synthetic-{document}", title=chunks[0].title,
                type="markdown", owner="bench", size_bytes=0, chunks=chunks,
            )  # fmt: skip
            LexicalIndex.write(conn, document_id, chunks)
            for chunk in chunks:  # as ingest stores them: the turn reads them, never embeds them
                texts = chunk_sentences(chunk)
                sentence_vectors = rng.standard_normal((len(texts), kb.embedder.dimension)).astype(np.float32)
                sentence_vectors /= np.linalg.norm(sentence_vectors, axis=1, keepdims=True)
                SentenceVectorStore.write(conn, chunk.id, texts, sentence_vectors)
            kb.writer.bump(conn)
        added += count
        document += 1
    return added
