"""Sync semantics against the real stores: add, skip unchanged without embedding, replace, prune, delete.

Every test here runs on both backends (tests/conftest.py `store_settings`): the embedded default, and a
Chroma server with PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest.sync import Syncer
from knowledge.sentence_vectors import chunk_sentences
from knowledge.text import embedding_text
from tests.conftest import make_kb, settings_kb


class CountingEmbedder:
    """The real embedder, counting what it is asked to embed; refuses texts containing POISON."""

    def __init__(self, real) -> None:
        self.real = real
        self.name, self.dimension = real.name, real.dimension
        self.calls: list[int] = []
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if any("POISON" in text for text in texts):
            raise RuntimeError("this text breaks the model")
        self.calls.append(len(texts))
        self.texts.extend(texts)
        return self.real.embed(texts)


def _guide(install: str = "Run the installer and sign in with single sign-on.") -> str:
    return (
        "# Guide\n\n## Install\n\n" + install + "\n\n## Upgrade\n\nRead the release notes, then upgrade "
        "the control plane before the workers.\n\n## Support\n\nOpen a ticket in the console.\n"
    )


@pytest.fixture
def counting(embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture
def kb(backend_kb):
    return backend_kb


@pytest.fixture
def counted_kb(store_settings, counting):
    kb = settings_kb(store_settings, counting)
    yield kb
    kb.close()


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.md").write_text(_guide())
    (folder / "faq.csv").write_text("question,answer\nIs there a trial?,Yes: 14 days.\nSSO?,SAML 2.0.\n")
    (folder / "notes.txt").write_text("Release notes\n\nVersion 4.3 adds Oracle CDC.")
    return folder


def _stores_agree(kb) -> set[str]:
    owned = kb.registry.chunk_ids()
    assert kb.dense.ids() == owned == kb.lexical.chunk_ids()
    return owned


def test_reingest_skips_unchanged_without_embedding(counted_kb, counting, docs):
    first = Syncer(counted_kb).sync([docs])
    assert sorted(first.added) == ["faq.csv", "guide.md", "notes.txt"]
    assert first.embedded == first.chunks == 6
    # Each chunk's sentences are embedded in the same passes (issue #16), and only then.
    assert sum(counting.calls) == 6 + counted_kb.sentences.count()
    counting.calls.clear()
    second = Syncer(counted_kb).sync([docs])
    assert sorted(second.unchanged) == ["faq.csv", "guide.md", "notes.txt"]
    assert (second.added, second.updated, second.chunks, second.embedded) == ([], [], 0, 0)
    assert counting.calls == [], "nothing is embedded for an unchanged corpus"


def test_changed_document_is_replaced_and_its_old_chunks_are_gone(counted_kb, counting, docs):
    Syncer(counted_kb).sync([docs])
    before = counted_kb.registry.chunk_ids("guide.md")
    (docs / "guide.md").write_text(_guide("Download the agent and register it with a token."))
    counting.calls.clear()
    counting.texts.clear()
    report = Syncer(counted_kb).sync([docs])
    assert report.updated == ["guide.md"]
    assert sorted(report.unchanged) == ["faq.csv", "notes.txt"]
    assert report.embedded == 1
    after = counted_kb.registry.chunk_ids("guide.md")
    (edited,) = counted_kb.dense.get(sorted(after - before))
    assert set(counting.texts) == {embedding_text(edited), *chunk_sentences(edited)}, (
        "only the edited section (and its sentences) is embedded again"
    )
    assert len(before - after) == len(after - before) == 1
    assert _stores_agree(counted_kb) >= after
    assert not (before - after) & counted_kb.dense.ids()
    assert counted_kb.registry.get("guide.md").version == 2
    texts = [text for _, _, _, text in counted_kb.registry.chunks("guide.md")]
    assert "Download the agent and register it with a token." in texts
    assert not any("single sign-on" in hit.chunk.text for hit in counted_kb.lexical.search("sign-on", k=10))


def test_prune_deletes_only_documents_no_longer_present(kb, docs):
    Syncer(kb).sync([docs])
    (docs / "notes.txt").unlink()
    kept = Syncer(kb).sync([docs])
    assert kept.deleted == []
    assert kb.registry.get("notes.txt") is not None, "no prune, no delete"
    pruned = Syncer(kb).sync([docs], prune=True)
    assert pruned.deleted == ["notes.txt"]
    assert kb.registry.get("notes.txt") is None
    assert {chunk.document_id for chunk in kb.dense.get(sorted(_stores_agree(kb)))} == {"faq.csv", "guide.md"}
    assert kb.lexical.search("Oracle CDC", k=5) == []


def test_delete_document_removes_it_from_every_store(kb, docs):
    Syncer(kb).sync([docs])
    assert kb.delete_document("faq.csv") is True
    assert kb.delete_document("faq.csv") is False
    assert kb.registry.get("faq.csv") is None
    assert all(chunk.document_id != "faq.csv" for chunk in kb.dense.get(sorted(_stores_agree(kb))))


def test_a_document_that_breaks_the_embedder_fails_alone(counted_kb, docs):
    (docs / "poison.md").write_text("# Poison\n\nPOISON makes the model fail.\n")
    report = Syncer(counted_kb, batch_chunks=1000).sync([docs])  # all four in one batch
    assert sorted(report.added) == ["faq.csv", "guide.md", "notes.txt"]
    assert [(Path(f.path).name, f.reason) for f in report.failed] == [
        ("poison.md", "RuntimeError: this text breaks the model")
    ]
    assert counted_kb.registry.get("poison.md") is None
    _stores_agree(counted_kb)


def test_batch_size_does_not_change_the_result(tmp_path, embedder, docs):
    one_by_one = make_kb(tmp_path / "a", embedder)
    batched = make_kb(tmp_path / "b", embedder)
    Syncer(one_by_one, batch_chunks=1).sync([docs])
    Syncer(batched, batch_chunks=1000).sync([docs])
    assert _stores_agree(one_by_one) == _stores_agree(batched)


def test_upload_applies_under_the_given_id(kb):
    syncer = Syncer(kb, owner="pm@vendor.example")
    assert syncer.sync_bytes("uploads/faq.csv", b"question,answer\nTrial?,14 days.\n").added == [
        "uploads/faq.csv"
    ]
    assert syncer.sync_bytes("uploads/faq.csv", b"question,answer\nTrial?,14 days.\n").unchanged == [
        "uploads/faq.csv"
    ]
    record = kb.registry.get("uploads/faq.csv")
    assert (record.owner, record.type, record.chunk_count) == ("pm@vendor.example", "csv", 1)
