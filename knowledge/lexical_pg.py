"""The lexical index on PostgreSQL full-text search, behind `LexicalIndex`'s interface.

Rows are written and removed by the same SQL as SQLite's (knowledge/lexical_index.py); only matching and
ranking differ. Each row's `tsv` (stored, GIN-indexed) holds title, heading and body weighted A, B and C;
`ts_rank` with weights 2.0 / 1.5 / 1.0 mirrors FTS5's bm25() column weights, and normalisation 1 (divide
by 1 + log(length)) stands in for BM25's length normalisation. The query is the buyer's distinct content
words OR-ed, parsed by `websearch_to_tsquery`, which never raises on any input.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.lexical_index import _TOKEN, LexicalIndex, chunk_of
from knowledge.text import STOPWORDS
from knowledge.types import Hit

WEIGHTS = (
    "{0.05, 0.5, 0.75, 1.0}"  # D, C, B, A = -, body, heading, title: FTS5 weights 1 / 1.5 / 2, scaled to <= 1
)
NORMALISATION = 1  # rank / (1 + log(document length)): long chunks do not win by size alone


def websearch_query(text: str) -> str:
    """The text's distinct content words, each quoted, OR-ed (buyer text never parses as syntax)."""
    terms: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        if token not in STOPWORDS and token not in terms:
            terms.append(token)
    return " or ".join(f'"{term}"' for term in terms[:64])


class PostgresLexicalIndex(LexicalIndex):
    def _indexed_chunks(self) -> int:
        """`common_terms`' denominator: a plain table here, and counting it costs what an index scan does."""
        return self._db.query("SELECT count(*) FROM chunks_fts")[0][0]

    def _chunks_containing(self, token: str) -> int:
        """`common_terms` counted with PostgreSQL full text (the rest is `LexicalIndex.common_terms`)."""
        return self._db.query(
            "SELECT count(*) FROM chunks_fts WHERE tsv @@ plainto_tsquery('english', ?)", (token,)
        )[0][0]

    def unseen_terms(self, text: str) -> set[str]:
        """As `LexicalIndex.unseen_terms`; a word the `english` configuration drops as a stop word counts
        as seen (it carries no evidence either way)."""
        unseen = set()
        for token in dict.fromkeys(_TOKEN.findall(text.lower())):
            if token in STOPWORDS or len(token) < 3 or token.isdigit():
                continue
            rows = self._db.query(
                "SELECT numnode(q) = 0 OR EXISTS (SELECT 1 FROM chunks_fts WHERE tsv @@ q) "
                "FROM websearch_to_tsquery('english', ?) AS q",
                (f'"{token}"',),
            )
            if not rows[0][0]:
                unseen.add(token)
        return unseen

    def search(self, text: str, k: int = 10, document_ids: Sequence[str] | None = None) -> list[Hit]:
        expression = websearch_query(text)
        if not expression:
            return []
        sql = (
            "SELECT f.chunk_id, f.document_id, f.title, f.heading, f.body, c.page, c.ordinal, "
            f"ts_rank('{WEIGHTS}', f.tsv, q, {NORMALISATION}) AS rank "
            "FROM chunks_fts f JOIN chunks c ON c.seq = f.rowid, websearch_to_tsquery('english', ?) AS q "
            "WHERE f.tsv @@ q"
        )
        params: list = [expression]
        if document_ids:
            sql += f" AND f.document_id IN ({','.join('?' * len(document_ids))})"
            params.extend(document_ids)
        sql += " ORDER BY rank DESC, f.rowid LIMIT ?"
        params.append(k)
        return [
            Hit(
                chunk=chunk_of(row),
                score=float(row["rank"]),
            )
            for row in self._db.query(sql, params)
        ]
