"""Start the app the way `make run` does (`lastmile serve`), on a free port and a fresh home."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed_sample_knowledge(sample_home: Path, home: Path) -> None:
    """The bundled samples, already ingested once for the session (conftest `sample_home`), copied into
    `home`: the app then finds its knowledge base populated and skips the first-run ingest, which
    tests/test_serve.py covers. Only the knowledge stores are copied, never the app database."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copytree(sample_home / "chroma", home / "chroma", ignore=shutil.ignore_patterns("*.lock"))
    for database in sample_home.glob("knowledge.sqlite3*"):  # with its -wal: what is not yet checkpointed
        shutil.copy2(database, home / database.name)


def add_staff(home: Path, users: dict[str, tuple[str, str]]) -> None:
    """Accounts in the home's database before the app starts: name -> (role, password)."""
    from assistant.settings import Settings
    from assistant.storage.database import Database
    from assistant.storage.users import UserStore

    home.mkdir(parents=True, exist_ok=True)
    database = Database(Settings(home=home).resolved_database_url)
    store = UserStore(database)
    for name, (role, password) in users.items():
        store.add(name, role, password)
    database.dispose()


@contextmanager
def serve(home: Path, log_path: Path, timeout_s: float = 600, *, api_port: int = 0) -> Iterator[str]:
    """`lastmile serve --home HOME --port FREE` (the bundled samples are ingested first); yields its URL.
    The buyer API starts beside it only when given a port (`--api-port`; 0: not started)."""
    port = free_port()
    command = [sys.executable, "-m", "ui.cli", "serve", "--home", str(home), "--port", str(port)]
    command += ["--api-port", str(api_port)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(f"{url}/_stcore/health", process, log_path, timeout_s)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the app exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout_s:.0f}s:\n{log_path.read_text()[-3000:]}")
