"""Fitting the calibrated confidence model on eval rows: dev rows only, test rows only reported.

The rows of one or more eval runs (rows.jsonl: each keeps its `confidence_parts` and its split) give the
features; the label is `metrics.correct_draft` (answerable, and the composed answer cites a gold document
first). A logistic regression is fitted on the dev rows; the handoff threshold is then chosen on the same
dev rows, by replaying each turn's decision with the new confidence (`replay`), for the best balance of
correct answers sent and everything else held back (Youden's J). The test rows are replayed with both and
reported, never used for a choice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.confidence_model import FEATURES, ConfidenceModel, feature_vector
from evals.metrics import correct_draft, handoff_at, reliability, summarize
from evals.rows import ROWS_FILE, Row, read_rows

REGULARISATION = 1.0  # sklearn's C; dev has ~200 rows for 13 features: the default held up in CV (docs)
THRESHOLDS = [round(step / 100, 2) for step in range(5, 96)]  # 0.05 .. 0.95: a threshold that decides
REPORTED = (
    "answered_and_correct",
    "handoff_recall",
    "confidence_auc",
    "first_sentence_answers",
    "answer_token_f1",
    "answered_rate",
    "handoff_f1",
    "n",
)


class NoRowsToFit(ValueError):
    """The runs hold no dev rows with confidence parts (an eval from before they were recorded)."""


def fittable(rows: Sequence[Row]) -> list[Row]:
    return [row for row in rows if row.extras.get("confidence_parts")]


def fit(rows: Sequence[Row], *, c: float = REGULARISATION) -> ConfidenceModel:
    """The model fitted on the dev rows of `rows`, with its threshold chosen on them."""
    from sklearn.linear_model import LogisticRegression

    dev = [row for row in fittable(rows) if row.split == "dev"]
    labels = np.asarray([correct_draft(row) for row in dev])
    if not dev or labels.all() or not labels.any():
        raise NoRowsToFit(
            "need dev rows with confidence parts, both correct and not (run lastmile eval first)"
        )
    x = np.vstack([feature_vector(row.extras["confidence_parts"]) for row in dev])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0  # a constant feature (no unknown names on dev): no division by ~0
    regression = LogisticRegression(C=c, max_iter=1000).fit((x - mean) / scale, labels)
    model = ConfidenceModel(
        features=FEATURES,
        mean=mean,
        scale=scale,
        coef=regression.coef_[0],
        intercept=float(regression.intercept_[0]),
        threshold=0.5,
    )
    model.threshold = choose_threshold(dev, model)
    model.meta = {
        "fitted_on": "dev rows of the eval runs (split by document: evals/answer_sentences.question_split)",
        "label": "answerable and the composed answer cites a gold document first (metrics.correct_draft)",
        "regularisation_c": c,
        "threshold_rule": "Youden's J on dev: correct answers sent + other answers held back",
        "dev_rows": len(dev),
        "dev_correct": int(labels.sum()),
        "rows_hash": rows_hash(dev),
    }
    return model


def replay(row: Row, confidence: float, threshold: float) -> Row:
    """The row as the turn would have gone with this confidence and threshold: a turn handed off only by
    the threshold sends its composed answer above it, and an answered one is handed off below it."""
    moved = replace(row, confidence=confidence)
    handoff = handoff_at(moved, threshold)
    if handoff == row.handoff:
        return moved
    if handoff:
        return replace(moved, handoff=True, cited=[])
    return replace(moved, handoff=False, answer=row.extras.get("draft", ""), cited=list(row.draft_cited))


def rescored(rows: Sequence[Row], model: ConfidenceModel, threshold: float | None = None) -> list[Row]:
    t = model.threshold if threshold is None else threshold
    return [replay(row, model.probability(row.extras["confidence_parts"]), t) for row in fittable(rows)]


def choose_threshold(dev: Sequence[Row], model: ConfidenceModel) -> float:
    """The threshold with the best J = P(sent | correct) + P(held back | not correct) on dev; the lower
    one on a tie (it answers more)."""
    correct = [correct_draft(row) for row in dev]

    def j(threshold: float) -> float:
        sent = [not r.handoff for r in rescored(dev, model, threshold)]
        positives = sum(correct) or 1
        negatives = (len(correct) - sum(correct)) or 1
        tpr = sum(s and c for s, c in zip(sent, correct, strict=True)) / positives
        tnr = sum(not s and not c for s, c in zip(sent, correct, strict=True)) / negatives
        return tpr + tnr

    return max(THRESHOLDS, key=lambda t: (round(j(t), 6), -t))


def figures(rows: Sequence[Row]) -> dict:
    summary = summarize(rows)
    return {key: summary[key] for key in REPORTED}


def report(runs: dict[str, Sequence[Row]], model: ConfidenceModel) -> dict:
    """Per run and split: the figures as recorded (the confidence the run used) and with the model."""
    out: dict = {"threshold": model.threshold, "runs": {}}
    for name, rows in runs.items():
        rows = fittable(rows)
        per_split = {}
        for split in ("dev", "test"):
            part = [row for row in rows if row.split == split]
            if part:
                new = rescored(part, model)
                per_split[split] = {
                    "as_run": figures(part),
                    "calibrated": figures(new),
                    "reliability": [b for b in reliability(new) if b["n"]],
                }
        out["runs"][name] = per_split
    return out


def rows_hash(rows: Sequence[Row]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([row.id, row.extras["confidence_parts"], row.draft_cited]).encode())
    return digest.hexdigest()[:16]


def format_curve(table: Sequence[dict]) -> str:
    """A reliability curve as text: confidence bin, questions, mean confidence, share correct."""
    lines = ["  confidence   n   mean  correct"]
    for b in table:
        lines.append(
            f"  {b['low']:.1f}-{b['high']:.1f} {b['n']:>5} {b['mean_confidence']:6.3f} {b['correct_rate']:8.3f}"
        )
    return "\n".join(lines)


def calibrate_runs(
    folders: Sequence[Path], *, target_precision: float, model_out: Path | None = None
) -> tuple[dict, str]:
    """`lastmile eval --calibrate`: the threshold sweep of the first run (as recorded), then the confidence
    model refitted on the dev rows of every run, its threshold, and the reliability curves per run and
    split. Writes the model to `model_out` when given. Returns (JSON payload, text for people)."""
    from evals.calibrate import calibration

    runs = {str(folder): read_rows(Path(folder) / ROWS_FILE) for folder in folders}
    payload = calibration(next(iter(runs.values())), target_precision)
    try:
        model = fit([row for rows in runs.values() for row in rows])
    except NoRowsToFit as error:
        payload["confidence_model"] = None
        return payload, f"confidence model not refitted: {error}"
    figures_by_run = report(runs, model)
    payload["confidence_model"] = {**figures_by_run, "written_to": str(model_out) if model_out else None}
    lines = [f"confidence model refitted on {model.meta['dev_rows']} dev rows; threshold {model.threshold}"]
    for name, splits in figures_by_run["runs"].items():
        for split, found in splits.items():
            before, after = found["as_run"], found["calibrated"]
            lines.append(f"\n{name} [{split}] as run -> calibrated:")
            lines += [f"  {key:24} {_fmt(before[key])} -> {_fmt(after[key])}" for key in REPORTED]
            lines.append("  reliability (calibrated):")
            lines.append(format_curve(found["reliability"]))
    if model_out is not None:
        model.save(model_out)
        lines.append(f"\nwrote {model_out}")
    return payload, "\n".join(lines)


def _fmt(value) -> str:
    return "  n/a" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))
