"""Rendering shared by the pages: conversation messages, citation chips, intent tags.

What a buyer typed is only ever shown with `st.text` (never parsed as Markdown or HTML). Answers quote the
vendor's documents and rep replies come from staff: they are Markdown with HTML disabled (Streamlit's
default; nothing here passes `unsafe_allow_html`), with `$` escaped so prices never turn into LaTeX.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

import streamlit as st

from assistant.service import MessageView

REP_AVATAR = ":material/support_agent:"
WORD_DELAY_S = 0.012  # the pace of a streamed extractive answer: quick, still visibly streamed


def safe_markdown(text: str) -> str:
    """Markdown whose dollar signs stay dollar signs (Streamlit reads `$...$` as LaTeX)."""
    return text.replace("$", r"\$")


def escaped(text: str) -> str:
    """Text shown literally inside Markdown (labels, captions): every Markdown character escaped."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~:$])", r"\\\1", text)


def words(text: str, delay_s: float = WORD_DELAY_S) -> Iterator[str]:
    """The answer word by word, for `st.write_stream` when the composer produced no tokens."""
    for word in re.findall(r"\S+\s*", safe_markdown(text)):
        yield word
        time.sleep(delay_s)


def chip_label(citation: dict[str, Any]) -> str:
    return f"[{citation['marker']}] {citation['title'] or citation['source']}"


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
        if staff_view and payload.get("handoff_reasons"):
            st.text("handoff: " + "; ".join(payload["handoff_reasons"]))
