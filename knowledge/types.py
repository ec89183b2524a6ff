"""Typed values that flow between the knowledge stores and their callers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage of a source document."""

    id: str
    document_id: str  # the source: path relative to the ingested folder, or a given id
    text: str
    title: str  # the document's title
    heading: str = ""  # heading path inside the document, "A > B"
    page: int | None = None  # 1-based page for paged formats (PDF)
    ordinal: int = 0  # position of the chunk inside its document
    # Whether its document is marked authoritative (registry), set on every hit the retriever returns:
    # a sensitive statement (price, discount, contract, roadmap) may reach a buyer only from one that is.
    authoritative: bool = True


@dataclass(frozen=True)
class Hit:
    """A chunk returned by a search, with the score that ranked it (higher is better)."""

    chunk: Chunk
    score: float
    similarity: float | None = None  # cosine similarity to the query, when known
