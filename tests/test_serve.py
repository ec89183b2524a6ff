"""`make run`'s command starts the product: the bundled samples are ingested and the app answers on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

from tests.conftest import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 300) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def test_serve_ingests_samples_and_answers_on_loopback(tmp_path):
    home, port = tmp_path / "home", free_port()
    # The same entry point `make run` uses (`lastmile serve`), on a free port and a fresh home.
    command = [sys.executable, "-m", "ui.cli", "serve", "--home", str(home), "--port", str(port)]
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 (closed below, after the process)
    process = subprocess.Popen(
        command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        health = wait_for(f"http://127.0.0.1:{port}/_stcore/health", process)
        assert health.strip() == b"ok"
        page = wait_for(f"http://127.0.0.1:{port}/", process).decode()
        assert '<div id="root">' in page
        with sqlite3.connect(home / "knowledge.sqlite3") as db:
            documents = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        assert documents >= 20, "the bundled samples were not ingested"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
