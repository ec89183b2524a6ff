"""`lastmile serve` (what `make run` runs) starts the buyer API beside the Streamlit app, prints both URLs,
and stopping it stops both."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.browser.api_server import stop_group, wait_for_api
from tests.browser.server import _wait_healthy, free_port, seed_sample_knowledge
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def refused(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except OSError:
        return True
    return False


def test_serve_starts_the_app_and_the_api_and_stops_both(tmp_path, sample_home):
    seed_sample_knowledge(sample_home, tmp_path / "home")  # the first-run ingest is tests/test_serve.py's
    app_port, api_port = free_port(), free_port()
    log_path = tmp_path / "serve.log"
    command = [
        sys.executable, "-m", "ui.cli", "serve", "--home", str(tmp_path / "home"),
        "--port", str(app_port), "--api-port", str(api_port),
    ]  # fmt: skip
    app_url, api_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{api_port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_healthy(f"{app_url}/_stcore/health", process, log_path, 600)
            wait_for_api(api_url, process, log_path, 600)
            with urllib.request.urlopen(f"{api_url}/demo", timeout=10) as response:
                assert '<script src="/widget.js"' in response.read().decode()
            printed = log_path.read_text()
            assert app_url in printed
            assert f"{api_url}/demo" in printed

            process.send_signal(signal.SIGTERM)  # the parent only: it stops its children
            assert process.wait(timeout=60) is not None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (
                refused(f"{app_url}/_stcore/health") and refused(f"{api_url}/v1/health")
            ):
                time.sleep(0.5)
            assert refused(f"{app_url}/_stcore/health"), "the Streamlit app outlived `lastmile serve`"
            assert refused(f"{api_url}/v1/health"), "the API outlived `lastmile serve`"
        finally:
            stop_group(process)
