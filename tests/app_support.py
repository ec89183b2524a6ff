"""Helpers for the Streamlit page tests (tests/test_app_*.py): the app's environment, staff accounts,
and reading what AppTest exposes only as generic blocks (popover chips, Vega-Lite charts)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from assistant.outcomes import Reason, ReasonCode
from tests.conftest import REPO

APP = REPO / "ui" / "app.py"
PAGES = REPO / "ui" / "pages"
TIMEOUT_S = 180  # the first run of a page builds the services (the model, Chroma): slow on a busy machine
PASSWORDS = {"rita": "rita-password", "ralph": "ralph-password", "ada": "ada-password"}
ROLES = {"rita": "rep", "ralph": "rep", "ada": "admin"}
SMALL_KB = ("security-compliance.md", "ingestion-connectors.md", "faq.csv")


def use_home(monkeypatch, home: Path, database: Path) -> str:
    """Point the app at `home` (knowledge) and `database` (conversations, handoffs, users); returns the URL.

    The knowledge home may be the shared read-only sample; everything the tests write goes to `database`.
    """
    import streamlit as st

    url = f"sqlite:///{database}"
    monkeypatch.setenv("LASTMILE_HOME", str(home))
    monkeypatch.setenv("LASTMILE_DATABASE_URL", url)
    st.cache_resource.clear()  # the services are cached per process: rebuild them for this home
    return url


def add_staff(database_url: str, *names: str) -> None:
    from assistant.storage.database import Database
    from assistant.storage.users import UserStore

    users = UserStore(Database(database_url))
    for name in names:
        users.add(name, ROLES[name], PASSWORDS[name])


def stores(database_url: str):
    """The conversation and handoff stores of the app's database, for tests that seed what buyers left."""
    from assistant.storage.conversations import ConversationStore
    from assistant.storage.database import Database
    from assistant.storage.handoffs import HandoffStore

    database = Database(database_url)
    return ConversationStore(database), HandoffStore(database)


def open_gap(handoffs, conversation_id: str, question: str, *, sources=(), confidence: float = 0.2) -> int:
    """A handoff opened for lack of evidence, as the chat service opens one."""
    return handoffs.open(
        conversation_id=conversation_id,
        question=question,
        reasons=[Reason(ReasonCode.NO_EVIDENCE, "no supporting passage found")],
        intents={},
        sources=list(sources),
        draft="",
        draft_citations=[],
        knowledge_gap=True,
        confidence=confidence,
    )


def page(name: str, user: str | None = None) -> AppTest:
    """A page file run on its own (as if reached directly, without the menu), signed in as `user`."""
    app = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=TIMEOUT_S)
    if user is not None:
        app.session_state["user"] = {"name": user, "role": ROLES.get(user, "rep")}
    return app


def services():
    from ui.resources import get_services

    return get_services()


def blocks(app: AppTest, kind: str) -> list:
    found, pending = [], [app._tree]
    while pending:
        node = pending.pop()
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == kind:
                found.append(child)
            pending.append(child)
    return found


def chip_labels(app: AppTest) -> list[str]:
    """The labels of the citation chips (popovers), sorted."""
    return sorted(block.proto.popover.label for block in blocks(app, "popover"))


def texts(app: AppTest) -> list[str]:
    return [element.value for element in app.text]


def errors(app: AppTest) -> list[str]:
    return [element.value for element in app.error]


def small_home(home: Path, embedder, names: tuple[str, ...] = SMALL_KB) -> Path:
    """A knowledge home of a few sample documents, for tests that write to the knowledge base."""
    from ingest.sync import Syncer
    from tests.conftest import SAMPLES, make_kb

    kb = make_kb(home, embedder)
    report = Syncer(kb).sync([SAMPLES / name for name in names])
    assert not report.failed, report.failed
    kb.close()
    return home


def click(app: AppTest, label: str) -> AppTest:
    """Click the button with this label, rerun the page, and insist it raised nothing."""
    next(button for button in app.button if button.label == label).click().run()
    assert not app.exception, app.exception
    return app
