"""The `lastmile` CLI as a user runs it: real subprocesses, JSON out."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO, SAMPLES


def lastmile(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )


def test_ingest_then_ask_json(tmp_path):
    home = str(tmp_path / "home")
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("security-compliance.md", "pricing.html", "faq.csv"):
        (docs / name).write_bytes((SAMPLES / name).read_bytes())
    (docs / "notes.xyz").write_text("not a supported format")

    ingest = lastmile("ingest", str(docs), "--home", home, "--json")
    report = json.loads(ingest.stdout)
    assert sorted(report["added"]) == ["faq.csv", "pricing.html", "security-compliance.md"]
    assert report["failed"] == [{"path": str(docs / "notes.xyz"), "reason": "unsupported file type .xyz"}]
    assert report["chunks"] > 3
    assert ingest.returncode == 1, "a failed file must make the exit status non-zero"

    ask = lastmile("ask", "Are you SOC 2 Type II certified?", "--home", home, "--json")
    assert ask.returncode == 0, ask.stderr
    answer = json.loads(ask.stdout)
    assert set(answer) >= {
        "answer",
        "citations",
        "sources",
        "confidence",
        "handoff",
        "handoff_reasons",
        "intents",
    }
    assert answer["handoff"] is False
    assert answer["citations"], "an answered question must carry citations"
    for citation in answer["citations"]:
        assert set(citation) >= {"source", "title", "quote"}
        assert citation["source"] in answer["sources"]
    assert 0.0 <= answer["confidence"] <= 1.0
    assert set(answer["intents"]) == {"clarification", "confirmation", "confidence"}
