"""Per-claim verdict figures on the confirmations dataset (evals/data/confirmations/).

Each gold claim is matched to the answer's claim that shares most of its content words (one answer
claim per gold claim). Per gold claim the outcome is:
- correct: the same verdict (a yes with conditions must be given as one);
- wrong: a yes / yes with conditions / no that is not the expected verdict, including any yes or no on a
  claim the documents do not settle ("not documented"), and a plain yes where the documents attach a
  condition (a false promise);
- abstained: everything else (not settled, no verdict, "not documented" on a documented claim, a
  condition too many on a plain yes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from assistant.sentences import content_terms
from assistant.types import ClaimVerdict
from evals.confirmation_data import Confirmation, GoldClaim, load_confirmations

VERDICTS_FILE = "verdicts.jsonl"

PREDICTED = ("yes", "yes_with_conditions", "no", "not_documented", "abstain")
EXPECTED = ("yes", "yes_with_conditions", "no", "not_documented")
YES = ("yes", "yes_with_conditions")


def match_claims(gold: Sequence[GoldClaim], predicted: Sequence[ClaimVerdict]) -> list[ClaimVerdict | None]:
    """For each gold claim, the answer claim judged for it (None when the answer has none left)."""
    if len(gold) == 1 and len(predicted) == 1:
        return [predicted[0]]
    pairs = []
    for g, gold_claim in enumerate(gold):
        wanted = content_terms(gold_claim.text)
        for p, claim in enumerate(predicted):
            have = content_terms(claim.claim)
            overlap = len(wanted & have) / (len(wanted | have) or 1)
            if overlap > 0:
                pairs.append((overlap, g, p))
    matched: list[ClaimVerdict | None] = [None] * len(gold)
    used: set[int] = set()
    for _, g, p in sorted(pairs, reverse=True):
        if matched[g] is None and p not in used:
            matched[g] = predicted[p]
            used.add(p)
    return matched


def outcome(expected: str, given: str) -> str:
    if given == expected:
        return "correct"
    if given in YES and expected == "yes" and given == "yes_with_conditions":
        return "abstained"
    if given in (*YES, "no"):
        return "wrong"
    return "abstained"


def score_record(record: Confirmation, predicted: Sequence[ClaimVerdict]) -> list[dict]:
    rows = []
    for gold, claim in zip(record.claims, match_claims(record.claims, predicted), strict=True):
        given = claim.verdict if claim is not None else "abstain"
        rows.append(
            {
                "id": record.id,
                "split": record.split,
                "kb": record.kb,
                "claim": gold.text,
                "expected": gold.verdict,
                "given": given,
                "outcome": outcome(gold.verdict, given),
                "answer_claim": claim.claim if claim else "",
                "evidence": claim.evidence if claim else "",
                "reason": claim.reason if claim else "no claim matched",
            }
        )
    return rows


def verdict_figures(rows: Sequence[dict]) -> dict:
    """The per-claim figures and the confusion table (expected → given → count)."""
    n = len(rows)
    counts = Counter(row["outcome"] for row in rows)
    confusion = {e: {g: 0 for g in PREDICTED} for e in EXPECTED}
    for row in rows:
        confusion[row["expected"]][row["given"]] += 1
    share = (lambda k: round(counts[k] / n, 4)) if n else (lambda k: None)
    return {
        "verdict_claims": n,
        "verdict_correct": share("correct"),
        "verdict_wrong": share("wrong"),
        "verdict_abstained": share("abstained"),
        "verdict_confusion": confusion,
    }


def kb_name(kb_dir: str | Path) -> str:
    """Which knowledge base a folder is, in the dataset's terms: the bundled samples are "sample", a
    shared set's kb/ folder is named by its parent ("samsung-s10")."""
    folder = Path(kb_dir).resolve()
    if folder.name == "samples":
        return "sample"
    return folder.parent.name if folder.name == "kb" else folder.name


def select(path: str | Path, kb: str, split: str = "test") -> list[Confirmation]:
    if split not in ("dev", "test", "all"):
        raise ValueError(f"unknown confirmations split {split!r}: dev, test or all")
    return [r for r in load_confirmations(path) if r.kb == kb and (split == "all" or r.split == split)]


def ask_confirmations(assistant, records: Sequence[Confirmation]) -> list[dict]:
    """Every record asked through the assistant (with its earlier turns), scored per gold claim."""
    rows = []
    for record in records:
        answer = assistant.ask(record.question, history=record.history)
        rows.extend(score_record(record, answer.claim_verdicts))
    return rows


def run_confirmations(kb_dir: str | Path, dataset: str | Path, split: str = "dev") -> list[dict]:
    """The confirmations of one split about `kb_dir`, asked through an assistant on throw-away stores
    (no sample-question eval: the fast path for tuning the verdict rules)."""
    import tempfile

    from assistant.settings import Settings
    from assistant.wiring import build_assistant, build_knowledge, build_syncer

    records = select(dataset, kb_name(kb_dir), split)
    with tempfile.TemporaryDirectory(prefix="lastmile-confirm-", ignore_cleanup_errors=True) as home:
        settings = Settings().embedded_under(Path(home))
        kb = build_knowledge(settings)
        try:
            build_syncer(settings, kb).sync([kb_dir])
            return ask_confirmations(build_assistant(settings, kb=kb), records)
        finally:
            kb.close()


def _main() -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser(
        description="Per-claim verdict figures on one split of the confirmations."
    )
    parser.add_argument("--kb", default="knowledge/samples")
    parser.add_argument("--dataset", default="evals/data/confirmations")
    parser.add_argument("--split", default="dev", choices=("dev", "test", "all"))
    parser.add_argument("--errors", action="store_true", help="list wrong and abstained claims with evidence")
    parser.add_argument("--out", help="write the scored rows here (JSONL)")
    args = parser.parse_args()
    rows = run_confirmations(args.kb, args.dataset, args.split)
    if args.out:
        Path(args.out).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    if args.errors:
        for kind in ("wrong", "abstained"):
            for row in (r for r in rows if r["outcome"] == kind):
                print(f"{kind.upper()} {row['id']} expected {row['expected']}, given {row['given']}")
                print(f"  claim: {row['claim']}  |  judged: {row['answer_claim']}")
                print(f"  evidence: {row['evidence']}  |  reason: {row['reason']}")
    figures = verdict_figures(rows)
    print(
        f"{args.split}: {figures['verdict_claims']} claims, correct {figures['verdict_correct']}, "
        f"wrong {figures['verdict_wrong']}, abstained {figures['verdict_abstained']}"
    )


if __name__ == "__main__":
    _main()
