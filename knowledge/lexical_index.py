"""The lexical index: BM25 over SQLite FTS5, in the same database file as the registry."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from knowledge.store_db import KnowledgeDB
from knowledge.text import STOPWORDS
from knowledge.types import Chunk, Hit

_TOKEN = re.compile(r"[\w]+", re.UNICODE)
# Question words carry no evidence; leaving them in an OR query only adds noise.


def fts_query(text: str) -> str:
    """A safe FTS5 MATCH expression: the text's distinct terms, quoted, OR-ed (buyer text never parses as syntax)."""
    terms = []
    for token in _TOKEN.findall(text.lower()):
        if token not in STOPWORDS and token not in terms:
            terms.append(token)
    return " OR ".join(f'"{term}"' for term in terms[:64])


def chunk_of(row, id_column: str = "chunk_id") -> Chunk:
    """A chunk from a lexical row joined with its `chunks` row (body, title, heading, page, ordinal)."""
    return Chunk(
        id=row[id_column],
        document_id=row["document_id"],
        text=row["body"],
        title=row["title"],
        heading=row["heading"],
        page=row["page"],
        ordinal=row["ordinal"],
    )


class LexicalIndex:
    def __init__(self, db: KnowledgeDB) -> None:
        self._db = db

    @staticmethod
    def write(conn: sqlite3.Connection, document_id: str, chunks: Sequence[Chunk]) -> None:
        """Index a document's chunks, in the caller's transaction, after `DocumentRegistry.write` put
        them in the registry (an FTS row shares its chunk's `seq`; the previous version's rows went
        with its chunk rows, by trigger)."""
        conn.executemany(
            "INSERT INTO chunks_fts(rowid, chunk_id, document_id, title, heading, body) "
            "VALUES ((SELECT seq FROM chunks WHERE id = ?), ?, ?, ?, ?, ?)",
            [(c.id, c.id, document_id, c.title, c.heading, c.text) for c in chunks],
        )

    @staticmethod
    def remove(conn: sqlite3.Connection, document_id: str) -> None:
        """Drop a document's rows (deleting its registry chunks does the same, by trigger)."""
        conn.execute(
            "DELETE FROM chunks_fts WHERE rowid IN (SELECT seq FROM chunks WHERE document_id = ?)",
            (document_id,),
        )

    def unseen_terms(self, text: str) -> set[str]:
        """The text's content words that no chunk contains (after the index's own stemming).

        A word the whole knowledge base never uses (a product, a connector, a standard) is something
        the documents cannot confirm.
        """
        unseen = set()
        for token in dict.fromkeys(_TOKEN.findall(text.lower())):
            if token in STOPWORDS or len(token) < 3 or token.isdigit():
                continue
            found = self._db.query(
                "SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 1", (f'"{token}"',)
            )
            if not found:
                unseen.add(token)
        return unseen

    def common_terms(self, text: str, share: float) -> set[str]:
        """The text's words that at least `share` of all chunks contain (the product's own name, "phone"
        in a phone manual): they say nothing about which fact a sentence is about."""
        total = self._indexed_chunks()
        common = set()
        for token in dict.fromkeys(_TOKEN.findall(text.lower())):
            if token in STOPWORDS or len(token) < 3 or not total:
                continue
            if self._chunks_containing(token) / total >= share:
                common.add(token)
        return common

    def _indexed_chunks(self) -> int:
        # FTS5 keeps one `_docsize` row per indexed row: counting that plain table takes an index's time,
        # where count(*) on the virtual table reads every row's content (~8 ms at 10k chunks, per turn).
        return self._db.query("SELECT count(*) FROM chunks_fts_docsize")[0][0]

    def _chunks_containing(self, token: str) -> int:
        return self._db.query("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (f'"{token}"',))[0][
            0
        ]

    def chunk_ids(self) -> set[str]:
        return {row[0] for row in self._db.query("SELECT chunk_id FROM chunks_fts")}

    def search(self, text: str, k: int = 10, document_ids: Sequence[str] | None = None) -> list[Hit]:
        expression = fts_query(text)
        if not expression:
            return []
        sql = (
            "SELECT f.chunk_id, f.document_id, f.title, f.heading, f.body, c.page, c.ordinal, "
            "bm25(chunks_fts, 0, 0, 2.0, 1.5, 1.0) AS rank "
            "FROM chunks_fts f JOIN chunks c ON c.seq = f.rowid WHERE chunks_fts MATCH ?"
        )
        params: list = [expression]
        if document_ids:
            sql += f" AND f.document_id IN ({','.join('?' * len(document_ids))})"
            params.extend(document_ids)
        sql += " ORDER BY rank LIMIT ?"
        params.append(k)
        return [
            Hit(
                chunk=chunk_of(row),
                score=-float(row["rank"]),  # FTS5's bm25() is lower-is-better
            )
            for row in self._db.query(sql, params)
        ]
