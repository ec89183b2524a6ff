"""The buyer chat page: anonymous; the buyer sees only their own conversation.

The conversation id (an unguessable token) lives only in the session's server-side state: a URL never
names a conversation, so a link cannot make a buyer join someone else's (conversation fixation), and a
reload starts a new conversation. The embeddable widget keeps its conversation across page loads with its
API token instead. The page only ever reads the transcript of the session's own id. Buyer text is shown with
`st.text` (never as Markdown or HTML). While a handoff is open the transcript polls for the rep's reply.

Where the buyer came from (the page URL, its UTM parameters, the referrer) is read on the first run and
kept with the conversation it starts. Leaving contact details is optional and needs the consent box ticked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from assistant.service import (
    ACTIVE,
    MAX_MESSAGE_CHARS,
    Attribution,
    ContactError,
    HandoffState,
    MessageRejected,
    UnknownConversation,
    attribution_from,
)
from ui.render import REP_AVATAR, escaped, safe_markdown, show_message, words
from ui.resources import get_services

POLL_EVERY = "5s"
CONVERSATION_KEY = "conversation"
POLLING_KEY = "buyer_polling"
LANDING_KEY = "buyer_landing"  # where the buyer opened the page, read on the first run
CONTACT_NOTICE_KEY = "buyer_contact_notice"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# A rep may still write while the handoff is not resolved: keep polling.
LISTENING = frozenset(HandoffState) - {HandoffState.RESOLVED}

chat = get_services().chat


def conversation_id() -> str | None:
    """This session's conversation, if it has started one. Never read from the URL: `?c=<id>` would let
    whoever sends a link read what the buyer types next, or let a leaked id open another buyer's transcript."""
    if "c" in st.query_params:  # links from before: drop the id so it is not bookmarked or shared further
        del st.query_params["c"]
    return st.session_state.get(CONVERSATION_KEY)


def landing() -> Attribution:
    """The page URL, UTM parameters and referrer this buyer opened the chat with (the first run of the
    session wins). A referrer comes from the `ref` parameter, else the Referer header."""
    if LANDING_KEY not in st.session_state:
        url = str(getattr(st.context, "url", "") or "")
        referrer = st.query_params.get("ref") or (st.context.headers or {}).get("Referer", "")
        st.session_state[LANDING_KEY] = attribution_from(
            landing_url=url,
            referrer_url="" if urlsplit(referrer).netloc == urlsplit(url).netloc else referrer,  # not the app
            utm={key: st.query_params.get(key, "") for key in UTM_KEYS},
        )
    return st.session_state[LANDING_KEY]


def start() -> str:
    conversation = st.session_state[CONVERSATION_KEY] = chat.start(attribution=landing())
    return conversation


def contact_form(conversation: str | None) -> None:
    """Optional: the buyer's name, work e-mail and company, sent only with the consent box ticked."""
    left = chat.contact(conversation) if conversation else None
    if notice := st.session_state.pop(CONTACT_NOTICE_KEY, None):
        kind, message = notice
        (st.error if kind == "error" else st.success)(message)
    title = "Your contact details (left)" if left else "Leave your contact details (optional)"
    with st.expander(title, icon=":material/contact_mail:"), st.form("contact", border=False):
        st.caption("Never needed to get answers: an expert can follow up with you.")
        name = st.text_input("Name", value=left.name if left else "", max_chars=200)
        email = st.text_input("Work e-mail", value=left.email if left else "", max_chars=320)
        company = st.text_input("Company", value=left.company if left else "", max_chars=200)
        agreed = st.checkbox(escaped(chat.consent_text), value=False)
        if st.form_submit_button("Send my details"):
            send_contact(conversation, name=name, email=email, company=company, agreed=agreed)
            st.rerun()


def send_contact(conversation: str | None, *, name: str, email: str, company: str, agreed: bool) -> None:
    if not agreed:
        st.session_state[CONTACT_NOTICE_KEY] = ("error", "Tick the box to agree first: nothing was stored.")
        return
    try:
        conversation = conversation or start()
        chat.leave_contact(conversation, name=name, email=email, company=company, consented=True)
    except ContactError as error:
        st.session_state[CONTACT_NOTICE_KEY] = ("error", f"Not stored: {error}.")
        return
    st.session_state[CONTACT_NOTICE_KEY] = ("success", "Thanks: an expert can now follow up with you.")


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
landing()
contact_form(conversation)
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
                    conversation = start()
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
