"""HTML loading: the visible text in document order, cut into sections at h1-h6.

The walk follows the DOM rather than picking a fixed list of tags, so text that sits directly in a
`<div>` or `<section>` (common in exported help centres) is kept; inline tags join their text without
spaces (`<b>S</b>LA` stays "SLA") and block tags start a new line. Table rows become "a | b | c".
"""

from __future__ import annotations

from ingest.document import CELL_SEPARATOR, LoadedDocument, SectionBuilder, decode_text, title_from_stem
from ingest.limits import DEFAULT_LIMITS, IngestLimits

_DROPPED = ("script", "style", "noscript", "nav", "footer", "header", "form", "svg", "template", "head")
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = frozenset(
    "address article aside blockquote body dd details div dl dt fieldset figcaption figure hr li main ol "
    "p pre section summary table tbody thead tfoot ul caption".split()
)


def load_html(data: bytes, stem: str, limits: IngestLimits = DEFAULT_LIMITS) -> LoadedDocument:
    """The page's title and sections (the paragraph cap is checked on the result by `load_bytes`)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data), "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(list(_DROPPED)):
        tag.decompose()
    walker = _Walker()
    walker.walk(soup.body or soup)
    walker.end_line()
    walker.builder.flush()
    return LoadedDocument(
        title=title or walker.title or title_from_stem(stem), type="html", sections=walker.builder.sections
    )


class _Walker:
    def __init__(self) -> None:
        self.builder = SectionBuilder()
        self.title = ""
        self._line: list[str] = []

    def end_line(self) -> None:
        line = " ".join("".join(self._line).split())
        if line:
            self.builder.add(line)
        self._line.clear()

    def walk(self, node) -> None:
        from bs4 import NavigableString, Tag
        from bs4.element import PreformattedString

        for child in node.children:
            if isinstance(child, PreformattedString):
                continue  # comments, CDATA, doctype
            if isinstance(child, NavigableString):
                self._line.append(str(child))
            elif isinstance(child, Tag):
                self._element(child)

    def _element(self, tag) -> None:
        name = tag.name
        if name in _HEADINGS:
            self.end_line()
            text = tag.get_text(" ", strip=True)
            if not text:
                return
            if _HEADINGS[name] == 1 and not self.title and self.builder.empty:
                self.title = text  # an opening h1 names the document: not a heading inside it
            else:
                self.builder.heading(_HEADINGS[name], text)
        elif name == "tr":
            self.end_line()
            cells = [cell.get_text(" ", strip=True) for cell in tag.find_all(["th", "td"])]
            self.builder.add(CELL_SEPARATOR.join(cell for cell in cells if cell))
        elif name == "br":
            self.end_line()
        elif name in _BLOCKS:
            self.end_line()
            self.walk(tag)
            self.end_line()
        else:
            self.walk(tag)  # inline: a, span, b, em, code ...
