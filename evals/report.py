"""report.md: the headline metrics with what each is scored on, the settings, the calibrated thresholds,
the charts, and the questions worth a look (wrong answers, needless handoffs, retrieval misses).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from evals.metrics import first_gold_rank, retrieval_rows
from evals.rows import Row

REPORT_FILE = "report.md"
LISTED = 10  # questions shown per list

# metric key, what it means, the count it is scored on
METRICS = (
    ("recall_at_1", "a gold document ranked first", "n_retrieval_scored"),
    ("recall_at_5", "a gold document in the top 5 documents", "n_retrieval_scored"),
    ("mrr", "mean reciprocal rank of the first gold document", "n_retrieval_scored"),
    ("citation_precision", "cited documents that are gold", "n_citation_scored"),
    ("answer_token_f1", "token F1 of the answer against the reference", "n_token_f1_scored"),
    ("groundedness", "answer sentences supported by a cited passage", "n_answer_sentences"),
    (
        "groundedness_without_framing",
        "the same, the composer's fixed lines (verdict line, expert offer) aside",
        "n_sentences_without_framing",
    ),
    ("answered_rate", "questions answered rather than handed off", "n"),
    (
        "answered_and_correct",
        "answerable questions answered with a gold document cited first",
        "n_retrieval_scored",
    ),
    (
        "first_sentence_answers",
        "answers whose first sentence is a labelled answer sentence",
        "n_first_sentence_scored",
    ),
    ("confidence_auc", "ROC AUC of confidence for a correct answer against the rest", "n"),
    ("handoff_precision", "handoffs that were expected", "n_expect_handoff"),
    ("handoff_recall", "expected handoffs that happened", "n_expect_handoff"),
    ("handoff_f1", "F1 of the two above", "n_expect_handoff"),
    ("intent_macro_f1", "intent labels, macro F1 over 3 labels", "n_intent_scored"),
    ("latency_p50_ms", "median Assistant.ask wall time", "n"),
    ("latency_p95_ms", "95th percentile Assistant.ask wall time", "n"),
)


def write_report(
    rows: Sequence[Row],
    summary: dict,
    charts: Mapping[str, Path],
    folder: Path,
    verdict_rows: Sequence[dict] = (),
) -> Path:
    path = folder / REPORT_FILE
    charts = {name: p.relative_to(folder) for name, p in charts.items()}
    path.write_text(render(rows, summary, charts, verdict_rows))
    return path


def _verdicts(summary: dict, verdict_rows: Sequence[dict]) -> list[str]:
    """Per-claim verdict figures on the confirmations, the confusion table, and the wrong ones."""
    if "verdict_confusion" not in summary:
        return []
    confusion = summary["verdict_confusion"]
    given = list(next(iter(confusion.values())))
    lines = [
        f"## Confirmations: a verdict per claim ({summary['verdict_split']} split, "
        f"{summary['verdict_confirmations']} confirmations, {summary['verdict_claims']} claims)",
        "",
        f"correct {_value(summary['verdict_correct'])}, wrong {_value(summary['verdict_wrong'])} (a yes or "
        f"no given and wrong, including on an undocumented claim), abstained "
        f"{_value(summary['verdict_abstained'])}.",
        "",
        "| expected \\ given | " + " | ".join(given) + " |",
        "|---|" + "---:|" * len(given),
    ]
    for expected, counts in confusion.items():
        lines.append(f"| {expected} | " + " | ".join(str(counts[g]) for g in given) + " |")
    wrong = [row for row in verdict_rows if row["outcome"] == "wrong"][:LISTED]
    if wrong:
        lines += ["", "Wrong verdicts (claim: expected → given; the sentence it rested on):", ""]
        lines += [
            f"- `{row['id']}` {_inline(row['claim'])}: {row['expected']} → {row['given']}; "
            f"{_inline(row['evidence'])}"
            for row in wrong
        ]
    return [*lines, ""]


def _inline(text: str) -> str:
    """Document or buyer text inside report Markdown: one line, no Markdown syntax active."""
    return "`" + " ".join(str(text).split()).replace("`", "'") + "`"


def render(
    rows: Sequence[Row], summary: dict, charts: Mapping[str, Path], verdict_rows: Sequence[dict] = ()
) -> str:
    lines = [
        f"# Lastmile eval: {Path(summary['dataset']).name} on {summary['kb']}",
        "",
        f"{summary['n']} questions ({summary['n_answerable']} answerable, {summary['n_expect_handoff']} "
        f"expecting a handoff, of which {summary['n_probes']} probes from {summary.get('probes') or '-'}). "
        f"Ingested {summary['ingest']['documents']} documents, {summary['ingest']['chunks']} chunks in "
        f"{summary['ingest']['seconds']} s; {len(summary['ingest']['failed'])} files failed.",
        "",
        "| metric | value | meaning | scored on |",
        "|---|---|---|---|",
    ]
    for key, meaning, count in METRICS:
        lines.append(f"| {key} | {_value(summary[key])} | {meaning} | {summary[count]} |")
    lines += [
        "",
        f"Settings: composer `{summary['composer']}`, model `{summary['model']}`, threshold "
        f"{summary['threshold']}, retrieval `{summary['retrieval_mode']}` top {summary['top_k']}, "
        f"intents `{summary['intent_classifier']}`, embeddings `{summary['embedding_model']}`.",
        "",
        *_splits(summary),
        *_calibration(summary),
        "",
        *_verdicts(summary, verdict_rows),
        "## Charts",
        "",
        *[f"![{name}]({path.as_posix()})" for name, path in charts.items()],
        "",
        *_listing("Answered, but should have handed off", _wrong_answers(rows)),
        *_listing("Handed off, but answerable", _needless_handoffs(rows)),
        *_listing("Neither answered with a citation nor handed off", _uncited_replies(rows)),
        *_listing("Retrieval misses (no gold document in the top 5)", _retrieval_misses(rows)),
    ]
    return "\n".join(lines) + "\n"


def _splits(summary: dict) -> list[str]:
    splits = summary.get("by_split") or {}
    if not splits:
        return []
    names = list(splits)
    lines = [
        "## By split (dev: may be tuned on; test: the reported figures)",
        "",
        f"| metric | {' | '.join(names)} |",
        f"|---|{'---|' * len(names)}",
    ]
    keys = list(next(iter(splits.values())))
    lines += [f"| {key} | {' | '.join(_value(splits[n].get(key)) for n in names)} |" for key in keys]
    return [*lines, ""]


def _calibration(summary: dict) -> list[str]:
    calibration = summary.get("calibration") or {}
    lines = [
        f"## Handoff threshold (sweep agreement with actual decisions: {summary['sweep_agreement']})",
        "",
    ]
    for key, label in (
        ("for_target_precision", f"for handoff precision >= {calibration.get('target_precision')}"),
        ("f1_best", "F1-best"),
    ):
        pick = calibration.get(key)
        if not summary["n_expect_handoff"]:
            lines.append(f"- {label}: no question expects a handoff (add some with --probes)")
        elif pick is None:
            lines.append(f"- {label}: none reaches it")
        else:
            lines.append(
                f"- {label}: **{pick['threshold']}** (precision {_value(pick['precision'])}, recall "
                f"{_value(pick['recall'])}, F1 {_value(pick['f1'])}, answered {_value(pick['answered_rate'])})"
            )
    return lines


def _wrong_answers(rows: Sequence[Row]) -> list[str]:
    wrong = sorted((r for r in rows if not r.answerable and not r.handoff), key=lambda r: -r.confidence)
    return [f"`{r.id}` ({r.confidence:.2f}) {r.question} → cited {', '.join(r.cited) or '-'}" for r in wrong]


def _needless_handoffs(rows: Sequence[Row]) -> list[str]:
    needless = sorted((r for r in rows if r.answerable and r.handoff), key=lambda r: -r.confidence)
    return [
        f"`{r.id}` ({r.confidence:.2f}) {r.question} → {'; '.join(reason['detail'] for reason in r.reasons)}"
        for r in needless
    ]


def _uncited_replies(rows: Sequence[Row]) -> list[str]:
    uncited = [r for r in rows if not r.handoff and not r.cited]
    return [
        f"`{r.id}` ({r.confidence:.2f}) {r.question} → {'; '.join(reason['detail'] for reason in r.reasons) or '-'}"
        for r in uncited
    ]


def _retrieval_misses(rows: Sequence[Row]) -> list[str]:
    misses = []
    for row in retrieval_rows(rows):
        rank = first_gold_rank(row.ranking, row.gold_sources)
        if rank is None or rank > 5:
            misses.append(
                f"`{row.id}` {row.question} → gold {', '.join(row.gold_sources)} at rank {rank or '>depth'}; "
                f"top {', '.join(row.ranking[:3])}"
            )
    return misses


def _listing(title: str, items: list[str]) -> list[str]:
    shown = [f"- {item}" for item in items[:LISTED]]
    more = [f"- ... and {len(items) - LISTED} more (rows.jsonl has them all)"] if len(items) > LISTED else []
    return [f"## {title}: {len(items)}", "", *(shown or ["- none"]), *more, ""]


def _value(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
