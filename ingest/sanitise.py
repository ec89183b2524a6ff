"""What document text may carry into the knowledge base: no images.

An image in a document is a URL a browser fetches the moment the text is shown as Markdown or HTML (a
tracking pixel that reports who read which answer). Every loader's title, headings and text pass through
`strip_images`, which removes Markdown images (inline, with nested brackets or parentheses, and
reference-style, with the reference definitions that give them a URL) and HTML `<img>` tags. An image
contributes no prose, so its alt text goes too. Removing one image can join its neighbours into a new one
(`!![a](u)[b](v)`), so stripping repeats until nothing changes.

This is one of two defences: the pages also render every document-derived string as text (ui/render.py).
"""

from __future__ import annotations

import re

MAX_IMAGE_CHARS = 4096  # an image longer than this is not looked for (bounds the scan on hostile input);
# the rest is still shown only as text by the pages
MAX_PASSES = 8  # nested constructions need one pass per level; real documents need one

# `<img ...>` (or an unclosed `<img ...` at the end), any case; `<image>` is SVG's and some browsers' alias.
_HTML_IMAGE = re.compile(r"<\s*(img|image)\b[^>]*(>|$)", re.IGNORECASE)
# A link reference definition, `[label]: url "title"`, which turns `![label]` or `![x][label]` into an image.
_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\]\n]{1,999}\]:[ \t]*\S+.*$", re.MULTILINE)


def strip_images(text: str) -> str:
    """`text` without Markdown or HTML images (and without link reference definitions)."""
    for _ in range(MAX_PASSES):
        stripped = _strip_once(text)
        if stripped == text:
            return text
        text = stripped
    # Still changing after MAX_PASSES: hostile nesting. Drop every image opener outright.
    return _HTML_IMAGE.sub("", text).replace("![", "[")


def _strip_once(text: str) -> str:
    text = _HTML_IMAGE.sub("", text)
    text = _DEFINITION.sub("", text)
    parts: list[str] = []
    start = 0
    while (opener := text.find("![", start)) >= 0:
        end = _image_end(text, opener)
        if end is None:
            parts.append(text[start : opener + 2])
            start = opener + 2
            continue
        parts.append(text[start:opener])
        start = end
    parts.append(text[start:])
    return "".join(parts)


def _image_end(text: str, opener: int) -> int | None:
    """Where the Markdown image starting at `opener` ("![") ends, or None when it is not an image."""
    limit = min(len(text), opener + MAX_IMAGE_CHARS)
    close = _matching(text, opener + 1, limit, "[", "]")
    if close is None:
        return None
    after = close + 1
    if after < limit and text[after] == "(":
        end = _matching(text, after, limit, "(", ")")
        return None if end is None else end + 1
    if after < limit and text[after] == "[":
        end = _matching(text, after, limit, "[", "]")
        return None if end is None else end + 1
    # `![label]` alone is an image only with a definition, and definitions are stripped: keep it as text.
    return None


def _matching(text: str, start: int, limit: int, open_: str, close: str) -> int | None:
    """Index of the bracket closing the one at `start` (nesting and backslash escapes honoured); a blank
    line ends the search, as it ends a Markdown paragraph."""
    depth = 0
    index = start
    while index < limit:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == open_:
            depth += 1
        elif char == close:
            depth -= 1
            if depth == 0:
                return index
        elif char == "\n" and text.startswith("\n", index + 1):
            return None
        index += 1
    return None
