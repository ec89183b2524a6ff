"""`run_eval` and `lastmile eval` end to end on a tiny knowledge base and question set."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from evals.rows import read_rows
from tests.conftest import REPO, SAMPLES

DOCUMENTS = ("security-compliance.md", "deployment-options.md", "pricing.html")
QUESTIONS = [
    {
        "id": "t1",
        "question": "Is data encrypted at rest, and with which algorithm?",
        "answerable": True,
        "gold_sources": ["security-compliance.md"],
        "reference_answer": "Data at rest is encrypted with AES-256.",
        "intents": ["clarification"],
    },
    {
        "id": "t2",
        "question": "Can we deploy DataPlane in our own VPC?",
        "answerable": True,
        "gold_sources": ["deployment-options.md"],
        "reference_answer": "Yes, a VPC deployment is available.",
        "intents": ["confirmation"],
    },
    {
        "id": "t3",
        "question": "Which football team does your CEO support?",
        "answerable": False,
        "intents": ["clarification"],
    },
]
PROBES = [{"id": "p1", "question": "What is the battery capacity of the phone?", "answerable": True}]
UNIT_METRICS = (
    "recall_at_1",
    "recall_at_5",
    "mrr",
    "citation_precision",
    "answer_token_f1",
    "groundedness",
    "answered_rate",
    "handoff_precision",
    "handoff_recall",
    "handoff_f1",
    "intent_macro_f1",
    "answered_and_correct",
    "first_sentence_answers",
    "confidence_auc",
)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-eval")
    kb = folder / "kb"
    kb.mkdir()
    for name in DOCUMENTS:
        (kb / name).write_bytes((SAMPLES / name).read_bytes())
    dataset = write_jsonl(folder / "questions.jsonl", QUESTIONS)
    probes = write_jsonl(folder / "probes.jsonl", PROBES)
    return folder, kb, dataset, probes


@pytest.fixture(scope="module")
def tiny_run(tiny):
    from assistant.settings import Settings
    from evals.run import run_eval

    folder, kb, dataset, probes = tiny
    out = folder / "out"
    summary = run_eval(kb, dataset, out, probes=probes, settings=Settings(_env_file=None))
    return out, summary


def test_eval_writes_summary_report_rows_and_charts(tiny_run):
    out, summary = tiny_run
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == summary
    for name in ("handoff_threshold", "confidence", "reliability", "recall_at_k", "latency"):
        png = out / "charts" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert f"charts/{name}.png" in (out / "report.md").read_text()
    assert [r.id for r in read_rows(out / "rows.jsonl")] == ["t1", "t2", "t3", "probe:p1"]


def test_summary_keys_and_ranges(tiny_run):
    _, summary = tiny_run
    assert summary["n"] == 4
    assert summary["n_expect_handoff"] == 2, "the probe counts as expecting a handoff"
    assert summary["n_retrieval_scored"] == 2
    for key in UNIT_METRICS:
        assert key in summary
        assert summary[key] is None or 0.0 <= summary[key] <= 1.0, (key, summary[key])
    assert summary["recall_at_5"] == 1.0, "three documents: every gold document is in the top 5"
    assert summary["intent_macro_f1"] is not None
    assert summary["latency_p50_ms"] > 0
    assert summary["latency_p95_ms"] >= summary["latency_p50_ms"]
    assert {"composer", "threshold", "model"} <= set(summary)
    assert summary["ingest"]["documents"] == len(DOCUMENTS)
    assert summary["sweep_agreement"] == 1.0, "replaying the threshold must reproduce the actual handoffs"


def test_rows_record_what_calibration_needs(tiny_run):
    out, _ = tiny_run
    for r in read_rows(out / "rows.jsonl"):
        assert 0.0 <= r.confidence <= 1.0
        assert r.latency_ms > 0
        assert r.ranking[: len(r.sources)] == r.sources
        assert set(r.cited) <= set(r.sources)
        if r.handoff:
            assert r.reasons, "a handoff says why"
            assert all(reason["code"] for reason in r.reasons)
        # What the confidence model refits from, and the composed answer a replay would send.
        parts = r.extras["confidence_parts"]
        assert parts["score"] == pytest.approx(r.confidence, abs=1e-4)
        assert parts["intents"].keys() == {"clarification", "confirmation", "confidence"}
        assert r.split in ("dev", "test")
        if not r.handoff:
            assert r.draft_cited == r.cited


def test_summary_reports_dev_and_test_apart(tiny_run):
    out, summary = tiny_run
    rows = read_rows(out / "rows.jsonl")
    for split, figures in summary["by_split"].items():
        assert figures["n"] == sum(1 for r in rows if r.split == split)
    assert sum(f["n"] for f in summary["by_split"].values()) == summary["n"]
    assert len(summary["reliability"]) == 10
    assert sum(b["n"] for b in summary["reliability"]) == summary["n"]
    assert "## By split" in (out / "report.md").read_text()


@pytest.mark.slow
def test_cli_calibrate_reads_an_existing_run(tiny_run):
    out, _ = tiny_run
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.cli",
            "eval",
            "--calibrate",
            "--out",
            str(out),
            "--target-precision",
            "0.5",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["target_precision"] == 0.5
    assert 0.0 <= printed["f1_best"]["threshold"] <= 1.0


def test_eval_runs_unchanged_with_the_llm_composer(tiny, tmp_path, monkeypatch):
    """An endpoint in the environment is all it takes: the eval builds the assistant the product builds."""
    from assistant.settings import Settings
    from evals.run import run_eval
    from tests.openai_standin import OpenAIStandin

    _, kb, dataset, _ = tiny
    with OpenAIStandin(model="standin") as server:
        for _ in QUESTIONS:
            server.enqueue("Data at rest is encrypted with AES-256 [1].")
        monkeypatch.setenv("LASTMILE_OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("LASTMILE_OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("LASTMILE_LLM_MODEL", "standin")
        summary = run_eval(kb, dataset, tmp_path / "llm", settings=Settings(_env_file=None))
        asked = len(server.requests)
    assert asked == len(QUESTIONS), "every question goes through the LLM"
    assert (summary["composer"], summary["model"]) == ("llm", "standin")
    assert summary["n"] == len(QUESTIONS)


@pytest.mark.parametrize("store_settings", ["shared"], indirect=True)  # the embedded run is `tiny_run`
def test_eval_smoke_on_shared_stores(tiny, store_settings, tmp_path):
    """The same eval on a Chroma server and PostgreSQL (a schema and collection of this test's own)."""
    from evals.run import run_eval

    _, kb, dataset, probes = tiny
    summary = run_eval(
        kb, dataset, tmp_path / "out", probes=probes, settings=store_settings, scratch_stores=False
    )
    assert summary["ingest"]["documents"] == len(DOCUMENTS)
    assert summary["recall_at_5"] == 1.0, "three documents: every gold document is in the top 5"
    assert summary["n_expect_handoff"] == 2
    assert summary["sweep_agreement"] == 1.0
    assert [r.id for r in read_rows(tmp_path / "out" / "rows.jsonl")] == ["t1", "t2", "t3", "probe:p1"]
