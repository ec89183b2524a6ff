"""PDF loading: text per page (page numbers kept), heading paths from font sizes, running headers dropped.

PDF has no markup for headings, but documents set them larger than the body text: a line whose font is
clearly larger than the most common (body) size is a heading, its level given by its size rank. Lines
repeated at the top or bottom of most pages (running headers, "Page 2/7" footers) are noise for
retrieval and are dropped.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass

from ingest.document import LoadedDocument, LoadError, SectionBuilder, one_line, title_from_stem
from ingest.limits import DEFAULT_LIMITS, IngestLimits, check_count

HEADING_RATIO = 1.1  # a heading's font is at least this much larger than the body's
EDGE_LINES = 2  # lines at each end of a page that may be a running header or footer


@dataclass(frozen=True)
class _Line:
    text: str
    size: float  # font size in points, 0 when unknown


def load_pdf(data: bytes, stem: str, limits: IngestLimits = DEFAULT_LIMITS) -> LoadedDocument:
    from pypdf import PdfReader

    # pypdf logs recoverable damage ("EOF marker not found") on every file; failures are raised below.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise LoadError("encrypted PDF")
        check_count("pages", len(reader.pages), limits.max_pdf_pages)  # before any text is extracted
        pages = [_page_lines(page) for page in reader.pages]
        title = ((reader.metadata.title if reader.metadata else None) or "").strip()
    except LoadError:
        raise
    except Exception as error:  # pypdf raises many internal types on damaged files
        raise LoadError(f"corrupt PDF: {type(error).__name__}: {one_line(error)}") from error
    pages = _drop_running_lines(pages)
    body = _body_size(pages)
    sizes = sorted({line.size for page in pages for line in page if line.size >= body * HEADING_RATIO})
    levels = {size: rank for rank, size in enumerate(reversed(sizes), start=1)}
    pages = [_join_wrapped_headings(lines, levels) for lines in pages]
    builder = SectionBuilder()
    for number, lines in enumerate(pages, start=1):
        builder.flush()
        builder.page = number
        for line in lines:
            level = levels.get(line.size) if body else None
            if level is None:
                builder.add(line.text)
            elif level == 1 and builder.empty and (not title or _key(title) == _key(line.text)):
                title = line.text  # the largest line before any text is the title, not a heading
            else:
                builder.heading(level, line.text)
    builder.flush()
    sections = builder.sections
    if not title and sections:
        title = sections[0].text.splitlines()[0].strip()[:120]
    return LoadedDocument(title=title or title_from_stem(stem), type="pdf", sections=sections)


def _page_lines(page) -> list[_Line]:
    """The page's text lines (pypdf's spacing) with the font size the visitor saw for each."""
    sizes: dict[str, float] = {}
    runs: list[tuple[float, float, str]] = []  # (baseline y, size, text)

    def visit(text, cm, tm, font, font_size) -> None:
        if text.strip():
            runs.append((round(tm[5] * cm[3] + cm[5], 1), abs(font_size * tm[3] * cm[3]), text))

    text = page.extract_text(visitor_text=visit) or ""
    by_y: dict[float, list[tuple[float, str]]] = {}
    for y, size, piece in runs:
        by_y.setdefault(y, []).append((size, piece))
    for pieces in by_y.values():
        # A heading line is all one size; mixed lines (bold words in body text) take the smallest.
        sizes[_key("".join(piece for _, piece in pieces))] = round(min(size for size, _ in pieces), 1)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [_Line(line, sizes.get(_key(line), 0.0)) for line in lines]


def _join_wrapped_headings(lines: list[_Line], levels: dict[float, int]) -> list[_Line]:
    """A long heading wraps onto several lines of the same size: one heading, not several."""
    joined: list[_Line] = []
    for line in lines:
        if joined and line.size in levels and joined[-1].size == line.size:
            joined[-1] = _Line(f"{joined[-1].text} {line.text}", line.size)
        else:
            joined.append(line)
    return joined


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _body_size(pages: list[list[_Line]]) -> float:
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page:
            if line.size:
                weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    if len(pages) < 2:
        return pages

    def shape(text: str) -> str:
        return re.sub(r"\d+", "#", _key(text))

    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({shape(line.text) for line in page[:EDGE_LINES] + page[-EDGE_LINES:]})
    running = {s for s, n in counts.items() if n >= 2 and n * 2 >= len(pages)}
    body = _body_size(pages)
    kept = []
    for page in pages:
        edges = {id(line) for line in page[:EDGE_LINES] + page[-EDGE_LINES:]}
        # A heading (larger than body) is kept even when it repeats: the title opens page 1.
        kept.append(
            [
                line
                for line in page
                if not (id(line) in edges and shape(line.text) in running and line.size <= body)
            ]
        )
    return kept
