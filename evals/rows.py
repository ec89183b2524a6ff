"""One row per asked question: everything the metrics, charts and calibration need, kept in rows.jsonl.

Rows are the raw record of a run; summary.json, the charts and `lastmile eval --calibrate` are all
computed from them, so none of those needs the assistant to run again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

ROWS_FILE = "rows.jsonl"


@dataclass
class Row:
    id: str
    question: str
    answerable: bool
    probe: bool
    gold_sources: list[str]
    reference_answer: str
    gold_intents: list[str] | None  # None: the dataset gives no intents for this question
    predicted_intents: list[str]
    answer: str
    composer: str
    confidence: float
    handoff: bool
    reasons: list[dict]  # Reason.as_dict(): code, detail (for people), by_threshold
    sources: list[str]  # documents of the answer's own hits, best first
    ranking: list[str]  # sources, then the further documents of a deeper search (retrieval metrics)
    cited: list[str]  # documents the answer cites, first citation first, without repeats
    sentences: int  # answer sentences checked for support (0 when handed off)
    supported_sentences: int
    latency_ms: float
    extras: dict = field(default_factory=dict)
    # The team-labelled sentences that answer this question (evals/data/answer_sentences), from its gold
    # documents; None where the question has no labels.
    answer_sentences: list[str] | None = None
    split: str | None = None  # "dev" or "test" (by document: evals.answer_sentences.question_split)
    # Documents the composed answer cites, first first, even when the turn was handed off (the rep's
    # draft): what a correct answer is judged on, whether or not it was sent.
    draft_cited: list[str] = field(default_factory=list)


def write_rows(rows: Iterable[Row], path: str | Path) -> None:
    with Path(path).open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")


def read_rows(path: str | Path) -> list[Row]:
    known = {f.name for f in fields(Row)}
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            rows.append(Row(**{key: value for key, value in data.items() if key in known}))
    return rows
