"""Process-wide resources for the Streamlit app, built once per process (never per request).

`get_services` loads the whole stack (embedding model, Chroma, the assistant: ~11 s the first time);
`get_users` opens only the SQL database, so signing in and refusing a page never wait for the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from assistant.settings import Settings
from assistant.storage.users import UserStore

if TYPE_CHECKING:
    from assistant.wiring import Services  # importing the wiring imports the whole stack


@st.cache_resource(show_spinner="Loading the assistant ...")
def get_services() -> Services:
    from assistant.wiring import build_services

    return build_services(Settings())


@st.cache_resource(show_spinner=False)
def get_users() -> UserStore:
    from assistant.storage.database import Database

    settings = Settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    return UserStore(Database(settings.resolved_database_url))
