"""A cProfile of offline turns on the sample knowledge base: where a turn's time goes, by function.

nice -n 5 .venv/bin/python -m bench.profile_turn [--turns 20] [--top 25] [--threads 1]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "knowledge" / "samples"
QUESTIONS = REPO / "evals" / "data" / "sample_questions.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    # As in bench/query.py and bench/ingest.py: torch's two threads stall whenever another process holds
    # a core of this 2-core machine (the message embedding measured 460 ms a call with 2, ~20 ms with 1).
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime, ...")
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    from assistant.settings import Settings
    from assistant.wiring import build_assistant, build_knowledge, build_syncer

    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="lastmile-profile-") as home:
        settings = Settings(home=Path(home), _env_file=None)
        kb = build_knowledge(settings)
        build_syncer(settings, kb).sync([SAMPLES])
        assistant = build_assistant(settings, kb=kb)
        for question in questions[:3]:  # warm: lazy imports, the in-memory index, caches
            assistant.ask(question)
        profile = cProfile.Profile()
        profile.enable()
        for question in questions[: args.turns]:
            assistant.ask(question)
        profile.disable()
        print(f"{args.turns} turns on the sample knowledge base ({kb.dense.count()} chunks)")
        pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
