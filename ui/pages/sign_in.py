"""Staff sign-in (reps and admins). Buyers need no account: the chat is open to them."""

from __future__ import annotations

import streamlit as st

from ui.auth import current_user, sign_in_form
from ui.render import escaped

user = current_user()
if user:
    st.title("Your account")
    st.markdown(f"Signed in as **{escaped(user['name'])}**, role **{user['role']}**.")
    st.caption(
        "The rep console and the insights are in the menu"
        + (", and the knowledge base." if user["role"] == "admin" else ".")
    )
else:
    st.title("Staff sign-in")
    st.caption("For the product experts who answer handed-off questions, and for knowledge-base admins.")
    sign_in_form()
