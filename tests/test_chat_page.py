"""The buyer chat page, driven by Streamlit's real AppTest runner against the sample knowledge base."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

APP = str(REPO / "ui" / "app.py")


@pytest.fixture
def chat(sample_home, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("LASTMILE_HOME", str(sample_home))
    st.cache_resource.clear()  # the assistant is cached per process: rebuild it for this home
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    return app


def test_chat_page_answers_with_a_citation(chat):
    chat.chat_input[0].set_value("Which data residency regions can we choose?").run()
    assert not chat.exception, chat.exception
    answer = "\n".join(block.value for block in chat.markdown)
    assert "[1]" in answer
    cited = [expander.label for expander in chat.expander]
    assert cited, "no citation chips shown"
    assert any("[1]" in label for label in cited)


def test_buyer_text_is_shown_as_plain_text(chat):
    attack = "<script>alert('x')</script> **bold** what regions do you support?"
    chat.chat_input[0].set_value(attack).run()
    shown_as_text = [element.value for element in chat.text]
    assert attack in shown_as_text
    assert all(attack not in block.value for block in chat.markdown)
