"""Does evidence reranking find the gold document sooner? Recall@1/@5 and MRR before and after, per split.

For each answerable question of the sample set and samsung-s10 (split dev/test by its first gold document,
as the labelled answer sentences are: evals/answer_sentences.py), the hybrid retriever's fused top 30
chunks are reranked by `weight * best evidence-scorer P(answers) of the chunk's sentences + (1 - weight) *
the chunk's min-max normalised fused score` (assistant/evidence_rerank.py). The weight is chosen on the
dev questions of both sets together (best mean MRR over a small grid; ties go to the smaller weight, the
lesser change); test is reported for that weight only. Documents rank by their first chunk, as in
evals/retrieval.py. The knowledge stores are kept under .cache/rerank-eval/ so a rerun re-ingests nothing.

    python -m evals.rerank_eval [--out rerank.json]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.evidence_rerank import best_answer_scores, reordered
from assistant.settings import Settings
from evals.answer_sentences import kb_dir, question_split
from evals.dataset import load_dataset
from evals.retrieval import CANDIDATE_CHUNKS, ModeScore, document_ranking, score
from evals.shared_data import EVALDATA
from knowledge.types import Hit

REPO = Path(__file__).resolve().parent.parent
HOME = REPO / ".cache" / "rerank-eval"  # .cache/ is in .gitignore
SETS = ("sample", "samsung-s10")
SPLITS = ("dev", "test")
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass
class Candidates:
    """One question's fused top chunks, their fused scores and their best sentence's P(answers)."""

    split: str
    gold: frozenset[str]
    hits: list[Hit]
    answers: list[float]

    def ranking(self, weight: float) -> list[str]:
        if weight == 0.0:
            return document_ranking(self.hits)  # the fused order itself
        return document_ranking(reordered(self.hits, self.answers, weight))


def questions_path(set_name: str, evaldata: Path) -> Path:
    return (
        REPO / "evals" / "data" / "sample_questions.jsonl"
        if set_name == "sample"
        else (Path(evaldata) / set_name / "questions.jsonl")
    )


def collect(set_name: str, evaldata: Path = EVALDATA, home: Path = HOME) -> list[Candidates]:
    """Ingest the set's knowledge (reusing a previous run's stores) and score every answerable question."""
    from assistant.wiring import build_evidence_scorer, build_knowledge, build_retriever, build_syncer

    settings = Settings(home=home / set_name).embedded_under(home / set_name)
    kb = build_knowledge(settings)
    try:
        build_syncer(settings, kb).sync([kb_dir(set_name, evaldata)])
        retriever = build_retriever(settings, kb)
        scorer = build_evidence_scorer(kb.embedder)
        if scorer is None:
            raise SystemExit("no evidence model (assistant/models/evidence.json)")
        questions = [
            q for q in load_dataset(questions_path(set_name, evaldata)) if q.answerable and q.gold_sources
        ]
        vectors = kb.embedder.embed([q.question for q in questions])
        found = []
        for question, vector in zip(questions, vectors, strict=True):
            hits = retriever.search(question.question, k=CANDIDATE_CHUNKS, query_vector=vector)
            stored = kb.sentences.vectors([h.chunk.id for h in hits])
            answers = best_answer_scores(
                scorer, question.question, hits, question_vector=vector, stored=stored
            )
            split = question_split(set_name, question.id, question.gold_sources)
            found.append(Candidates(split, frozenset(question.gold_sources), hits, answers))
        return found
    finally:
        kb.close()


def measure(candidates: Sequence[Candidates], weight: float) -> ModeScore:
    return score([c.ranking(weight) for c in candidates], [c.gold for c in candidates])


def choose_weight(by_set: dict[str, list[Candidates]]) -> tuple[float, dict[float, float]]:
    """The grid weight with the best mean dev MRR over the sets (ties: the smaller weight)."""
    mean_mrr = {
        w: sum(measure([c for c in cs if c.split == "dev"], w).mrr for cs in by_set.values()) / len(by_set)
        for w in WEIGHTS
    }
    best = max(WEIGHTS, key=lambda w: (round(mean_mrr[w], 6), -w))
    return best, mean_mrr


def report(by_set: dict[str, list[Candidates]]) -> dict:
    weight, grid = choose_weight(by_set)
    rows = []
    for set_name, candidates in by_set.items():
        for split in SPLITS:
            part = [c for c in candidates if c.split == split]
            before, after = measure(part, 0.0), measure(part, weight)
            rows.append(
                {
                    "set": set_name,
                    "split": split,
                    "questions": len(part),
                    "before": {"recall@1": before.recall[1], "recall@5": before.recall[5], "mrr": before.mrr},
                    "after": {"recall@1": after.recall[1], "recall@5": after.recall[5], "mrr": after.mrr},
                }
            )
    dev_grid = {
        set_name: {str(w): round(measure([c for c in cs if c.split == "dev"], w).mrr, 4) for w in WEIGHTS}
        for set_name, cs in by_set.items()
    }
    return {
        "weight": weight,
        "chosen_on": "dev (mean MRR over the sets)",
        "candidates": CANDIDATE_CHUNKS,
        "dev_mean_mrr_by_weight": {str(w): round(v, 4) for w, v in grid.items()},
        "dev_mrr_by_weight": dev_grid,
        "rows": rows,
    }


def table(result: dict) -> str:
    lines = [
        f"weight {result['weight']} (chosen on {result['chosen_on']})",
        "| set | split | n | R@1 before | R@1 after | R@5 before | R@5 after | MRR before | MRR after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        b, a = r["before"], r["after"]
        lines.append(
            f"| {r['set']} | {r['split']} | {r['questions']} | {b['recall@1']:.3f} | {a['recall@1']:.3f} | "
            f"{b['recall@5']:.3f} | {a['recall@5']:.3f} | {b['mrr']:.3f} | {a['mrr']:.3f} |"
        )
    lines.append(
        "dev mean MRR by weight: "
        + ", ".join(f"{w}: {v}" for w, v in result["dev_mean_mrr_by_weight"].items())
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    args = parser.parse_args(argv)
    by_set = {set_name: collect(set_name) for set_name in args.sets}
    result = report(by_set)
    print(table(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
