"""Structure-aware chunking: a document's sections first, then size, into `Chunk`s with content-derived ids.

A chunk id is the document id's hash plus the chunk text's hash: re-ingesting unchanged content produces the
same ids, so nothing is embedded twice.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from ingest.document import LoadedDocument, LoadError, is_table_row
from ingest.limits import DEFAULT_LIMITS, check_count
from knowledge.types import Chunk

# Measured (docs/retrieval.md, bench/chunk_sizes.py): on samsung-s10, 40 to 80 words retrieve best
# (hybrid MRR 0.86-0.89; 180 words 0.81); within that plateau 80 keeps the sample set's citation
# precision, which 60 lowers by 0.05 (shorter passages, fewer quotable sentences each).
DEFAULT_CHUNK_WORDS = 80
DEFAULT_OVERLAP_WORDS = 30


def normalise(text: str) -> str:
    """NFKC, no control characters, single spaces, paragraph breaks kept."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    paragraphs = re.split(r"\n\s*\n", text)
    # Line breaks inside a paragraph are kept: list items and table rows are separate sentences.
    tidy = ["\n".join(" ".join(row.split()) for row in p.split("\n") if row.strip()) for p in paragraphs]
    return "\n\n".join(p for p in tidy if p)


def _word_count(text: str) -> int:
    return len(text.split())


def _table_headers(text: str) -> dict[str, str]:
    """Each row of a table (a paragraph of two or more " | " rows) -> the table's header row (its first)."""
    headers: dict[str, str] = {}
    for paragraph in text.split("\n\n"):
        rows = paragraph.split("\n")
        if len(rows) >= 2 and all(is_table_row(row) for row in rows):
            headers.update({row: rows[0] for row in rows[1:]})
    return headers


def _with_table_header(piece: str, headers: dict[str, str]) -> str:
    """A piece that opens inside a table gets the table's header row first: "SCIM provisioning | No | No |
    Yes" says nothing about which plan lacks it without "Included | Starter | Growth | Enterprise"."""
    first = piece.split("\n", 1)[0]
    header = headers.get(first)
    return f"{header}\n{piece}" if header and header != first else piece


def chunk_id(document_id: str, text: str) -> str:
    doc = hashlib.sha1(document_id.encode("utf-8")).hexdigest()[:10]
    body = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    return f"{doc}-{body}"


def chunk_document(
    document_id: str,
    document: LoadedDocument,
    *,
    max_words: int = DEFAULT_CHUNK_WORDS,
    overlap_words: int = DEFAULT_OVERLAP_WORDS,
    max_chunks: int = DEFAULT_LIMITS.max_chunks,
) -> list[Chunk]:
    """The document's chunks; a `LoadError` when it needs more than `max_chunks` (known before splitting:
    a chunk holds at most `max_words` words, an atomic section is one chunk)."""
    atomic = sum(1 for section in document.sections if section.atomic)
    words = sum(len(section.text.split()) for section in document.sections if not section.atomic)
    at_least = atomic + -(-words // max_words)
    if at_least > max_chunks:
        raise LoadError(f"too many chunks: at least {at_least:,} > limit {max_chunks:,}")
    # Imported here: langchain_core costs about a second of every command's start-up (issue #16), and
    # commands that only list, show or delete documents never chunk.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=max_words,
        chunk_overlap=min(overlap_words, max_words // 2),
        length_function=_word_count,
        separators=["\n\n", "\n", ". ", "; ", ", ", " "],
        keep_separator="end",
    )
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for section in document.sections:
        text = normalise(section.text)
        if not text:
            continue
        pieces = [text] if section.atomic else splitter.split_text(text)
        headers = _table_headers(text)
        for piece in pieces:
            piece = _with_table_header(piece.strip(), headers)
            identifier = chunk_id(document_id, piece)
            if not piece or identifier in seen:  # identical text twice in one document: keep one
                continue
            seen.add(identifier)
            chunks.append(
                Chunk(
                    id=identifier,
                    document_id=document_id,
                    text=piece,
                    title=document.title,
                    heading=section.heading,
                    page=section.page,
                    ordinal=len(chunks),
                )
            )
    check_count("chunks", len(chunks), max_chunks)
    return chunks
