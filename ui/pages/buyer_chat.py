"""The buyer chat page: anonymous; the buyer sees only this session's conversation.

Buyer text is shown with `st.text` (never as Markdown or HTML): nothing a buyer types is rendered.
"""

from __future__ import annotations

import streamlit as st

from assistant.types import Answer
from ui.resources import get_assistant

MAX_MESSAGE_CHARS = 4000

st.title("Ask about our product")
st.caption("Answers come from our product documentation, with sources. When unsure, an expert takes over.")

history: list[dict] = st.session_state.setdefault("history", [])


def show_answer(answer: Answer) -> None:
    if answer.handoff:
        st.info(answer.text, icon=":material/support_agent:")
    else:
        st.markdown(answer.text)
    labels = ", ".join(answer.intents.labels) or "none"
    st.caption(f"confidence {answer.confidence:.2f} · intent: {labels}")
    for citation in answer.citations:
        place = f" · page {citation.page}" if citation.page else ""
        with st.expander(f"[{citation.marker}] {citation.title}{place}"):
            st.text(citation.quote)
            st.caption(f"source: {citation.source}" + (f" · {citation.heading}" if citation.heading else ""))


for turn in history:
    with st.chat_message("user"):
        st.text(turn["question"])
    with st.chat_message("assistant"):
        show_answer(turn["answer"])

question = st.chat_input("Ask a question about the product")
if question:
    question = question.strip()[:MAX_MESSAGE_CHARS]
    with st.chat_message("user"):
        st.text(question)
    with st.chat_message("assistant"), st.spinner("Looking it up ..."):
        answer = get_assistant().ask(question)
        show_answer(answer)
    history.append({"question": question, "answer": answer})
