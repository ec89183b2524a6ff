"""How a chunk is presented to the embedder and the lexical index: its text under its title and heading."""

from __future__ import annotations

import re

from knowledge.types import Chunk

# How ingest writes a CSV FAQ row (ingest/loaders.py): evidence quotes its answer whole.
FAQ_ROW = re.compile(r"^Q:\s*(.+?)\nA:\s*(.+)$", re.DOTALL)


def embedding_text(chunk: Chunk) -> str:
    # The heading path often names what the passage is about when its sentences do not.
    context = " > ".join(part for part in (chunk.title, chunk.heading) if part)
    return f"{context}\n{chunk.text}" if context else chunk.text


# Function words carry no evidence: dropped from lexical queries and from overlap scores.
STOPWORDS = frozenset(
    """a an and are as at be been but by can could do does did for from has have how i if in into is it its
    me my of on or our so that the their them then there these they this to was we were what when where
    which who why will with would you your about any all also more most other some such than too very just
    only own same should now us""".split()
)
