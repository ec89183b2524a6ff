"""kill -9 during an ingest, run it again: registry, Chroma and the lexical index agree, no orphan or
duplicate chunk, every document present once, and the second run adds exactly what the first did not.

Runs on both backends (tests/conftest.py `store_settings`): the embedded default, and a Chroma server with
PostgreSQL, where the writer lock is a PostgreSQL advisory lock the killed process's session held."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, settings_kb
from tests.shared_stores import shared_environment

DOCUMENTS = 300  # enough for several batches, so the kill lands mid-way
WORDS = "buyer tier region cluster policy backup credit connector lineage catalog query token audit".split()


def _corpus(folder: Path) -> list[str]:
    rng = random.Random(7)
    folder.mkdir()
    names = []
    for i in range(DOCUMENTS):
        name = f"doc-{i:03d}.md"
        body = " ".join(rng.choice(WORDS) for _ in range(60))
        (folder / name).write_text(f"# Document {i}\n\n## Facts {i}\n\nFact number {i}: {body}.\n")
        names.append(name)
    return names


def _ingest(docs: Path, settings) -> subprocess.Popen:
    env = dict(os.environ, TOKENIZERS_PARALLELISM="false", **shared_environment(settings))
    return subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "ingest", str(docs), "--json"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _store_ids(settings) -> dict[str, list[str]]:
    script = (
        "import json; from assistant.settings import Settings; from assistant.wiring import build_knowledge; "
        "kb = build_knowledge(Settings(), load_model=False); "
        "print(json.dumps({'registry': sorted(kb.registry.chunk_ids()), "
        "'lexical': sorted(kb.lexical.chunk_ids()), 'dense': sorted(kb.dense.ids())}))"
    )
    env = dict(os.environ, **shared_environment(settings))
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def _plant_orphan_vector(settings) -> None:
    """Write one vector whose chunk no document owns into Chroma, from another process (as a writer would)."""
    script = (
        "from assistant.settings import Settings; from assistant.wiring import build_knowledge; "
        "from knowledge.types import Chunk; "
        "kb = build_knowledge(Settings(), load_model=False); "
        "owned = sorted(kb.registry.chunk_ids())[0]; "
        "kb.dense.add([Chunk(id='planted-orphan', document_id='gone.md', text='left by a killed writer', "
        "title='Gone')], kb.dense.vectors([owned])[owned][None, :]); kb.close()"
    )
    env = dict(os.environ, **shared_environment(settings))
    subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )


def _landed(settings) -> set[str]:
    """The documents committed so far, read without taking any lock the writer might hold."""
    url = settings.resolved_knowledge_database_url
    if url is None:
        path = settings.knowledge_db_path
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
                return {row[0] for row in conn.execute("SELECT id FROM documents")}
        except sqlite3.OperationalError:  # not created yet
            return set()
    import psycopg

    from knowledge.pg_lock import libpq_url

    try:
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            return {row[0] for row in conn.execute("SELECT id FROM documents")}
    except psycopg.errors.UndefinedTable:  # not created yet
        return set()


def _kill_mid_ingest(docs: Path, settings) -> set[str]:
    """Start an ingest of `docs`, kill -9 it as soon as a first document committed; the ones that landed."""
    first = _ingest(docs, settings)
    deadline = time.monotonic() + 300
    while not _landed(settings) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, f"the ingest ended before it could be killed: {first.communicate()}"
    first.send_signal(signal.SIGKILL)
    first.communicate()
    assert first.returncode == -signal.SIGKILL
    landed = _landed(settings)
    assert 0 < len(landed) < DOCUMENTS, "killed mid-way: some documents landed, not all"
    return landed


@pytest.mark.slow
def test_kill_minus_9_mid_ingest_then_rerun_leaves_stores_in_agreement(tmp_path, embedder, store_settings):
    docs = tmp_path / "docs"
    names = _corpus(docs)
    landed = _kill_mid_ingest(docs, store_settings)

    # What a reader sees right after the crash: every registered chunk is searchable both ways.
    # (Read in another process: an embedded Chroma client caches state and must not outlive the writer.)
    seen = _store_ids(store_settings)
    assert seen["registry"] == seen["lexical"]
    assert set(seen["registry"]) <= set(seen["dense"]), "a committed document's vectors are all in Chroma"

    second = _ingest(docs, store_settings)
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err
    report = json.loads(out)
    assert sorted(report["added"]) == sorted(set(names) - landed)
    assert sorted(report["unchanged"]) == sorted(landed)
    assert report["updated"] == report["failed"] == []

    kb = settings_kb(store_settings, embedder)
    registry_ids = kb.registry.chunk_ids()
    assert registry_ids == kb.dense.ids() == kb.lexical.chunk_ids(), "no orphan chunk anywhere"
    fts_rows = kb.db.query("SELECT chunk_id FROM chunks_fts")
    assert len(fts_rows) == len(registry_ids), "no duplicate lexical entry"
    assert kb.dense.count() == len(registry_ids), "no duplicate vector"
    assert sorted(record.id for record in kb.registry.list()) == names, "every document present once"
    assert all(record.chunk_count == 1 and record.version == 1 for record in kb.registry.list())
    # The dense index answers queries for documents from both runs.
    for name in (sorted(landed)[0], sorted(set(names) - landed)[-1]):
        [chunk_id] = kb.registry.chunk_ids(name)
        vector = kb.dense.vectors([chunk_id])[chunk_id]
        assert kb.dense.query(vector, k=1)[0].chunk.id == chunk_id


@pytest.mark.slow
def test_kill_minus_9_then_a_rerun_with_nothing_to_write_still_removes_the_leftovers(
    tmp_path, embedder, store_settings
):
    # A rerun that writes nothing may skip Chroma only with proof the last writer finished
    # (knowledge/writer.py); a killed one left no such proof, so the leftovers go all the same.
    docs = tmp_path / "docs"
    names = _corpus(docs)
    landed = _kill_mid_ingest(docs, store_settings)
    # Whether the kill itself left a vector no document owns depends on where it landed (between a
    # document's Chroma write and its commit, or not): one is planted as such a writer leaves it, so the
    # rerun always has a leftover to remove, with no proof of a finished writer to skip it on.
    _plant_orphan_vector(store_settings)
    seen = _store_ids(store_settings)
    assert set(seen["dense"]) > set(seen["registry"]), "vectors no document owns before the rerun"
    for name in set(names) - landed:
        (docs / name).unlink()  # only what landed is left: the rerun has nothing to add

    second = _ingest(docs, store_settings)
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err
    report = json.loads(out)
    assert sorted(report["unchanged"]) == sorted(landed)
    assert report["added"] == report["updated"] == report["failed"] == []
    seen = _store_ids(store_settings)
    assert seen["registry"] == seen["dense"] == seen["lexical"], "no orphan chunk anywhere"
