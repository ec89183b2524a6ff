"""What a loader produces (a titled document of sections) and the helpers every loader shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A table row as every loader writes it and chunks hold it: its cells joined by this ("SCIM provisioning |
# No | No | Yes"). The chunker and the verdict rules read rows back by it.
CELL_SEPARATOR = " | "


def is_table_row(line: str) -> bool:
    return CELL_SEPARATOR in line


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


class HeadingPath:
    """The headings above the current position: a new heading closes those at its level and below."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def enter(self, level: int, heading: str) -> None:
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, heading))

    def __str__(self) -> str:
        return " > ".join(heading for _, heading in self._stack)

    def __bool__(self) -> bool:
        return bool(self._stack)


class SectionBuilder:
    """Collects lines and cuts a section at every heading (and page) change."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.path = HeadingPath()
        self.page: int | None = None  # set by paged formats; a page change must flush first
        self._buffer: list[str] = []

    def add(self, line: str) -> None:
        """A line of text; blank lines are kept as paragraph breaks for the chunker."""
        if line.strip() or self._buffer:
            self._buffer.append(line)

    def drop_last(self, line: str) -> None:
        """Take back the last line added (a Markdown setext heading is only known from the next line)."""
        if self._buffer and self._buffer[-1] == line:
            self._buffer.pop()

    def heading(self, level: int, text: str) -> None:
        self.flush()
        self.path.enter(level, text)

    def flush(self) -> None:
        body = "\n".join(self._buffer).strip()
        if body:
            self.sections.append(Section(text=body, heading=str(self.path), page=self.page))
        self._buffer.clear()

    @property
    def empty(self) -> bool:
        """Nothing seen yet: no section, no heading, no pending text (a first heading is the title)."""
        return not self.sections and not self.path and not self._buffer


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252/Latin-1; binary is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise LoadError("undecodable UTF-16 text") from error
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


def title_from_stem(stem: str) -> str:
    return re.sub(r"[-_]+", " ", stem).strip().capitalize() or "Untitled"


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__
