"""Staff sign-in and the server-side role check every protected page starts with.

The signed-in user lives in the session's server-side state. `require_role` re-reads the role from the
database on every run, so a removed account or a changed role takes effect on the next page load, and it
stops the script (`st.stop`) before any protected content is produced.
"""

from __future__ import annotations

import time
from typing import TypedDict

import streamlit as st

from ui.resources import get_users

USER_KEY = "user"
SIGNED_IN_KEY = "just_signed_in"  # one-shot: the app opens the staff's first page after sign-in
FAILURES_KEY = "sign_in_failures"
GONE_KEY = "account_gone"  # one-shot: tell a signed-out session why
MAX_FAILURES = 5  # per session, within FAILURE_WINDOW_S; then sign-in waits
FAILURE_WINDOW_S = 60.0
WRONG = "Wrong name or password."


class SignedIn(TypedDict):
    name: str
    role: str


def current_user() -> SignedIn | None:
    user = st.session_state.get(USER_KEY)
    if not isinstance(user, dict) or not user.get("name") or not user.get("role"):
        return None
    return SignedIn(name=str(user["name"]), role=str(user["role"]))


def refreshed_user() -> SignedIn | None:
    """The signed-in user with their role as the database has it now; signed out if the account is gone."""
    user = current_user()
    if user is None:
        return None
    role = get_users().role(user["name"])
    if role is None:  # the account was removed since sign-in
        sign_out()
        st.session_state[GONE_KEY] = True
        return None
    if role != user["role"]:
        user = SignedIn(name=user["name"], role=role)
        st.session_state[USER_KEY] = dict(user)
    return user


def require_role(*roles: str) -> SignedIn:
    """The signed-in user when their current role is one of `roles`; otherwise an error, and the page stops."""
    user = refreshed_user()
    if user is None:
        if st.session_state.pop(GONE_KEY, False):
            st.error("Your account no longer exists: please sign in again.", icon=":material/lock:")
        else:
            st.error(
                "Please sign in: this page is for Lastmile staff (Staff sign-in, in the menu).",
                icon=":material/lock:",
            )
        st.stop()
    if user["role"] not in roles:
        allowed = " or ".join(roles)
        st.error(
            f"This page is for the {allowed} role; you are signed in as {user['role']}.",
            icon=":material/block:",
        )
        st.stop()
    return user


def sign_out() -> None:
    st.session_state.pop(USER_KEY, None)


def sign_in_form() -> None:
    """The staff sign-in form; on success the session holds the user and the app reruns."""
    with st.form("sign-in", enter_to_submit=True):
        name = st.text_input("Name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    now = time.monotonic()
    failures = [t for t in st.session_state.get(FAILURES_KEY, []) if now - t < FAILURE_WINDOW_S]
    if len(failures) >= MAX_FAILURES:
        st.error(f"Too many failed attempts: try again in {FAILURE_WINDOW_S - (now - failures[0]):.0f} s.")
        return
    role = get_users().verify(name, password) if name.strip() and password else None
    if role is None:
        st.session_state[FAILURES_KEY] = [*failures, now]
        st.error(WRONG)
        return
    st.session_state.pop(FAILURES_KEY, None)
    st.session_state[USER_KEY] = dict(SignedIn(name=name.strip(), role=role))
    st.session_state[SIGNED_IN_KEY] = True
    st.rerun()
