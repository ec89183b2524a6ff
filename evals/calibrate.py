"""Sweep the handoff threshold over a run's rows and pick values: one for a target handoff precision, and
the F1-best one. The sweep replays the decision of `metrics.handoff_at`, so it needs no re-run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from evals.metrics import handoff_confusion, precision_recall_f1
from evals.rows import Row

STEPS = 100  # thresholds 0.00, 0.01, ..., 1.00: confidence lives in [0, 1]
DEFAULT_TARGET_PRECISION = 0.9


@dataclass(frozen=True)
class Point:
    threshold: float
    precision: float | None
    recall: float | None
    f1: float | None
    answered_rate: float


def sweep(rows: Sequence[Row], steps: int = STEPS) -> list[Point]:
    points = []
    for step in range(steps + 1):
        threshold = round(step / steps, 4)
        tp, fp, fn, tn = handoff_confusion(rows, threshold)
        precision, recall, f1 = precision_recall_f1(tp, fp, fn)
        answered = (fn + tn) / len(rows) if rows else 0.0
        points.append(Point(threshold, precision, recall, f1, answered))
    return points


def for_precision(points: Sequence[Point], target: float) -> Point | None:
    """The point reaching `target` precision with the most recall (the lower threshold on a tie)."""
    eligible = [p for p in points if p.precision is not None and p.precision >= target]
    return max(eligible, key=lambda p: (p.recall or 0.0, -p.threshold), default=None)


def best_f1(points: Sequence[Point]) -> Point | None:
    """The F1-best point (the lower threshold on a tie: it answers more)."""
    scored = [p for p in points if p.f1 is not None]
    return max(scored, key=lambda p: (p.f1 or 0.0, -p.threshold), default=None)


def calibration(rows: Sequence[Row], target: float = DEFAULT_TARGET_PRECISION) -> dict:
    """Both picks; None for each when no question expects a handoff (nothing to calibrate against)."""
    if all(row.answerable for row in rows):
        return {"target_precision": target, "for_target_precision": None, "f1_best": None}
    points = sweep(rows)
    chosen, best = for_precision(points, target), best_f1(points)
    return {
        "target_precision": target,
        "for_target_precision": _rounded(chosen),
        "f1_best": _rounded(best),
    }


def _rounded(point: Point | None) -> dict | None:
    if point is None:
        return None
    return {
        key: round(value, 4) if isinstance(value, float) else value for key, value in asdict(point).items()
    }
