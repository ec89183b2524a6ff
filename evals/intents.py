"""Intent classifier: the labelled dataset, its metrics, the training run, leakage and HINT3 checks.

    python -m evals.intents train                 # rebuild assistant/models/intents.json + metrics.json
    python -m evals.intents eval [--split test]   # per-label P/R/F1, macro-F1 over the three intents
    python -m evals.intents neardup               # max cosine to train; writes near_duplicates.json
    python -m evals.intents hint3                 # real buyer queries: predicted tags, agreement

The same functions back `lastmile train-intents`, `lastmile eval-intents` and the regression test.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.intent_model import DEFAULT_MODEL_PATH, fit_intent_model
from assistant.intents import FLAG_LABELS, MODEL_LABELS, IntentClassifier
from assistant.types import INTENT_LABELS, Intents
from knowledge.embedder import Embedder

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "evals" / "data" / "intents"
METRICS_PATH = DATA_DIR / "metrics.json"
NEAR_DUPLICATES_PATH = DATA_DIR / "near_duplicates.json"
HINT3_DIR = REPO.parent / "shared" / "evaldata" / "hint3-sofmattress"
NEAR_DUPLICATE_COSINE = 0.95
SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    wants_human: bool
    out_of_scope: bool

    def truth(self) -> dict[str, bool]:
        flags = {"wants_human": self.wants_human, "out_of_scope": self.out_of_scope}
        return {label: label in self.labels for label in INTENT_LABELS} | flags


def excluded_texts() -> set[str]:
    """Test messages dropped as near-duplicates of a train message (listed in near_duplicates.json)."""
    if not NEAR_DUPLICATES_PATH.exists():
        return set()
    return {row["text"] for row in json.loads(NEAR_DUPLICATES_PATH.read_text())["excluded_from_test"]}


def load_split(split: str) -> list[Example]:
    rows = [json.loads(line) for line in (DATA_DIR / f"{split}.jsonl").read_text().splitlines() if line]
    drop = excluded_texts() if split == "test" else set()
    return [
        Example(r["text"], tuple(r["labels"]), bool(r["wants_human"]), bool(r["out_of_scope"]))
        for r in rows
        if r["text"] not in drop
    ]


def targets(examples: Sequence[Example]) -> np.ndarray:
    return np.array([[e.truth()[label] for label in MODEL_LABELS] for e in examples], dtype=int)


def data_hash(splits: Sequence[str] = ("train", "dev")) -> str:
    digest = hashlib.sha256()
    for split in splits:
        digest.update((DATA_DIR / f"{split}.jsonl").read_bytes())
    return digest.hexdigest()


def prf(predicted: Sequence[bool], truth: Sequence[bool]) -> dict[str, float]:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    n_predicted, n_true = sum(predicted), sum(truth)
    precision = tp / n_predicted if n_predicted else 0.0
    recall = tp / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "support": n_true,
    }


def predicted_flags(intents: Intents) -> dict[str, bool]:
    flags = {"wants_human": intents.wants_human, "out_of_scope": intents.out_of_scope}
    return {label: label in intents.labels for label in INTENT_LABELS} | flags


def score(predictions: Sequence[Intents], examples: Sequence[Example]) -> dict:
    """Per-label precision/recall/F1 (intents and flags), macro-F1 over the three intents."""
    per_label = {
        label: prf([predicted_flags(p)[label] for p in predictions], [e.truth()[label] for e in examples])
        for label in MODEL_LABELS
    }
    exact = sum(
        set(p.labels) == set(e.labels) and predicted_flags(p) == e.truth()
        for p, e in zip(predictions, examples, strict=True)
    )
    return {
        "messages": len(examples),
        "macro_f1": round(float(np.mean([per_label[label]["f1"] for label in INTENT_LABELS])), 4),
        "labels": per_label,
        "exact_match": round(exact / len(examples), 4) if examples else 0.0,
    }


def evaluate(
    classifier: IntentClassifier, examples: Sequence[Example], vectors: np.ndarray | None = None
) -> dict:
    vectors_or_none = list(vectors) if vectors is not None else [None] * len(examples)
    predictions = [classifier.classify(e.text, v) for e, v in zip(examples, vectors_or_none, strict=True)]
    classifiers = Counter(p.classifier for p in predictions)
    return score(predictions, examples) | {
        "classifier": classifiers.most_common(1)[0][0] if classifiers else "",
        "fallbacks": sum("(fallback" in p.classifier for p in predictions),  # LLM failures answered by logreg
    }


def embed_split(embedder: Embedder, split: str) -> tuple[list[Example], np.ndarray]:
    examples = load_split(split)
    return examples, embedder.embed([e.text for e in examples])


def train(
    embedder: Embedder, out: Path = DEFAULT_MODEL_PATH, metrics_out: Path | None = METRICS_PATH
) -> dict:
    """Fit on train, tune thresholds on dev, score dev and test, write the model (and the metrics file)."""
    from assistant.intent_model import LogRegIntentClassifier

    (train_ex, train_v), (dev_ex, dev_v), (test_ex, test_v) = (embed_split(embedder, s) for s in SPLITS)
    model = fit_intent_model(
        [e.text for e in train_ex],
        train_v,
        targets(train_ex),
        ([e.text for e in dev_ex], dev_v, targets(dev_ex)),
    )
    classifier = LogRegIntentClassifier(model)
    metrics = {
        "classifier": model.name,
        "thresholds": model.thresholds,
        "dev": evaluate(classifier, dev_ex, dev_v),
        "test": evaluate(classifier, test_ex, test_v),
    }
    model.meta |= {
        "embedding_model": getattr(embedder, "name", ""),
        "training_data_sha256": data_hash(("train", "dev")),
        "test_data_sha256": data_hash(("test",)),
        "metrics": {
            split: {k: metrics[split][k] for k in ("macro_f1", "labels")} for split in ("dev", "test")
        },
    }
    model.save(out)
    if metrics_out is not None:
        metrics_out.write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def near_duplicates(embedder: Embedder, threshold: float = NEAR_DUPLICATE_COSINE) -> dict:
    """For each dev/test message, its highest cosine similarity to any train message."""
    train_texts = [e.text for e in load_split("train")]
    train_v = embedder.embed(train_texts)
    report: dict = {"threshold": threshold, "splits": {}, "excluded_from_test": []}
    for split in ("dev", "test"):
        rows = [json.loads(line) for line in (DATA_DIR / f"{split}.jsonl").read_text().splitlines() if line]
        similarity = embedder.embed([r["text"] for r in rows]) @ train_v.T
        best = similarity.max(axis=1)
        order = np.argsort(-best, kind="stable")
        report["splits"][split] = {
            "max_cosine": round(float(best.max()), 4),
            "over_threshold": int((best > threshold).sum()),
            "closest": [
                {
                    "text": rows[i]["text"],
                    "train": train_texts[int(similarity[i].argmax())],
                    "cosine": round(float(best[i]), 4),
                }
                for i in order[:5]
            ],
        }
        if split == "test":  # deterministic: every test message over the threshold, in file order
            report["excluded_from_test"] = [
                {"text": rows[i]["text"], "cosine": round(float(best[i]), 4)}
                for i in np.flatnonzero(best > threshold)
            ]
    return report


def read_hint3(name: str = "sofmattress_test.csv") -> list[tuple[str, str]]:
    with (HINT3_DIR / name).open(newline="", encoding="utf-8") as handle:
        return [(row["sentence"], row["label"]) for row in csv.DictReader(handle)]


# Our mapping, not HINT3's: the bot's lead-generation topic ("call me", "connect to agent") is a request for a
# person. No topic is mapped onto clarification / confirmation / confidence: topics are not intents.
HINT3_WANTS_HUMAN_TOPIC = "LEAD_GEN"
HINT3_UNCOVERED = "NO_NODES_DETECTED"


def hint3(classifier: IntentClassifier, embedder: Embedder) -> dict:
    rows = read_hint3()
    vectors = embedder.embed([text for text, _ in rows])
    predictions = [classifier.classify(text, v) for (text, _), v in zip(rows, vectors, strict=True)]
    topics = [topic for _, topic in rows]

    def tags(p: Intents) -> list[str]:
        return [*p.labels, *(flag for flag in FLAG_LABELS if getattr(p, flag))]

    by_topic: dict[str, Counter] = {}
    for p, topic in zip(predictions, topics, strict=True):
        by_topic.setdefault(topic, Counter()).update(tags(p) or ["(none)"])
    return {
        "messages": len(rows),
        "classifier": predictions[0].classifier if predictions else "",
        "predicted": dict(Counter(tag for p in predictions for tag in tags(p)).most_common()),
        "combinations": dict(Counter("+".join(tags(p)) or "(none)" for p in predictions).most_common()),
        "out_of_scope_vs_no_nodes": prf(
            [p.out_of_scope for p in predictions], [t == HINT3_UNCOVERED for t in topics]
        ),
        "wants_human_vs_lead_gen": prf(
            [p.wants_human for p in predictions], [t == HINT3_WANTS_HUMAN_TOPIC for t in topics]
        ),
        "by_topic": {topic: dict(counts.most_common()) for topic, counts in sorted(by_topic.items())},
    }


def format_report(report: dict) -> str:
    """The metrics of one split as a plain table."""
    lines = [
        f"{report['classifier']}: {report['messages']} messages",
        f"{'label':15s} {'P':>6s} {'R':>6s} {'F1':>6s} {'n':>5s}",
    ]
    for label, m in report["labels"].items():
        lines.append(f"{label:15s} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:5d}")
        if label == INTENT_LABELS[-1]:
            lines.append(f"{'macro-F1 (3 intents)':21s} {report['macro_f1']:13.3f}")
    lines.append(f"exact match (all labels and flags): {report['exact_match']:.3f}")
    if report.get("fallbacks"):
        lines.append(f"messages answered by the fallback classifier: {report['fallbacks']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    from assistant.settings import Settings
    from assistant.wiring import build_intent_classifier
    from knowledge.embedder import SentenceTransformerEmbedder

    parser = argparse.ArgumentParser(prog="python -m evals.intents")
    parser.add_argument("command", choices=["train", "eval", "neardup", "hint3"])
    parser.add_argument("--split", default="test", choices=SPLITS)
    args = parser.parse_args(argv)
    embedder = SentenceTransformerEmbedder()
    if args.command == "train":
        print(json.dumps(train(embedder), indent=2))
    elif args.command == "neardup":
        report = json.dumps(near_duplicates(embedder), indent=2, ensure_ascii=False) + "\n"
        NEAR_DUPLICATES_PATH.write_text(report, encoding="utf-8")
        print(report, end="")
    else:
        classifier = build_intent_classifier(Settings(), embedder)
        if args.command == "hint3":
            print(json.dumps(hint3(classifier, embedder), indent=2, ensure_ascii=False))
        else:
            print(format_report(evaluate(classifier, *embed_split(embedder, args.split))))


if __name__ == "__main__":
    main(sys.argv[1:])
