"""The buyer chat page through Streamlit's AppTest, on the sample knowledge base: cited answers, plain
buyer text, the handoff banner, the rep's reply in the same conversation, and buyers kept apart."""

from __future__ import annotations

import pytest

from assistant.outcomes import ReasonCode
from tests.app_support import add_staff, chip_labels, page, services, texts, use_home

CITED = "Which data residency regions can we choose?"
UNCOVERED = "Do you have a native connector for Lotus Notes 6?"


@pytest.fixture
def chat(sample_home, tmp_path, monkeypatch):
    url = use_home(monkeypatch, sample_home, tmp_path / "lastmile.sqlite3")
    add_staff(url, "rita")
    app = page("buyer_chat")
    app.run()
    assert not app.exception, app.exception
    return app


def ask(app, question: str):
    app.chat_input[0].set_value(question).run()
    assert not app.exception, app.exception
    return app


def test_answer_is_cited_with_numbered_chips_and_intent_tags(chat):
    ask(chat, CITED)
    answer = "\n".join(block.value for block in chat.markdown)
    assert "[1]" in answer
    chips = chip_labels(chat)
    assert chips, "no citation chips shown"
    assert chips[0].startswith("[1] ")
    quotes = [text for text in texts(chat) if text != CITED]
    assert any("EU" in quote for quote in quotes), "a chip shows the quoted passage"
    assert any("gray-badge[" in caption.value for caption in chat.caption), "intent tags are shown"


def test_buyer_text_is_shown_as_plain_text(chat):
    attack = "<script>alert('x')</script> **bold** <img src=x onerror=alert(1)> what regions do you support?"
    ask(chat, attack)
    assert attack in texts(chat)
    assert all("<script>" not in block.value for block in chat.markdown)
    assert all("onerror" not in block.value for block in chat.markdown)


def test_handoff_shows_a_banner_then_the_reps_reply(chat):
    ask(chat, UNCOVERED)
    assert any("An expert will reply here" in info.value for info in chat.info)
    conversation = chat.session_state["conversation"]
    desk = services().desk
    handoff = next(h for h in desk.queue() if h.conversation_id == conversation)
    assert handoff.state == "open"
    assert handoff.question == UNCOVERED

    desk.claim(handoff.id, "rita")
    desk.reply(
        handoff.id, "rita", "No native Lotus Notes connector: export to CSV and use the file connector."
    )
    chat.run()  # what the polling fragment does every few seconds
    assert not chat.exception, chat.exception
    assert any("export to CSV" in block.value for block in chat.markdown)
    assert any("rita" in caption.value and "product expert" in caption.value for caption in chat.caption)
    assert not any("An expert will reply here" in info.value for info in chat.info)


def test_talk_to_an_expert_opens_a_handoff(chat):
    ask(chat, CITED)
    button = next(b for b in chat.button if b.label == "Talk to an expert")
    button.click().run()
    assert not chat.exception, chat.exception
    conversation = chat.session_state["conversation"]
    handoffs = [h for h in services().desk.queue() if h.conversation_id == conversation]
    assert [[r.code for r in h.reasons] for h in handoffs] == [[ReasonCode.HUMAN_REQUESTED]]
    assert any("An expert will reply here" in info.value for info in chat.info)
    assert not any(b.label == "Talk to an expert" for b in chat.button)


PHONE = "+44 7700 900123"


def test_a_link_naming_a_conversation_neither_shows_nor_joins_it(chat):
    """Conversation fixation (#14 item 9): `?c=<id>` must not open someone else's conversation, and a link
    an attacker sends must not make the victim type into the attacker's conversation."""
    ask(chat, f"Call me on {PHONE}: which data residency regions can we choose?")
    victim = chat.session_state["conversation"]

    attacker = page("buyer_chat")
    attacker.query_params["c"] = victim
    attacker.run()
    assert not attacker.exception, attacker.exception
    assert not any(PHONE in text for text in texts(attacker))
    assert "conversation" not in attacker.session_state
    ask(attacker, CITED)
    planted = attacker.session_state["conversation"]
    assert planted != victim
    assert not any(PHONE in m.text for m in services().chat.transcript(planted))

    lured = page("buyer_chat")
    lured.query_params["c"] = planted  # the attacker's link
    lured.run()
    assert CITED not in texts(lured), "the attacker's conversation is not shown"
    ask(lured, f"My number is {PHONE}")
    assert lured.session_state["conversation"] not in (planted, victim)
    assert not any(PHONE in m.text for m in services().chat.transcript(planted))
    assert "c" not in chat.query_params, "the conversation id is never put in the URL"
    assert "c" not in lured.query_params


def test_other_buyers_see_nothing_of_a_conversation(chat):
    ask(chat, CITED)
    stranger = page("buyer_chat")
    stranger.run()
    assert CITED not in texts(stranger)
    assert "conversation" not in stranger.session_state


def test_llm_answer_streams_through_the_page(sample_home, tmp_path, monkeypatch):
    from tests.openai_standin import OpenAIStandin

    question = "Which single sign-on protocols are supported?"
    with OpenAIStandin() as standin:
        monkeypatch.setenv("LASTMILE_OPENAI_BASE_URL", standin.base_url)
        monkeypatch.setenv("LASTMILE_OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("LASTMILE_LLM_MODEL", "standin")
        use_home(monkeypatch, sample_home, tmp_path / "lastmile.sqlite3")
        assistant = services().assistant
        hits = assistant.retriever.search(question, k=assistant.top_k)
        n = next(i for i, hit in enumerate(hits, start=1) if "SAML 2.0" in hit.chunk.text)
        standin.enqueue(f"Single sign-on uses SAML 2.0 or OIDC [{n}].")
        app = page("buyer_chat")
        app.run()
        ask(app, question)

        assert standin.requests[0]["body"]["stream"] is True, "the page asks for a streamed reply"
        stored = services().chat.transcript(app.session_state["conversation"])[-1]
        assert stored.payload["composer"] == "llm"
        assert any("SAML 2.0" in block.value for block in app.markdown)
        assert chip_labels(app)
