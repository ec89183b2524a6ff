"""The `lastmile` command line: parses arguments and calls the library; no behaviour of its own."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import Settings
from ui.cli_errors import ReportingGroup

# ReportingGroup: a failure is one line (or a JSON error object under --json), never a traceback.
app = typer.Typer(
    cls=ReportingGroup,
    no_args_is_help=True,
    add_completion=False,
    help="Lastmile: cited answers for B2B buyers.",
)

HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Data folder (default: $LASTMILE_HOME or ./.lastmile).")
]
SAMPLES = Path(__file__).resolve().parent.parent / "knowledge" / "samples"
# Buyers use this app: an exception shows a generic message, never its text or traceback.
STREAMLIT_HARDENING = ("--client.showErrorDetails", "none")


def _settings(home: Path | None) -> Settings:
    return Settings(home=home) if home else Settings()


def _emit(payload: dict) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    home: HomeOption = None,
    prune: Annotated[bool, typer.Option(help="Delete documents no longer present under PATHS.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report, no progress bar.")] = False,
    follow_symlinks: Annotated[
        bool, typer.Option(help="Ingest what symlinks lead to outside PATHS (refused by default).")
    ] = False,
) -> None:
    """Add new documents, replace changed ones, skip unchanged ones."""
    from assistant.wiring import build_admin
    from ui.progress import terminal_progress

    admin = build_admin(_settings(home))
    with terminal_progress(enabled=not as_json) as progress:
        report = admin.ingest(paths, prune=prune, progress=progress, follow_symlinks=follow_symlinks)
    if as_json:
        _emit(report.as_dict())
    else:
        typer.echo(
            f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
            f"deleted {len(report.deleted)}, failed {len(report.failed)}; "
            f"{report.chunks} chunks written, {report.embedded} embedded"
        )
        for failure in report.failed:
            typer.echo(f"  failed: {failure.path}: {failure.reason}", err=True)
    if report.failed:
        raise typer.Exit(code=1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The buyer's question.")],
    home: HomeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole answer as JSON.")] = False,
) -> None:
    """Answer one question from the knowledge base, with citations, or hand off."""
    from assistant.pipeline import check_message
    from assistant.wiring import build_assistant

    question = check_message(question)  # empty, too long or not UTF-8: refused before the model loads
    answer = build_assistant(_settings(home)).ask(question)
    if as_json:
        _emit(answer.as_dict())
        return
    typer.echo(answer.text)
    for citation in answer.citations:
        typer.echo(f"  [{citation.marker}] {citation.title} ({citation.source})")
    if answer.handoff:
        typer.echo(f"  handed off: {'; '.join(answer.handoff_reasons)}")


@app.command("eval")
def eval_(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for summary.json, report.md, rows.jsonl, charts/.")
    ],
    kb: Annotated[
        Path | None, typer.Option("--kb", help="Folder of documents to ingest (throw-away home).")
    ] = None,
    dataset: Annotated[
        Path | None, typer.Option("--dataset", help="Questions, JSONL (see docs/evals.md).")
    ] = None,
    probes: Annotated[
        Path | None, typer.Option("--probes", help="More questions, JSONL, all expected to hand off.")
    ] = None,
    calibrate: Annotated[
        bool, typer.Option("--calibrate", help="Sweep the handoff threshold (reads OUT's rows if no --kb).")
    ] = False,
    target_precision: Annotated[float, typer.Option(help="Handoff precision to calibrate for.")] = 0.9,
    also: Annotated[
        list[Path] | None,
        typer.Option("--also", help="With --calibrate: more runs' folders whose dev rows the model fits on."),
    ] = None,
    confidence_out: Annotated[
        Path | None,
        typer.Option(
            "--confidence-out",
            help="With --calibrate: write the refitted confidence model here "
            "(assistant/models/confidence.json ships it).",
        ),
    ] = None,
    confirmations: Annotated[
        Path | None,
        typer.Option(
            "--confirmations",
            help="Confirmations (folder or JSONL, e.g. evals/data/confirmations): per-claim verdict figures "
            "on those about this KB.",
        ),
    ] = None,
    confirmations_split: Annotated[
        str, typer.Option("--confirmations-split", help="dev, test or all.")
    ] = "test",
) -> None:
    """Measure the assistant on a question set: ingest KB, ask every question, write the report."""
    from evals.rows import ROWS_FILE

    def calibrate_and_print() -> None:
        from evals.confidence_fit import calibrate_runs

        folders = [out, *(also or [])]
        for folder in folders:
            if not (folder / ROWS_FILE).exists():
                raise typer.BadParameter(f"no {ROWS_FILE} in {folder}: give --kb and --dataset to run fresh")
        payload, text = calibrate_runs(folders, target_precision=target_precision, model_out=confidence_out)
        typer.echo(text, err=True)
        _emit(payload)

    if kb is None and dataset is None and calibrate:
        calibrate_and_print()
        return
    if kb is None or dataset is None:
        raise typer.BadParameter(
            "--kb and --dataset are both needed (or --calibrate alone on an existing --out)"
        )

    from evals.progress import question_bar
    from evals.run import SUMMARY_FILE, EvalProgress, run_eval
    from ui.progress import terminal_progress

    with terminal_progress(enabled=True) as ingest_progress, question_bar() as (on_start, on_question):
        progress = EvalProgress(ingest=ingest_progress, on_start=on_start, on_question=on_question)
        summary = run_eval(
            kb,
            dataset,
            out,
            probes=probes,
            settings=Settings(),
            progress=progress,
            confirmations=confirmations,
            confirmations_split=confirmations_split,
        )
    typer.echo(
        f"wrote {out / SUMMARY_FILE}, {out / 'report.md'}, {out / ROWS_FILE}, {out / 'charts'}/", err=True
    )
    if calibrate:
        calibrate_and_print()
    else:
        _emit(
            {
                key: value
                for key, value in summary.items()
                if key not in ("calibration", "ingest", "verdict_confusion")
            }
        )


def streamlit_command(app_file: Path, *, host: str, port: int) -> list[str]:
    """How `serve` starts the Streamlit app: headless, no telemetry, no file watcher, no error details."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app_file),
        "--server.address", host, "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        *STREAMLIT_HARDENING,
    ]  # fmt: skip


def ingest_samples_if_empty(settings: Settings) -> None:
    from assistant.wiring import build_admin

    admin = build_admin(settings)
    try:
        if admin.is_empty():
            typer.echo(f"Knowledge base is empty: ingesting the bundled samples from {SAMPLES} ...")
            report = admin.ingest([SAMPLES])
            typer.echo(f"  {len(report.added)} documents, {report.chunks} chunks")
    finally:
        admin.close()


@app.command()
def serve(
    home: HomeOption = None,
    port: Annotated[int, typer.Option(help="Port for the Streamlit app.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    samples: Annotated[bool, typer.Option(help="Ingest the bundled sample knowledge base if empty.")] = True,
    api_port: Annotated[
        int, typer.Option(help="Port for the buyer API, widget and demo page; 0: do not start the API.")
    ] = 8000,
) -> None:
    """Start the Streamlit app and the buyer API beside it (ingesting the bundled samples first if the
    knowledge base is empty); Ctrl-C stops both."""
    from ui.supervise import run_together

    settings = _settings(home)
    if samples:
        ingest_samples_if_empty(settings)
    env = dict(os.environ, LASTMILE_HOME=str(settings.home.resolve()))
    app_file = Path(__file__).resolve().parent / "app.py"
    commands = {"app": streamlit_command(app_file, host=host, port=port)}
    typer.echo(f"Lastmile is starting:\n  staff app and buyer chat (Streamlit): http://{host}:{port}")
    if api_port:
        commands["api"] = [
            sys.executable, "-m", "ui.cli", "api", "--home", str(settings.home.resolve()),
            "--host", host, "--port", str(api_port), "--no-samples",
        ]  # fmt: skip
        typer.echo(f"  buyer API, widget and demo page: http://{host}:{api_port}/demo (API: /v1)")
    raise typer.Exit(code=run_together(commands, env))


from ui.cli_conversations import chat, handoffs_app  # noqa: E402 (registered after app is defined)

app.command()(chat)
app.add_typer(handoffs_app, name="handoffs")

from ui.cli_kb import eval_retrieval, kb_app  # noqa: E402 (registered after app is defined)

app.command("eval-retrieval")(eval_retrieval)
app.add_typer(kb_app, name="kb")

from ui.cli_users import users_app  # noqa: E402 (registered after app is defined)

app.add_typer(users_app, name="users")

from ui.cli_api import api  # noqa: E402 (registered after app is defined)

app.command()(api)

from ui.cli_buyers import buyers_app  # noqa: E402 (registered after app is defined)

app.add_typer(buyers_app, name="buyers")

from ui.cli_crm import crm_app  # noqa: E402 (registered after app is defined)

app.add_typer(crm_app, name="crm")

from ui.cli_models import models_app  # noqa: E402 (registered after app is defined)

app.add_typer(models_app, name="models")

from ui.cli_confirmations import confirmations_app  # noqa: E402 (registered after app is defined)

app.add_typer(confirmations_app, name="confirmations")


@app.command("migrate")
def migrate(
    to_database: Annotated[
        str,
        typer.Option("--to-database", help="PostgreSQL URL, e.g. postgresql+psycopg://lastmile@db/lastmile."),
    ],
    to_chroma: Annotated[
        str, typer.Option("--to-chroma", help="Chroma server URL, e.g. http://chroma:8000.")
    ],
    to_collection: Annotated[
        str | None, typer.Option("--to-collection", help="Chroma collection there (default: the same name).")
    ] = None,
    home: HomeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report.")] = False,
) -> None:
    """Copy this home's stores to shared ones (vectors copied, not re-embedded); safe to run again."""
    from assistant.wiring import build_store_move

    move = build_store_move(
        _settings(home), to_database=to_database, to_chroma=to_chroma, to_collection=to_collection
    )
    report = move()
    if as_json:
        _emit(report.as_dict())
    else:
        knowledge = report.knowledge
        typer.echo(
            f"knowledge: {len(knowledge.copied)} documents copied ({knowledge.chunks} chunks), "
            f"{len(knowledge.unchanged)} already there, {len(knowledge.only_in_target)} only in the target"
        )
        typer.echo("tables: " + ", ".join(f"{name} {n}" for name, n in report.tables.copied.items() if n))
        typer.echo("target stores agree" if report.ok else "target stores disagree: run `lastmile kb check`")
    if not report.ok:
        raise typer.Exit(code=1)


@app.command("train-intents")
def train_intents(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the thresholds and metrics as JSON.")
    ] = False,
) -> None:
    """Rebuild the shipped intent model from evals/data/intents (deterministic) and its metrics.json."""
    from assistant.intent_model import DEFAULT_MODEL_PATH
    from assistant.wiring import build_embedder
    from evals.intents import METRICS_PATH, format_report, train

    # The shipped model is trained on the bundled embedder, whatever LASTMILE_EMBEDDING_MODEL says.
    metrics = train(build_embedder(Settings(embedding_model=None)))
    if as_json:
        _emit(metrics)
        return
    typer.echo(f"wrote {DEFAULT_MODEL_PATH} and {METRICS_PATH}")
    typer.echo(
        "thresholds (tuned on dev): " + ", ".join(f"{k} {v:.2f}" for k, v in metrics["thresholds"].items())
    )
    for split in ("dev", "test"):
        typer.echo(f"\n{split}\n" + format_report(metrics[split]))


@app.command()
def classify(
    text: Annotated[str, typer.Argument(help="One buyer message.")],
    home: HomeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print probabilities and flags as JSON.")] = False,
) -> None:
    """Tag one message: clarification / confirmation / confidence probabilities, wants_human, out_of_scope."""
    from assistant.wiring import build_embedder, build_intent_classifier

    settings = _settings(home)
    intents = build_intent_classifier(settings, build_embedder(settings)).classify(text)
    payload = {
        "text": text,
        "probabilities": intents.probabilities(),
        "labels": list(intents.labels),
        "wants_human": intents.wants_human,
        "out_of_scope": intents.out_of_scope,
        "classifier": intents.classifier,
    }
    if as_json:
        _emit(payload)
        return
    probabilities = ", ".join(f"{label} {p:.2f}" for label, p in payload["probabilities"].items())
    typer.echo(f"{', '.join(intents.labels) or '(no intent)'}   [{probabilities}]")
    flags = [flag for flag in ("wants_human", "out_of_scope") if payload[flag]]
    typer.echo(f"flags: {', '.join(flags) or 'none'}   classifier: {intents.classifier}")


@app.command("eval-intents")
def eval_intents(
    split: Annotated[str, typer.Option(help="train, dev or test.")] = "test",
    home: HomeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Per-label precision / recall / F1 and macro-F1 of the configured intent classifier on a split."""
    from assistant.wiring import build_embedder, build_intent_classifier
    from evals.intents import SPLITS, embed_split, evaluate, format_report

    if split not in SPLITS:
        raise typer.BadParameter(f"--split must be one of {', '.join(SPLITS)}")
    settings = _settings(home)
    embedder = build_embedder(settings)
    report = evaluate(build_intent_classifier(settings, embedder), *embed_split(embedder, split))
    if as_json:
        _emit({"split": split, **report})
    else:
        typer.echo(f"split: {split}\n" + format_report(report))


if __name__ == "__main__":
    app()
