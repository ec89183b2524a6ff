"""`lastmile models ...`: rebuild and measure the learned models that ship as JSON (the evidence scorer),
and the verdict rules' polarity on ePQA.

Parses arguments and calls evals/evidence_eval.py; no behaviour of its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

models_app = typer.Typer(no_args_is_help=True, help="Rebuild and measure the shipped learned models.")

EpqaOption = Annotated[
    Path | None, typer.Option("--epqa", help="ePQA dev.csv (default: ../shared/evaldata/epqa/dev.csv).")
]
EvaldataOption = Annotated[
    Path | None,
    typer.Option("--evaldata", help="The shared evaluation data folder (default: ../shared/evaldata)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")]


def _embed():
    from assistant.settings import Settings
    from assistant.wiring import build_embedder
    from evals.embedding_cache import EmbeddingCache

    return EmbeddingCache(build_embedder(Settings())).embed


def _paths(epqa: Path | None, evaldata: Path | None) -> tuple[Path, Path]:
    from evals.answer_sentences import EVALDATA

    root = evaldata or EVALDATA
    return (epqa or root / "epqa" / "dev.csv"), root


@models_app.command("train-evidence")
def train_evidence(
    epqa: EpqaOption = None,
    evaldata: EvaldataOption = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the weights.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Refit the evidence scorer (ePQA train + team-labelled dev) and write its JSON weights; deterministic."""
    from assistant.evidence_scorer import DEFAULT_MODEL_PATH
    from evals.evidence_eval import train

    epqa_path, root = _paths(epqa, evaldata)
    _require(epqa_path)
    result = train(epqa_path, _embed(), out=out or DEFAULT_MODEL_PATH, evaldata=root)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    dev = result["epqa_dev"]
    typer.echo(f"wrote {result['out']}")
    typer.echo(
        f"ePQA dev: P@1 {dev['precision_at_1']:.3f}, AUC {dev['auc']:.3f}; polarity thresholds: "
        f"affirm at P(yes) >= {result['affirm_at']:.2f}, deny at <= {result['deny_at']:.2f}"
    )


@models_app.command("eval-evidence")
def eval_evidence(
    epqa: EpqaOption = None,
    evaldata: EvaldataOption = None,
    split: Annotated[str, typer.Option(help="dev or test.")] = "test",
    model: Annotated[
        Path | None, typer.Option(help="Weights to measure (default: the shipped ones).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """P@1 and AUC on ePQA (by product) and P@1 on the team-labelled answer sentences, beside BM25 and cosine."""
    from assistant.evidence_scorer import DEFAULT_MODEL_PATH
    from evals.evidence_eval import evaluate, format_report

    if split not in ("dev", "test"):
        raise typer.BadParameter("--split must be dev or test")
    epqa_path, root = _paths(epqa, evaldata)
    _require(epqa_path)
    report = evaluate(model or DEFAULT_MODEL_PATH, epqa_path, _embed(), split=split, evaldata=root)
    typer.echo(json.dumps(report, indent=2) if as_json else format_report(report))


@models_app.command("eval-verdict-polarity")
def eval_verdict_polarity(
    epqa: EpqaOption = None,
    evaldata: EvaldataOption = None,
    split: Annotated[str, typer.Option(help="dev or test.")] = "test",
) -> None:
    """The per-claim verdict rules on ePQA's yes/no answers (label-2 sentences): accuracy, share judged and
    the wrong rate where a yes or no was given (evals/verdict_polarity.py)."""
    from evals.epqa import load_epqa
    from evals.epqa import split as split_questions
    from evals.verdict_polarity import polarity_figures

    if split not in ("dev", "test"):
        raise typer.BadParameter("--split must be dev or test")
    epqa_path, _ = _paths(epqa, evaldata)
    _require(epqa_path)
    typer.echo(json.dumps(polarity_figures(split_questions(load_epqa(epqa_path), split)), indent=2))


def _require(path: Path) -> None:
    if not path.is_file():
        typer.echo(f"ePQA file not found: {path} (pass --epqa or --evaldata)", err=True)
        raise typer.Exit(code=2)
