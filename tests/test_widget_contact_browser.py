"""The widget's contact form in a real browser, on a vendor page of another origin opened from a campaign
link: the consent text comes from the API, nothing is sent before the box is ticked, the details are
stored with the conversation the widget holds, buyer text stays text (no markup is built from it), and the
landing page, referrer and UTM source are kept with the conversation.

Needs Debian's chromium and chromium-driver (`make browser-deps`); without them the test skips, except under
CI (CI=true), where it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import driver as browser
from tests.browser.api_server import serve_api
from tests.browser.server import free_port, seed_sample_knowledge

pytestmark = pytest.mark.slow

WAIT_S = 180
ROOT = "(document.querySelector('lastmile-chat') || {}).shadowRoot"
NAME = "Dana <img src=x onerror=alert(1)> White"
PRICING = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pricing</title>
<script src="{api}/widget.js" data-title="Ask the vendor" defer></script></head>
<body><h1>Pricing</h1></body></html>
"""
NEWSLETTER = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Newsletter</title></head>
<body><a id="go" href="/pricing.html?utm_source=newsletter&amp;utm_campaign=q3">See pricing</a></body></html>
"""


class QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # quiet test output
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory, sample_home):
    """The API (as `lastmile api` starts it) and a vendor site on another loopback origin."""
    reason = browser.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the widget browser test: {reason}")
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="vendor-site-"))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), partial(QuietFiles, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    home = tmp_path_factory.mktemp("widget-contact-home")
    seed_sample_knowledge(sample_home, home)
    try:
        with serve_api(home, home / "api.log", env={"LASTMILE_API_CORS_ORIGINS": origin}) as api:
            (folder / "pricing.html").write_text(PRICING.format(api=api), encoding="utf-8")
            (folder / "newsletter.html").write_text(NEWSLETTER, encoding="utf-8")
            yield origin, api, home
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def chromium(tmp_path):
    driver = browser.chromium(tmp_path / "profile")
    yield driver
    driver.quit()


def widget(driver, script: str, *args):
    return driver.execute_script(f"const root = {ROOT}; {script}", *args)


def wait(driver, what: str, script: str, *args):
    try:
        return WebDriverWait(driver, WAIT_S, poll_frequency=0.3).until(lambda d: widget(d, script, *args))
    except Exception as error:
        shown = widget(driver, "return root.querySelector('.root').innerText")
        raise AssertionError(f"{what} did not happen; the widget shows:\n{shown}") from error


def in_widget(driver, css: str):
    return driver.find_element(By.CSS_SELECTOR, "lastmile-chat").shadow_root.find_element(
        By.CSS_SELECTOR, css
    )


def stored(home: Path, conversation_id: str):
    from assistant.deals.attribution import Attributions
    from assistant.deals.contacts import ContactBook
    from assistant.settings import Settings
    from assistant.storage.database import Database

    database = Database(Settings(home=home).resolved_database_url)
    try:
        return ContactBook(database).get(conversation_id), Attributions(database).get(conversation_id)
    finally:
        database.dispose()


def test_the_widget_takes_contact_details_with_consent_and_keeps_the_landing(site, chromium):
    origin, api, home = site
    driver = chromium
    driver.get(f"{origin}/newsletter.html")
    driver.find_element(By.ID, "go").click()  # the buyer arrives from the newsletter page
    WebDriverWait(driver, WAIT_S).until(lambda d: d.find_elements(By.CSS_SELECTOR, "lastmile-chat"))
    in_widget(driver, ".launcher").click()
    in_widget(driver, ".contact summary").click()
    wait(
        driver,
        "the consent text",
        "return root.querySelector('.consent span').textContent.startsWith('I agree')",
    )

    in_widget(driver, "#lm-name").send_keys(NAME)
    in_widget(driver, "#lm-email").send_keys("dana@halcyonfreight.example")
    in_widget(driver, "#lm-company").send_keys("Halcyon Freight")
    in_widget(driver, ".contact .save").click()
    wait(driver, "the refusal", "return root.querySelector('.contact .done').textContent.includes('tick')")
    assert widget(driver, "return localStorage.getItem(arguments[0])", f"lastmile:conversation:{api}") is None

    in_widget(driver, "#lm-consent").click()
    in_widget(driver, ".contact .save").click()
    wait(driver, "the thanks", "return root.querySelector('.contact .done').textContent.startsWith('Thanks')")
    assert widget(driver, "return root.querySelector('.contact .done').textContent") == (
        f"Thanks, {NAME}: an expert can now follow up with you."
    )
    assert widget(driver, "return root.querySelectorAll('img').length") == 0  # the name stayed text

    held = json.loads(
        widget(driver, "return localStorage.getItem(arguments[0])", f"lastmile:conversation:{api}")
    )
    contact, attribution = stored(home, held["id"])
    assert (contact.name, contact.email, contact.company) == (
        NAME,
        "dana@halcyonfreight.example",
        "Halcyon Freight",
    )
    assert contact.consent_text.startswith("I agree that the vendor may keep my name")
    assert attribution.landing_page == f"{origin}/pricing.html"
    assert (attribution.referrer, attribution.utm_source, attribution.utm_campaign) == (
        "127.0.0.1",
        "newsletter",
        "q3",
    )
