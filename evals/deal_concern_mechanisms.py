"""Concern precision by mechanism, on text the rules were not tuned on (issue #17).

The dev split is fitted (every batch's dev half tuned the word lists), so dev figures say nothing about which
parts of the concern extractor are imprecise on new text. But each batch was written before the rules were
tuned on it: the extractor of the commit before that tuning is *untuned* on the batch's dev half. This runs
each such old extractor on its batch's dev half only (never the test split), scores it with today's labels and
the eval's matching rule (a predicted (topic, turn) is right when a labelled concern has the same topic and
turn), pools the predictions, and tells by which mechanism each was made:

- place: the worry cue and the topic in one clause; in one sentence but another clause; the topic's sentence
  borrowing a worry that names no topic from the sentence next to it; or (first extractor only) from any
  worried sentence of the message;
- how many topics the worried sentence yields (one, or several) and whether this one sits in a worried clause;
- the worry cue's family (explicit worry word, requirement, bad experience, question form, price) and the topic.

    python -m evals.deal_concern_mechanisms              # pooled untuned batches 2-6, and today's extractor
    python -m evals.deal_concern_mechanisms --variants   # what a structural restriction would have done

Each old extractor runs in a subprocess on `git archive <commit> assistant`; the rows it sees are chosen here,
dev only. The same code runs today's extractor on the same conversations for contrast (tuned: near-perfect).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# batch -> the commit whose tree is the extractor before that batch's dev half tuned it (README, git log).
UNTUNED = {2: "738c8c3", 3: "61b6bfe", 4: "032eb52", 5: "c255b6d", 6: "b29af9c"}
# Clause boundaries used to *describe* every version's predictions alike (today's extractor's).
CLAUSE = re.compile(
    r"[,;:]\s+|\s+[-\u2013\u2014]\s+|\s+(?:and|but|so|because)\s+(?=(?:the|our|we|i|they|it|my|their|that)\b)",
    re.IGNORECASE,
)
# The family of the worry cue that fired, by its matched words; the first family that matches wins.
CUE_FAMILIES = [
    ("question", r"what happens|realistic|the catch|hidden|surprise"),
    (
        "price",
        r"too expensive|over budget|overpa|stretch|can afford|afford|los\w+ (?:real )?money",
    ),
    (
        "requirement",
        r"must|mandatory|won'?t|will not|non-?negotiable|deal[- ]?breaker|hard (?:requirement|rule)|can only|"
        r"cannot|can'?t|rules you out|reject|subject to|regulator|non-?starter|don'?t want|make or break|"
        r"unacceptable",
    ),
    (
        "experience",
        r"burn|bitten|badly|nightmare|painful|had|have|having|with|suffered|experienced|broke|lost|stuck|drag|"
        r"fined|penalt|fell|fall|unnoticed|noticed|stopped|fed up|let|caught out|cited|killed|took|end|missed|"
        r"crawl|disaster|frustrat|waiting to happen|bother|impossible|don'?t have|do not have",
    ),
    ("worry", r"."),
]


# ---- worker: runs inside one extractor's tree (PYTHONPATH), reads rows on stdin, writes records -----------


def _cue_matches(module: Any, text: str) -> list[str]:
    """Every worry cue that counts in `text`, as the module's own `worried` would read them."""
    if not hasattr(module, "worried"):  # the first extractor: any cue, unless reassured
        return [] if module.REASSURED.search(text) else [m.group(0) for m in module.WORRY.finditer(text)]
    if module.REASSURED.search(text):
        return []
    text = module.NOT_A_WORRY.sub(lambda match: " " * len(match.group(0)), text)
    cues = []
    for match in module.WORRY.finditer(text):
        before = text[: match.start()]
        if module._NEGATED.search(before) and module._REASSURING.match(match.group(0)):
            continue
        if module._REFUSAL.fullmatch(match.group(0)) and module._THING_SUBJECT.search(before):
            continue
        cues.append(match.group(0))
    return cues


def _derivations(module: Any, sentences: Any, text: str, variant: str) -> list[dict[str, Any]]:
    """Every way the extractor (with a structural `variant`) makes a concern of this message, in its order."""
    worried = getattr(module, "worried", None) or (lambda s: bool(_cue_matches(module, s)))
    parts = sentences(text)
    worry = [worried(p) for p in parts]

    def own_topics(p: str) -> list[Any]:  # the topics named in a worried clause of p
        clauses = [c for c in CLAUSE.split(p) if c.strip()]
        found = {t for c in clauses if worried(c) for t in module.sentence_topics(c)}
        return [t for t in module.sentence_topics(p) if t in found]

    topics = []
    for i, p in enumerate(parts):
        if module.REASSURED.search(p):
            topics.append([])
        elif worry[i] and variant == "same_clause":
            topics.append(own_topics(p))
        elif worry[i] and hasattr(module, "worry_topics"):
            topics.append(module.worry_topics(p))
        else:
            topics.append(module.sentence_topics(p))
    out = []
    for index, topic_list in enumerate(topics):
        if worry[index]:
            source = index
        elif not hasattr(module, "worried"):  # first extractor: the nearest worried sentence, anywhere
            if not any(worry) or variant == "no_neighbour":
                continue
            source = min((i for i, w in enumerate(worry) if w), key=lambda i: (abs(i - index), -i))
        else:
            near = [i for i in (index - 1, index + 1) if 0 <= i < len(parts) and worry[i] and not topics[i]]
            if not near or variant == "no_neighbour":
                continue
            source = near[0]
        ordered = sorted(topic_list, key=lambda t: module.TOPIC_PATTERNS[t].search(parts[index]).start())
        if variant == "one_per_sentence" and source == index:  # the first topic in the text only
            topic_list = ordered[:1]
        in_clause = set(own_topics(parts[index])) if source == index else set()
        for topic in topic_list:
            if source == index:
                place = "clause" if topic in in_clause else "sentence"
            elif abs(source - index) == 1 and not topics[source]:
                place = "neighbour"
            else:
                place = "other sentence"
            out.append(
                {
                    "topic": topic.value,
                    "sentence": parts[index],
                    "worry_sentence": parts[source],
                    "place": place,
                    "n_topics": len(topic_list),
                    "rank": ordered.index(topic) + 1,
                    "cues": _cue_matches(module, parts[source]),
                }
            )
    return out


def worker(variants: list[str]) -> None:
    module = importlib.import_module("assistant.deals.concerns")
    turns_module = importlib.import_module("assistant.deals.turns")
    rows = json.load(sys.stdin)
    records = []
    for row in rows:
        for turn_index, turn in enumerate(row["turns"]):
            text = turn["buyer"]
            shipped = {c.topic.value for c in module.turn_concerns(turns_module.BuyerTurn(1, text))}
            for variant in variants:
                seen: dict[str, dict[str, Any]] = {}
                for derivation in _derivations(module, turns_module.sentences, text, variant):
                    seen.setdefault(derivation["topic"], derivation)  # one concern per topic per message
                if variant == "base" and set(seen) != shipped:  # the re-implementation must be the extractor
                    raise SystemExit(
                        f"mismatch on {row['id']} turn {turn_index}: {sorted(seen)} {sorted(shipped)}"
                    )
                for derivation in seen.values():
                    records.append({"id": row["id"], "turn": turn_index, "variant": variant, **derivation})
    json.dump(records, sys.stdout)


# ---- driver -------------------------------------------------------------------------------------------------


def run_extractor(tree: Path, rows: list[dict[str, Any]], variants: list[str]) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        "--variant-list",
        ",".join(variants),
    ]
    result = subprocess.run(
        command, input=json.dumps(rows), capture_output=True, text=True, env=env, cwd=tree
    )
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout)


def untuned_records(
    variants: list[str], *, every: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(records of each batch's untuned extractor on its dev half, records of today's on the same rows).
    `every`: every extractor older than the batch's tuning, not only the last; a prediction several of them
    make counts once, described as the newest of them made it."""
    from evals.deal_briefs import load

    old: list[dict[str, Any]] = []
    rows_all: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as home:
        for commit in dict.fromkeys(UNTUNED.values()):
            tree = Path(home) / commit
            tree.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(REPO), "archive", commit, "assistant"], capture_output=True, check=True
            )
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        for batch, commit in UNTUNED.items():
            rows = load("dev", batch=batch)  # dev only: the test split stays unseen
            rows_all.extend(rows)
            commits = [UNTUNED[b] for b in UNTUNED if b <= batch] if every else [commit]
            kept: dict[tuple, dict[str, Any]] = {}
            for version in commits:  # oldest first: the newest extractor's description wins
                for record in run_extractor(Path(home) / version, rows, variants):
                    key = (record["variant"], record["id"], record["turn"], record["topic"])
                    kept[key] = {**record, "batch": batch, "commit": version}
            old.extend(kept.values())
    gold = {(r["id"], c["topic"], c["turn"]) for r in rows_all for c in r["expected"]["concerns"]}
    batch_of = {r["id"]: r.get("batch", 1) for r in rows_all}
    now = [
        {**r, "batch": batch_of[r["id"]], "commit": "today"} for r in run_extractor(REPO, rows_all, variants)
    ]
    for record in old + now:
        record["correct"] = (record["id"], record["topic"], record["turn"]) in gold
    return old, now


def cue_family(cue: str) -> str:
    for family, pattern in CUE_FAMILIES:
        if re.search(pattern, cue, re.IGNORECASE):
            return family
    return "worry"


def mechanisms(record: dict[str, Any]) -> dict[str, str]:
    cues = record["cues"]
    several = record["n_topics"] > 1 and record["place"] in ("clause", "sentence")
    return {
        "place": record["place"],
        "topics in the worried sentence": (
            "not its own sentence"
            if record["place"] not in ("clause", "sentence")
            else f"one of {record['n_topics']}, in a worried clause"
            if several and record["place"] == "clause"
            else f"one of {record['n_topics']}, not in a worried clause"
            if several
            else "the only one"
        ),
        "first cue family": cue_family(cues[0]) if cues else "none",
        "cue families fired": "+".join(sorted({cue_family(c) for c in cues})) or "none",
        "topic": record["topic"],
        "batch": str(record["batch"]),
    }


def table(records: list[dict[str, Any]]) -> dict[str, dict[str, tuple[int, int]]]:
    """{dimension: {value: (correct, predicted)}}"""
    out: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for record in records:
        for dimension, value in mechanisms(record).items():
            out[dimension][value][0] += record["correct"]
            out[dimension][value][1] += 1
        out["all"]["all"][0] += record["correct"]
        out["all"]["all"][1] += 1
    return {d: {v: (c, n) for v, (c, n) in values.items()} for d, values in out.items()}


def _fmt(cell: tuple[int, int] | None) -> str:
    if not cell or not cell[1]:
        return "-"
    correct, n = cell
    return f"{correct / n:.2f} ({correct}/{n})"


def print_tables(old: list[dict[str, Any]], now: list[dict[str, Any]]) -> None:
    untuned, today = table(old), table(now)
    print("| dimension | value | untuned (fresh) P | today's extractor (tuned) P |")
    print("|---|---|---|---|")
    for dimension in ["all", *[d for d in untuned if d != "all"]]:
        for value in sorted(set(untuned.get(dimension, {})) | set(today.get(dimension, {}))):
            u, t = untuned.get(dimension, {}).get(value), today.get(dimension, {}).get(value)
            print(f"| {dimension} | {value} | {_fmt(u)} | {_fmt(t)} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--variant-list", default="base", help=argparse.SUPPRESS)
    parser.add_argument("--variants", action="store_true", help="Also score structural restrictions.")
    parser.add_argument(
        "--every", action="store_true", help="Pool every extractor older than a batch's tuning."
    )
    parser.add_argument("--list", action="store_true", help="Print every pooled prediction (dev only).")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.variant_list.split(","))
        return 0
    variants = ["base", "no_neighbour", "same_clause", "one_per_sentence"] if args.variants else ["base"]
    old, now = untuned_records(variants, every=args.every)
    print_tables([r for r in old if r["variant"] == "base"], [r for r in now if r["variant"] == "base"])
    if args.variants:
        print(
            "\n| variant | untuned (fresh) P / correct / predicted | today's extractor on the same dev rows |"
        )
        print("|---|---|---|")
        for variant in variants:
            u = [r for r in old if r["variant"] == variant]
            t = [r for r in now if r["variant"] == variant]
            cu, ct = sum(r["correct"] for r in u), sum(r["correct"] for r in t)
            print(f"| {variant} | {_fmt((cu, len(u)))} | {_fmt((ct, len(t)))} |")
    if args.list:  # every pooled dev prediction, untuned then today's
        for r in [*old, *now]:
            if r["variant"] == "base":
                other = r["worry_sentence"] if r["worry_sentence"] != r["sentence"] else ""
                mark = "ok" if r["correct"] else "XX"
                head = f"{mark} {r['commit']} b{r['batch']} {r['id']} t{r['turn']} {r['topic']} {r['place']}"
                print(f"{head} n={r['n_topics']} {r['cues']} | {r['sentence']} | {other}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
