"""The Streamlit entry point: the page navigation. Run with `lastmile serve` (or `make run`).

Buyers (anonymous) see the chat and the staff sign-in; a signed-in rep also sees the rep console and the
insights, an admin the knowledge base too. The menu is a convenience: every protected page checks the
role itself, on the server, before it shows anything.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.auth import GONE_KEY, SIGNED_IN_KEY, refreshed_user, sign_out
from ui.render import escaped

PAGES = Path(__file__).resolve().parent / "pages"

st.set_option("client.toolbarMode", "minimal")  # no developer menu (Deploy, Rerun) for buyers and staff

user = refreshed_user()  # the role as the database has it now (None once the account is removed)
role = user["role"] if user else None
chat = st.Page(
    str(PAGES / "buyer_chat.py"), title="Ask us", icon=":material/forum:", url_path="chat", default=not role
)
account = st.Page(
    str(PAGES / "sign_in.py"),
    title="Your account" if role else "Staff sign-in",
    icon=":material/account_circle:" if role else ":material/login:",
    url_path="sign-in",
)
sections: dict[str, list] = {"Buyers": [chat]}
if role in ("rep", "admin"):
    console = st.Page(
        str(PAGES / "rep_console.py"),
        title="Rep console",
        icon=":material/support_agent:",
        url_path="console",
        default=True,
    )
    staff = [console, st.Page(str(PAGES / "insights.py"), title="Insights", icon=":material/monitoring:")]
    if role == "admin":
        staff.append(
            st.Page(str(PAGES / "knowledge_base.py"), title="Knowledge base", icon=":material/library_books:")
        )
    sections["Staff"] = [*staff, account]
else:
    sections["Staff"] = [account]

navigation = st.navigation(sections)
wide = navigation not in (chat, account)  # staff tables and charts use the whole width
st.set_page_config(page_title="Lastmile", page_icon=":speech_balloon:", layout="wide" if wide else "centered")
if st.session_state.pop(GONE_KEY, False):
    st.warning("Your account no longer exists: you have been signed out.", icon=":material/lock:")
if user:
    with st.sidebar:
        st.caption(f"Signed in as **{escaped(user['name'])}** ({role})")
        if st.button("Sign out", icon=":material/logout:"):
            sign_out()
            st.switch_page(chat)
if st.session_state.pop(SIGNED_IN_KEY, False) and role in ("rep", "admin"):
    st.switch_page(console)
navigation.run()
