"""The in-memory BM25 index ranks as FTS5 ranks, and sees what another process writes without a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from knowledge.lexical_index import LexicalIndex
from knowledge.sparse_index import SparseIndex
from knowledge.store_db import KnowledgeDB
from tests.conftest import REPO

QUESTIONS = REPO / "evals" / "data" / "sample_questions.jsonl"


def test_in_memory_bm25_ranks_the_sample_kb_as_fts5_does(sample_kb):
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    fts5, memory = LexicalIndex(sample_kb.db), SparseIndex(sample_kb.db)
    for question in questions:
        expected = fts5.search(question, k=5)
        found = memory.search(question, k=5)
        assert [hit.chunk.id for hit in found] == [hit.chunk.id for hit in expected], question
        assert [hit.score for hit in found] == pytest.approx([hit.score for hit in expected], rel=1e-4)
        assert memory.unseen_terms(question) == fts5.unseen_terms(question), question
    assert memory.search("SAML OIDC", k=3, document_ids=["faq.csv"])
    assert {h.chunk.document_id for h in memory.search("SAML OIDC", k=5, document_ids=["faq.csv"])} == {
        "faq.csv"
    }


# Another process writes the lexical rows as an ingest does (registry, FTS5, generation), without a model.
WRITER = """
import sys
from knowledge.lexical_index import LexicalIndex
from knowledge.registry import DocumentRegistry
from knowledge.store_db import KnowledgeDB
from knowledge.types import Chunk

db = KnowledgeDB(sys.argv[1])
with db.transaction() as conn:
    if sys.argv[2] == "delete":
        DocumentRegistry.remove(conn, "other.md")
    else:
        chunk = Chunk(id="other-" + sys.argv[2], document_id="other.md", text=sys.argv[3], title="Other")
        DocumentRegistry.write(conn, document_id="other.md", content_hash=sys.argv[2], title="Other",
                               type="md", owner="", size_bytes=0, chunks=[chunk])
        LexicalIndex.write(conn, "other.md", [chunk])
    conn.execute("UPDATE kb_state SET value = value + 1 WHERE key = 'generation'")
"""


def _other_process(path, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(path), *args],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_in_memory_bm25_sees_another_process_write_without_a_restart(tmp_path):
    path = tmp_path / "knowledge.sqlite3"
    index = SparseIndex(KnowledgeDB(path))
    assert index.search("quokka migration", k=3) == []  # loaded, empty

    _other_process(path, "v1", "The quokka migration runs every spring.")
    assert [hit.chunk.id for hit in index.search("quokka migration", k=3)] == ["other-v1"]
    assert "quokka" not in index.unseen_terms("Is the quokka here?")

    _other_process(path, "v2", "The wombat migration replaced it.")  # a new version of the document
    assert [hit.chunk.id for hit in index.search("quokka wombat", k=3)] == ["other-v2"]
    assert "quokka" in index.unseen_terms("Is the quokka here?")

    _other_process(path, "delete")
    assert index.search("wombat migration", k=3) == []
    assert len(index) == 0
