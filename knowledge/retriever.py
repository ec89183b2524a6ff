"""Hybrid retrieval: dense (Chroma) and lexical (BM25) results fused by reciprocal rank fusion.

The lexical side is the in-memory BM25 index by default (knowledge/sparse_index.py: FTS5's ranking at a
fraction of its cost at 100k chunks), or FTS5 itself (`lexical_engine="fts5"`).

Optional metadata filters (document ids, or registry fields such as type and owner) restrict both
searches to the same documents. An optional reranker re-orders the fused candidates. Every returned hit
carries its cosine similarity to the query (fetched for lexical-only hits), which the assistant's
confidence uses. Only chunks a search may return reach the caller (knowledge/trust.py): hits whose chunk
no registered document owns (crash leftovers) or that are flagged as planted instructions and not approved
are dropped, and every hit's chunk carries its document's `authoritative` mark.

The lexical search runs on a worker thread while this one embeds the query (when no vector is given) and
runs the dense search; when the query is being embedded, the worker also fetches the stored vectors of its
hits (torch, Chroma's Rust core and SQLite release the GIL): at 100k chunks that hid most of BM25's cost
behind the embedding (issue #16, docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Literal

import numpy as np

from knowledge import trust
from knowledge.base import KnowledgeBase
from knowledge.reranker import Reranker
from knowledge.types import Hit

Mode = Literal["hybrid", "dense", "lexical"]
LexicalEngine = Literal["memory", "fts5"]
RRF_K = 60  # the constant from Cormack et al. (2009); damps the weight of top ranks
Filters = Mapping[str, str | Sequence[str]]
DEFAULT_CANDIDATES = 20  # chunks taken from each index before fusion
# Lexical searches overlapped with query embeddings, shared by every retriever of the process: a few
# workers, so concurrent turns (the app's sessions, the API's requests) do not queue behind one another.
_LEXICAL_WORKERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lexical")


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Hit]], k: int = RRF_K) -> list[Hit]:
    scores: dict[str, float] = {}
    first_seen: dict[str, Hit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.chunk.id] = scores.get(hit.chunk.id, 0.0) + 1.0 / (k + rank)
            if hit.chunk.id not in first_seen or (first_seen[hit.chunk.id].similarity is None):
                first_seen[hit.chunk.id] = hit
    ordered = sorted(scores, key=lambda chunk_id: scores[chunk_id], reverse=True)
    return [replace(first_seen[chunk_id], score=scores[chunk_id]) for chunk_id in ordered]


class HybridRetriever:
    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        candidates: int = DEFAULT_CANDIDATES,
        reranker: Reranker | None = None,
        lexical_engine: LexicalEngine = "memory",
    ) -> None:
        self.kb = kb
        self.lexical = kb.sparse if lexical_engine == "memory" else kb.lexical
        self.candidates = candidates  # taken from each index before fusion (and reranking)
        self.reranker = reranker

    def embed_query(self, text: str) -> np.ndarray:
        return self.kb.embedder.embed([text])[0]

    def search(
        self,
        text: str,
        k: int = 5,
        *,
        mode: Mode = "hybrid",
        document_ids: Sequence[str] | None = None,
        filters: Filters | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        self.kb.refresh()  # another process may have written since this one last looked
        scope = self._scope(document_ids, filters)
        if scope is not None and not scope:
            return []  # the filters match no document
        pool = max(k, self.candidates)
        lexical: Future[tuple[list[Hit], dict[str, np.ndarray]]] | None = None
        if mode in ("hybrid", "lexical"):
            lexical = _LEXICAL_WORKERS.submit(self._lexical, text, pool, scope, query_vector is None)
        vector = query_vector if query_vector is not None else self.embed_query(text)
        rankings: list[list[Hit]] = []
        if mode in ("hybrid", "dense"):
            where = {"document_id": {"$in": scope}} if scope else None
            rankings.append(self.kb.dense.query(vector, k=pool, where=where))
        stored: dict[str, np.ndarray] = {}
        if lexical is not None:
            lexical_hits, stored = lexical.result()
            rankings.append(lexical_hits)
        fused = rankings[0] if len(rankings) == 1 else reciprocal_rank_fusion(rankings)
        allowed = trust.retrievable(self.kb.db, [hit.chunk.id for hit in fused])
        hits = [
            replace(hit, chunk=replace(hit.chunk, authoritative=allowed[hit.chunk.id]))
            for hit in fused
            if hit.chunk.id in allowed
        ]
        if self.reranker is not None:
            hits = self.reranker.rerank(text, hits[:pool])
        return self._with_similarity(hits[:k], vector, stored)

    def _lexical(
        self, text: str, pool: int, scope: list[str] | None, prefetch: bool
    ) -> tuple[list[Hit], dict[str, np.ndarray]]:
        """The lexical ranking and, when there is time for it (the query is still being embedded), the
        stored vectors of its hits: whichever of them fusion keeps without a dense score needs one."""
        hits = self.lexical.search(text, k=pool, document_ids=scope)
        return hits, self.kb.dense.vectors([hit.chunk.id for hit in hits]) if prefetch else {}

    def _scope(self, document_ids: Sequence[str] | None, filters: Filters | None) -> list[str] | None:
        """The documents a search may return, or None for all of them."""
        if not filters:
            return list(document_ids) if document_ids else None
        matching = self.kb.registry.matching(filters)
        if document_ids:
            allowed = set(document_ids)
            matching = [doc for doc in matching if doc in allowed]
        return matching

    def _with_similarity(
        self, hits: list[Hit], vector: np.ndarray, stored: dict[str, np.ndarray]
    ) -> list[Hit]:
        unknown = [hit.chunk.id for hit in hits if hit.similarity is None and hit.chunk.id not in stored]
        stored = {**stored, **self.kb.dense.vectors(unknown)}
        return [
            hit
            if hit.similarity is not None
            else replace(
                hit, similarity=float(stored[hit.chunk.id] @ vector) if hit.chunk.id in stored else 0.0
            )
            for hit in hits
        ]
