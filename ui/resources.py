"""Process-wide resources for the Streamlit app, built once per process (never per request).

`get_services` loads the whole stack (embedding model, Chroma, the assistant: ~11 s the first time);
`get_users` opens only the SQL database, so signing in and refusing a page never wait for the model.
Both come from the composition root, `assistant.wiring` (cheap to import: it builds nothing until called).
"""

from __future__ import annotations

import streamlit as st

from assistant.accounts import StaffAccounts
from assistant.settings import Settings
from assistant.wiring import Services, build_accounts, build_services


@st.cache_resource(show_spinner="Loading the assistant ...")
def get_services() -> Services:
    return build_services(Settings())


@st.cache_resource(show_spinner=False)
def get_users() -> StaffAccounts:
    return build_accounts(Settings())
