"""Headless Chromium (Debian's `chromium` + `chromium-driver`, installed by `make browser-deps`) driven by
Selenium, and the few Streamlit interactions the browser test needs."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_S = 300  # the machine is slow and shared: the first answer loads the model and ingests nothing else
WINDOW = (1440, 1500)
# Without the background-networking flags Chromium's own connections (updates, sync, field trials) were
# refused many at a time here, slowing every page load.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
)


def missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).exists() and not shutil.which(Path(path).name):
            return f"{path} not found: install Debian's {package} (`make browser-deps`, as root)"
    return None


def chromium(profile: Path) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or CHROMEDRIVER), options=options)
    driver.set_window_size(*WINDOW)
    return driver


def body_text(driver: WebDriver) -> str:
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except (StaleElementReferenceException, WebDriverException):
        return ""


def wait_for_text(driver: WebDriver, text: str, timeout: float = WAIT_S) -> None:
    try:
        WebDriverWait(driver, timeout, poll_frequency=0.5).until(lambda d: text in body_text(d))
    except Exception as error:
        raise AssertionError(
            f"{text!r} did not appear within {timeout:.0f}s; the page shows:\n{body_text(driver)}"
        ) from error


def wait_until_idle(driver: WebDriver, timeout: float = WAIT_S) -> None:
    """Until Streamlit has finished the current run (its status widget says 'Running' while it works)."""
    time.sleep(0.5)
    WebDriverWait(driver, timeout, poll_frequency=0.5).until(
        lambda d: (
            not d.find_elements(
                By.CSS_SELECTOR, '[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]'
            )
        )
    )


def element(driver: WebDriver, css: str, timeout: float = WAIT_S) -> WebElement:
    """The first visible, enabled element matching `css`."""

    def find(d: WebDriver) -> WebElement | None:
        for candidate in d.find_elements(By.CSS_SELECTOR, css):
            try:
                if candidate.is_displayed() and candidate.is_enabled():
                    return candidate
            except StaleElementReferenceException:
                continue
        return None

    return WebDriverWait(driver, timeout, poll_frequency=0.5).until(find)


def fill(driver: WebDriver, css: str, text: str, *, then: tuple[str, ...] = (), attempts: int = 5) -> None:
    """Replace the text of the field matching `css` (found afresh if a rerun replaced it meanwhile), then
    press the keys `then`."""
    for attempt in range(attempts):
        try:
            field = element(driver, css)
            type_into(field, text)
            if then:
                field.send_keys(*then)
            return
        # A field still moving into place (a dialog opening) has its wrapper take the click: try again.
        except (
            StaleElementReferenceException,
            ElementNotInteractableException,
            ElementClickInterceptedException,
        ):
            if attempt == attempts - 1:
                raise
            time.sleep(1)


def button(driver: WebDriver, label: str, timeout: float = WAIT_S) -> WebElement:
    """A visible, enabled button whose text ends with `label` or has a line starting with it (an icon's
    ligature name may come first)."""

    def find(d: WebDriver) -> WebElement | None:
        for candidate in d.find_elements(By.CSS_SELECTOR, "button"):
            try:
                text = candidate.text.strip()
                lines = text.splitlines()
                shown = text.endswith(label) or any(line.strip().startswith(label) for line in lines)
                if shown and candidate.is_displayed() and candidate.is_enabled():
                    return candidate
            except StaleElementReferenceException:
                continue
        return None

    return WebDriverWait(driver, timeout, poll_frequency=0.5).until(find)


def click(driver: WebDriver, label: str) -> None:
    target = button(driver, label)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
    target.click()


def ask(driver: WebDriver, question: str) -> None:
    box = element(driver, 'textarea[data-testid="stChatInputTextArea"]')
    box.click()
    box.send_keys(question)
    box.send_keys(Keys.ENTER)


def type_into(field: WebElement, text: str) -> None:
    field.click()
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    field.send_keys(text)


def open_page(driver: WebDriver, title: str) -> None:
    """Follow the sidebar menu link `title` (a full page load would start a new, signed-out session).

    A click that lands while the previous page is still running (or its menu is being rebuilt, as after
    signing in) can be dropped, so the click is retried until the address is the link's.
    """

    def link(d: WebDriver) -> WebElement | None:
        for a in d.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNav"] a'):
            try:
                if a.text.strip().endswith(title):
                    return a
            except StaleElementReferenceException:
                continue
        return None

    deadline = time.monotonic() + WAIT_S
    while True:
        wait_until_idle(driver)
        target = WebDriverWait(driver, WAIT_S, poll_frequency=0.5).until(link)
        try:
            href = target.get_attribute("href") or ""
            target.click()
            WebDriverWait(driver, 15, poll_frequency=0.5).until(
                lambda d, href=href: d.current_url.rstrip("/") == href.rstrip("/")
            )
            return
        except (StaleElementReferenceException, TimeoutException) as error:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the menu link {title!r} did not open its page; at {driver.current_url}"
                ) from error


def screenshot(driver: WebDriver, folder: Path, name: str, *, scroll: str = "top") -> Path:
    """Save the viewport as `folder/name.png`, scrolled to the page's "top" or "bottom" (or left as it is)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    if scroll in ("top", "bottom"):
        driver.execute_script(
            "const bottom = arguments[0] === 'bottom';"
            "for (const e of [document.scrollingElement, ...document.querySelectorAll('[data-testid=\"stMain\"]')])"
            "  if (e) e.scrollTo(0, bottom ? e.scrollHeight : 0);",
            scroll,
        )
    time.sleep(0.8)  # let transitions settle
    driver.save_screenshot(str(path))
    return path


def open_tab(driver: WebDriver, label: str) -> None:
    tab = WebDriverWait(driver, WAIT_S, poll_frequency=0.5).until(
        lambda d: next(
            (t for t in d.find_elements(By.CSS_SELECTOR, '[data-testid="stTab"]') if t.text.strip() == label),
            None,
        )
    )
    tab.click()
