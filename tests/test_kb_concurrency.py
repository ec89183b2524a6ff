"""Several processes on one data folder (issue 14, item 6).

Two writers: one ingest holds vectors it has added to Chroma but not yet committed while a second
`lastmile ingest` starts; the second must neither delete those vectors as orphans nor interleave, and
afterwards registry, lexical index and Chroma agree, with every document of both. A running reader (the
app's knowledge base) sees what another process ingested or deleted, without a restart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.sync import Syncer
from knowledge.retriever import HybridRetriever
from tests.conftest import REPO, make_kb

DEADLINE_S = 600  # generous: the machine is shared; nothing here measures time

# Runs an ingest that stops right after its first batch of vectors reached Chroma (before the registry
# commit) and waits there for the test's go-ahead.
PAUSING_WRITER = """
import sys, time
from pathlib import Path
from knowledge.base import open_knowledge
from knowledge.chroma_index import ChromaIndex
from knowledge.embedder import SentenceTransformerEmbedder
from ingest.sync import Syncer

docs, home, paused, go = (Path(arg) for arg in sys.argv[1:5])
real_add = ChromaIndex.add

def add_then_wait(self, chunks, vectors):
    real_add(self, chunks, vectors)
    if not paused.exists():
        paused.touch()
        while not go.exists():
            time.sleep(0.05)

ChromaIndex.add = add_then_wait
report = Syncer(open_knowledge(home, SentenceTransformerEmbedder())).sync([docs])
print(len(report.added), len(report.failed))
"""


def _corpus(folder: Path, topic: str, count: int) -> list[str]:
    folder.mkdir()
    names = []
    for i in range(count):
        name = f"{topic}-{i:02d}.md"
        (folder / name).write_text(f"# {topic} {i}\n\nThe {topic} fact number {i} is {topic}{i}x.\n")
        names.append(name)
    return names


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "TOKENIZERS_PARALLELISM": "false"}


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def _agree(home: Path, embedder) -> set[str]:
    kb = make_kb(home, embedder)
    owned = kb.registry.chunk_ids()
    assert kb.dense.ids() == owned, "registry and Chroma disagree"
    assert kb.lexical.chunk_ids() == owned, "registry and lexical index disagree"
    return {record.id for record in kb.registry.list()}


@pytest.mark.slow
def test_a_second_writer_waits_and_deletes_nothing_of_the_first(tmp_path, embedder):
    home = tmp_path / "home"
    first_docs, second_docs = tmp_path / "first", tmp_path / "second"
    first = _corpus(first_docs, "alpha", 6)
    second = _corpus(second_docs, "bravo", 3)
    paused, go = tmp_path / "paused", tmp_path / "go"
    writer = subprocess.Popen(
        [sys.executable, "-c", PAUSING_WRITER, str(first_docs), str(home), str(paused), str(go)],
        cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _wait_for(lambda: paused.exists() or writer.poll() is not None, "the first writer to pause")
    assert writer.poll() is None, writer.communicate()

    log = tmp_path / "second.log"
    with open(log, "w") as stderr:
        cli = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "ingest", str(second_docs), "--home", str(home), "--json"],
            cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=stderr, text=True,
        )  # fmt: skip
        # Either it waits for the writer lock (it says so), or, without one, it runs to the end.
        _wait_for(lambda: cli.poll() is not None or "waiting for" in log.read_text(), "the second writer")
        go.touch()
        out, err = writer.communicate(timeout=DEADLINE_S)
        assert writer.returncode == 0, err
        assert out.split() == [str(len(first)), "0"]
        second_out, _ = cli.communicate(timeout=DEADLINE_S)
    assert cli.returncode == 0, log.read_text()
    assert "waiting for another process writing to" in log.read_text(), "it waited, and said so"
    assert sorted(json.loads(second_out)["added"]) == second

    assert _agree(home, embedder) == set(first) | set(second)


def test_a_running_reader_sees_another_process_ingest_and_delete(tmp_path, embedder):
    home = tmp_path / "home"
    _corpus(tmp_path / "old", "alpha", 2)
    _corpus(tmp_path / "new", "bravo", 2)
    kb = make_kb(home, embedder)
    Syncer(kb).sync([tmp_path / "old"])
    retriever = HybridRetriever(kb)
    assert retriever.search("alpha fact number 1", k=1, mode="dense")[0].chunk.document_id == "alpha-01.md"

    def cli(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "ui.cli", *args, "--home", str(home)],
            cwd=REPO, env=_env(), capture_output=True, text=True, timeout=DEADLINE_S,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    cli("ingest", str(tmp_path / "new"), "--json")
    for mode in ("dense", "hybrid"):
        hits = retriever.search("bravo fact number 1 bravo1x", k=1, mode=mode)
        assert hits[0].chunk.document_id == "bravo-01.md", mode
    cli("kb", "delete", "alpha-00.md")
    assert all(hit.chunk.document_id != "alpha-00.md" for hit in retriever.search("alpha fact", k=5))

    # This process writes again after the other one did: nothing of the other's is lost.
    (tmp_path / "old" / "alpha-01.md").write_text("# alpha 1\n\nThe alpha fact number 1 changed.\n")
    Syncer(kb).sync([tmp_path / "old"])
    assert _agree(home, embedder) == {"alpha-00.md", "alpha-01.md", "bravo-00.md", "bravo-01.md"}
    fresh = HybridRetriever(make_kb(home, embedder))
    assert (
        fresh.search("bravo fact number 0 bravo0x", k=1, mode="dense")[0].chunk.document_id == "bravo-00.md"
    )
