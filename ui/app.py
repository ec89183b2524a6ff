"""The Streamlit entry point: the page navigation. Run with `lastmile serve` (or `make run`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Lastmile", page_icon=":speech_balloon:", layout="centered")
navigation = st.navigation([st.Page(str(PAGES / "buyer_chat.py"), title="Ask us", default=True)])
navigation.run()
