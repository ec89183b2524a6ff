"""Rendering shared by the pages: conversation messages, citation chips, intent tags.

What a buyer typed is only ever shown with `st.text` (never parsed as Markdown or HTML). Everything else
that comes from a document (quotes, answers built from them, titles, headings, chip labels) or from a rep
(whose reply starts from the AI draft, i.e. from document text) goes through `escaped` before Streamlit's
Markdown sees it: it renders as the text it is, never as an image, a link, HTML, formatting, LaTeX, an
emoji or a Streamlit directive (issue 14; docs/security.md). Citation markers `[n]` stay as typed.

Staff tables go through `staff_table`: Streamlit's dataframe toolbar downloads them as CSV, so every text
cell is neutralised against formula injection first (`assistant.csv_cells`, the guard the CRM files use).

Backslash escapes are not enough on their own: Streamlit turns URLs and e-mail addresses into links by
searching the *parsed* text, after escapes are resolved. An invisible word joiner (U+2060) inside `://`,
after `www` and after `@` keeps those from matching while the text reads the same.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

import streamlit as st

from assistant.csv_cells import safe_row
from assistant.service import MessageView

REP_AVATAR = ":material/support_agent:"
WORD_DELAY_S = 0.012  # the pace of a streamed extractive answer: quick, still visibly streamed
WORD_JOINER = "\u2060"  # invisible, not a word character: breaks autolink patterns, not the reading
# Every ASCII character that can open or close Markdown, HTML, LaTeX or a Streamlit directive. `.` only
# makes an ordered list after a line's leading digits (handled below): escaping every `.` would litter
# prices and versions ("2\.0") in what people copy and tests search.
_ACTIVE = re.compile(r"([\\`*_{}\[\]()<>#+\-!|~:$&=^\"'])")
_LIST_NUMBER = re.compile(r"^(\d+)\.", re.MULTILINE)
_MARKER = re.compile(r"\\\[(\d{1,3})\\\]")  # an escaped citation marker, restored: `[n]` alone links nowhere
_AUTOLINK = re.compile(r"(?i)(https?)(?=://)|\b(www)(?=\.)|(@)")


def escaped(text: str) -> str:
    """Markdown that shows `text` as the text it is: nothing in it renders as an image, a link, HTML,
    formatting, LaTeX or a Streamlit directive. Citation markers `[n]` are kept as they are."""
    lines = (line.lstrip(" \t") for line in text.split("\n"))  # 4 leading spaces would make a code block
    text = _AUTOLINK.sub(lambda match: match.group(0) + WORD_JOINER, "\n".join(lines))
    text = _ACTIVE.sub(r"\\\1", text)
    text = _LIST_NUMBER.sub(r"\1\\.", text)
    return _MARKER.sub(r"[\1]", text)


def safe_markdown(text: str) -> str:
    """An answer or a rep's reply, for `st.markdown`: shown as text (see `escaped`)."""
    return escaped(text)


def words(text: str, delay_s: float = WORD_DELAY_S) -> Iterator[str]:
    """The answer word by word, for `st.write_stream` when the composer produced no tokens."""
    for word in re.findall(r"\S+\s*", safe_markdown(text)):
        yield word
        time.sleep(delay_s)


def chip_label(citation: dict[str, Any]) -> str:
    """A chip's label (Streamlit reads labels as Markdown): the marker, then the title as text."""
    return f"[{int(citation['marker'])}] {escaped(citation['title'] or citation['source'])}"


def citation_chips(citations: Sequence[dict[str, Any]]) -> None:
    """Numbered chips; each opens the quoted passage and where it comes from."""
    if not citations:
        return
    with st.container(horizontal=True, gap="small"):
        for citation in citations:
            with st.popover(chip_label(citation), width="content"):
                where = [f"document: {citation['source']}"]
                if citation.get("page"):
                    where.append(f"page {citation['page']}")
                if citation.get("heading"):
                    where.append(f"section: {citation['heading']}")
                st.caption(escaped(citation["title"] or citation["source"]))
                st.text(citation["quote"])
                st.caption(escaped(" · ".join(where)))


def intent_tags(labels: Sequence[str], *, extra: str = "") -> None:
    """Intent labels as small grey badges."""
    badges = " ".join(f":gray-badge[{escaped(label)}]" for label in labels)
    if badges or extra:
        st.caption(f"{badges} {escaped(extra)}".strip())


def show_message(message: MessageView, *, staff_view: bool = False) -> None:
    """One stored message, in the style of its role. `staff_view` adds confidence and handoff reasons."""
    if message.role == "buyer":
        with st.chat_message("user"):
            st.text(message.text)
        return
    if message.role == "rep":
        with st.chat_message("expert", avatar=REP_AVATAR):
            st.caption(f"**{escaped(message.author or 'Product expert')}** · product expert")
            st.markdown(safe_markdown(message.text))
        return
    payload = message.payload
    with st.chat_message("assistant"):
        st.markdown(safe_markdown(message.text))
        citation_chips(payload.get("citations", []))
        extra = ""
        if staff_view and "confidence" in payload:
            extra = f"answer confidence {payload['confidence']:.2f}"
        intent_tags(payload.get("intent_labels", []), extra=extra)
        if staff_view and payload.get("claim_verdicts"):
            st.text(claim_verdict_text(payload["claim_verdicts"]))
        if staff_view and payload.get("handoff_reasons"):
            st.text("handoff: " + "; ".join(payload["handoff_reasons"]))


def staff_table(rows: Sequence[dict[str, Any]], **options: Any) -> None:
    """`st.dataframe` of `rows` whose CSV download no spreadsheet evaluates: a buyer's `=HYPERLINK(...)`
    or a document's `@SUM(...)` shows, and exports, as `'=HYPERLINK(...)`."""
    st.dataframe([safe_row(row) for row in rows], hide_index=True, **options)


def claim_verdict_text(verdicts: Sequence[dict[str, Any]]) -> str:
    """A confirmation's per-claim verdicts for staff, as plain text (the claims are buyer words)."""
    lines = ["claims checked:"]
    for item in verdicts:
        conditions = ", ".join(f"{c.get('kind')} {c.get('value')}" for c in item.get("conditions") or [])
        denied = " (denied by the buyer)" if item.get("polarity") == "denied" else ""
        verdict = str(item.get("verdict", "")).replace("_", " ")
        line = f"• {item.get('claim', '')}{denied}: {verdict}" + (f" ({conditions})" if conditions else "")
        if item.get("evidence"):
            line += f" — {item.get('source', '')}: “{item['evidence']}”"
        lines.append(line)
    return "\n".join(lines)
