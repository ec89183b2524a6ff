"""Sentence vectors: each chunk's sentences (and heading) embedded once, at ingest, stored in the knowledge DB.

Evidence selection compares the buyer's message with the sentences of the retrieved chunks; embedding
those ~10 sentences on every turn cost most of a turn (issue #16). They are embedded instead in the same
forward passes as their chunk, stored as float32 blobs keyed by chunk id (which holds the chunk text's
hash) and the sentence's own hash, written in the chunk's commit transaction and deleted with it: a
re-ingest of an unchanged chunk reuses them, as it reuses the chunk's vector.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from knowledge.sentences import split_sentences
from knowledge.store_db import KnowledgeDB
from knowledge.text import FAQ_ROW
from knowledge.types import Chunk

_PARAMETERS = 500  # below SQLite's bound-parameter limit


def chunk_sentences(chunk: Chunk) -> list[str]:
    """What evidence selection may embed for this chunk: its sentences (the project's one splitter), the
    answer of an FAQ row whole, and its heading (the evidence scorer's context), each once."""
    texts = split_sentences(chunk.text)
    faq = FAQ_ROW.match(chunk.text)
    if faq:
        texts.append(faq.group(2).strip())
    if chunk.heading:
        texts.append(chunk.heading)
    return list(dict.fromkeys(texts))


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class SentenceVectorStore:
    """Reads stored sentence vectors; the writes are static, made in a document's transaction."""

    def __init__(self, db: KnowledgeDB) -> None:
        self._db = db

    @staticmethod
    def write(conn: sqlite3.Connection, chunk_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        conn.executemany(
            # An upsert both SQLite and PostgreSQL (the shared knowledge store) accept.
            "INSERT INTO sentence_vectors(chunk_id, text_hash, text, vector) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chunk_id, text_hash) DO UPDATE SET text = excluded.text, vector = excluded.vector",
            [
                (chunk_id, text_hash(text), text, np.asarray(vector, dtype=np.float32).tobytes())
                for text, vector in zip(texts, vectors, strict=True)
            ],
        )

    @staticmethod
    def remove(conn: sqlite3.Connection, chunk_ids: Iterable[str]) -> None:
        conn.executemany("DELETE FROM sentence_vectors WHERE chunk_id = ?", [(i,) for i in chunk_ids])

    @staticmethod
    def remove_orphans(conn: sqlite3.Connection) -> int:
        """Delete the vectors of chunks no document owns (a registry edited by hand); returns how many."""
        return conn.execute(
            "DELETE FROM sentence_vectors WHERE chunk_id NOT IN (SELECT id FROM chunks)"
        ).rowcount

    def stored_chunks(self, chunk_ids: Sequence[str]) -> set[str]:
        """Which of these chunks have their sentence vectors stored."""
        found: set[str] = set()
        for part in _parts(chunk_ids):
            marks = ",".join("?" * len(part))
            found |= {
                row[0]
                for row in self._db.query(
                    f"SELECT DISTINCT chunk_id FROM sentence_vectors WHERE chunk_id IN ({marks})", part
                )
            }
        return found

    def vectors(self, chunk_ids: Sequence[str]) -> Mapping[str, np.ndarray]:
        """Unit vectors of these chunks' stored sentences and headings, by text."""
        found: dict[str, np.ndarray] = {}
        for part in _parts(chunk_ids):
            marks = ",".join("?" * len(part))
            for row in self._db.query(
                f"SELECT text, vector FROM sentence_vectors WHERE chunk_id IN ({marks})", part
            ):
                found[row[0]] = np.frombuffer(row[1], dtype=np.float32)
        return found

    def count(self) -> int:
        return int(self._db.query("SELECT COUNT(*) FROM sentence_vectors")[0][0])


def _parts(ids: Sequence[str]) -> Iterable[list[str]]:
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), _PARAMETERS):
        yield ids[start : start + _PARAMETERS]
