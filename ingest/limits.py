"""Caps on what one document may cost to load, chunk and embed, so that a small hostile file (a DOCX that
unpacks to 142 MB ran the loader for over 5 minutes at 1.3 GB) fails alone, early, with a clear reason.

The file-size cap (`Syncer.max_file_bytes`, LASTMILE_MAX_FILE_MB) bounds what is read; these bound what
that expands to. Measured on this machine (2 shared cores), python-docx: 50,000 paragraphs (4.4 MB of XML)
load in 3.4 s at 83 MB; 400,000 (30 MB) in 38 s at 400 MB. PDF streams are bounded by pypdf itself (75 MB
per decoded stream, pypdf 7); the page and chunk caps bound the rest.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from ingest.document import LoadError

MB = 1024 * 1024


@dataclass(frozen=True)
class IngestLimits:
    # python-docx reads every part of the package into memory: 64 MB is three times the largest file
    # accepted (20 MB, whose images barely compress), far below the 142 MB bomb.
    max_expanded_bytes: int = 64 * MB
    # Lines, paragraphs and table rows per document: a 1,000-page manual has about 20,000; 50,000 DOCX
    # paragraphs load in 3.4 s (above).
    max_paragraphs: int = 50_000
    # A 2,000-page PDF is a book-length manual; pypdf extracts roughly 20-50 pages/s here.
    max_pdf_pages: int = 2_000
    # At 80 words a chunk, 5,000 chunks hold 400,000 words (about 1,000 pages) and already take minutes
    # to embed on 2 cores: a document needing more is split by its owner, not ingested whole.
    max_chunks: int = 5_000


DEFAULT_LIMITS = IngestLimits()


def check_zip(data: bytes, limits: IngestLimits) -> None:
    """Refuse an archive (DOCX) whose members unpack to more than the limit.

    The sizes are the ones the archive declares; `zipfile` stops reading a member at its declared size
    (and fails its CRC check if the data goes on), so a member that lies cannot unpack to more.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a readable archive: the loader reports it as corrupt
    if unpacked > limits.max_expanded_bytes:
        raise LoadError(
            f"too large when unpacked: {unpacked / MB:.1f} MB > limit {limits.max_expanded_bytes // MB} MB"
        )


def check_count(what: str, count: int, limit: int) -> None:
    """Refuse a document with more `what` (paragraphs, pages, chunks) than the limit."""
    if count > limit:
        raise LoadError(f"too many {what}: {count:,} > limit {limit:,}")
