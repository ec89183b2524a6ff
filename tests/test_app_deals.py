"""Deal intelligence on the Streamlit pages through AppTest, on the sample knowledge base: the buyer's
optional contact form (consent needed, answers never wait for it), the deal brief and the account's buying
committee beside a handoff in the rep console (as plain text: buyer words never reach Markdown), and the
segment tables on the Insights page."""

from __future__ import annotations

import pytest

from tests.app_support import add_staff, click, errors, page, services, stores, texts, use_home

UNCOVERED = "Do you have a native connector for Lotus Notes 6?"
CITED = "Which data residency regions can we choose?"
CISO = "Our CISO is worried about key management <img src=x onerror=alert(1)>. Is data encrypted at rest?"
CFO = "My CFO wants a fixed annual price before we sign anything."


@pytest.fixture
def app_home(sample_home, tmp_path, monkeypatch):
    url = use_home(monkeypatch, sample_home, tmp_path / "lastmile.sqlite3")
    add_staff(url, "rita")
    return url


def fill_contact(app, *, name: str, email: str, company: str, agree: bool):
    fields = {field.label: field for field in app.text_input}
    fields["Name"].input(name)
    fields["Work e-mail"].input(email)
    fields["Company"].input(company)
    app.checkbox[0].set_value(agree)
    return click(app, "Send my details")


def test_contact_form_needs_consent_and_is_never_required(app_home):
    app = page("buyer_chat")
    app.query_params["utm_source"] = "newsletter"  # the buyer opened the chat from a campaign link
    app.run()
    assert not app.exception, app.exception
    chat = services().chat
    assert app.checkbox[0].label.startswith("I agree that the vendor may keep my name")
    assert app.checkbox[0].value is False  # unticked until the buyer ticks it

    app.chat_input[0].set_value(CITED).run()  # answers come without any contact details
    assert not app.exception, app.exception
    conversation = app.session_state["conversation"]
    assert any("[1]" in block.value for block in app.markdown)
    assert chat.contact(conversation) is None

    fill_contact(app, name="Dana White", email="dana@halcyonfreight.example", company="Halcyon", agree=False)
    assert any("Tick the box" in error for error in errors(app))
    assert chat.contact(conversation) is None

    fill_contact(app, name="Dana White", email="dana@halcyonfreight.example", company="Halcyon", agree=True)
    assert any("an expert can now follow up" in s.value for s in app.success)
    stored = chat.contact(conversation)
    assert (stored.name, stored.company) == ("Dana White", "Halcyon")
    assert stored.consent_text == chat.consent_text

    rows = services().deals.segments(by="utm_source")
    assert [(r.segment, r.contact_left.successes, r.conversations) for r in rows] == [("newsletter", 1, 1)]


def test_contact_form_refuses_a_bad_address_and_can_start_the_conversation(app_home):
    app = page("buyer_chat")
    app.run()
    fill_contact(app, name="Dana", email="dana at halcyon", company="", agree=True)
    assert any("not an e-mail address" in error for error in errors(app))
    fill_contact(app, name="Dana", email="dana@halcyon.example", company="", agree=True)
    conversation = app.session_state["conversation"]  # leaving details first starts the conversation
    assert services().chat.contact(conversation).email == "dana@halcyon.example"


@pytest.fixture
def account_handoff(app_home):
    """Two buyers of one company: one names the CISO's worry and hands off, the other the CFO's price."""
    chat = services().chat
    first = chat.start()
    chat.ask(first, CISO)
    chat.leave_contact(first, name="Dana White", email="dana@halcyonfreight.example", consented=True)
    turn = chat.ask(first, UNCOVERED)
    assert turn.handoff_id is not None
    second = chat.start()
    chat.ask(second, CFO)
    chat.leave_contact(second, name="Omar Reyes", email="omar@halcyonfreight.example", consented=True)
    return turn.handoff_id


def deal_texts(app) -> list[str]:
    return [text for text in texts(app) if text.startswith(("Readiness:", "Account ", "Dana White <"))]


def test_rep_console_shows_the_brief_and_the_account_committee_as_text(account_handoff):
    app = page("rep_console", "rita")
    app.run()
    assert not app.exception, app.exception
    app.selectbox(key="console_handoff").set_value(account_handoff).run()
    buyer, brief, committee = deal_texts(app)
    assert buyer == "Dana White <dana@halcyonfreight.example>, no company given"
    assert "Stakeholders:\n  - CISO, skeptical" in brief
    assert f'security: "{CISO.split(". Is")[0]}.' in brief  # the concern quotes the buyer's own words
    assert brief.startswith("Readiness: ")
    assert committee.startswith("Account halcyonfreight (")
    assert "2 buyer conversation(s)" in committee
    assert "buyer Omar Reyes" in committee
    assert "CFO" in committee  # the other buyer's stakeholder joins the committee
    assert all("onerror" not in block.value for block in [*app.markdown, *app.caption])


def test_rep_disputes_readiness(account_handoff):
    app = page("rep_console", "rita")
    app.run()
    app.selectbox(key="console_handoff").set_value(account_handoff).run()
    app.selectbox(key=f"dispute-level-{account_handoff}").set_value("blocked")
    app.text_input(key=f"dispute-note-{account_handoff}").input("procurement froze budgets")
    click(app, "Record")
    [_buyer, brief, _committee] = deal_texts(app)
    assert "disputed by rita: blocked (procurement froze budgets)" in brief


def test_rep_console_without_contact_says_so(app_home):
    chat = services().chat
    conversation = chat.start()
    turn = chat.ask(conversation, UNCOVERED)
    app = page("rep_console", "rita")
    app.run()
    app.selectbox(key="console_handoff").set_value(turn.handoff_id).run()
    assert "No contact details left (never required to get answers)." in texts(app)
    assert "Unknown account: the buyer left no company or e-mail." in texts(app)


def test_insights_shows_rates_per_segment_and_page(app_home):
    from assistant.service import attribution_from

    chat = services().chat
    landing = "https://vendor.example/pricing?utm_source={}"
    for utm, question in (("newsletter", CITED), ("newsletter", UNCOVERED), ("ads", CITED)):
        conversation = chat.start(attribution=attribution_from(landing_url=landing.format(utm)))
        chat.ask(conversation, question)
    chat.leave_contact(conversation, name="Ann", email="ann@ads.example", company="Ads Co", consented=True)
    # A claim the documents left undocumented, stored as the answer pipeline stores per-claim verdicts.
    conversations, _handoffs = stores(app_home)
    conversation = chat.start(attribution=attribution_from(landing_url=landing.format("ads")))
    conversations.add(conversation, "buyer", "You support Lotus Notes 6 natively, right?")
    verdicts = [{"text": "Lotus Notes 6 is supported natively", "verdict": "not_documented"}]
    conversations.add(
        conversation,
        "assistant",
        "(answer)",
        payload={"confidence": 0.2, "handoff": True, "claims": verdicts},
    )

    app = page("insights", "rita")
    app.run()
    assert not app.exception, app.exception
    tables = [frame.value for frame in app.dataframe]
    by_source = next(t for t in tables if "UTM source" in t.columns)
    rows = {row["UTM source"]: row for row in by_source.to_dict("records")}
    assert set(rows) == {"newsletter", "ads"}
    assert (rows["newsletter"]["conversations"], rows["ads"]["conversations"]) == (2, 2)
    assert rows["newsletter"]["handed off"].startswith("50% (1/2; ")
    assert rows["ads"]["contact left"].startswith("50% (1/2; ")
    assert rows["ads"]["answered"].startswith("50% (1/2; ")  # the seeded answer handed off
    claims = next(t for t in tables if "undocumented claim" in t.columns)
    assert claims.to_dict("records") == [
        {"UTM source": "ads", "undocumented claim": "Lotus Notes 6 is supported natively", "conversations": 1}
    ]
    pages = next(t for t in tables if list(t.columns)[:2] == ["landing page", "conversations"])
    assert pages["landing page"].tolist() == ["https://vendor.example/pricing"]
    assert pages["conversations"].tolist() == [4]

    segment_by = next(box for box in app.selectbox if box.label == "Segment by")
    segment_by.set_value("company_size").run()
    assert not app.exception, app.exception
    assert any("company size" in frame.value.columns for frame in app.dataframe)
