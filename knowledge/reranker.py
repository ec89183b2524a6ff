"""Optional second-stage reranking: re-order the fused candidates by a (query, passage) relevance score.

`ScoringReranker` does the ordering once; an implementation only says how to score pairs. The default,
`CrossEncoderReranker`, reads a sentence-transformers cross-encoder from a local directory (never the hub)
and is built only when a model path is configured: without one, retrieval stays dense + BM25 + RRF.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from knowledge.embedder import hub_offline
from knowledge.text import embedding_text
from knowledge.types import Hit


class Reranker(Protocol):
    """Re-orders hits for a query, best first; the score of each returned hit is the reranker's."""

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]: ...


class ScoringReranker(ABC):
    """A reranker defined by one method: the relevance of each passage to the query (higher is better)."""

    @abstractmethod
    def score(self, query: str, passages: Sequence[str]) -> list[float]: ...

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        if not hits:
            return []
        # The passage is scored as the embedder sees it: the heading path often names the topic.
        scores = self.score(query, [embedding_text(hit.chunk) for hit in hits])
        scored = [replace(hit, score=float(s)) for hit, s in zip(hits, scores, strict=True)]
        # sorted() is stable: ties keep the fused order.
        return sorted(scored, key=lambda hit: hit.score, reverse=True)


class CrossEncoderReranker(ScoringReranker):
    """A sentence-transformers `CrossEncoder` read from a local model directory, on the CPU by default."""

    def __init__(self, model_path: str, *, batch_size: int = 32, device: str = "cpu") -> None:
        if not os.path.isdir(model_path):
            raise FileNotFoundError(f"reranker model directory not found: {model_path}")
        hub_offline()
        from sentence_transformers import CrossEncoder

        self._model = CrossEncoder(model_path, device=device, local_files_only=True)
        self.batch_size = batch_size

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        pairs = [(query, passage) for passage in passages]
        scores = self._model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False)
        return [float(s) for s in scores]


def build_reranker(model_path: str | None) -> Reranker | None:
    """The configured reranker, or None (no reranking) when no model path is set."""
    return CrossEncoderReranker(model_path) if model_path else None
