"""The whole app through AppTest: the menu per role, sign-in with a uniform refusal, sign-out, and a
removed account losing its session on the next page load."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_support import APP, PASSWORDS, TIMEOUT_S, add_staff, errors, use_home
from ui.resources import get_users

CONSOLE, INSIGHTS, KNOWLEDGE, SIGN_IN = (
    "pages/rep_console.py",
    "pages/insights.py",
    "pages/knowledge_base.py",
    "pages/sign_in.py",
)


@pytest.fixture
def app(tmp_path, sample_home, monkeypatch):
    add_staff(use_home(monkeypatch, sample_home, tmp_path / "lastmile.sqlite3"), "rita", "ada")
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    app.run()
    assert not app.exception, app.exception
    return app


def sign_in(app: AppTest, name: str, password: str) -> AppTest:
    app.switch_page(SIGN_IN).run()
    app.text_input[0].set_value(name)
    app.text_input[1].set_value(password)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def titles(app: AppTest) -> list[str]:
    return [title.value for title in app.title]


def opens(app: AppTest, page: str) -> list[str]:
    """The titles shown after asking for `page`: none when the menu doesn't know it."""
    try:
        app.switch_page(page)
    except ValueError:  # not in this session's menu
        return []
    app.run()
    assert not app.exception, app.exception
    return titles(app)


def test_anonymous_menu_holds_only_the_chat_and_the_sign_in(app):
    assert titles(app) == ["Ask about our product"]
    for protected, title in ((CONSOLE, "Rep console"), (INSIGHTS, "Insights"), (KNOWLEDGE, "Knowledge base")):
        assert title not in opens(app, protected)


@pytest.mark.parametrize(("name", "password"), [("rita", "wrong password"), ("nobody", PASSWORDS["rita"])])
def test_wrong_name_or_password_get_the_same_answer(app, name, password):
    sign_in(app, name, password)
    assert errors(app) == ["Wrong name or password."]
    assert "user" not in app.session_state
    assert titles(app) == ["Staff sign-in"]


def test_rep_signs_in_to_the_console_and_out_again(app):
    sign_in(app, "rita", PASSWORDS["rita"])
    assert titles(app) == ["Rep console"]
    assert app.session_state["user"] == {"name": "rita", "role": "rep"}
    assert any("rita" in caption.value for caption in app.sidebar.caption)

    next(button for button in app.sidebar.button if button.label == "Sign out").click().run()
    assert "user" not in app.session_state
    assert titles(app) == ["Ask about our product"]


def test_rep_reaches_insights_but_not_the_knowledge_base(app):
    sign_in(app, "rita", PASSWORDS["rita"])
    assert opens(app, INSIGHTS) == ["Insights"]
    assert "Knowledge base" not in opens(app, KNOWLEDGE)  # not in a rep's menu, refused if reached anyway


def test_admin_reaches_the_knowledge_base(app):
    sign_in(app, "ada", PASSWORDS["ada"])
    assert titles(app) == ["Rep console"]
    assert opens(app, KNOWLEDGE) == ["Knowledge base"]


def test_a_removed_account_is_refused_on_its_next_page_load(app):
    sign_in(app, "rita", PASSWORDS["rita"])
    assert titles(app) == ["Rep console"]
    get_users().remove("rita")
    app.run()
    assert any("no longer exists" in warning.value for warning in app.warning)
    assert "user" not in app.session_state
    assert "Rep console" not in opens(app, CONSOLE)
