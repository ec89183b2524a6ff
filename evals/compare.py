"""Compare a run's summary with a committed baseline: a headline metric that drops by more than the
tolerance is a regression (for a lower-is-better one, the wrong-verdict rate, a rise is). Rises are fine;
a metric the baseline lacks (null) is not compared.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HEADLINE = (
    "recall_at_5",
    "mrr",
    "citation_precision",
    "handoff_f1",
    "answered_rate",
    "groundedness",
    "intent_macro_f1",
    "verdict_correct",  # per-claim verdicts on the confirmations' test split (evals/confirmations.py)
    "verdict_wrong",
)
LOWER_IS_BETTER = frozenset({"verdict_wrong"})  # a rise of these is the regression
TOLERANCE = 0.02
BASELINE = Path(__file__).resolve().parent / "baseline" / "sample" / "summary.json"


@dataclass(frozen=True)
class Comparison:
    metric: str
    baseline: float | None
    current: float | None
    ok: bool

    @property
    def delta(self) -> float | None:
        if self.baseline is None or self.current is None:
            return None
        return self.current - self.baseline


def compare(
    current: dict, baseline: dict, *, tolerance: float = TOLERANCE, metrics: Sequence[str] = HEADLINE
) -> list[Comparison]:
    results = []
    for metric in metrics:
        before, now = baseline.get(metric), current.get(metric)
        if before is None:
            ok = True  # nothing to hold the run to
        elif now is None:
            ok = False  # the run lost a measurement the baseline had
        elif metric in LOWER_IS_BETTER:
            ok = now <= before + tolerance + 1e-9
        else:
            ok = now >= before - tolerance - 1e-9  # "more than the tolerance": exactly 0.02 passes
        results.append(Comparison(metric, before, now, ok))
    return results


def load_summary(path: str | Path = BASELINE) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def table(results: Sequence[Comparison]) -> str:
    lines = ["| metric | baseline | current | change | |", "|---|---|---|---|---|"]
    for r in results:
        change = f"{r.delta:+.4f}" if r.delta is not None else "-"
        lines.append(
            f"| {r.metric} | {_fmt(r.baseline)} | {_fmt(r.current)} | {change} | {'ok' if r.ok else 'DROP'} |"
        )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "null" if value is None else f"{value:.4f}"
