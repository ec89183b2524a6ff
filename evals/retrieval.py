"""Retrieval evaluation: ingest a folder, ask every question, score where the gold documents rank.

A document counts as found at rank r when a chunk of it is the r-th distinct document in the ranking
(documents ranked by their first chunk's position). Reports recall@1/5/10 and MRR per retrieval mode.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.settings import Settings
from knowledge.embedder import Embedder
from knowledge.types import Hit

MODES = ("dense", "lexical", "hybrid")
CUTOFFS = (1, 5, 10)
CANDIDATE_CHUNKS = 30  # chunks retrieved per question before deduplicating to documents


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    gold: frozenset[str]


@dataclass
class ModeScore:
    recall: dict[int, float]
    mrr: float


@dataclass
class RetrievalReport:
    questions: int
    documents: int
    chunks: int
    chunk_words: int
    overlap_words: int
    scores: dict[str, ModeScore] = field(default_factory=dict)
    ingest_s: float = 0.0

    def as_dict(self) -> dict:
        return {
            "questions": self.questions,
            "documents": self.documents,
            "chunks": self.chunks,
            "chunk_words": self.chunk_words,
            "overlap_words": self.overlap_words,
            "ingest_s": round(self.ingest_s, 2),
            "modes": {
                mode: {**{f"recall@{k}": round(v, 4) for k, v in s.recall.items()}, "mrr": round(s.mrr, 4)}
                for mode, s in self.scores.items()
            },
        }

    def table(self) -> str:
        """The scores as a Markdown table, one row per mode."""
        head = "| mode | " + " | ".join(f"recall@{k}" for k in CUTOFFS) + " | MRR |"
        rows = [head, "|" + "---|" * (len(CUTOFFS) + 2)]
        for mode, s in self.scores.items():
            cells = " | ".join(f"{s.recall[k]:.2f}" for k in CUTOFFS)
            rows.append(f"| {mode} | {cells} | {s.mrr:.3f} |")
        return "\n".join(rows)


def load_questions(path: str | Path) -> list[Question]:
    """Answerable questions with gold sources; the others say nothing about retrieval."""
    questions = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("answerable", True) and row.get("gold_sources"):
            questions.append(Question(row["id"], row["question"], frozenset(row["gold_sources"])))
    return questions


def document_ranking(hits: Sequence[Hit]) -> list[str]:
    """Document ids in the order their first chunk appears."""
    ranking: list[str] = []
    for hit in hits:
        if hit.chunk.document_id not in ranking:
            ranking.append(hit.chunk.document_id)
    return ranking


def score(rankings: Sequence[Sequence[str]], golds: Sequence[frozenset[str]]) -> ModeScore:
    ranks = []  # 1-based rank of the first gold document, or None
    for ranking, gold in zip(rankings, golds, strict=True):
        ranks.append(next((r for r, doc in enumerate(ranking, 1) if doc in gold), None))
    n = max(1, len(ranks))
    recall = {k: sum(1 for r in ranks if r is not None and r <= k) / n for k in CUTOFFS}
    return ModeScore(recall=recall, mrr=sum(1.0 / r for r in ranks if r is not None) / n)


def evaluate_retrieval(
    kb_dir: str | Path,
    dataset: str | Path,
    *,
    settings: Settings,
    home: str | Path | None = None,
    embedder: Embedder | None = None,
    modes: Sequence[str] = MODES,
) -> RetrievalReport:
    """Ingest `kb_dir` into `home` (a throw-away folder when None) and score every mode of the retriever
    that `settings` configure (chunk sizes, reranker): the same one the assistant answers with."""
    if home is None:
        with tempfile.TemporaryDirectory(prefix="lastmile-eval-") as scratch:
            return evaluate_retrieval(
                kb_dir, dataset, settings=settings, home=scratch, embedder=embedder, modes=modes
            )
    from assistant.wiring import build_knowledge, build_retriever, build_syncer

    settings = settings.embedded_under(Path(home))
    kb = build_knowledge(settings, embedder=embedder)
    try:
        started = time.perf_counter()
        build_syncer(settings, kb).sync([kb_dir])
        ingest_s = time.perf_counter() - started
        questions = load_questions(dataset)
        retriever = build_retriever(settings, kb)
        vectors = kb.embedder.embed([q.text for q in questions])
        report = RetrievalReport(
            questions=len(questions),
            documents=len(kb.registry.list()),
            chunks=len(kb.registry.chunk_ids()),
            chunk_words=settings.chunk_words,
            overlap_words=settings.chunk_overlap_words,
            ingest_s=ingest_s,
        )
        for mode in modes:
            rankings = [
                document_ranking(
                    retriever.search(q.text, k=CANDIDATE_CHUNKS, mode=mode, query_vector=v)  # type: ignore[arg-type]
                )
                for q, v in zip(questions, vectors, strict=True)
            ]
            report.scores[mode] = score(rankings, [q.gold for q in questions])
        return report
    finally:
        kb.close()
