"""Deal intelligence in a real browser, on the app started as `make run` starts it: a buyer who came from a
campaign link asks a question naming their CISO's worry, leaves contact details (ticking the consent box)
and asks for an expert; the rep sees the deal brief and the buying committee of the buyer's account (built
up with another buyer of the same company) beside the handoff; the Insights page shows the campaign's
segment. Screenshots go to LASTMILE_SCREENSHOTS (default tests/artifacts/screenshots/).

Needs Debian's chromium and chromium-driver (`make browser-deps`); without them the test skips, except under
CI (CI=true), where it fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.browser import driver as browser
from tests.browser.server import add_staff, seed_sample_knowledge, serve
from tests.conftest import REPO

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(os.environ.get("LASTMILE_SCREENSHOTS") or REPO / "tests" / "artifacts" / "screenshots")
STAFF = {"rita": ("rep", "rita-browser-pass")}
CISO = "Our CISO is worried about key management. Is data encrypted at rest?"
CFO = "My CFO wants a fixed annual price before we sign anything."
CAMPAIGN = "spring-newsletter"


def seed_other_buyer(home: Path) -> None:
    """An earlier buyer of the same company, who named their CFO and left contact details."""
    from assistant.deals.contacts import ContactBook
    from assistant.settings import Settings
    from assistant.storage.conversations import ConversationStore
    from assistant.storage.database import Database

    database = Database(Settings(home=home).resolved_database_url)
    conversations = ConversationStore(database)
    conversation = conversations.start()
    conversations.add(conversation, "buyer", CFO)
    ContactBook(database).leave(
        conversation,
        name="Omar Reyes",
        email="omar@halcyonfreight.example",
        company="Halcyon Freight",
        consent_text="I agree (seeded by the test).",
        consented=True,
    )
    database.dispose()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, sample_home):
    reason = browser.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("browser-deals-home")
    seed_sample_knowledge(sample_home, home)
    add_staff(home, STAFF)
    seed_other_buyer(home)
    with serve(home, home / "serve.log") as url:
        yield url


@pytest.fixture
def open_browser(tmp_path):
    drivers = []

    def start():
        driver = browser.chromium(tmp_path / f"profile-{len(drivers)}")
        drivers.append(driver)
        return driver

    yield start
    for driver in drivers:
        driver.quit()


def open_expander(driver, title: str) -> None:
    summary = browser.element(driver, '[data-testid="stExpander"] summary')
    assert title in summary.text, summary.text
    summary.click()


def test_contact_brief_committee_and_segment_in_a_real_browser(app_url, open_browser, capsys):
    shots: dict[str, str] = {}

    def shot(driver, name: str, what: str, *, scroll: str = "top") -> None:
        shots[str(browser.screenshot(driver, SCREENSHOTS, name, scroll=scroll))] = what

    # The buyer comes from a campaign link, asks, leaves contact details with consent, asks for an expert.
    buyer = open_browser()
    buyer.get(f"{app_url}/?utm_source=newsletter&utm_campaign={CAMPAIGN}")
    browser.wait_for_text(buyer, "Ask about our product")
    browser.ask(buyer, CISO)
    browser.wait_for_text(buyer, "Talk to an expert")
    browser.wait_until_idle(buyer)
    open_expander(buyer, "Leave your contact details (optional)")
    browser.fill(buyer, 'input[aria-label="Name"]', "Dana White")
    browser.fill(buyer, 'input[aria-label="Work e-mail"]', "dana@halcyonfreight.example")
    browser.fill(buyer, 'input[aria-label="Company"]', "Halcyon Freight")
    consent = browser.element(buyer, '[data-testid="stCheckbox"] label')
    assert consent.text.startswith("I agree that the vendor may keep my name"), consent.text
    consent.click()
    browser.click(buyer, "Send my details")
    browser.wait_for_text(buyer, "an expert can now follow up with you")
    shot(buyer, "deals-01-buyer-contact", "buyer chat: contact details left, with the consent box ticked")
    browser.click(buyer, "Talk to an expert")
    browser.wait_for_text(buyer, "An expert will reply here")

    # The rep: the handoff, and beside it the brief and the account's committee, as plain text.
    rep = open_browser()
    rep.get(f"{app_url}/sign-in")
    browser.wait_for_text(rep, "Staff sign-in")
    browser.fill(rep, 'input[aria-label="Name"]', "rita")
    browser.fill(rep, 'input[type="password"]', STAFF["rita"][1])
    browser.click(rep, "Sign in")
    browser.wait_for_text(rep, "Rep console")
    browser.wait_for_text(rep, "Buying committee of the account")
    text = browser.body_text(rep)
    assert "Dana White <dana@halcyonfreight.example>, Halcyon Freight" in text
    assert "Readiness: " in text
    assert "CISO, skeptical" in text  # the stakeholder, with the stance the buyer stated
    assert 'security: "Our CISO is worried about key management.' in text  # the concern, in their words
    assert "Account halcyonfreight (Halcyon Freight): 2 buyer conversation(s)" in text
    assert "buyer Omar Reyes (Halcyon Freight)" in text
    assert "CFO" in text  # the other buyer's stakeholder is on the same committee
    deal = rep.find_element(By.XPATH, "//*[contains(text(), 'Buying committee of the account')]")
    rep.execute_script("arguments[0].scrollIntoView({block: 'center'});", deal)
    shot(
        rep,
        "deals-02-rep-brief-committee",
        "rep console: the deal brief and the account's committee",
        scroll="none",
    )

    # Insights: the campaign is a segment, with its rates.
    browser.open_page(rep, "Insights")
    browser.wait_for_text(rep, "Segments")
    browser.wait_until_idle(rep)

    def segment_tables() -> str:  # the grids draw on a canvas; their accessible table carries the text
        return " ".join(
            rep.execute_script("return arguments[0].textContent", grid)
            for grid in rep.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"]')
        )

    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(rep, 60, poll_frequency=0.5).until(lambda _d: "newsletter" in segment_tables())
    tables = segment_tables()
    assert "UTM source" in tables
    assert "(none)" in tables  # the seeded buyer came from nowhere in particular
    shot(
        rep, "deals-03-insights-segments", "insights: rates per UTM source and landing page", scroll="bottom"
    )

    with capsys.disabled():
        for path, what in shots.items():
            print(f"\nscreenshot: {path}  ({what})")
