"""The rep console (role rep or admin): the handoff queue, one handoff's conversation and evidence, and the
AI draft to edit, send, resolve and save to the knowledge base. Beside the handoff: the buyer's contact, the
conversation's deal brief (profile, claims, concerns with the buyer's words, stakeholders, readiness with
its evidence, which the rep may dispute) and the buying committee of the buyer's account.

Buyer text (questions, transcript, reasons quoting it) is shown with `st.text` or in widgets that never
parse Markdown. A refused transition (someone else claimed it first) is an error message, not a traceback.
"""

from __future__ import annotations

import streamlit as st

from assistant.deals.desk import Readiness, brief_text, committee_text
from assistant.rep_desk import HELD, STATES, HandoffError, HandoffState, HandoffView
from ui.auth import require_role
from ui.queue_filters import AGES, INTENT_FILTERS, age_text, filter_queue, tags
from ui.render import citation_chips, escaped, intent_tags, show_message, staff_table
from ui.resources import get_services

NOTICE_KEY = "console_notice"  # (kind, message) left by a button for the next run

user = require_role("rep", "admin")  # stops here for anyone else
services = get_services()
desk, admin, deals = services.desk, services.admin, services.deals


DONE = {
    "claim": "Claimed: it is yours to answer.",
    "reply": "Reply sent: the buyer sees it in their conversation.",
    "resolve": "Resolved.",
}


def on_click(action: str, handoff_id: int) -> None:
    """A button's callback: runs before the next page run, on the handoff the rep was looking at when they
    clicked. A refused transition (someone else claimed it meanwhile) becomes an error message."""
    rep = user["name"]
    try:
        if action == "claim":
            desk.claim(handoff_id, rep)
        elif action == "reply":
            desk.reply(handoff_id, rep, st.session_state.get(f"reply-{handoff_id}", ""))
        elif action == "resolve":
            desk.resolve(handoff_id, rep)
        else:
            document_id = desk.save_reply(handoff_id, by=rep, role=user["role"])
    except (HandoffError, ValueError) as error:
        st.session_state[NOTICE_KEY] = ("error", f"Not done: {error}.")
        return
    done = DONE.get(action) or f"Saved as {document_id}: the assistant can now cite it."
    st.session_state[NOTICE_KEY] = ("success", done)


def button(column, label: str, action: str, handoff_id: int, **options) -> None:
    column.button(
        label, on_click=on_click, args=(action, handoff_id), key=f"do-{action}-{handoff_id}", **options
    )


def queue_row(handoff: HandoffView) -> dict:
    return {
        "id": handoff.id,
        "state": handoff.state,
        "waiting": age_text(handoff.created_at),
        "rep": handoff.rep,
        "tags": ", ".join(tags(handoff)),
        "confidence": round(handoff.confidence, 2),
        "question": handoff.question,
    }


def evidence(handoff: HandoffView) -> None:
    st.markdown(f"**Handoff #{handoff.id}** · {handoff.state} · waiting {age_text(handoff.created_at)}")
    if handoff.rep:
        st.caption(f"claimed by {escaped(handoff.rep)}")
    st.markdown("**Question**")
    st.text(handoff.question)
    probabilities = {k: v for k, v in handoff.intents.items() if isinstance(v, float)}
    intent_tags(tags(handoff))
    scores = ", ".join(f"{label} {p:.2f}" for label, p in probabilities.items())
    st.caption(
        f"answer confidence {handoff.confidence:.2f}" + (f" · intent scores: {scores}" if scores else "")
    )
    st.markdown("**Why it was handed off**")
    st.text("\n".join(f"• {reason.detail}" for reason in handoff.reasons) or "• (no reason recorded)")
    st.markdown("**Retrieved sources**")
    if not handoff.sources:
        st.caption("none")
    for source in handoff.sources:
        record = admin.document(source)
        st.text(f"• {record.title} ({source})" if record else f"• {source} (no longer in the knowledge base)")


def deal(handoff: HandoffView) -> None:
    """The deal beside the handoff, all as plain text: every quote in it is the buyer's own words."""
    conversation = handoff.conversation_id
    contact = deals.contact(conversation)
    st.markdown("**Buyer**")
    st.text(
        f"{contact.name} <{contact.email}>, {contact.company or 'no company given'}"
        if contact
        else "No contact details left (never required to get answers)."
    )
    brief = deals.brief(conversation)
    st.markdown("**Deal brief**")
    st.text(brief_text(brief))
    with st.popover("Dispute readiness", icon=":material/rate_review:"):
        level = st.selectbox(
            "Your reading", [None, *Readiness], format_func=lambda r: "(clear my dispute)" if r is None else r,
            key=f"dispute-level-{handoff.id}",
        )  # fmt: skip
        note = st.text_input("Why", key=f"dispute-note-{handoff.id}", max_chars=500)
        if st.button("Record", key=f"dispute-{handoff.id}"):
            try:
                deals.dispute(conversation, rep=user["name"], level=level, note=note)
            except ValueError as error:
                st.error(f"Not recorded: {error}.")
            else:
                st.rerun()
    committee = deals.committee(conversation)
    st.markdown("**Buying committee of the account**")
    st.text(
        committee_text(committee) if committee else "Unknown account: the buyer left no company or e-mail."
    )


def reply_box(handoff: HandoffView) -> None:
    mine = handoff.rep == user["name"]
    is_admin = user["role"] == "admin"
    if handoff.state is HandoffState.OPEN:
        st.info("Claim this handoff to answer it: only one rep can hold it.")
        button(st, "Claim", "claim", handoff.id, type="primary", icon=":material/front_hand:")
    elif not mine:
        st.warning(f"{handoff.rep} holds this handoff: only they can reply or resolve it.")
    editable = mine and handoff.state in HELD
    st.text_area(
        "Reply to the buyer (starts from the AI draft; its [n] markers refer to the passages below)",
        value=handoff.reply or handoff.draft,
        height=200,
        key=f"reply-{handoff.id}",
        disabled=not editable,
        placeholder="No draft: the documents had nothing to quote. Write the answer here.",
    )
    if handoff.draft_citations:
        st.caption("Passages the AI draft cites")
        citation_chips(handoff.draft_citations)
    actions = st.container(horizontal=True, gap="medium")
    button(
        actions,
        "Send reply",
        "reply",
        handoff.id,
        type="primary",
        disabled=not editable,
        icon=":material/send:",
    )
    button(actions, "Resolve", "resolve", handoff.id, disabled=not editable, icon=":material/task_alt:")
    button(
        actions,
        "Save to knowledge base",
        "save",
        handoff.id,
        # Only the rep holding the handoff, or an admin, approves a reply as knowledge (RepDesk checks too).
        disabled=not handoff.reply.strip() or bool(handoff.saved_document) or not (mine or is_admin),
        icon=":material/library_add:",
        help="Add the reply (your words only, never the buyer's) as a verified Q&A document, so the "
        "assistant can answer it next time. The rep who holds the handoff or an admin may save it.",
    )
    if handoff.saved_document:
        st.caption(f"Saved to the knowledge base as {escaped(handoff.saved_document)}.")


st.title("Rep console")
if notice := st.session_state.pop(NOTICE_KEY, None):
    kind, message = notice
    (st.error if kind == "error" else st.success)(message)

counts = desk.counts()
for column, state in zip(st.columns(len(STATES)), STATES, strict=True):
    column.metric(state.capitalize(), counts[state])

filters = st.columns([2, 2, 1])
states = filters[0].multiselect(
    "State", STATES, default=[state for state in STATES if state is not HandoffState.RESOLVED]
)
intents = filters[1].multiselect("Intent", INTENT_FILTERS, placeholder="any intent")
age = filters[2].selectbox("Age", list(AGES))
queue = filter_queue(desk.queue(), states=states, intents=intents, age=age)

if not queue:
    st.info("No handoff matches these filters.")
    st.stop()
staff_table(
    [queue_row(h) for h in queue],
    column_config={"question": st.column_config.TextColumn(width="large")},
)
chosen = st.selectbox(
    "Open handoff",
    [h.id for h in queue],
    format_func=lambda i: next(f"#{h.id} · {h.question[:100]}" for h in queue if h.id == i),
    key="console_handoff",
)
handoff = desk.get(chosen)

st.divider()
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Conversation")
    with st.container(height=520):
        for message in desk.transcript(handoff.id):
            show_message(message, staff_view=True)
with right:
    st.subheader("Evidence")
    evidence(handoff)
    st.subheader("Deal")
    deal(handoff)
st.subheader("Reply")
reply_box(handoff)
