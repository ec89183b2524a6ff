"""When a writer may skip opening Chroma for the orphan clean-up (knowledge/writer.py): only when the last
writer finished and the Chroma file is the one it left. An unchanged re-ingest as a process then imports no
Chroma and no model (issue #16: under a second); after an interrupted write or a deleted Chroma folder the
clean-up runs in full and the stores agree again. Real stores, real CLI processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from knowledge.base import PendingDocument
from knowledge.types import Chunk
from tests.conftest import REPO, settings_kb

# Runs `lastmile ARGS` in this process, then prints its output and the top-level modules it loaded.
PROBE = """
import contextlib, io, json, runpy, sys
sys.argv = ["lastmile", *json.loads(sys.argv[1])]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        runpy.run_module("ui.cli", run_name="__main__")
    except SystemExit as exit:
        assert not exit.code, exit.code
print(json.dumps({"out": out.getvalue(), "modules": sorted(m for m in sys.modules if "." not in m)}))
"""


def _ingest(home, folder) -> tuple[dict, set[str]]:
    env = dict(os.environ, LASTMILE_HOME=str(home), HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(["ingest", str(folder), "--json"])],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return json.loads(result["out"]), set(result["modules"])


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "backup.md").write_text("# Backup\n\nSnapshots are taken every hour and kept for 35 days.\n")
    (docs / "regions.md").write_text("# Regions\n\nClusters run in Frankfurt, Virginia and Singapore.\n")
    return docs


def _agree(settings, embedder) -> None:
    kb = settings_kb(settings, embedder)
    try:
        assert kb.dense.ids() == kb.registry.chunk_ids() == kb.lexical.chunk_ids(), "no orphan, none missing"
    finally:
        kb.close()


def test_unchanged_reingest_opens_no_vector_store(tmp_path, folder):
    home = tmp_path / "home"
    first, modules = _ingest(home, folder)
    assert sorted(first["added"]) == ["backup.md", "regions.md"]
    assert "chromadb" in modules  # the probe sees Chroma when it is opened
    again, modules = _ingest(home, folder)
    assert sorted(again["unchanged"]) == ["backup.md", "regions.md"]
    assert modules & {"chromadb", "torch", "sentence_transformers"} == set()


def _pending(document_id: str, text: str) -> PendingDocument:
    chunk = Chunk(id=f"{document_id}#0", document_id=document_id, text=text, title=document_id)
    return PendingDocument(document_id, f"hash-of-{document_id}", document_id, "md", [chunk])


def test_an_interrupted_write_is_cleaned_up_by_an_unchanged_reingest(tmp_path, folder, embedder):
    from assistant.settings import Settings

    settings = Settings(home=tmp_path / "home")
    _ingest(settings.home, folder)
    kb = settings_kb(settings, embedder)

    def stop(document, applied):  # an error after the first document's commit: the second's vectors
        raise RuntimeError("interrupted")  # were written to Chroma and nothing owns them

    with pytest.raises(RuntimeError):
        kb.apply_documents(
            [_pending("upload-a", "Audit logs are kept a year."), _pending("upload-b", "SSO via Okta.")],
            on_applied=stop,
        )
    assert kb.dense.ids() - kb.registry.chunk_ids() == {"upload-b#0"}, "an orphan was left behind"
    kb.close()

    report, modules = _ingest(settings.home, folder)
    assert sorted(report["unchanged"]) == ["backup.md", "regions.md"]
    assert "chromadb" in modules, "the clean-up opened Chroma"
    _agree(settings, embedder)
    _, modules = _ingest(settings.home, folder)  # clean again: the next one may skip it
    assert "chromadb" not in modules


def test_a_deleted_chroma_folder_is_noticed_by_an_unchanged_reingest(tmp_path, folder, embedder):
    from assistant.settings import Settings

    settings = Settings(home=tmp_path / "home")
    _ingest(settings.home, folder)
    shutil.rmtree(settings.chroma_path)
    report, _ = _ingest(settings.home, folder)
    assert sorted(report["updated"]) == ["backup.md", "regions.md"], "re-embedded: their vectors were gone"
    assert report["embedded"] == 2
    _agree(settings, embedder)
