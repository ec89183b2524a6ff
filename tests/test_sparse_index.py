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
from tests.conftest import REPO, make_kb

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


def test_ties_at_the_kth_score_rank_by_row_order_as_fts5_does(tmp_path):
    # Only rows scoring at least the k-th best are sorted; ties at that score still go by row order.
    from knowledge.registry import DocumentRegistry
    from knowledge.types import Chunk

    db = KnowledgeDB(tmp_path / "knowledge.sqlite3")
    texts = ["backup snapshots hourly"] * 6 + ["backup snapshots"] * 30 + ["backup"] * 30 + ["restore"] * 4
    with db.transaction() as conn:
        for i, text in enumerate(texts):
            chunk = Chunk(id=f"c{i:02d}", document_id=f"d{i:02d}.md", text=text, title="Doc")
            DocumentRegistry.write(
                conn, document_id=chunk.document_id, content_hash=str(i), title="Doc", type="md",
                owner="", size_bytes=0, chunks=[chunk],
            )  # fmt: skip
            LexicalIndex.write(conn, chunk.document_id, [chunk])
    fts5, memory = LexicalIndex(db), SparseIndex(db)
    for k in (1, 5, 6, 7, 20, 36, 50, 80):
        expected = [hit.chunk.id for hit in fts5.search("backup snapshots hourly", k=k)]
        assert [hit.chunk.id for hit in memory.search("backup snapshots hourly", k=k)] == expected, k
    db.close()


def test_common_terms_count_every_indexed_chunk_after_writes_and_deletes(tmp_path):
    # common_terms divides by the FTS5 row count read from its _docsize shadow table (a plain table, not a
    # scan of the virtual one): that count must follow every write and delete of the index.
    from knowledge.registry import DocumentRegistry
    from knowledge.types import Chunk

    db = KnowledgeDB(tmp_path / "knowledge.sqlite3")
    fts5 = LexicalIndex(db)
    with db.transaction() as conn:
        for i in range(10):
            chunk = Chunk(
                id=f"c{i}", document_id=f"d{i}.md", text="phone" + (" battery" * (i < 4)), title="D"
            )
            DocumentRegistry.write(
                conn, document_id=chunk.document_id, content_hash=str(i), title="D", type="md",
                owner="", size_bytes=0, chunks=[chunk],
            )  # fmt: skip
            LexicalIndex.write(conn, chunk.document_id, [chunk])
    assert fts5.common_terms("phone battery", 0.4) == {"phone", "battery"}  # 10 of 10, 4 of 10
    with db.transaction() as conn:
        for i in range(4, 8):
            DocumentRegistry.remove(conn, f"d{i}.md")
    assert db.query("SELECT count(*) FROM chunks_fts_docsize") == db.query("SELECT count(*) FROM chunks_fts")
    assert fts5.common_terms("phone battery", 0.6) == {"phone", "battery"}  # 6 of 6, 4 of 6
    assert fts5.common_terms("phone battery", 0.7) == {"phone"}
    db.close()


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


def test_on_shared_stores_each_process_searches_postgres_rows_in_memory(shared_stores, embedder, tmp_path):
    # Two knowledge bases on one PostgreSQL schema and Chroma collection stand for two app processes: what
    # one ingests, the other's in-memory BM25 finds on its next search (the generation counter), and its
    # ranking matches the embedded default's, not PostgreSQL's ts_rank.
    from assistant.settings import Settings
    from ingest.sync import Syncer
    from tests.conftest import SAMPLES, settings_kb

    url, name = shared_stores.isolated()
    settings = Settings(
        home=tmp_path / "home", chroma_url=shared_stores.chroma.url, collection=name, database_url=url
    )
    writer, reader = settings_kb(settings, embedder), settings_kb(settings, embedder)
    try:
        assert isinstance(reader.sparse, SparseIndex)
        assert reader.sparse.search("SOC 2 Type II report", k=3) == []  # loaded, empty
        Syncer(writer).sync([SAMPLES / "security-compliance.md"])
        found = reader.sparse.search("SOC 2 Type II report", k=3)
        assert found
        assert found[0].chunk.document_id == "security-compliance.md"

        embedded = make_kb(tmp_path / "embedded", embedder)
        Syncer(embedded).sync([SAMPLES / "security-compliance.md"])
        question = "How long are audit logs kept, and can we export them?"
        assert [h.chunk.id for h in reader.sparse.search(question, k=5)] == [
            h.chunk.id for h in embedded.sparse.search(question, k=5)
        ]
        embedded.close()
        assert reader.sparse.common_terms(question, 0.5) == reader.lexical.common_terms(question, 0.5)
    finally:
        writer.close()
        reader.close()
        shared_stores.drop(name)
