"""`kb.consistency()`, `lastmile kb check` and `lastmile kb repair` on real stores that were made to drift
(issue 14, item 7): vectors and lexical rows lost or left unowned, and a deleted Chroma folder, which a
running knowledge base reports instead of silently answering with less."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from ingest.sync import Syncer
from knowledge.consistency import StoreProblem, check, repair
from knowledge.retriever import HybridRetriever
from knowledge.types import Chunk
from tests.conftest import make_kb
from tests.test_kb_cli import lastmile

DOCS = {
    "guide.md": "# Guide\n\n## Install\n\nRun the installer on every worker.\n\n## SSO\n\nSAML 2.0 and OIDC.\n",
    "faq.csv": "question,answer\nIs there a trial?,Yes: 14 days.\nWhere is data hosted?,EU or US.\n",
}


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text)
    return folder


def test_drift_is_found_reported_and_repaired(kb, docs):
    Syncer(kb).sync([docs])
    assert kb.consistency().ok
    assert check(kb).ok
    [install] = [c for c, heading, _, _ in kb.registry.chunks("guide.md") if heading == "Install"]
    [trial] = [c for c, _, _, text in kb.registry.chunks("faq.csv") if "trial" in text]
    kb.dense.delete([install])  # a vector lost
    stray = Chunk(id="stray-1", document_id="gone.md", text="Nobody owns this.", title="Gone")
    kb.dense.add([stray], np.ones((1, kb.embedder.dimension), dtype=np.float32) / kb.embedder.dimension**0.5)
    with kb.db.transaction() as conn:  # a lexical row lost, and one left unowned
        conn.execute("DELETE FROM chunks_fts WHERE chunk_id = ?", (trial,))
        conn.execute(
            "INSERT INTO chunks_fts(rowid, chunk_id, document_id, title, heading, body) "
            "VALUES (99999, 'ghost', 'gone.md', 'Gone', '', 'ghost text')"
        )

    drift = check(kb)
    assert drift.dense_missing == {"guide.md": [install]}
    assert drift.dense_orphans == ["stray-1"]
    assert drift.lexical_missing == {"faq.csv": [trial]}
    assert drift.lexical_orphans == [99999]
    assert set(drift.problems) == {
        StoreProblem.DENSE_MISSING,
        StoreProblem.DENSE_ORPHANS,
        StoreProblem.LEXICAL_MISSING,
        StoreProblem.LEXICAL_ORPHANS,
    }

    done = repair(kb)
    assert (done.vectors_restored, done.lexical_restored) == (1, 1)
    assert (done.dense_orphans_removed, done.lexical_orphans_removed) == (1, 1)
    assert done.documents_to_reingest == []
    assert check(kb).ok
    assert kb.consistency().ok
    retriever = HybridRetriever(kb)
    assert retriever.search("run the installer on every worker", k=1, mode="dense")[0].chunk.id == install
    assert retriever.search("trial days", k=1, mode="lexical")[0].chunk.id == trial


def test_counts_that_agree_can_still_hide_a_swap(kb, docs):
    """The cheap check counts; `check` compares ids: one lost vector plus one stray balance the counts."""
    Syncer(kb).sync([docs])
    [install] = [c for c, heading, _, _ in kb.registry.chunks("guide.md") if heading == "Install"]
    kb.dense.delete([install])
    stray = Chunk(id="stray-1", document_id="gone.md", text="Nobody owns this.", title="Gone")
    kb.dense.add([stray], np.ones((1, kb.embedder.dimension), dtype=np.float32) / kb.embedder.dimension**0.5)
    assert kb.consistency().ok, "equal counts: the cheap check cannot tell"
    assert set(check(kb).problems) == {StoreProblem.DENSE_MISSING, StoreProblem.DENSE_ORPHANS}


def test_a_deleted_chroma_folder_is_reported_loudly_and_repaired_by_the_cli(tmp_path, docs, embedder):
    home = tmp_path / "home"
    running = make_kb(home, embedder)  # as the app holds it
    Syncer(running).sync([docs])
    assert running.consistency().ok
    shutil.rmtree(home / "chroma")

    health = running.consistency()
    assert not health.ok
    assert StoreProblem.DENSE_FOLDER_MISSING in health.problems
    assert "lastmile kb repair" in health.message()

    checked = lastmile("kb", "check", "--home", str(home), "--json")
    assert checked.returncode == 1, checked.stderr
    report = json.loads(checked.stdout)
    assert report["ok"] is False
    assert report["dense_chunks"] == 0
    assert sorted(report["dense_missing"]) == ["faq.csv", "guide.md"]
    assert "dense_missing" in report["problems"]
    after_check = running.consistency()  # the CLI created an empty Chroma folder: still not fine
    assert StoreProblem.DENSE_MISSING in after_check.problems
    assert after_check.dense_chunks == 0

    repaired = lastmile("kb", "repair", "--home", str(home), "--json")
    assert repaired.returncode == 0, repaired.stderr
    assert json.loads(repaired.stdout)["vectors_restored"] == 4
    assert lastmile("kb", "check", "--home", str(home)).returncode == 0

    assert running.consistency().ok, "the running knowledge base sees the repaired folder"
    hits = HybridRetriever(running).search("SAML 2.0 and OIDC", k=1, mode="dense")
    assert hits[0].chunk.document_id == "guide.md"
