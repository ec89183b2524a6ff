"""The insights page through AppTest: reps and admins only; the metrics and the four charts drawn from
stored answers and handoffs."""

from __future__ import annotations

import pytest

from tests.app_support import add_staff, errors, open_gap, page, stores, use_home


def chart_specs(app) -> list[str]:
    return [element.proto.spec for element in app.get("vega_lite_chart")]


@pytest.fixture
def insights_db(tmp_path, sample_home, monkeypatch):
    url = use_home(monkeypatch, sample_home, tmp_path / "lastmile.sqlite3")
    add_staff(url, "rita", "ada")
    return url


def seed(database_url: str, answers: list[tuple[list[str], float, bool, bool]]) -> None:
    """Stored assistant turns (intent labels, confidence, handed off, knowledge gap), as the chat writes them."""
    conversations, handoffs = stores(database_url)
    conversation = conversations.start()
    for labels, confidence, handoff, gap in answers:
        conversations.add(conversation, "buyer", "a question")
        payload = {
            "intent_labels": labels,
            "confidence": confidence,
            "handoff": handoff,
            "knowledge_gap": gap,
        }
        conversations.add(conversation, "assistant", "an answer", payload=payload)
        if gap:
            question = "Do you have a native connector for Lotus Notes 6?"
            open_gap(handoffs, conversation, question, confidence=confidence)


def test_refused_without_sign_in():
    app = page("insights")
    app.run()
    assert any("Please sign in" in error for error in errors(app))
    assert not app.title
    assert not app.get("vega_lite_chart")


def test_refused_for_a_forged_role(insights_db):
    app = page("insights")
    app.session_state["user"] = {"name": "someone", "role": "admin"}  # no such account
    app.run()
    assert errors(app)
    assert not app.title
    assert not app.get("vega_lite_chart")


def test_empty_period_says_so(insights_db):
    app = page("insights", "rita")
    app.run()
    assert not app.exception, app.exception
    assert any("No buyer questions" in info.value for info in app.info)


@pytest.mark.parametrize("user", ["rita", "ada"])
def test_metrics_and_four_charts(insights_db, user):
    seed(
        insights_db,
        [
            (["clarification"], 0.82, False, False),
            (["confirmation"], 0.71, False, False),
            (["confirmation", "confidence"], 0.30, True, True),
            ([], 0.10, True, True),
        ],
    )
    app = page("insights", user)
    app.run()
    assert not app.exception, app.exception
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Buyer questions"] == "4"
    assert metrics["Handed off to an expert"] == "50%"
    assert [s.value for s in app.subheader] == [
        "Intent mix over time",
        "Confidence",
        "Answered vs handed off",
        "Top knowledge gaps",
        "Segments",
        "Landing pages",
    ]
    specs = chart_specs(app)
    assert len(specs) == 4
    assert any('"bin"' in spec for spec in specs), "the confidence histogram bins the scores"
