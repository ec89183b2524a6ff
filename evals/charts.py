"""The run's charts as PNG files: handoff precision/recall against the threshold, confidence by expected
outcome, recall@k, and latency. Drawn from rows alone, with matplotlib's file-only backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from evals.calibrate import sweep
from evals.metrics import recall_curve, reliability
from evals.rows import Row

ANSWERABLE_COLOUR = "#2b6cb0"
HANDOFF_COLOUR = "#c05621"
F1_COLOUR = "#2f855a"


def write_charts(rows: Sequence[Row], summary: dict, folder: Path) -> dict[str, Path]:
    """Draw every chart into `folder`; returns name -> file path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    drawers = {
        "handoff_threshold": _handoff_threshold,
        "confidence": _confidence,
        "reliability": _reliability,
        "recall_at_k": _recall_at_k,
        "latency": _latency,
    }
    paths = {}
    for name, draw in drawers.items():
        figure, axes = plt.subplots(figsize=(7.5, 4.5), dpi=110)
        draw(axes, rows, summary)
        axes.grid(alpha=0.3)
        figure.tight_layout()
        paths[name] = folder / f"{name}.png"
        figure.savefig(paths[name])
        plt.close(figure)
    return paths


def _handoff_threshold(axes, rows: Sequence[Row], summary: dict) -> None:
    axes.set_title("Handoff quality against the threshold (positive = should hand off)")
    axes.set_xlabel("handoff threshold (hand off when confidence is below it)")
    axes.set_ylim(-0.02, 1.02)
    if not any(not row.answerable for row in rows):
        axes.text(0.5, 0.5, "No question expects a handoff:\nadd out-of-coverage questions (--probes).",
                  ha="center", va="center", transform=axes.transAxes)  # fmt: skip
        return
    points = sweep(rows)
    x = [p.threshold for p in points]
    axes.plot(x, [p.precision for p in points], label="precision", color=HANDOFF_COLOUR)
    axes.plot(x, [p.recall for p in points], label="recall", color=ANSWERABLE_COLOUR)
    axes.plot(x, [p.f1 for p in points], label="F1", color=F1_COLOUR, linewidth=2)
    axes.plot(x, [p.answered_rate for p in points], label="answered rate", color="grey", linestyle=":")
    axes.axvline(
        summary["threshold"], color="black", linestyle="--", label=f"current {summary['threshold']:.2f}"
    )
    picks = summary.get("calibration") or {}
    target = f"handoff precision \u2265 {picks.get('target_precision')}"
    for key, marker, label in (("for_target_precision", "o", target), ("f1_best", "*", "F1-best")):
        pick = picks.get(key)
        if pick is None and key == "for_target_precision":
            axes.plot([], [], linestyle="", label=f"{target}: not reached")
        elif pick:
            axes.plot(pick["threshold"], pick["f1"], marker=marker, markersize=11, color="black", linestyle="",
                      label=f"{label}: {pick['threshold']:.2f}")  # fmt: skip
    axes.set_ylabel("score")
    axes.legend(fontsize=8, loc="lower left")


def _confidence(axes, rows: Sequence[Row], summary: dict) -> None:
    bins = [i / 20 for i in range(21)]
    answerable = [row.confidence for row in rows if row.answerable]
    expected = [row.confidence for row in rows if not row.answerable]
    axes.hist(
        [answerable, expected],
        bins=bins,
        color=[ANSWERABLE_COLOUR, HANDOFF_COLOUR],
        label=[f"answerable ({len(answerable)})", f"should hand off ({len(expected)})"],
    )
    axes.axvline(
        summary["threshold"], color="black", linestyle="--", label=f"threshold {summary['threshold']:.2f}"
    )
    axes.set_title("Answer confidence: answerable questions against those that should hand off")
    axes.set_xlabel("confidence")
    axes.set_ylabel("questions")
    axes.set_xlim(0, 1)
    axes.legend(fontsize=8)


def _reliability(axes, rows: Sequence[Row], summary: dict) -> None:
    table = [b for b in reliability(rows) if b["n"]]
    axes.set_title("Reliability: share of correct answers against confidence (10 bins)")
    axes.set_xlabel("confidence")
    axes.set_ylabel("correct answers (gold document cited first)")
    axes.set_xlim(0, 1)
    axes.set_ylim(-0.02, 1.02)
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
    if not table:
        axes.text(0.5, 0.5, "No questions.", ha="center", transform=axes.transAxes)
        return
    x = [b["mean_confidence"] for b in table]
    y = [b["correct_rate"] for b in table]
    axes.plot(x, y, marker="o", color=ANSWERABLE_COLOUR, label=f"AUC {summary.get('confidence_auc')}")
    for b in table:
        axes.annotate(str(b["n"]), (b["mean_confidence"], b["correct_rate"]), textcoords="offset points",
                      xytext=(0, 7), ha="center", fontsize=8)  # fmt: skip
    axes.legend(fontsize=8, loc="upper left")


def _recall_at_k(axes, rows: Sequence[Row], summary: dict) -> None:
    curve = recall_curve(rows)
    axes.set_title("Retrieval: share of questions with a gold document in the top k documents")
    axes.set_xlabel("k (distinct documents)")
    axes.set_ylabel("recall@k")
    axes.set_ylim(0, 1.1)
    if not curve:
        axes.text(
            0.5, 0.5, "No answerable question with gold sources.", ha="center", transform=axes.transAxes
        )
        return
    ks, values = zip(*curve, strict=True)
    axes.plot(ks, values, marker="o", color=ANSWERABLE_COLOUR)
    for k, value in curve:
        axes.annotate(
            f"{value:.2f}", (k, value), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8
        )
    axes.set_xticks(list(ks))


def _latency(axes, rows: Sequence[Row], summary: dict) -> None:
    latencies = [row.latency_ms for row in rows]
    axes.hist(latencies, bins=30, color=ANSWERABLE_COLOUR, alpha=0.8)
    for key, style in (("latency_p50_ms", "--"), ("latency_p95_ms", ":")):
        if summary.get(key) is not None:
            label = f"{key.split('_')[1]} {summary[key]:.0f} ms"
            axes.axvline(summary[key], color="black", linestyle=style, label=label)
    axes.set_title(f"Answer latency (Assistant.ask wall time, {len(latencies)} questions)")
    axes.set_xlabel("milliseconds")
    axes.set_ylabel("questions")
    axes.legend(fontsize=8)
