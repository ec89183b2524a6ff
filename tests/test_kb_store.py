"""The knowledge database: migrations apply to an existing file, and lexical rows follow their chunks."""

from __future__ import annotations

import sqlite3

from knowledge.lexical_index import LexicalIndex
from knowledge.registry import DocumentRegistry
from knowledge.store_db import MIGRATIONS, KnowledgeDB, _statements
from knowledge.types import Chunk


def _old_database(path) -> None:
    """A file as the first schema left it: FTS rows keyed by chunk id, one of them an orphan."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY)")
    for statement in _statements(MIGRATIONS[0][1]):
        conn.execute(statement)
    conn.execute("INSERT INTO _migrations VALUES (?)", (MIGRATIONS[0][0],))
    conn.execute("INSERT INTO documents VALUES ('sla.md', 'h', 'SLA', 'markdown', 3, '', 'now', 10)")
    for i, body in enumerate(["Uptime is 99.9% per month.", "Credits are 10% of the fee."]):
        conn.execute(
            "INSERT INTO chunks(id, document_id, ordinal, heading) VALUES (?, 'sla.md', ?, 'H')", (f"c{i}", i)
        )
        conn.execute(
            "INSERT INTO chunks_fts(chunk_id, document_id, title, heading, body) VALUES (?, 'sla.md', 'SLA', 'H', ?)",
            (f"c{i}", body),
        )
    conn.execute(
        "INSERT INTO chunks_fts(chunk_id, document_id, title, heading, body) VALUES ('gone', 'x.md', 'X', '', 'orphan')"
    )
    conn.commit()
    conn.close()


def test_an_existing_database_is_migrated_with_its_text(tmp_path):
    path = tmp_path / "knowledge.sqlite3"
    _old_database(path)
    db = KnowledgeDB(path)
    applied = {row[0] for row in db.query("SELECT name FROM _migrations")}
    assert applied == {name for name, _ in MIGRATIONS}
    registry, lexical = DocumentRegistry(db), LexicalIndex(db)
    assert [text for _, _, _, text in registry.chunks("sla.md")] == [
        "Uptime is 99.9% per month.",
        "Credits are 10% of the fee.",
    ]
    assert registry.get("sla.md").version == 3
    assert lexical.chunk_ids() == {"c0", "c1"}, "the orphan row did not survive the migration"
    assert [hit.chunk.id for hit in lexical.search("service credits fee", k=5)] == ["c1"]
    KnowledgeDB(path).close()  # a second open applies nothing twice


def test_lexical_rows_follow_their_chunks(tmp_path):
    db = KnowledgeDB(tmp_path / "k.sqlite3")
    chunks = [Chunk(id=f"c{i}", document_id="a.md", text=f"text number {i}", title="A") for i in range(3)]
    with db.transaction() as conn:
        DocumentRegistry.write(
            conn, document_id="a.md", content_hash="1", title="A", type="markdown", owner="", size_bytes=1,
            chunks=chunks,
        )  # fmt: skip
        LexicalIndex.write(conn, "a.md", chunks)
    assert LexicalIndex(db).chunk_ids() == {"c0", "c1", "c2"}
    with db.transaction() as conn:  # a new version replaces the registry rows only
        DocumentRegistry.write(
            conn, document_id="a.md", content_hash="2", title="A", type="markdown", owner="", size_bytes=1,
            chunks=chunks[:1],
        )  # fmt: skip
        LexicalIndex.write(conn, "a.md", chunks[:1])
    assert LexicalIndex(db).chunk_ids() == {"c0"}
    with db.transaction() as conn:
        DocumentRegistry.remove(conn, "a.md")
    assert LexicalIndex(db).chunk_ids() == set()
