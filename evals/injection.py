"""How well the ingest-time injection check (`ingest.injection`) separates planted instructions from prose.

Two measures: the labelled passages in `evals/data/injection/passages.jsonl` (dev: what the patterns were
tuned on; test: written afterwards, measured, never tuned on), and the false-alarm rate on real documents
that hold no injection (the bundled samples, the Samsung S10 manual, ePQA's product-page sentences).

    python -m evals.injection [--evaldata ../shared/evaldata]
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterator
from pathlib import Path

from ingest.chunking import chunk_document
from ingest.injection import injection_signals
from ingest.loaders import load_bytes

REPO = Path(__file__).resolve().parent.parent
PASSAGES = REPO / "evals" / "data" / "injection" / "passages.jsonl"


def labelled(path: Path = PASSAGES) -> dict[str, dict[str, float | int]]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    report: dict[str, dict[str, float | int]] = {}
    for split in ("dev", "test"):
        attacks = [r["text"] for r in rows if r["split"] == split and r["injection"]]
        prose = [r["text"] for r in rows if r["split"] == split and not r["injection"]]
        caught = sum(1 for text in attacks if injection_signals(text))
        alarms = sum(1 for text in prose if injection_signals(text))
        report[split] = {
            "attacks": len(attacks),
            "recall": round(caught / len(attacks), 3),
            "benign": len(prose),
            "false_alarm_rate": round(alarms / len(prose), 3),
        }
    return report


def _chunks(folder: Path) -> Iterator[str]:
    for path in sorted(folder.iterdir()):
        yield from (
            chunk.text for chunk in chunk_document(path.name, load_bytes(path.name, path.read_bytes()))
        )


def real_documents(evaldata: Path) -> dict[str, dict[str, int]]:
    """Flagged / total passages in corpora that contain no injection (every flag is a false alarm)."""
    corpora = {"samples": list(_chunks(REPO / "knowledge" / "samples"))}
    if (evaldata / "samsung-s10" / "kb").is_dir():
        corpora["samsung-s10"] = list(_chunks(evaldata / "samsung-s10" / "kb"))
    if (evaldata / "epqa" / "dev.csv").is_file():
        with open(evaldata / "epqa" / "dev.csv", newline="") as handle:
            corpora["epqa-candidates"] = sorted({row["candidate"] for row in csv.DictReader(handle)})
    return {
        name: {"flagged": sum(1 for text in texts if injection_signals(text)), "passages": len(texts)}
        for name, texts in corpora.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaldata", type=Path, default=REPO.parent / "shared" / "evaldata")
    args = parser.parse_args()
    print(json.dumps({"labelled": labelled(), "real_documents": real_documents(args.evaldata)}, indent=2))


if __name__ == "__main__":
    main()
