"""Staff sign-in and the server-side role check every protected page starts with.

The signed-in user lives in the session's server-side state. `require_role` re-reads the role from the
database on every run, so a removed account or a changed role takes effect on the next page load, and it
stops the script (`st.stop`) before any protected content is produced. Failed attempts are counted and
locked out per account and per client address in the database (`StaffAccounts.sign_in`), not per session:
a fresh session starts with the same count.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TypedDict

import streamlit as st

from ui.resources import get_users

USER_KEY = "user"
SIGNED_IN_KEY = "just_signed_in"  # one-shot: the app opens the staff's first page after sign-in
GONE_KEY = "account_gone"  # one-shot: tell a signed-out session why
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
    result = get_users().sign_in(name, password, address=st.context.ip_address)
    if result.role is None:
        if result.busy:
            st.error("Too many sign-ins at once: please try again in a moment.")
        elif result.locked_until is None:
            st.error(WRONG)
        else:  # locked by this failure or by earlier ones (from any session or address)
            wrong = f"{WRONG} " if result.wrong else ""
            st.error(f"{wrong}Too many failed attempts: try again in {_minutes(result.locked_until)}.")
        return
    st.session_state[USER_KEY] = dict(SignedIn(name=name.strip(), role=result.role))
    st.session_state[SIGNED_IN_KEY] = True
    st.rerun()


def _minutes(until: datetime) -> str:
    """How long until `until` (naive UTC, as stored), in whole minutes."""
    minutes = max(1, math.ceil((until - datetime.now(UTC).replace(tzinfo=None)).total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes > 1 else ''}"
