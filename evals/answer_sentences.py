"""The team-labelled answer sentences (evals/data/answer_sentences/): which sentences of a question's gold
document answer it, over the sample product and samsung-s10.

A labelled row is (question id, set, document, sentence, label): label 2 = answers, 1 = partly (a needed
part or a direct support). Every other candidate sentence of that document is taken as not answering.
Candidates are the document's sentences as the project loads and splits them (`ingest.loaders`,
`assistant.sentences.split_sentences`), questions ("...?") left out as evidence.py does; a sentence's
context is its section's heading path (a FAQ row's question), else the document's title. Rows are split
dev/test by document (sha256 of "set/document"); a question with gold documents in both splits has a
candidate set in each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from assistant.evidence_scorer import EvidenceCandidate
from assistant.evidence_training import LabelledSet
from assistant.sentences import is_question, split_sentences
from evals.dataset import PROBE_PREFIX, load_dataset
from evals.shared_data import EVALDATA
from ingest.loaders import load_bytes

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "evals" / "data" / "answer_sentences"
SAMPLE_QUESTIONS = REPO / "evals" / "data" / "sample_questions.jsonl"
SAMPLE_KB = REPO / "knowledge" / "samples"
SPLITS = ("dev", "test")
EmbedFn = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Sentence:
    text: str
    context: str


@dataclass(frozen=True)
class LabelledRow:
    qid: str
    set: str  # "sample" or "samsung-s10"
    document: str
    sentence: str
    label: int


def split_of(set_name: str, document: str) -> str:
    return (
        "dev"
        if int(hashlib.sha256(f"{set_name}/{document}".encode()).hexdigest()[:8], 16) % 2 == 0
        else "test"
    )


def kb_dir(set_name: str, evaldata: Path = EVALDATA) -> Path:
    return SAMPLE_KB if set_name == "sample" else Path(evaldata) / set_name / "kb"


def questions_of(set_name: str, data_dir: Path = DATA_DIR, evaldata: Path = EVALDATA) -> dict[str, str]:
    """Question id -> text: the sample set plus the team's extra sample questions, or samsung-s10's."""
    if set_name == "sample":
        paths = [SAMPLE_QUESTIONS, Path(data_dir) / "extra_sample_questions.jsonl"]
    else:
        paths = [Path(evaldata) / set_name / "questions.jsonl"]
    return {q.id: q.question for path in paths if path.exists() for q in load_dataset(path)}


@cache
def document_sentences(path: Path) -> tuple[Sentence, ...]:
    """The candidate sentences of one document, with their context, as the project loads and splits it."""
    document = load_bytes(path.name, path.read_bytes())
    found: list[Sentence] = []
    for section in document.sections:
        context = section.heading or document.title
        for sentence in split_sentences(section.text):
            if not is_question(sentence) and sentence != context:
                found.append(Sentence(sentence, context))
    return tuple(found)


def document_text(path: Path) -> str:
    return load_bytes(path.name, path.read_bytes()).text


def load_rows(split: str, data_dir: Path = DATA_DIR) -> list[LabelledRow]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: one of {', '.join(SPLITS)}")
    path = Path(data_dir) / f"{split}.jsonl"
    return [LabelledRow(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line]


def matches(candidate: str, labelled: str) -> bool:
    """A candidate is the labelled sentence (or, if the splitter changed, holds it or is held by it)."""
    return candidate == labelled or (len(candidate) > 20 and (labelled in candidate or candidate in labelled))


def labelled_sets(
    split: str,
    embed: EmbedFn,
    *,
    weight: float = 1.0,
    data_dir: Path = DATA_DIR,
    evaldata: Path = EVALDATA,
    sets: Sequence[str] = ("sample", "samsung-s10"),
) -> list[LabelledSet]:
    """One candidate set per (question, gold document) of the split: all the document's sentences."""
    rows = [r for r in load_rows(split, data_dir) if r.set in sets]
    pairs = list(dict.fromkeys((r.set, r.qid, r.document) for r in rows))
    texts = {name: questions_of(name, data_dir, evaldata) for name in sets}
    units = []
    for set_name, qid, document in pairs:
        sentences = document_sentences(kb_dir(set_name, evaldata) / document)
        labelled = [r for r in rows if (r.set, r.qid, r.document) == (set_name, qid, document)]
        labels = tuple(
            max((r.label for r in labelled if matches(s.text, r.sentence)), default=0) for s in sentences
        )
        units.append((texts[set_name][qid], sentences, labels, f"{set_name}/{document}"))
    wanted = list(
        dict.fromkeys(t for q, ss, _, _ in units for t in [q] + [x for s in ss for x in (s.text, s.context)])
    )
    vectors = dict(zip(wanted, embed(wanted), strict=True)) if wanted else {}
    return [
        LabelledSet(
            question=question,
            question_vector=vectors[question],
            candidates=tuple(
                EvidenceCandidate(s.text, s.context, vectors[s.text], vectors[s.context]) for s in sentences
            ),
            labels=labels,
            polarities=(None,) * len(labels),
            weight=weight,
            group=group,
        )
        for question, sentences, labels, group in units
    ]


def data_hash(data_dir: Path = DATA_DIR) -> str:
    digest = hashlib.sha256()
    for name in ("dev.jsonl", "test.jsonl", "extra_sample_questions.jsonl"):
        path = Path(data_dir) / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def set_name_of(kb: str | Path) -> str:
    """The labelled set a knowledge-base folder belongs to: "sample" for the bundled samples, else the
    folder's name (its parent's when it is called `kb`, as in ../shared/evaldata/<set>/kb)."""
    folder = Path(kb).resolve()
    if folder == SAMPLE_KB.resolve():
        return "sample"
    return folder.parent.name if folder.name == "kb" else folder.name


def answering_sentences(set_name: str, data_dir: Path = DATA_DIR) -> dict[str, dict[str, list[str]]]:
    """Question id -> gold document -> its sentences labelled as answering (label 2), dev and test alike:
    the eval scores each question against the labels of its own gold documents."""
    found: dict[str, dict[str, list[str]]] = {}
    for split in SPLITS:
        path = Path(data_dir) / f"{split}.jsonl"
        if not path.exists():
            continue
        for row in load_rows(split, data_dir):
            if row.set == set_name and row.label == 2:
                found.setdefault(row.qid, {}).setdefault(row.document, []).append(row.sentence)
    return found


def question_split(set_name: str, question_id: str, gold_sources: Sequence[str]) -> str:
    """dev or test for an eval question: its first gold document's split (as the labelled sentences are
    split), or, with no gold document (an unanswerable question, a probe), by the hash of its bare id."""
    if gold_sources:
        return split_of(set_name, gold_sources[0])
    bare = question_id.removeprefix(PROBE_PREFIX)
    return "dev" if int(hashlib.sha256(f"question/{bare}".encode()).hexdigest()[:8], 16) % 2 == 0 else "test"
