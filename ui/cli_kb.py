"""`lastmile kb list | show ID | delete ID` and `lastmile eval-retrieval`: thin over the knowledge admin
and `evals.retrieval`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import Settings

kb_app = typer.Typer(no_args_is_help=True, help="Inspect the knowledge base: list, show, delete documents.")
HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Data folder (default: $LASTMILE_HOME or ./.lastmile).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _open(home: Path | None):
    """The knowledge admin; the embedding model is never loaded: these commands never embed."""
    from assistant.wiring import build_admin

    return build_admin(Settings(home=home) if home else Settings())


def _emit(payload) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))


@kb_app.command("list")
def list_documents(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Every document: id, type, version, chunks, last update, title."""
    records = _open(home).documents()
    if as_json:
        _emit([asdict(record) for record in records])
        return
    for r in records:
        typer.echo(f"{r.id}\t{r.type}\tv{r.version}\t{r.chunk_count} chunks\t{r.updated_at}\t{r.title}")
    typer.echo(f"{len(records)} documents, {sum(r.chunk_count for r in records)} chunks", err=True)


@kb_app.command("show")
def show_document(
    document_id: Annotated[str, typer.Argument(help="Document id (as `kb list` prints it).")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """One document's registry row and its chunks (heading path, page, text)."""
    admin = _open(home)
    record = admin.document(document_id)
    if record is None:
        typer.echo(f"error: no document {document_id!r}", err=True)
        raise typer.Exit(code=1)
    chunks = [
        {"id": chunk_id, "heading": heading, "page": page, "text": text}
        for chunk_id, heading, page, text in admin.chunks(document_id)
    ]
    if as_json:
        _emit({**asdict(record), "chunks": chunks})
        return
    for key, value in asdict(record).items():
        typer.echo(f"{key}: {value}")
    for chunk in chunks:
        where = " · ".join(
            str(part) for part in (chunk["heading"], chunk["page"] and f"p.{chunk['page']}") if part
        )
        typer.echo(f"\n[{chunk['id']}] {where}\n{chunk['text']}")


@kb_app.command("delete")
def delete_document(
    document_id: Annotated[str, typer.Argument(help="Document id (as `kb list` prints it).")],
    home: HomeOption = None,
) -> None:
    """Remove a document and all its chunks from every store."""
    if not _open(home).delete(document_id):
        typer.echo(f"error: no document {document_id!r}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"deleted {document_id}")


def eval_retrieval(
    kb: Annotated[Path, typer.Option("--kb", help="Folder of documents to ingest.")],
    dataset: Annotated[Path, typer.Option("--dataset", help="Questions with gold_sources, JSONL.")],
    home: Annotated[
        Path | None, typer.Option("--home", help="Ingest here (default: a throw-away folder).")
    ] = None,
    chunk_words: Annotated[int | None, typer.Option(help="Maximum words per chunk.")] = None,
    overlap_words: Annotated[int | None, typer.Option(help="Words shared by consecutive chunks.")] = None,
    reranker: Annotated[
        Path | None, typer.Option("--reranker", help="Local cross-encoder model directory.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Recall@1/5/10 and MRR of dense, lexical (BM25) and hybrid retrieval against gold sources."""
    from evals.retrieval import evaluate_retrieval

    overrides: dict = {}
    if reranker is not None:
        overrides["reranker_model"] = str(reranker)
    if chunk_words is not None:
        overrides["chunk_words"] = chunk_words
    if overlap_words is not None:
        overrides["chunk_overlap_words"] = overlap_words
    settings = Settings().model_copy(update=overrides)
    report = evaluate_retrieval(kb, dataset, settings=settings, home=home)
    if as_json:
        _emit(report.as_dict())
        return
    typer.echo(
        f"{report.questions} questions, {report.documents} documents, {report.chunks} chunks "
        f"(chunk_words={report.chunk_words}, overlap={report.overlap_words})"
    )
    typer.echo(report.table())
