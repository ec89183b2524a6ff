"""`ingest X --prune` deletes only documents that came from X: other folders' documents, uploads and saved
replies stay (issue 14, item 13). Real stores; the registry records where each document came from."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.sync import Syncer
from knowledge.store_db import KnowledgeDB


def _folder(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_prune_deletes_only_what_came_from_that_folder(kb, tmp_path):
    product = _folder(
        tmp_path / "product",
        {"install.md": "# Install\n\nRun the installer.\n", "sso.md": "# SSO\n\nSAML 2.0 and OIDC.\n"},
    )
    legal = _folder(tmp_path / "legal", {"dpa.md": "# DPA\n\nData stays in the EU.\n"})
    syncer = Syncer(kb)
    assert sorted(syncer.sync([product]).added) == ["install.md", "sso.md"]
    assert syncer.sync([legal]).added == ["dpa.md"]
    assert syncer.sync_bytes("pricing.csv", b"question,answer\nTrial?,14 days.\n").added == ["pricing.csv"]
    assert syncer.sync_bytes("verified-qa/1.md", b"# Q\n\nA rep's reply.\n").added == ["verified-qa/1.md"]

    (product / "sso.md").unlink()
    pruned = syncer.sync([product], prune=True)
    assert pruned.deleted == ["sso.md"]
    assert sorted(r.id for r in kb.registry.list()) == [
        "dpa.md",
        "install.md",
        "pricing.csv",
        "verified-qa/1.md",
    ]
    assert kb.dense.ids() == kb.registry.chunk_ids() == kb.lexical.chunk_ids()
    assert kb.registry.get("install.md").source_root == os.path.realpath(product)
    assert kb.registry.get("pricing.csv").source_root == ""

    # A file named directly is pruned with its folder too, not on its own.
    (product / "sso.md").write_text("# SSO\n\nSAML 2.0 only.\n")
    assert syncer.sync([product / "sso.md"], prune=True).deleted == []
    (product / "sso.md").unlink()
    assert syncer.sync([product], prune=True).deleted == ["sso.md"]


def test_documents_from_before_the_migration_are_adopted_by_their_folder(kb, tmp_path):
    docs = _folder(tmp_path / "docs", {"a.md": "# A\n\nAlpha.\n", "b.md": "# B\n\nBravo.\n"})
    Syncer(kb).sync([docs])
    with kb.db.transaction() as conn:  # as a registry written before sources were recorded
        conn.execute("UPDATE documents SET source_root = ''")
    (docs / "b.md").unlink()
    first = Syncer(kb).sync([docs], prune=True)
    assert first.deleted == [], "where b.md came from is unknown: it is kept"
    assert kb.registry.get("a.md").source_root == os.path.realpath(docs), "a.md is adopted by its folder"


def test_migration_keeps_an_existing_registry_and_records_no_source(tmp_path, monkeypatch):
    from knowledge import store_db

    path = tmp_path / "knowledge.sqlite3"
    monkeypatch.setattr(store_db, "MIGRATIONS", store_db.MIGRATIONS[:2])  # a registry from before
    old = KnowledgeDB(path)
    with old.transaction() as conn:
        conn.execute(
            "INSERT INTO documents(id, content_hash, title, type, updated_at) "
            "VALUES ('a.md', 'h', 'A', 'markdown', '2026-01-01')"
        )
    old.close()
    monkeypatch.undo()
    new = KnowledgeDB(path)
    [row] = new.query("SELECT id, content_hash, source_root FROM documents")
    assert (row["id"], row["content_hash"], row["source_root"]) == ("a.md", "h", "")
