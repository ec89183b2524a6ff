"""The rep console through AppTest: refused without sign-in and for removed accounts; a rep claims, edits
the AI draft, sends, resolves and saves to the knowledge base; a handoff someone else claimed is an error
message, not a traceback; the queue filters."""

from __future__ import annotations

import pytest

from tests.app_support import add_staff, click, errors, page, services, small_home, texts, use_home

UNCOVERED = "Do you have a native connector for Lotus Notes 6?"
REPLY = "No native Lotus Notes 6 connector: export the databases to CSV and use the file connector."


@pytest.fixture
def console_home(tmp_path, embedder, monkeypatch):
    """A small knowledge base of its own (saving a reply writes to it) with one buyer's handoff."""
    url = use_home(monkeypatch, small_home(tmp_path / "home", embedder), tmp_path / "lastmile.sqlite3")
    add_staff(url, "rita", "ralph", "ada")
    chat = services().chat
    conversation = chat.start()
    turn = chat.ask(conversation, UNCOVERED)
    assert turn.handoff_id is not None, "the question the documents don't cover must hand off"
    return turn.handoff_id


def test_refused_without_sign_in():
    app = page("rep_console")
    app.run()
    assert not app.exception, app.exception
    assert any("Please sign in" in error for error in errors(app))
    assert not app.title
    assert not app.dataframe
    assert not app.button


def test_refused_for_an_account_that_no_longer_exists(console_home):
    app = page("rep_console", "rita")
    app.session_state["user"] = {"name": "mallory", "role": "admin"}  # a forged or stale session
    app.run()
    assert any("no longer exists" in error for error in errors(app))
    assert not app.title
    assert "user" not in app.session_state


def test_rep_claims_edits_sends_resolves_and_saves(console_home):
    handoff_id = console_home
    app = page("rep_console", "rita")
    app.run()
    assert not app.exception, app.exception
    assert [title.value for title in app.title] == ["Rep console"]
    assert UNCOVERED in texts(app), "the buyer's question, as plain text"
    assert any(text.startswith("• ") and "confidence" in text for text in texts(app)), "handoff reasons"
    draft = app.text_area[0]
    assert draft.disabled, "nothing to send before claiming"

    click(app, "Claim")
    assert any("Claimed" in message.value for message in app.success)
    assert not app.text_area[0].disabled
    app.text_area[0].set_value(REPLY)
    click(app, "Send reply")
    assert any("Reply sent" in message.value for message in app.success)
    transcript = services().desk.transcript(handoff_id)
    assert (transcript[-1].role, transcript[-1].author, transcript[-1].text) == ("rep", "rita", REPLY)

    click(app, "Save to knowledge base")
    assert any("Saved as verified-qa/" in message.value for message in app.success)
    document = f"verified-qa/handoff-{handoff_id}.md"
    assert services().admin.document(document) is not None
    assert services().desk.get(handoff_id).saved_document == document

    click(app, "Resolve")
    assert services().desk.get(handoff_id).state == "resolved"


def test_claimed_by_someone_else_is_an_error_not_a_traceback(console_home):
    handoff_id = console_home
    app = page("rep_console", "rita")
    app.run()
    services().desk.claim(handoff_id, "ralph")  # ralph gets there first
    click(app, "Claim")
    assert any("claimed by ralph" in error for error in errors(app))
    assert not app.exception
    app.run()
    assert any("ralph holds this handoff" in warning.value for warning in app.warning)
    send = next(button for button in app.button if button.label == "Send reply")
    assert send.disabled


def test_only_the_holder_or_an_admin_may_save_a_reply(console_home):
    handoff_id = console_home
    desk = services().desk
    desk.claim(handoff_id, "rita")
    desk.reply(handoff_id, "rita", REPLY)

    other_rep = page("rep_console", "ralph")
    other_rep.run()
    save = next(button for button in other_rep.button if button.label == "Save to knowledge base")
    assert save.disabled, "another rep cannot save rita's reply"

    admin = page("rep_console", "ada")
    admin.run()
    click(admin, "Save to knowledge base")
    assert desk.get(handoff_id).saved_document == f"verified-qa/handoff-{handoff_id}.md"
    assert services().admin.document(f"verified-qa/handoff-{handoff_id}.md").owner == "ada"


def test_admin_may_use_the_console(console_home):
    app = page("rep_console", "ada")
    app.run()
    assert [title.value for title in app.title] == ["Rep console"]


def test_queue_filters_by_state_intent_and_age(console_home):
    app = page("rep_console", "rita")
    app.run()
    assert len(app.dataframe[0].value) == 1

    app.multiselect[1].set_value(["knowledge gap"]).run()
    assert len(app.dataframe[0].value) == 1
    app.multiselect[1].set_value(["asked for a human"]).run()
    assert any("No handoff matches" in info.value for info in app.info)

    app.multiselect[1].set_value([]).run()
    app.selectbox[0].set_value("over 7 days").run()
    assert any("No handoff matches" in info.value for info in app.info)

    app.selectbox[0].set_value("under 1 hour").run()
    app.multiselect[0].set_value(["resolved"]).run()
    assert any("No handoff matches" in info.value for info in app.info)
