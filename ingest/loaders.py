"""Read one source file into titled, sectioned text; every failure is a `LoadError` with a one-line reason.

Formats: Markdown, plain text, HTML, PDF (page numbers kept), DOCX, CSV FAQ (one section per row).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx", ".csv")


class LoadError(Exception):
    """A file that cannot be ingested; the message is the one-line reason shown to the user."""


@dataclass(frozen=True)
class Section:
    """A run of text under one heading path, on one page where the format has pages."""

    text: str
    heading: str = ""
    page: int | None = None
    atomic: bool = False  # kept whole as one chunk (a CSV FAQ row)


@dataclass
class LoadedDocument:
    title: str
    type: str  # "markdown", "text", "html", "pdf", "docx", "csv"
    sections: list[Section] = field(default_factory=list)
    version: str = ""
    owner: str = ""

    @property
    def text(self) -> str:
        return "\n\n".join(section.text for section in self.sections)


def load_bytes(name: str, data: bytes) -> LoadedDocument:
    """Parse `data` as the format its file name's suffix says."""
    suffix = Path(name).suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise LoadError(f"unsupported file type {suffix or '(no extension)'}")
    if not data.strip():
        raise LoadError("empty file")
    document = loader(data, Path(name).stem)
    if not document.text.strip():
        raise LoadError("no text could be extracted")
    return document


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252/Latin-1; binary content is refused."""
    if b"\x00" in data[:8192]:
        raise LoadError("binary content in a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # cp1252 is a superset of Latin-1's printable range; Latin-1 decodes anything that remains.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * max(1, len(text[:8192])):
        raise LoadError("binary content in a text file")
    return text


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)(.+?)\1")


def _table_row(line: str) -> str:
    """'| HIPAA | Supported. |' → 'HIPAA | Supported.': outer pipes dropped, cells kept apart."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
        return " | ".join(cell.strip() for cell in stripped[1:-1].split("|"))
    return line


def plain_inline(line: str) -> str:
    """Markdown inline markup removed (links keep their text), so quotes read as prose."""
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    return _EMPHASIS.sub(r"\2", line)


def _load_markdown(data: bytes, stem: str) -> LoadedDocument:
    text = decode_text(data)
    title = ""
    path: list[str] = []
    sections: list[Section] = []
    buffer: list[str] = []

    def flush() -> None:
        body = "\n".join(buffer).strip()
        if body:
            sections.append(Section(text=body, heading=" > ".join(path)))
        buffer.clear()

    in_code = False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match:
            flush()
            level, heading = len(match.group(1)), plain_inline(match.group(2).strip())
            if level == 1 and not title:
                title = heading
                path = []
                continue
            del path[max(0, level - 2) :]
            path.append(heading)
        elif not in_code and _TABLE_RULE.match(line):
            continue  # a Markdown table's |---|---| line carries nothing
        else:
            buffer.append(line if in_code else plain_inline(_table_row(line)))
    flush()
    if not sections and title:
        sections.append(Section(text=title))  # a heading-only page still names something a buyer may ask
    return LoadedDocument(title=title or _title_from_stem(stem), type="markdown", sections=sections)


def _load_text(data: bytes, stem: str) -> LoadedDocument:
    text = decode_text(data).strip()
    first_line = text.splitlines()[0].strip() if text else ""
    title = first_line if 0 < len(first_line) <= 120 else _title_from_stem(stem)
    return LoadedDocument(title=title, type="text", sections=[Section(text=text)])


def _load_html(data: bytes, stem: str) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data), "lxml")
    for tag in soup(["script", "style", "noscript", "nav", "footer", "header", "form", "svg", "template"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    body = soup.body or soup
    sections: list[Section] = []
    path: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = "\n".join(buffer).strip()
        if text:
            sections.append(Section(text=text, heading=" > ".join(path)))
        buffer.clear()

    for element in body.find_all(["h1", "h2", "h3", "h4", "p", "li", "tr", "pre", "blockquote", "dt", "dd"]):
        if element.find_parent(["li", "tr", "pre", "blockquote"]) is not None:
            continue  # its text is already part of the enclosing block
        if element.name in ("h1", "h2", "h3", "h4"):
            flush()
            heading = element.get_text(" ", strip=True)
            level = int(element.name[1])
            if level == 1:
                title = title or heading
                path = []
                continue
            del path[max(0, level - 2) :]
            path.append(heading)
        elif element.name == "tr":
            cells = [cell.get_text(" ", strip=True) for cell in element.find_all(["th", "td"])]
            buffer.append(" | ".join(cell for cell in cells if cell))
        else:
            buffer.append(element.get_text(" ", strip=True))
    flush()
    return LoadedDocument(title=title or _title_from_stem(stem), type="html", sections=sections)


def _load_pdf(data: bytes, stem: str) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise LoadError("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise LoadError(f"corrupt PDF: {_one_line(error)}") from error
    except Exception as error:  # pypdf raises many internal types on damaged files
        raise LoadError(f"corrupt PDF: {type(error).__name__}: {_one_line(error)}") from error
    sections = [
        Section(text=text.strip(), page=number) for number, text in enumerate(pages, 1) if text.strip()
    ]
    if not title and sections:
        title = sections[0].text.splitlines()[0].strip()[:120]
    return LoadedDocument(title=title or _title_from_stem(stem), type="pdf", sections=sections)


def _load_docx(data: bytes, stem: str) -> LoadedDocument:
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise LoadError(f"corrupt DOCX: {_one_line(error)}") from error
    title = (document.core_properties.title or "").strip()
    sections: list[Section] = []
    path: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = "\n".join(buffer).strip()
        if text:
            sections.append(Section(text=text, heading=" > ".join(path)))
        buffer.clear()

    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style == "Title":
            title = title or text
            continue
        level_match = re.match(r"Heading (\d)", style)
        if level_match:
            flush()
            level = int(level_match.group(1))
            if level == 1 and (not title or text == title):
                title = title or text
                continue
            del path[max(0, level - 1) :]
            path.append(text)
        else:
            buffer.append(text)
    flush()
    for table in document.tables:
        rows = [" | ".join(cell.text.strip() for cell in row.cells) for row in table.rows]
        if rows:
            sections.append(Section(text="\n".join(rows), heading=" > ".join(path)))
    return LoadedDocument(title=title or _title_from_stem(stem), type="docx", sections=sections)


def _load_csv(data: bytes, stem: str) -> LoadedDocument:
    text = decode_text(data)
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as error:
        raise LoadError(f"malformed CSV: {_one_line(error)}") from error
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
    return LoadedDocument(title=_title_from_stem(stem), type="csv", sections=sections)


def _title_from_stem(stem: str) -> str:
    return re.sub(r"[-_]+", " ", stem).strip().capitalize() or "Untitled"


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


_LOADERS: dict[str, Callable[[bytes, str], LoadedDocument]] = {
    ".md": _load_markdown,
    ".markdown": _load_markdown,
    ".txt": _load_text,
    ".html": _load_html,
    ".htm": _load_html,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
    ".csv": _load_csv,
}
