"""axe-core (the accessibility engine, from npm) for the browser tests: installed once under the gitignored
.cache/ with `npm install --prefix`, then injected into the page through Selenium and run on an element."""

from __future__ import annotations

import json
import shutil
import subprocess

from selenium.webdriver.remote.webdriver import WebDriver

from tests.conftest import REPO

AXE_VERSION = "4.14.1"  # pinned: a new rule set could change what "no serious violation" means
PREFIX = REPO / ".cache" / f"axe-core-{AXE_VERSION}"
AXE_JS = PREFIX / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def missing() -> str | None:
    """Installs axe-core if it is not there yet; says why it cannot be had, or None."""
    if AXE_JS.exists():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found: axe-core cannot be installed for the accessibility check"
    PREFIX.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--prefix", str(PREFIX), f"axe-core@{AXE_VERSION}", "--no-audit", "--no-fund",
         "--ignore-scripts", "--no-save"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if result.returncode != 0 or not AXE_JS.exists():
        return f"npm install axe-core@{AXE_VERSION} failed: {result.stderr[-500:]}"
    return None


def violations(driver: WebDriver, css: str) -> list[dict]:
    """axe's violations inside the element matching `css` (its open shadow root included)."""
    driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    found = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document.querySelector(arguments[0]), {resultTypes: ["violations"]})
          .then((result) => done(JSON.stringify(result.violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5)})))))
          .catch((error) => done(JSON.stringify({error: String(error)})));
        """,
        css,
    )
    parsed = json.loads(found)
    if isinstance(parsed, dict):
        raise AssertionError(f"axe failed: {parsed['error']}")
    return parsed
