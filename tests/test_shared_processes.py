"""Many processes on shared stores: two API workers, a Streamlit server and a CLI ingest at once.

Each process has a home of its own (nothing shared on disk): only the Chroma server and PostgreSQL join
them. Buyers ask over real HTTP, alternating between the workers, while the CLI adds documents and
replaces one; no turn errors, a document ingested by the CLI is cited by both workers without a restart,
and afterwards the registry, the lexical index and Chroma agree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from knowledge.chroma_server import free_port
from tests.api_support import ROOMY, bearer, parse_sse
from tests.browser.api_server import stop_group, wait_for_api
from tests.browser.server import _wait_healthy
from tests.conftest import REPO, SAMPLES, settings_kb
from tests.shared_stores import shared_environment

pytestmark = pytest.mark.slow

SEED = ("security-compliance.md", "deployment-options.md")
ADDED = ("data-retention-backup.md", "known-limitations.md", "sla-support.pdf")
NEW_FACT = "\n\n## Lab regions\n\nThe Zanzibar-7 lab region is available for pilots on request.\n"
QUESTIONS = (
    "Is data encrypted at rest, and with which algorithm?",
    "Can we deploy in our own VPC?",
    "How long are backups kept?",
    "Do you have a native connector for Lotus Notes 6?",
)
START_S = 600  # a cold start of the full stack on a loaded 2-core machine


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _ask(url: str, question: str) -> tuple[list, str]:
    """One buyer's turn over HTTP: the server-sent events and the conversation id."""
    with httpx.Client(base_url=url, timeout=300) as http:
        created = http.post("/v1/conversations")
        created.raise_for_status()
        conversation, token = created.json()["conversation_id"], created.json()["token"]
        with http.stream(
            "POST",
            f"/v1/conversations/{conversation}/messages",
            json={"text": question},
            headers=bearer(token) | {"Accept": "text/event-stream"},
        ) as response:
            assert response.status_code == 200, response.read()
            return list(parse_sse(response.iter_lines())), conversation


@pytest.mark.parametrize("store_settings", ["shared"], indirect=True)  # several machines need shared stores
def test_two_api_workers_streamlit_and_an_ingest_share_the_stores(tmp_path, store_settings, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in SEED:
        (docs / name).write_bytes((SAMPLES / name).read_bytes())
    from assistant.wiring import build_syncer

    seeded = settings_kb(store_settings, embedder)
    assert not build_syncer(store_settings, seeded).sync([docs]).failed

    base = dict(os.environ, TOKENIZERS_PARALLELISM="false", **shared_environment(store_settings))
    base |= {f"LASTMILE_{key.upper()}": value for key, value in ROOMY.items()}
    processes: list[subprocess.Popen] = []
    try:
        workers = []
        for index in range(2):
            port, home = free_port(), tmp_path / f"worker-{index}"
            env = base | {"LASTMILE_HOME": str(home)}
            log = tmp_path / f"api-{index}.log"
            command = [sys.executable, "-m", "ui.cli", "api", "--port", str(port), "--no-samples"]
            processes.append(_start(command, env, log))
            workers.append((f"http://127.0.0.1:{port}", processes[-1], log))
        app_port = free_port()
        app_log = tmp_path / "streamlit.log"
        processes.append(
            _start(
                [sys.executable, "-m", "streamlit", "run", str(REPO / "ui" / "app.py"),
                 "--server.address", "127.0.0.1", "--server.port", str(app_port), "--server.headless", "true",
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                base | {"LASTMILE_HOME": str(tmp_path / "streamlit")},
                app_log,
            )
        )  # fmt: skip
        for url, process, log in workers:
            wait_for_api(url, process, log, START_S)
        _wait_healthy(f"http://127.0.0.1:{app_port}/_stcore/health", processes[-1], app_log, START_S)

        # The documents change while buyers ask: three added, one replaced.
        for name in ADDED:
            (docs / name).write_bytes((SAMPLES / name).read_bytes())
        (docs / "deployment-options.md").write_text(
            (SAMPLES / "deployment-options.md").read_text() + NEW_FACT
        )
        ingest = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "ingest", str(docs), "--json"],
            cwd=REPO,
            env=base | {"LASTMILE_HOME": str(tmp_path / "cli")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        turns: list[tuple[str, list]] = []
        failures: list[BaseException] = []

        def buyer(offset: int) -> None:
            turn = offset
            while ingest.poll() is None or turn < offset + len(QUESTIONS):
                url = workers[turn % 2][0]
                try:
                    events, _ = _ask(url, QUESTIONS[turn % len(QUESTIONS)])
                    turns.append((url, events))
                except BaseException as error:  # reported below, with the others
                    failures.append(error)
                    return
                turn += 1

        buyers = [threading.Thread(target=buyer, args=(i,)) for i in range(3)]
        for thread in buyers:
            thread.start()
        _, err = ingest.communicate(timeout=900)
        for thread in buyers:
            thread.join(timeout=900)
        assert ingest.returncode == 0, err
        assert not failures, failures
        assert len(turns) >= 3 * len(QUESTIONS)
        for url, events in turns:
            names = [event.event for event in events]
            assert "error" not in names, (url, names)
            assert names[-1] == "answer", (url, names)

        for url, _, _ in workers:  # both workers see the CLI's replacement without a restart
            events, _ = _ask(url, "Is the Zanzibar-7 lab region available?")
            answer = events[-1].data
            assert events[-1].event == "answer", events
            assert "deployment-options.md" in {c["source"] for c in answer["citations"]}, (url, answer)
        assert all(process.poll() is None for process in processes), "every server is still up"
    finally:
        for process in processes:
            stop_group(process)

    seeded.refresh()
    health = seeded.consistency()
    assert health.ok, health.message()
    assert seeded.registry.chunk_ids() == seeded.lexical.chunk_ids() == seeded.dense.ids()
    assert sorted(r.id for r in seeded.registry.list()) == sorted(SEED + ADDED)
    seeded.close()
