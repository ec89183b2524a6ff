"""Read one source file into titled, sectioned text; every failure is a `LoadError` with a one-line reason.

Formats: Markdown, plain text, HTML, PDF (page numbers kept), DOCX, CSV FAQ (one section per row).
Markdown, HTML, DOCX and PDF sections carry their heading path; the first top-level heading before any
text is the document's title, not a heading inside it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ingest.document import (
    CELL_SEPARATOR,
    LoadedDocument,
    LoadError,
    Section,
    SectionBuilder,
    decode_text,
    one_line,
    title_from_stem,
)
from ingest.html_loader import load_html
from ingest.limits import DEFAULT_LIMITS, IngestLimits, check_count, check_zip
from ingest.pdf_loader import load_pdf
from ingest.sanitise import strip_images

__all__ = ["SUPPORTED_SUFFIXES", "LoadError", "LoadedDocument", "Section", "decode_text", "load_bytes"]


def load_bytes(name: str, data: bytes, limits: IngestLimits = DEFAULT_LIMITS) -> LoadedDocument:
    """Parse `data` as the format its file name's suffix says, within `limits` (else a `LoadError`)."""
    suffix = Path(name).suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise LoadError(f"unsupported file type {suffix or '(no extension)'}")
    if not data.strip():
        raise LoadError("empty file")
    stem = Path(name).stem
    document = _without_images(loader(data, stem, limits), stem)
    if not document.text.strip():
        raise LoadError("no text could be extracted")
    lines = sum(section.text.count("\n") + 1 for section in document.sections)
    check_count("paragraphs", lines, limits.max_paragraphs)
    return document


def _without_images(document: LoadedDocument, stem: str) -> LoadedDocument:
    """Every format's title, headings and text with images stripped (see `ingest.sanitise`)."""
    document.title = " ".join(strip_images(document.title).split()) or title_from_stem(stem)
    document.sections = [
        replace(section, text=strip_images(section.text), heading=strip_images(section.heading))
        for section in document.sections
    ]
    return document


_ATX = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)(.+?)\1")


def _table_row(line: str) -> str:
    """'| HIPAA | Supported. |' → 'HIPAA | Supported.': outer pipes dropped, cells kept apart."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
        return CELL_SEPARATOR.join(cell.strip() for cell in stripped[1:-1].split("|"))
    return line


def plain_inline(line: str) -> str:
    """Markdown inline markup removed (links keep their text, images go), so quotes read as prose."""
    line = strip_images(line)
    line = _LINK.sub(r"\1", line)
    return _EMPHASIS.sub(r"\2", line)


def load_markdown(data: bytes, stem: str, limits: IngestLimits = DEFAULT_LIMITS) -> LoadedDocument:
    text = decode_text(data)
    meta: dict[str, str] = {}
    front = _FRONT_MATTER.match(text)
    if front:  # YAML front matter: keep the simple `key: value` fields, drop the block from the text
        for line in front.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip().strip("\"'")
        text = text[front.end() :]
    title = meta.get("title", "")
    builder = SectionBuilder()
    in_code = False
    previous = ""  # the last text line added, which a setext underline turns into a heading
    for line in text.splitlines():
        if line.strip().startswith(("```", "~~~")):
            in_code = not in_code
            continue  # the fence itself is markup; the code between is kept verbatim
        atx = None if in_code else _ATX.match(line)
        setext = None if in_code or not previous.strip() else _SETEXT.match(line)
        if atx or setext:
            if setext:  # the underlined line above is the heading, not text
                builder.drop_last(previous)
                level, heading = (1 if line.lstrip()[0] == "=" else 2), previous.strip()
            else:
                assert atx is not None
                level, heading = len(atx.group(1)), plain_inline(atx.group(2).strip())
            if level == 1 and (not title or (title == heading and builder.empty)):
                title = heading  # the first H1 names the document (front matter may already have)
            else:
                builder.heading(level, heading)
            previous = ""
        elif not in_code and _TABLE_RULE.match(line):
            previous = ""  # a Markdown table's |---|---| line carries nothing
        else:
            previous = line if in_code else plain_inline(_table_row(line))
            builder.add(previous)
    builder.flush()
    sections = builder.sections
    if not sections and title:
        sections.append(Section(text=title))  # a heading-only page still names something a buyer may ask
    return LoadedDocument(
        title=title or title_from_stem(stem),
        type="markdown",
        sections=sections,
        version=meta.get("version", ""),
        owner=meta.get("owner", ""),
    )


def load_text(data: bytes, stem: str, limits: IngestLimits = DEFAULT_LIMITS) -> LoadedDocument:
    text = decode_text(data).strip()
    first_line = text.splitlines()[0].strip() if text else ""
    title = first_line if 0 < len(first_line) <= 120 else title_from_stem(stem)
    return LoadedDocument(title=title, type="text", sections=[Section(text=text)])


def load_docx(data: bytes, stem: str, limits: IngestLimits = DEFAULT_LIMITS) -> LoadedDocument:
    import docx
    from docx.table import Table

    check_zip(data, limits)  # before python-docx unpacks every part into memory
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())  # paragraphs and tables in reading order
    except Exception as error:  # python-docx raises zip, XML and package errors on damaged files
        raise LoadError(f"corrupt DOCX: {type(error).__name__}: {one_line(error)}") from error
    check_count("paragraphs", len(blocks), limits.max_paragraphs)
    title = (document.core_properties.title or "").strip()
    builder = SectionBuilder()
    style_names: dict[str | None, str] = {}  # style id -> name: python-docx scans every style per lookup
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                cells = _unique(cell.text.strip() for cell in row.cells)  # merged cells repeat
                builder.add(CELL_SEPARATOR.join(cell for cell in cells if cell))
            continue
        text = block.text.strip()
        if not text:
            continue
        style_id = block._p.style  # the paragraph's style id, None for the default style
        if style_id not in style_names:
            style_names[style_id] = (block.style.name if block.style is not None else "") or ""
        style = style_names[style_id]
        level = int(style[8:]) if re.fullmatch(r"Heading [1-9]", style) else None
        if style == "Title" or (level == 1 and builder.empty and (not title or title == text)):
            title = title or text
        elif level is not None:
            builder.heading(level, text)
        else:
            builder.add(text)
    builder.flush()
    return LoadedDocument(title=title or title_from_stem(stem), type="docx", sections=builder.sections)


def _unique(cells) -> list[str]:
    seen: list[str] = []
    for cell in cells:
        if not seen or seen[-1] != cell:
            seen.append(cell)
    return seen


def load_csv(data: bytes, stem: str, limits: IngestLimits = DEFAULT_LIMITS) -> LoadedDocument:
    text = decode_text(data)
    header = text.split("\n", 1)[0]
    # Spreadsheet exports in many locales separate with ';' or tabs.
    delimiter = max(",;\t", key=header.count)
    try:
        rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        raise LoadError(f"malformed CSV: {one_line(error)}") from error
    if not rows:
        raise LoadError("CSV has a header but no rows")
    columns = {name.strip().lower(): name for name in rows[0] if name}
    if "question" not in columns or "answer" not in columns:
        raise LoadError("CSV FAQ needs 'question' and 'answer' columns")
    sections = []
    for row in rows:
        question = (row.get(columns["question"]) or "").strip()
        answer = (row.get(columns["answer"]) or "").strip()
        if question and answer:
            sections.append(Section(text=f"Q: {question}\nA: {answer}", heading=question, atomic=True))
    return LoadedDocument(title=title_from_stem(stem), type="csv", sections=sections)


_LOADERS: dict[str, Callable[[bytes, str, IngestLimits], LoadedDocument]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".csv": load_csv,
}
SUPPORTED_SUFFIXES = tuple(_LOADERS)
