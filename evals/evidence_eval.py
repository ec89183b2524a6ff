"""Measuring evidence scorers: precision@1, ROC AUC and polarity on ePQA by product, and precision@1 on the
team-labelled answer sentences; and the training run that ships assistant/models/evidence.json.

    lastmile models train-evidence [--epqa PATH] [--out PATH]   # rebuild the shipped weights
    lastmile models eval-evidence [--epqa PATH] [--split test]    # the figures of docs/evidence.md

precision@1: over the questions with at least one answering candidate, the share whose top-scored
candidate answers (a tie at the top counts the answering share of the tied candidates). AUC: answering
(label 2) against not answering (label 0) candidates, pooled over questions. Polarity: on answering
candidates whose written answer opens "Yes"/"No": accuracy (right over all), abstain rate, and wrong
rate where the scorer does not abstain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.evidence_scorer import (
    DEFAULT_MODEL_PATH,
    EvidenceCandidate,
    EvidenceScore,
    EvidenceScorer,
    Polarity,
)
from assistant.evidence_training import LabelledSet, TrainParams, fit_evidence_model
from evals import answer_sentences, epqa

EmbedFn = Callable[[Sequence[str]], np.ndarray]
TEAM_WEIGHT = 3.0  # a team-labelled candidate counts 3 ePQA ones: cross-validated team P@1 0.856 (1: 0.837, 10: 0.856), ePQA P@1 0.690 (1: 0.693, 10: 0.676)


def epqa_sets(questions: Sequence[epqa.EpqaQuestion], embed: EmbedFn) -> list[LabelledSet]:
    texts = epqa.texts_to_embed(questions)
    vectors = dict(zip(texts, embed(texts), strict=True))
    return [
        LabelledSet(
            question=q.question,
            question_vector=vectors[q.question],
            candidates=tuple(
                EvidenceCandidate(c.sentence, c.context, vectors[c.sentence], vectors.get(c.context))
                for c in q.candidates
            ),
            labels=tuple(c.label for c in q.candidates),
            polarities=tuple(c.polarity for c in q.candidates),
            group=q.asin,
        )
        for q in questions
    ]


def score_sets(scorer: EvidenceScorer, sets: Sequence[LabelledSet]) -> list[list[EvidenceScore]]:
    return [scorer.score(s.question, s.candidates, question_vector=s.question_vector) for s in sets]


def precision_at_1(values: Sequence[np.ndarray], labels: Sequence[Sequence[int]]) -> tuple[float, int]:
    hits, counted = 0.0, 0
    for v, labelled in zip(values, labels, strict=True):
        y = np.asarray(labelled)
        if not np.any(y == 2):
            continue
        top = np.isclose(v, np.max(v), rtol=0, atol=1e-12)
        hits += float(np.mean(y[top] == 2))
        counted += 1
    return (hits / counted if counted else 0.0), counted


def roc_auc(values: Sequence[np.ndarray], labels: Sequence[Sequence[int]]) -> float:
    """Mann-Whitney AUC of label 2 against label 0 (ties count a half)."""
    from scipy.stats import rankdata

    v = np.concatenate([np.asarray(x, dtype=np.float64) for x in values])
    y = np.concatenate([np.asarray(x) for x in labels])
    keep = y != 1
    v, positive = v[keep], y[keep] == 2
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if not n_pos or not n_neg:
        return float("nan")
    ranks = rankdata(v)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def polarity_report(scores: Sequence[Sequence[EvidenceScore]], sets: Sequence[LabelledSet]) -> dict:
    right = wrong = abstained = 0
    for row, s in zip(scores, sets, strict=True):
        for score, label, truth in zip(row, s.labels, s.polarities, strict=True):
            if label != 2 or truth is None:
                continue
            if score.polarity == Polarity.ABSTAIN:
                abstained += 1
            elif (score.polarity == Polarity.AFFIRMS) == (truth == "yes"):
                right += 1
            else:
                wrong += 1
    total = right + wrong + abstained
    decided = right + wrong
    return {
        "candidates": total,
        "accuracy": _round(right / total if total else 0.0),
        "abstain_rate": _round(abstained / total if total else 0.0),
        "wrong_where_decided": _round(wrong / decided if decided else 0.0),
        "decided": decided,
        "wrong": wrong,
    }


def evaluate_sets(scorer: EvidenceScorer, sets: Sequence[LabelledSet], *, polarity: bool = True) -> dict:
    scores = score_sets(scorer, sets)
    values = [np.array([s.answers for s in row]) for row in scores]
    labels = [s.labels for s in sets]
    p1, counted = precision_at_1(values, labels)
    report = {"scorer": scorer.name, "questions": counted, "precision_at_1": _round(p1)}
    if any(2 in y for y in labels) and any(0 in y for y in labels):
        report["auc"] = _round(roc_auc(values, labels))
    if polarity:
        report["polarity"] = polarity_report(scores, sets)
    return report


def _round(value: float) -> float:
    return round(float(value), 4)


def data_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def training_sets(
    epqa_path: Path,
    embed: EmbedFn,
    *,
    evaldata: Path = answer_sentences.EVALDATA,
    team_dir: Path = answer_sentences.DATA_DIR,
) -> tuple[list[LabelledSet], list[LabelledSet]]:
    """(train, dev): ePQA train + the team-labelled dev split (weight TEAM_WEIGHT); ePQA dev."""
    questions = epqa.load_epqa(epqa_path)
    train = epqa_sets(epqa.split(questions, "train"), embed)
    train += answer_sentences.labelled_sets(
        "dev", embed, weight=TEAM_WEIGHT, data_dir=team_dir, evaldata=evaldata
    )
    dev = epqa_sets(epqa.split(questions, "dev"), embed)
    return train, dev


def train(
    epqa_path: Path,
    embed: EmbedFn,
    *,
    out: Path = DEFAULT_MODEL_PATH,
    params: TrainParams | None = None,
    evaldata: Path = answer_sentences.EVALDATA,
    team_dir: Path = answer_sentences.DATA_DIR,
) -> dict:
    """Fit on ePQA train + team dev, choose thresholds on ePQA dev, write `out`; return dev figures."""
    from assistant.evidence_scorer import LogRegEvidenceScorer

    train_sets, dev_sets = training_sets(epqa_path, embed, evaldata=evaldata, team_dir=team_dir)
    model = fit_evidence_model(train_sets, dev_sets, params=params or TrainParams())
    dev_report = evaluate_sets(LogRegEvidenceScorer(model), dev_sets)
    model.meta |= {
        "data": {
            "epqa_sha256": data_hash(epqa_path),
            "answer_sentences_sha256": answer_sentences.data_hash(team_dir),
            "epqa_split": "sha256(ASIN) % 100: train < 60 <= dev < 80 <= test",
            "train_sets": len(train_sets),
            "dev_sets": len(dev_sets),
        },
        "epqa_dev": dev_report,
    }
    model.save(out)
    return {"out": str(out), "affirm_at": model.affirm_at, "deny_at": model.deny_at, "epqa_dev": dev_report}


TARGETS = {"precision_at_1": 0.75, "auc": 0.93, "polarity_wrong_where_decided": 0.05}  # issues 11 and 12


def evaluate(
    model_path: Path,
    epqa_path: Path,
    embed: EmbedFn,
    *,
    split: str = "test",
    evaldata: Path = answer_sentences.EVALDATA,
    team_dir: Path = answer_sentences.DATA_DIR,
) -> dict:
    """The shipped scorer beside BM25 and cosine (and rule polarity) on one split of ePQA and of the
    team-labelled answer sentences."""
    from assistant.evidence_scorer import LogRegEvidenceScorer
    from evals.evidence_baselines import Bm25EvidenceScorer, CosineEvidenceScorer, RulePolarityScorer

    if split not in ("dev", "test"):
        raise ValueError("split must be dev or test (train is what the scorer was fitted on)")
    scorers: list[EvidenceScorer] = [
        LogRegEvidenceScorer.load(model_path),
        Bm25EvidenceScorer(),
        CosineEvidenceScorer(),
    ]
    sets = epqa_sets(epqa.split(epqa.load_epqa(epqa_path), split), embed)
    report: dict = {
        "split": split,
        "targets": TARGETS,
        "epqa": {
            "questions": len(sets),
            "scorers": [evaluate_sets(s, sets, polarity=s is scorers[0]) for s in scorers],
            "polarity_rules": polarity_report(score_sets(RulePolarityScorer(), sets), sets),
        },
        "answer_sentences": {},
    }
    for set_name in ("sample", "samsung-s10"):
        team = answer_sentences.labelled_sets(
            split, embed, sets=(set_name,), evaldata=evaldata, data_dir=team_dir
        )
        report["answer_sentences"][set_name] = [evaluate_sets(s, team, polarity=False) for s in scorers]
    report["ms_per_call_30_candidates"] = round(call_cost_ms(scorers[0], sets), 2)
    return report


def call_cost_ms(
    scorer: EvidenceScorer, sets: Sequence[LabelledSet], *, candidates: int = 30, calls: int = 30
) -> float:
    """Median wall time of one `score` call over `candidates` sentences whose vectors are given (a turn's
    reranking of its top chunks' sentences). Reported, never asserted."""
    import time

    pool = [c for s in sets for c in s.candidates][:candidates]
    question, vector = sets[0].question, sets[0].question_vector
    timings = []
    for _ in range(calls):
        start = time.perf_counter()
        scorer.score(question, pool, question_vector=vector)
        timings.append((time.perf_counter() - start) * 1000)
    return float(np.median(timings))


def format_report(report: dict) -> str:
    lines = [f"split: {report['split']} (ePQA by product; answer sentences by document)", ""]
    epqa_part = report["epqa"]
    lines.append(f"ePQA: {epqa_part['questions']} questions")
    lines.append(f"  {'scorer':28} {'P@1':>6} {'AUC':>6}  (questions with an answer)")
    for r in epqa_part["scorers"]:
        lines.append(
            f"  {r['scorer']:28} {r['precision_at_1']:6.3f} {r.get('auc', float('nan')):6.3f}  ({r['questions']})"
        )
    for name, p in (
        ("model", epqa_part["scorers"][0].get("polarity")),
        ("rules", epqa_part["polarity_rules"]),
    ):
        if p:
            lines.append(
                f"  polarity ({name}): accuracy {p['accuracy']:.3f}, abstain {p['abstain_rate']:.3f}, "
                f"wrong where decided {p['wrong_where_decided']:.3f} ({p['wrong']}/{p['decided']}, "
                f"{p['candidates']} answering yes/no candidates)"
            )
    for set_name, rows in report["answer_sentences"].items():
        lines.append(f"\nanswer sentences, {set_name}: P@1 over the gold document's sentences")
        for r in rows:
            lines.append(
                f"  {r['scorer']:28} {r['precision_at_1']:6.3f} {r.get('auc', float('nan')):6.3f}  ({r['questions']})"
            )
    lines.append(
        f"\ncost: {report['ms_per_call_30_candidates']:.1f} ms per call of 30 candidates, vectors given"
    )
    targets = report["targets"]
    lines.append(
        f"\ntargets (ePQA test): P@1 >= {targets['precision_at_1']}, AUC >= {targets['auc']}, "
        f"polarity wrong where decided <= {targets['polarity_wrong_where_decided']}"
    )
    return "\n".join(lines)
