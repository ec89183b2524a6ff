"""Eval question sets: read the JSONL format of ../shared/evaldata/README.md, and add probes.

One JSON object a line: `id`, `question`, `answerable` (default true; false means a handoff is expected),
`gold_sources` (document ids relative to the ingested folder), `reference_answer`, `intents` (optional).
A probe is a question from another file asked against this knowledge base as out of coverage: it always
counts as `answerable: false` with no gold sources and no reference answer; its gold intents are kept,
since they describe the question, not the knowledge base.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.types import INTENT_LABELS

PROBE_PREFIX = "probe:"  # probe ids are prefixed so they never collide with the dataset's own ids


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answerable: bool = True
    gold_sources: tuple[str, ...] = ()
    reference_answer: str = ""
    intents: tuple[str, ...] | None = None  # None: the dataset says nothing about intents
    probe: bool = False


class DatasetError(ValueError):
    pass


def load_dataset(path: str | Path) -> list[EvalQuestion]:
    questions: list[EvalQuestion] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(_question(row))
        except (ValueError, KeyError, TypeError) as error:
            raise DatasetError(f"{path}:{number}: {error}") from error
    _check_unique(questions, path)
    return questions


def as_probes(questions: Sequence[EvalQuestion]) -> list[EvalQuestion]:
    """The same questions, each expecting a handoff, with no gold sources or reference answer."""
    return [
        EvalQuestion(
            id=PROBE_PREFIX + q.id, question=q.question, answerable=False, intents=q.intents, probe=True
        )
        for q in questions
    ]


def with_probes(questions: list[EvalQuestion], probes_path: str | Path | None) -> list[EvalQuestion]:
    if probes_path is None:
        return questions
    combined = questions + as_probes(load_dataset(probes_path))
    _check_unique(combined, probes_path)
    return combined


def _question(row: dict) -> EvalQuestion:
    text = str(row["question"]).strip()
    if not text:
        raise DatasetError("empty question")
    intents = row.get("intents")
    if intents is not None:
        unknown = set(intents) - set(INTENT_LABELS)
        if unknown:
            raise DatasetError(f"unknown intent labels {sorted(unknown)}")
    return EvalQuestion(
        id=str(row["id"]),
        question=text,
        answerable=bool(row.get("answerable", True)),
        gold_sources=tuple(row.get("gold_sources") or ()),
        reference_answer=str(row.get("reference_answer") or ""),
        intents=tuple(intents) if intents is not None else None,
    )


def _check_unique(questions: Sequence[EvalQuestion], path: str | Path) -> None:
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise DatasetError(f"{path}: duplicate question id {q.id!r}")
        seen.add(q.id)
