"""A real browser on the real app: headless Chromium opens the app started as `make run` starts it, a buyer
gets a cited answer, then a handoff; a rep signs in, claims it and replies; the buyer sees the reply
arrive in the same conversation. A screenshot of each page is written to the folder the test names
(LASTMILE_SCREENSHOTS, default tests/artifacts/screenshots/) and its path printed.

Needs Debian's chromium and chromium-driver (`make browser-deps`, which `make test` runs). Without them the
test skips, except under CI (CI=true), where it fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser import driver as browser
from tests.browser.server import add_staff, seed_sample_knowledge, serve
from tests.conftest import REPO

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(os.environ.get("LASTMILE_SCREENSHOTS") or REPO / "tests" / "artifacts" / "screenshots")
STAFF = {"rita": ("rep", "rita-browser-pass"), "ada": ("admin", "ada-browser-pass")}
CITED = "Which data residency regions can we choose?"
UNCOVERED = "Do you have a native connector for Lotus Notes 6?"
REPLY = "Not natively. Export the Notes databases to CSV and load them with the file connector; I can send a guide."
BANNER = "An expert will reply here"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, sample_home):
    reason = browser.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("browser-home")
    seed_sample_knowledge(sample_home, home)
    add_staff(home, STAFF)
    log = home / "serve.log"
    with serve(home, log) as url:
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


def sign_in(driver, url: str, name: str) -> None:
    driver.get(f"{url}/sign-in")
    browser.wait_for_text(driver, "Staff sign-in")
    browser.fill(driver, 'input[aria-label="Name"]', name)
    browser.fill(driver, 'input[type="password"]', STAFF[name][1])
    browser.click(driver, "Sign in")


def test_buyer_question_handoff_and_rep_reply_in_a_real_browser(app_url, open_browser, tmp_path, capsys):
    shots: dict[str, str] = {}

    def shot(driver, name: str, what: str, *, scroll: str = "top") -> None:
        path = browser.screenshot(driver, SCREENSHOTS, name, scroll=scroll)
        shots[str(path)] = what

    # The buyer: a cited answer, then a question the documents don't cover.
    buyer = open_browser()
    buyer.get(app_url)
    browser.wait_for_text(buyer, "Ask about our product")
    browser.ask(buyer, CITED)
    browser.wait_for_text(buyer, "[1] ")
    browser.wait_for_text(buyer, "Talk to an expert")
    shot(
        buyer,
        "01-buyer-cited-answer",
        "buyer chat: a streamed answer with numbered citation chips and intent tags",
    )
    browser.click(buyer, "[1] ")
    browser.wait_for_text(buyer, "document:")
    shot(
        buyer,
        "02-buyer-citation-open",
        "buyer chat: citation chip [1] opened on its quoted passage and document",
    )
    ActionChains(buyer).send_keys(Keys.ESCAPE).perform()  # close the chip

    browser.ask(buyer, UNCOVERED)
    browser.wait_for_text(buyer, BANNER)
    shot(
        buyer,
        "03-buyer-handed-off",
        "buyer chat: the question handed off, with the 'an expert will reply' banner",
        scroll="none",
    )

    # Anyone who is not signed in never sees the console, even by its address.
    stranger = open_browser()
    stranger.get(f"{app_url}/console")
    browser.wait_for_text(stranger, "Ask about our product")
    assert "Rep console" not in browser.body_text(stranger)
    assert UNCOVERED not in browser.body_text(stranger), "another buyer's question leaked"

    # The rep: sign in, open the handoff, claim, edit the draft, send.
    rep = open_browser()
    rep.get(f"{app_url}/sign-in")
    browser.wait_for_text(rep, "Staff sign-in")
    shot(rep, "04-sign-in", "staff sign-in form")
    sign_in(rep, app_url, "rita")
    browser.wait_for_text(rep, "Rep console")
    browser.wait_for_text(rep, UNCOVERED)
    browser.wait_for_text(rep, "Why it was handed off")
    shot(
        rep,
        "05-rep-console-queue",
        "rep console: queue with filters, the conversation, intents, reasons, sources",
    )
    browser.click(rep, "Claim")
    browser.wait_for_text(rep, "Claimed: it is yours to answer.")
    browser.wait_until_idle(rep)
    # Ctrl+Enter commits the edit to the app before the click.
    browser.fill(rep, 'textarea[aria-label^="Reply to the buyer"]', REPLY, then=(Keys.CONTROL, Keys.ENTER))
    browser.wait_until_idle(rep)
    browser.click(rep, "Send reply")
    browser.wait_for_text(rep, "Reply sent")
    shot(
        rep,
        "06-rep-reply-sent",
        "rep console, scrolled to the reply: the edited draft sent, the transcript shows it; save and resolve",
        scroll="bottom",
    )

    # The buyer's page polls: the rep's reply arrives in the same conversation, with the rep's name.
    browser.wait_for_text(buyer, REPLY, timeout=120)
    browser.wait_for_text(buyer, "rita")
    assert BANNER not in browser.body_text(buyer)
    shot(
        buyer,
        "07-buyer-sees-reply",
        "buyer chat: the rep's reply (signed rita) in the same conversation",
        scroll="none",
    )

    # The rep saves the reply to the knowledge base, then looks at the insights.
    browser.click(rep, "Save to knowledge base")
    browser.wait_for_text(rep, "Saved as verified-qa/")
    browser.open_page(rep, "Insights")
    browser.wait_for_text(rep, "Top knowledge gaps")
    browser.wait_until_idle(rep)
    shot(rep, "08-insights", "insights: intent mix, answered vs handed off, confidence histogram, top gaps")
    assert "Knowledge base" not in [
        link.text for link in rep.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNav"] a')
    ]

    # The admin: the knowledge base, its search preview and its knowledge gaps.
    admin = open_browser()
    sign_in(admin, app_url, "ada")
    browser.wait_for_text(admin, "Rep console")
    browser.open_page(admin, "Knowledge base")
    browser.wait_for_text(admin, "Replace or delete a document")
    shot(
        admin,
        "09-knowledge-base-documents",
        "knowledge base: the document list (title, type, version, owner, updated, chunks)",
    )
    browser.open_tab(admin, "Upload")
    browser.wait_for_text(admin, "several at once")
    uploads = {
        "lotus-notes.md": b"# Lotus Notes\n\nThere is no native Lotus Notes connector; export to CSV instead.\n",
        "sso-faq.md": b"# Single sign-on\n\nSAML 2.0 and OIDC single sign-on are included in every plan.\n",
        "scan.pdf": b"not really a PDF",
    }
    for name, data in uploads.items():
        (tmp_path / name).write_bytes(data)
    many = next(
        e for e in admin.find_elements(By.CSS_SELECTOR, 'input[type="file"]') if e.get_attribute("multiple")
    )
    many.send_keys("\n".join(str(tmp_path / name) for name in uploads))
    browser.wait_for_text(admin, "sso-faq.md")
    browser.click(admin, "Add to the knowledge base")
    browser.wait_for_text(admin, "2 of 3 files applied, 1 failed")
    shot(
        admin,
        "10-knowledge-base-upload",
        "knowledge base: three files uploaded at once, a result per file (one refused, with its reason)",
    )
    browser.open_tab(admin, "Search preview")
    browser.fill(
        admin,
        'input[aria-label="Search as the assistant would"]',
        "data residency regions",
        then=(Keys.ENTER,),
    )
    browser.wait_for_text(admin, "similarity: cosine to the query")
    shot(admin, "11-knowledge-base-search", "knowledge base: search preview with similarity and fused scores")
    browser.open_tab(admin, "Knowledge gaps")
    browser.wait_for_text(admin, "handed off for lack of evidence")
    shot(
        admin,
        "12-knowledge-base-gaps",
        "knowledge base: knowledge gaps grouped, with counts and the nearest document",
    )

    with capsys.disabled():
        print("\nscreenshots:")
        for path, what in shots.items():
            print(f"  {path}: {what}")
