"""The buyer chat page: anonymous; the buyer sees only their own conversation.

The conversation id (an unguessable token) lives only in the session's server-side state: a URL never
names a conversation, so a link cannot make a buyer join someone else's (conversation fixation), and a
reload starts a new conversation. The embeddable widget keeps its conversation across page loads with its
API token instead. The page only ever reads the transcript of the session's own id. Buyer text is shown with
`st.text` (never as Markdown or HTML). While a handoff is open the transcript polls for the rep's reply.
"""

from __future__ import annotations

import streamlit as st

from assistant.service import (
    ACTIVE,
    MAX_MESSAGE_CHARS,
    HandoffState,
    MessageRejected,
    UnknownConversation,
)
from ui.render import REP_AVATAR, safe_markdown, show_message, words
from ui.resources import get_services

POLL_EVERY = "5s"
CONVERSATION_KEY = "conversation"
POLLING_KEY = "buyer_polling"
# A rep may still write while the handoff is not resolved: keep polling.
LISTENING = frozenset(HandoffState) - {HandoffState.RESOLVED}

chat = get_services().chat


def conversation_id() -> str | None:
    """This session's conversation, if it has started one. Never read from the URL: `?c=<id>` would let
    whoever sends a link read what the buyer types next, or let a leaked id open another buyer's transcript."""
    if "c" in st.query_params:  # links from before: drop the id so it is not bookmarked or shared further
        del st.query_params["c"]
    return st.session_state.get(CONVERSATION_KEY)


def handoff_state(conversation: str | None) -> HandoffState | None:
    """The state of this conversation's latest handoff (None when it was never handed off)."""
    return chat.handoff_state(conversation) if conversation is not None else None


def conversation_view(conversation: str | None) -> None:
    state = handoff_state(conversation)
    if st.session_state.get(POLLING_KEY, False) != (state in LISTENING):
        st.rerun()  # start or stop polling: only a full run changes the fragment's schedule
    if conversation is None:
        with st.chat_message("assistant"):
            st.markdown(
                "Hello! Ask me anything about the product: features, security, deployment, limits, "
                "migration. I answer from our documentation and show my sources."
            )
        return
    messages = chat.transcript(conversation)
    for message in messages:
        show_message(message)
    if state in ACTIVE:  # a rep has yet to reply
        st.info(
            "An expert will reply here. You can keep asking questions in the meantime; "
            "this page checks for the reply every few seconds.",
            icon=REP_AVATAR,
        )
    elif (
        state in (None, HandoffState.RESOLVED)
        and any(m.role == "buyer" for m in messages)
        and st.button("Talk to an expert", icon=REP_AVATAR, help="Hand this conversation to a person")
    ):
        chat.request_human(conversation)
        st.rerun()


st.title("Ask about our product")
st.caption("Answers come from our product documentation, with sources. When unsure, an expert takes over.")

conversation = conversation_id()
question = st.chat_input("Ask a question about the product", max_chars=MAX_MESSAGE_CHARS)
st.session_state[POLLING_KEY] = handoff_state(conversation) in LISTENING
if st.session_state[POLLING_KEY]:
    st.fragment(conversation_view, run_every=POLL_EVERY)(conversation)
else:
    conversation_view(conversation)

if question:
    with st.chat_message("user"):
        st.text(question)
    with st.chat_message("assistant"):
        streamed = st.empty()
        tokens: list[str] = []

        def on_token(token: str) -> None:
            tokens.append(token)
            streamed.markdown(safe_markdown("".join(tokens)) + " ▌")

        try:
            with st.spinner("Looking it up ..."):
                if conversation is None:
                    conversation = st.session_state[CONVERSATION_KEY] = chat.start()
                turn = chat.ask(conversation, question, on_token=on_token)
        except MessageRejected as error:
            streamed.empty()
            st.error(f"Sorry, I can't take that message: {error}.")
            st.stop()
        except UnknownConversation:
            st.session_state.pop(CONVERSATION_KEY, None)  # the stored conversation is gone: start afresh
            st.error("This conversation is no longer available: please ask again.")
            st.stop()
        streamed.empty()
        if not tokens:  # the extractive composer has no tokens: stream the grounded answer word by word
            st.write_stream(words(turn.answer.text))
    st.rerun()  # show the stored turn: citations, tags, and the handoff banner when handed off
