"""Deal-brief extraction measured on the team's scripted conversations (evals/data/deal_briefs).

    python -m evals.deal_briefs --split dev --errors   # tune rules here: figures and every miss on dev
    python -m evals.deal_briefs --split test           # report: figures only (misses on test stay hidden)
    python -m evals.deal_briefs --write                # both splits into evals/data/deal_briefs/metrics.json

Every conversation goes through the real stores: a real SQLite database, the buyer's messages, and stored
answers shaped by `Answer.as_dict()` whose intents come from the shipped intent model on the real
embeddings, and whose verdicts and per-claim verdicts come from the script. The brief is then read back
with `DealBriefs.brief_for`, exactly as the rep console would.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.deals.brief import DealBriefs
from assistant.deals.contacts import ContactBook
from assistant.deals.types import DealBrief
from assistant.intents import IntentClassifier
from assistant.outcomes import Outcome, Reason, ReasonCode
from assistant.storage.conversations import ConversationStore
from assistant.storage.database import Database
from assistant.types import Answer, Intents
from knowledge.embedder import Embedder

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "evals" / "data" / "deal_briefs"
DATA_FILE = DATA_DIR / "conversations.jsonl"
METRICS_PATH = DATA_DIR / "metrics.json"
SYNTHETIC_CONSENT = "Synthetic conversation: consent recorded for the evaluation only."
# The batches conversations.jsonl holds, in the order they were written (README): a new batch is added here.
BATCHES = (1, 2, 3, 4, 5, 6)


def split_of(conversation_id: str) -> str:
    """dev or test, by the first byte of the id's SHA-256: deterministic, and independent of file order."""
    return "dev" if hashlib.sha256(conversation_id.encode()).digest()[0] % 2 == 0 else "test"


def load(split: str = "all", path: Path = DATA_FILE, *, batch: int | None = None) -> list[dict[str, Any]]:
    """The conversations of a split; `batch` 2 = those written after the rules were first frozen."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        row
        for row in rows
        if (split == "all" or split_of(row["id"]) == split) and batch in (None, row.get("batch", 1))
    ]


def scripted_payload(turn: dict[str, Any], intents: Intents) -> dict[str, Any]:
    """The stored answer of one scripted turn: real intents, scripted verdicts."""
    verdict = turn.get("verdict")
    claims = turn.get("claims") or []
    undocumented = verdict == "not_documented" or any(c["verdict"] == "not_documented" for c in claims)
    handoff = bool(turn.get("handoff", undocumented))
    if not handoff:
        reasons = []
    elif undocumented:
        reasons = [Reason(ReasonCode.CONFIRMATION_NOT_DOCUMENTED, "scripted")]
    else:
        reasons = [Reason(ReasonCode.HUMAN_REQUESTED, "scripted")]  # handed off, not for a knowledge gap
    answer = Answer(
        text="(scripted answer)",
        citations=[],
        outcome=Outcome.HANDED_OFF if handoff else Outcome.ANSWERED,
        reasons=reasons,
        confidence=0.3 if handoff else 0.8,
        intents=intents,
        verdict=verdict,
        composer="scripted",
    )
    payload = answer.as_dict()
    if claims:
        payload["claims"] = claims
    return payload


@dataclass
class Loaded:
    conversation_id: str
    turn_message_ids: list[int]  # the buyer message id of each scripted turn


def classify_all(
    rows: list[dict[str, Any]], classifier: IntentClassifier, embedder: Embedder | None
) -> list[Intents]:
    """Every scripted buyer message through the intent model, embedded in one batch when an embedder is given."""
    texts = [turn["buyer"] for row in rows for turn in row["turns"]]
    if embedder is None:
        return [classifier.classify(text) for text in texts]
    return [
        classifier.classify(text, vector) for text, vector in zip(texts, embedder.embed(texts), strict=True)
    ]


def store(
    db: Database, rows: list[dict[str, Any]], classifier: IntentClassifier, embedder: Embedder | None = None
) -> dict[str, Loaded]:
    intents = iter(classify_all(rows, classifier, embedder))
    conversations = ConversationStore(db)
    contacts = ContactBook(db)
    loaded: dict[str, Loaded] = {}
    for row in rows:
        conversation_id = conversations.start()
        ids = []
        for turn in row["turns"]:
            ids.append(conversations.add(conversation_id, "buyer", turn["buyer"]))
            conversations.add(
                conversation_id,
                "assistant",
                "(scripted answer)",
                payload=scripted_payload(turn, next(intents)),
            )
        if row.get("contact"):
            contact = row["contact"]
            contacts.leave(
                conversation_id,
                name=contact["name"],
                email=contact["email"],
                company=contact.get("company", ""),
                consent_text=SYNTHETIC_CONSENT,
                consented=True,
            )
        loaded[row["id"]] = Loaded(conversation_id, ids)
    return loaded


@dataclass
class Tally:
    predicted: int = 0
    expected: int = 0
    correct: int = 0

    def add(self, predicted: set, expected: set) -> set:
        hits = predicted & expected
        self.predicted += len(predicted)
        self.expected += len(expected)
        self.correct += len(hits)
        return hits

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "precision": round(self.correct / self.predicted, 4) if self.predicted else None,
            "recall": round(self.correct / self.expected, 4) if self.expected else None,
            "predicted": self.predicted,
            "expected": self.expected,
            "correct": self.correct,
        }


@dataclass
class Score:
    stakeholders: Tally = field(default_factory=Tally)  # (role, turn)
    stakeholders_with_stance: Tally = field(default_factory=Tally)  # (role, turn, stance)
    concerns: Tally = field(default_factory=Tally)  # (topic, turn)
    claims: Tally = field(default_factory=Tally)  # (turn, verdict, text)
    readiness: Counter = field(default_factory=Counter)  # (expected, predicted)
    dominant: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        total = sum(self.readiness.values())
        return {
            "conversations": total,
            "stakeholders": self.stakeholders.as_dict(),
            "stakeholders_with_stance": self.stakeholders_with_stance.as_dict(),
            "concerns": self.concerns.as_dict(),
            "claims": self.claims.as_dict(),
            "readiness_accuracy": round(sum(n for (e, p), n in self.readiness.items() if e == p) / total, 4),
            "readiness_confusion": {f"{e} -> {p}": n for (e, p), n in sorted(self.readiness.items())},
            "dominant_intent_accuracy": round(
                sum(n for (e, p), n in self.dominant.items() if e == p) / total, 4
            ),
        }


def predicted_items(brief: DealBrief, turn_of: dict[int, int]) -> dict[str, set]:
    mentions = {}
    for person in brief.stakeholders:
        for mention in person.mentions:
            mentions[(person.role_key, turn_of[mention.message_id])] = mention.stance.value
    return {
        "stakeholders": set(mentions),
        "stakeholders_with_stance": {(role, turn, stance) for (role, turn), stance in mentions.items()},
        "concerns": {(c.topic.value, turn_of[c.message_id]) for c in brief.concerns},
        "claims": {(turn_of[c.message_id], c.verdict.value, c.text) for c in brief.claims},
    }


def expected_items(row: dict[str, Any], brief: DealBrief, turn_of: dict[int, int]) -> dict[str, set]:
    expected = row["expected"]
    # A claim checked through the answer's single verdict is the buyer's question: its text is the brief's.
    texts = {turn_of[c.message_id]: c.text for c in brief.claims}
    return {
        "stakeholders": {(s["role"], s["turn"]) for s in expected["stakeholders"]},
        "stakeholders_with_stance": {(s["role"], s["turn"], s["stance"]) for s in expected["stakeholders"]},
        "concerns": {(c["topic"], c["turn"]) for c in expected["concerns"]},
        "claims": {
            (c["turn"], c["verdict"], c.get("text") or texts.get(c["turn"], "")) for c in expected["claims"]
        },
    }


def evaluate(
    rows: list[dict[str, Any]],
    classifier: IntentClassifier,
    *,
    keep_errors: bool,
    embedder: Embedder | None = None,
) -> Score:
    score = Score()
    with tempfile.TemporaryDirectory() as home:
        db = Database(f"sqlite:///{Path(home) / 'deal_briefs.sqlite3'}")
        try:
            loaded = store(db, rows, classifier, embedder)
            briefs = DealBriefs(db)
            for row in rows:
                item = loaded[row["id"]]
                turn_of = {message_id: index for index, message_id in enumerate(item.turn_message_ids)}
                brief = briefs.brief_for(item.conversation_id)
                predicted = predicted_items(brief, turn_of)
                expected = expected_items(row, brief, turn_of)
                for name in ("stakeholders", "stakeholders_with_stance", "concerns", "claims"):
                    getattr(score, name).add(predicted[name], expected[name])
                    if keep_errors:
                        for extra in sorted(predicted[name] - expected[name], key=str):
                            score.errors.append(f"{row['id']}: extra {name} {extra}")
                        for missed in sorted(expected[name] - predicted[name], key=str):
                            score.errors.append(f"{row['id']}: missed {name} {missed}")
                level = brief.readiness.level.value
                score.readiness[(row["expected"]["readiness"], level)] += 1
                score.dominant[(row["expected"]["dominant"], brief.profile.dominant)] += 1
                if keep_errors and level != row["expected"]["readiness"]:
                    score.errors.append(
                        f"{row['id']}: readiness {level}, expected {row['expected']['readiness']}"
                    )
        finally:
            db.dispose()
    return score


def default_classifier() -> tuple[IntentClassifier, Embedder]:
    from assistant.intent_model import DEFAULT_MODEL_PATH, LogRegIntentClassifier
    from knowledge.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    return LogRegIntentClassifier.load(DEFAULT_MODEL_PATH, embedder), embedder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--batch", type=int, choices=BATCHES, help="Only conversations of this batch.")
    parser.add_argument("--errors", action="store_true", help="List every miss (dev only).")
    parser.add_argument("--write", action="store_true", help=f"Score both splits into {METRICS_PATH.name}.")
    args = parser.parse_args(argv)
    classifier, embedder = default_classifier()
    if args.write:
        metrics = {
            split: evaluate(load(split), classifier, keep_errors=False, embedder=embedder).as_dict()
            for split in ("dev", "test")
        }
        for batch in BATCHES:  # later batches were written after earlier rules were frozen
            rows = load("test", batch=batch)
            metrics[f"test_batch_{batch}"] = evaluate(
                rows, classifier, keep_errors=False, embedder=embedder
            ).as_dict()
        METRICS_PATH.write_text(json.dumps(metrics, indent=2) + "\n")
        print(json.dumps(metrics, indent=2))
        return 0
    if args.errors and args.split != "dev":
        parser.error("misses are listed for dev only: rules are tuned on dev, test is held back")
    score = evaluate(
        load(args.split, batch=args.batch), classifier, keep_errors=args.errors, embedder=embedder
    )
    print(json.dumps(score.as_dict(), indent=2))
    for line in score.errors:
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
