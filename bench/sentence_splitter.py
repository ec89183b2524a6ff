"""The project's sentence splitter (knowledge/sentences.py) against pysbd on the same documents: speed and
how many sentences each finds. pysbd is not a dependency: `pip install pysbd==0.3.4` to run the comparison.

    .venv/bin/python bench/sentence_splitter.py [--kb knowledge/samples]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from knowledge.sentences import sentence_spans


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kb", type=Path, default=Path("knowledge/samples"))
    args = parser.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted(args.kb.glob("*.md"))]
    characters = sum(len(t) for t in texts)
    started = time.perf_counter()
    ours = sum(len(sentence_spans(t)) for t in texts)
    ours_s = time.perf_counter() - started
    print(f"{len(texts)} documents, {characters:,} characters")
    print(f"rules (knowledge/sentences.py): {ours} sentences, {ours_s * 1e6 / characters:.2f} µs/char")
    try:
        import pysbd
    except ImportError:
        print("pysbd not installed: pip install pysbd==0.3.4 to compare")
        return
    segmenter = pysbd.Segmenter(language="en", clean=False)
    started = time.perf_counter()
    theirs = sum(len(segmenter.segment(line)) for t in texts for line in t.splitlines() if line.strip())
    theirs_s = time.perf_counter() - started
    print(f"pysbd 0.3.4 (per line): {theirs} sentences, {theirs_s * 1e6 / characters:.2f} µs/char")
    print(f"pysbd / rules time: {theirs_s / ours_s:.0f}x")


if __name__ == "__main__":
    main()
