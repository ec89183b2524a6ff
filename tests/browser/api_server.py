"""Start the buyer API the way `make run` starts it beside the app (`lastmile api`), on a free port and a
given home; and wait until an API answers its health check."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser.server import free_port
from tests.conftest import REPO


@contextmanager
def serve_api(
    home: Path, log_path: Path, timeout_s: float = 600, *, env: dict[str, str] | None = None
) -> Iterator[str]:
    """`lastmile api --home HOME --port FREE` (the bundled samples are ingested first), with `env` added to
    its environment (settings); yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "ui.cli", "api", "--home", str(home), "--port", str(port)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=dict(os.environ, **(env or {})),
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_api(url, process, log_path, timeout_s)
            yield url
        finally:
            stop_group(process)


def wait_for_api(url: str, process: subprocess.Popen, log_path: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/v1/health", timeout=2) as response:
                if json.load(response) == {"status": "ok"}:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout_s:.0f}s:\n{log_path.read_text()[-3000:]}")


def stop_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
