"""Chunk size and overlap against retrieval quality: hybrid (and dense, lexical) recall@1/5/10 and MRR
on samsung-s10 for each (chunk_words, overlap_words), as the Markdown table in docs/retrieval.md.

Every configuration is ingested into its own throw-away home. Texts already embedded by an earlier
configuration (sections shorter than every size give identical chunks) are served from a cache, so the
sweep costs little more than one ingest per distinct chunk.

    .venv/bin/python bench/chunk_sizes.py [--words 80 120 180 250] [--overlaps 0 20 40]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)  # not bench/: its ingest.py would shadow the ingest package

from knowledge.embedder import hub_offline  # noqa: E402

hub_offline()

EVALDATA = REPO.parent / "shared" / "evaldata" / "samsung-s10"


class CachedEmbedder:
    """The real embedder, remembering each text's vector (identical chunks recur across configurations)."""

    def __init__(self, real) -> None:
        self.real = real
        self.name, self.dimension, self.batch_size = real.name, real.dimension, real.batch_size
        self._cache: dict[str, np.ndarray] = {}

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        return self.real.token_lengths(texts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        if missing:
            self._cache.update(zip(missing, self.real.embed(missing), strict=True))
        return np.stack([self._cache[text] for text in texts]) if texts else self.real.embed([])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, nargs="+", default=[80, 120, 180, 250])
    parser.add_argument("--overlaps", type=int, nargs="+", default=[0, 20, 40])
    parser.add_argument("--kb", type=Path, default=EVALDATA / "kb")
    parser.add_argument("--dataset", type=Path, default=EVALDATA / "questions.jsonl")
    args = parser.parse_args()

    from assistant.settings import Settings
    from evals.retrieval import evaluate_retrieval
    from knowledge.embedder import SentenceTransformerEmbedder

    embedder = CachedEmbedder(SentenceTransformerEmbedder())
    print("| chunk_words | overlap | chunks | hybrid R@1 | R@5 | R@10 | MRR | dense MRR | BM25 MRR |")
    print("|---|---|---|---|---|---|---|---|---|")
    for words in args.words:
        for overlap in args.overlaps:
            if overlap > words // 2:
                continue  # the chunker caps overlap at half a chunk: same as a smaller setting
            settings = Settings(chunk_words=words, chunk_overlap_words=overlap)
            report = evaluate_retrieval(args.kb, args.dataset, settings=settings, embedder=embedder)
            hybrid, dense, lexical = (report.scores[m] for m in ("hybrid", "dense", "lexical"))
            print(
                f"| {words} | {overlap} | {report.chunks} | {hybrid.recall[1]:.2f} | {hybrid.recall[5]:.2f} "
                f"| {hybrid.recall[10]:.2f} | {hybrid.mrr:.3f} | {dense.mrr:.3f} | {lexical.mrr:.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
