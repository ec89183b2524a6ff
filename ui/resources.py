"""Process-wide resources for the Streamlit app, built once per process (never per request)."""

from __future__ import annotations

import streamlit as st

from assistant.pipeline import Assistant
from assistant.settings import Settings


@st.cache_resource(show_spinner="Loading the assistant ...")
def get_assistant() -> Assistant:
    from assistant.wiring import build_assistant

    return build_assistant(Settings())
