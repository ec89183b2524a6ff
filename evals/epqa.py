"""ePQA (../shared/evaldata/epqa/dev.csv, read in place): questions, candidate sentences, labels, splits.

Every question has 10 candidate sentences from its product page, labelled by annotators 2 (answers),
1 (partly) or 0 (not); a label-2 candidate's written `answer` opens "Yes"/"No" for yes/no questions.
The file is split by product (`ASIN`), deterministically: the first bytes of SHA-256 of the ASIN put a
product in train (60%), dev (20%) or test (20%). Nothing of ePQA is copied into the repository: rows
are referred to by `qid` and row number.

A community answer (`source` cqa) carries the other shopper's question after " Question: ": that
question is the candidate's context, as a FAQ row's question is for a FAQ answer. Attribute candidates
(`item_weight:  { value:"2 lb" }`) are written as plain "item weight: 2 lb", like a table row.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from evals.shared_data import EVALDATA

REPO = Path(__file__).resolve().parent.parent
DEFAULT_EPQA = EVALDATA / "epqa" / "dev.csv"
SPLITS = ("train", "dev", "test")
SPLIT_CUTS = (60, 80)  # hash % 100 below 60: train, below 80: dev, else test
_CQA_QUESTION = " Question: "
_POLARITY = re.compile(r"^(Yes|No)\b")  # the annotators' answer opens "Yes." / "No." (README: 1,112 / 461)


@dataclass(frozen=True)
class EpqaCandidate:
    row: int  # 0-based data row of dev.csv
    qid: str
    question: str
    asin: str
    sentence: str  # the candidate as a scorer sees it (attribute rows made readable)
    context: str  # a community answer's own question; "" for the other sources
    source: str  # attribute, bullet, description, review, cqa
    label: int  # 2 answers, 1 partly, 0 not
    polarity: str | None  # "yes" / "no" when the annotators' answer opens with it, else None


@dataclass(frozen=True)
class EpqaQuestion:
    qid: str
    question: str
    asin: str
    candidates: tuple[EpqaCandidate, ...]

    @property
    def answerable(self) -> bool:
        return any(c.label == 2 for c in self.candidates)


def split_of(asin: str) -> str:
    bucket = int(hashlib.sha256(asin.encode()).hexdigest()[:8], 16) % 100
    return "train" if bucket < SPLIT_CUTS[0] else "dev" if bucket < SPLIT_CUTS[1] else "test"


_NORMALISED = re.compile(r"normalized_value:\s*\{[^{}]*\},?\s*")
_VALUE_KEYS = re.compile(r"\b(value|unit):")


def readable_attribute(text: str) -> str:
    """'item_weight:  { unit:pounds, value:2. }' -> 'item weight: pounds, 2.'"""
    text = _NORMALISED.sub("", text)
    text = _VALUE_KEYS.sub("", text)
    text = re.sub(r"[{}\"]", " ", text).replace("_", " ")
    text = re.sub(r"\s+,", ",", re.sub(r"\s+", " ", text)).strip(" ,")
    return text


def _candidate(number: int, row: dict[str, str]) -> EpqaCandidate:
    text, context = row["candidate"].strip(), ""
    if row["source"] == "cqa" and _CQA_QUESTION in text:
        text, _, context = (part.strip() for part in text.partition(_CQA_QUESTION))
    elif row["source"] == "attribute":
        text = readable_attribute(text)
    label = int(row["label"])
    opening = _POLARITY.match(row["answer"].strip()) if label else None
    return EpqaCandidate(
        row=number,
        qid=row["qid"],
        question=row["question"].strip(),
        asin=row["ASIN"],
        sentence=text,
        context=context,
        source=row["source"],
        label=label,
        polarity=opening.group(1).lower() if opening else None,
    )


def load_epqa(path: str | Path = DEFAULT_EPQA) -> list[EpqaQuestion]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"ePQA file not found: {path} (pass --epqa PATH to ../shared/evaldata/epqa/dev.csv)"
        )
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [_candidate(n, row) for n, row in enumerate(csv.DictReader(handle))]
    questions = []
    for qid, group in groupby(rows, key=lambda c: c.qid):
        candidates = tuple(group)
        questions.append(EpqaQuestion(qid, candidates[0].question, candidates[0].asin, candidates))
    return questions


def split(questions: Sequence[EpqaQuestion], name: str) -> list[EpqaQuestion]:
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}: one of {', '.join(SPLITS)}")
    return [q for q in questions if split_of(q.asin) == name]


def candidates(questions: Sequence[EpqaQuestion]) -> Iterator[EpqaCandidate]:
    for question in questions:
        yield from question.candidates


def texts_to_embed(questions: Sequence[EpqaQuestion]) -> list[str]:
    """Every distinct question, sentence and context, in file order (one batch for the cache)."""
    texts: dict[str, None] = {}
    for question in questions:
        texts[question.question] = None
        for candidate in question.candidates:
            texts[candidate.sentence] = None
            if candidate.context:
                texts[candidate.context] = None
    return list(texts)
