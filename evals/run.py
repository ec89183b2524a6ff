"""Run an eval: ingest a folder into a throw-away home, ask every question through the real assistant,
and write summary.json, rows.jsonl, report.md and charts/*.png into an output folder.

The assistant is built by the composition root from the caller's settings (only the home is replaced),
so a configured LLM composer, threshold or retrieval mode is evaluated exactly as it would serve.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.pipeline import Assistant
from assistant.settings import Settings
from evals.answer_sentences import answering_sentences, question_split, set_name_of
from evals.calibrate import calibration
from evals.confirmation_data import Confirmation
from evals.confirmations import VERDICTS_FILE, ask_confirmations, kb_name, select, verdict_figures
from evals.dataset import EvalQuestion, load_dataset, with_probes
from evals.metrics import by_split, handoff_at, reliability, sentence_support, summarize
from evals.rows import ROWS_FILE, Row, write_rows
from ingest.sync import Progress

SUMMARY_FILE = "summary.json"
RETRIEVAL_DEPTH = 30  # chunks fetched for the retrieval metrics: enough to rank well over 5 documents


@dataclass(frozen=True)
class EvalProgress:
    """Hooks for a progress display: ingestion's own, then one call per answered question."""

    ingest: Progress = field(default_factory=Progress)
    on_start: Callable[[int], None] = lambda total: None
    on_question: Callable[[Row], None] = lambda row: None


def run_eval(
    kb_dir: str | Path,
    dataset: str | Path,
    out: str | Path,
    *,
    probes: str | Path | None = None,
    settings: Settings | None = None,
    progress: EvalProgress | None = None,
    scratch_stores: bool = True,
    confirmations: str | Path | None = None,
    confirmations_split: str = "test",
) -> dict:
    """Evaluate the assistant on `dataset` (plus `probes`) against `kb_dir`; returns the summary.

    The knowledge goes into throw-away embedded stores, whatever stores `settings` name; with
    `scratch_stores=False` into exactly those (they must be empty and disposable: the shared-store tests).
    With `confirmations` (the dataset folder or a JSONL file), its records about this knowledge base (one
    split) are asked too and the per-claim verdict figures join the summary."""
    questions = with_probes(load_dataset(dataset), probes)
    records = select(confirmations, kb_name(kb_dir), confirmations_split) if confirmations else []
    settings = settings or Settings()
    progress = progress or EvalProgress()
    with tempfile.TemporaryDirectory(prefix="lastmile-eval-", ignore_cleanup_errors=True) as home:
        run_settings = settings.embedded_under(Path(home)) if scratch_stores else settings
        rows, ingest, assistant, verdict_rows = _ingest_and_ask(
            kb_dir, questions, run_settings, progress, records
        )
    verdicts = (
        {
            **verdict_figures(verdict_rows),
            "verdict_dataset": str(confirmations),
            "verdict_split": confirmations_split,
            "verdict_confirmations": len(records),
        }
        if confirmations
        else {}
    )
    summary = {
        **summarize(rows),
        **_settings_used(assistant, rows, settings),
        "dataset": str(dataset),
        "probes": str(probes) if probes else None,
        "kb": str(kb_dir),
        "retrieval_depth_chunks": RETRIEVAL_DEPTH,
        "sweep_agreement": _sweep_agreement(rows, assistant.handoff_threshold),
        "by_split": by_split(rows),
        "reliability": reliability(rows),
        "calibration": calibration(rows),
        "ingest": ingest,
        **verdicts,
    }
    write_outputs(out, rows, summary, verdict_rows)
    return summary


def write_outputs(
    out: str | Path, rows: Sequence[Row], summary: dict, verdict_rows: Sequence[dict] = ()
) -> None:
    from evals.charts import write_charts
    from evals.report import write_report

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    write_rows(rows, folder / ROWS_FILE)
    if verdict_rows:
        (folder / VERDICTS_FILE).write_text(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in verdict_rows), encoding="utf-8"
        )
    (folder / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    charts = write_charts(rows, summary, folder / "charts")
    write_report(rows, summary, charts, folder, verdict_rows)


@dataclass(frozen=True)
class Labels:
    """What the eval knows about a knowledge base's questions beyond the dataset: which labelled set it
    is (for the dev/test split by document) and the team-labelled answering sentences."""

    set_name: str = ""
    sentences: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # qid -> document -> sentences

    @classmethod
    def for_kb(cls, kb_dir: str | Path) -> Labels:
        name = set_name_of(kb_dir)
        return cls(name, answering_sentences(name))

    def answering(self, question: EvalQuestion) -> list[str] | None:
        by_document = self.sentences.get(question.id)
        if not by_document or not question.answerable:
            return None
        found = [s for doc in question.gold_sources for s in by_document.get(doc, [])]
        return found or None

    def split(self, question: EvalQuestion) -> str:
        return question_split(self.set_name, question.id, question.gold_sources)


def ask_question(assistant: Assistant, question: EvalQuestion, labels: Labels | None = None) -> Row:
    """Ask one question through the assistant and record everything the metrics need."""
    labels = labels or Labels()
    started = time.perf_counter()
    answer = assistant.ask(question.question)
    latency_ms = (time.perf_counter() - started) * 1000
    # The pipeline keeps its top_k hits; retrieval metrics rank deeper, with the query the trace recorded.
    deeper = assistant.retriever.search(
        answer.retrieval_query, k=RETRIEVAL_DEPTH, mode=assistant.retrieval_mode
    )
    ranking = list(answer.sources)
    for hit in deeper:
        if hit.chunk.document_id not in ranking:
            ranking.append(hit.chunk.document_id)
    texts = {hit.chunk.id: hit.chunk.text for hit in answer.hits}
    cited_passages = [texts.get(c.chunk_id, "") for c in answer.citations]
    supported, sentences = (0, 0) if answer.handoff else sentence_support(answer.text, cited_passages)
    quote_supported, quote_sentences = (
        (0, 0) if answer.handoff else sentence_support(answer.text, cited_passages, skip_framing=True)
    )
    return Row(
        id=question.id,
        question=question.question,
        answerable=question.answerable,
        probe=question.probe,
        gold_sources=list(question.gold_sources),
        reference_answer=question.reference_answer,
        gold_intents=list(question.intents) if question.intents is not None else None,
        predicted_intents=list(answer.intents.labels),
        answer=answer.text,
        composer=answer.composer,
        confidence=float(answer.confidence),
        handoff=bool(answer.handoff),
        reasons=[reason.as_dict() for reason in answer.reasons],
        sources=list(answer.sources),
        ranking=ranking,
        cited=list(dict.fromkeys(c.source for c in answer.citations)),
        sentences=sentences,
        supported_sentences=supported,
        latency_ms=round(latency_ms, 3),
        answer_sentences=labels.answering(question),
        split=labels.split(question),
        draft_cited=list(dict.fromkeys(c.source for c in answer.draft_citations)),
        extras={
            "intent_classifier": answer.intents.classifier,
            "pipeline_groundedness": answer.groundedness,  # the pipeline's own measure
            "quote_supported": quote_supported,  # groundedness without the composer's fixed lines
            "quote_sentences": quote_sentences,
            "verdict": answer.verdict,
            "claim_verdicts": [v.as_dict() for v in answer.claim_verdicts],
            "outcome": answer.outcome.value,
            # What confidence was made of (the calibrated model refits from these) and the composed
            # answer, sent or not (a threshold replay answers with it).
            "confidence_parts": answer.trace.confidence.as_dict() if answer.trace else None,
            "draft": answer.draft,
        },
    )


def _ingest_and_ask(
    kb_dir: str | Path,
    questions: Sequence[EvalQuestion],
    settings: Settings,
    progress: EvalProgress,
    records: Sequence[Confirmation] = (),
) -> tuple[list[Row], dict, Assistant, list[dict]]:
    from assistant.wiring import build_assistant, build_knowledge, build_syncer

    kb = build_knowledge(settings)  # the embedder loads once, here
    try:
        started = time.perf_counter()
        report = build_syncer(settings, kb).sync([kb_dir], progress=progress.ingest)
        ingest = {
            "documents": len(report.added),
            "chunks": report.chunks,
            "seconds": round(time.perf_counter() - started, 2),
            "failed": [{"path": f.path, "reason": f.reason} for f in report.failed],
        }
        assistant = build_assistant(settings, kb=kb)
        progress.on_start(len(questions))
        labels = Labels.for_kb(kb_dir)
        rows = []
        for question in questions:
            rows.append(ask_question(assistant, question, labels))
            progress.on_question(rows[-1])
        return rows, ingest, assistant, ask_confirmations(assistant, records)
    finally:
        kb.db.close()


def _settings_used(assistant: Assistant, rows: Sequence[Row], settings: Settings) -> dict:
    composers = sorted({row.composer for row in rows}) or [getattr(assistant.composer, "name", "")]
    composer = composers[0] if len(composers) == 1 else ",".join(composers)
    return {
        "composer": composer,
        "threshold": assistant.handoff_threshold,
        "model": None if composer == "extractive" else settings.llm_model,
        "embedding_model": settings.embedding_model or "all-MiniLM-L6-v2 (bundled)",
        "intent_classifier": rows[0].extras.get("intent_classifier") if rows else None,
        "retrieval_mode": getattr(assistant, "retrieval_mode", None),
        "top_k": getattr(assistant, "top_k", None),
    }


def _sweep_agreement(rows: Sequence[Row], threshold: float) -> float | None:
    """Share of questions whose handoff the sweep reproduces at the configured threshold (1.0 = sound)."""
    if not rows:
        return None
    return round(sum(handoff_at(row, threshold) == row.handoff for row in rows) / len(rows), 4)
