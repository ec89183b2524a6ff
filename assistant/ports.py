"""The small protocols the reply pipeline needs from the knowledge layer, so it never reaches into it.

`HybridRetriever` (knowledge/retriever.py) is the default `Retriever`; the lexical index is the default
`Vocabulary`; `SentenceVectorStore` (knowledge/sentence_vectors.py) the default `SentenceVectors`; any
sentence-transformers model behind `knowledge.embedder.Embedder` embeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from knowledge.retriever import Mode
from knowledge.types import Hit


class Retriever(Protocol):
    def search(
        self, text: str, k: int = 5, *, mode: Mode = "hybrid", query_vector: np.ndarray | None = None
    ) -> list[Hit]: ...


class Vocabulary(Protocol):
    def unseen_terms(self, text: str) -> set[str]:
        """The terms of `text` that no document contains."""
        ...


class SentenceVectors(Protocol):
    def vectors(self, chunk_ids: Sequence[str]) -> Mapping[str, np.ndarray]:
        """Unit vectors of these chunks' sentences and headings, embedded at ingest, by text (may be partial)."""
        ...
