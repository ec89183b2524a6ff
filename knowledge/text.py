"""How a chunk is presented to the embedder and the lexical index: its text under its title and heading."""

from __future__ import annotations

from knowledge.types import Chunk


def embedding_text(chunk: Chunk) -> str:
    # The heading path often names what the passage is about when its sentences do not.
    context = " > ".join(part for part in (chunk.title, chunk.heading) if part)
    return f"{context}\n{chunk.text}" if context else chunk.text
