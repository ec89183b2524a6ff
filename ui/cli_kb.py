"""`lastmile kb list | show ID | delete ID | flagged | approve ID | authoritative ID | check | repair` and
`lastmile eval-retrieval`: thin over the knowledge admin and `evals.retrieval`."""

from __future__ import annotations

import getpass
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


@kb_app.command("flagged")
def flagged_documents(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Documents with passages that carry planted instructions (kept out of answers until approved)."""
    documents = _open(home).flagged_documents()
    if as_json:
        _emit([asdict(document) for document in documents])
        return
    for document in documents:
        state = f"approved by {document.approved_by}" if document.approved else "NOT approved: kept out"
        typer.echo(f"{document.document_id}\t{', '.join(document.signals)}\t{state}")
        for passage in document.passages:
            typer.echo(f"    [{passage.chunk_id}] {' '.join(passage.text.split())[:160]}")
    typer.echo(f"{len(documents)} flagged documents", err=True)


@kb_app.command("approve")
def approve_document(
    document_id: Annotated[str, typer.Argument(help="Document id (as `kb flagged` prints it).")],
    by: Annotated[str, typer.Option("--by", help="Who approves (recorded).")] = "",
    home: HomeOption = None,
) -> None:
    """Let a flagged document's current content answer questions (a changed version is checked again)."""
    if not _open(home).approve(document_id, by=by or getpass.getuser()):
        typer.echo(f"error: no document {document_id!r}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"approved {document_id}")


@kb_app.command("authoritative")
def mark_authoritative(
    document_id: Annotated[str, typer.Argument(help="Document id (as `kb list` prints it).")],
    authoritative: Annotated[
        bool,
        typer.Option(
            "--yes/--no", help="Whether its price, contract or roadmap statements may reach buyers."
        ),
    ] = True,
    home: HomeOption = None,
) -> None:
    """Mark a document authoritative (the default for ingested folders and uploads) or not."""
    if not _open(home).set_authoritative(document_id, authoritative):
        typer.echo(f"error: no document {document_id!r}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"{document_id}: {'authoritative' if authoritative else 'not authoritative'}")


@kb_app.command("check")
def check_stores(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Compare registry, lexical index and Chroma chunk by chunk; exit status 1 when they disagree."""
    drift = _open(home).check()
    if as_json:
        _emit(drift.as_dict())
    else:
        dense = "unreadable" if drift.dense_chunks is None else drift.dense_chunks
        typer.echo(
            f"registry {drift.registry_chunks}, lexical {drift.lexical_chunks}, Chroma {dense} chunks: "
            + ("the stores agree" if drift.ok else "DRIFT: " + ", ".join(drift.problems))
        )
        for name, found in (
            ("missing from Chroma", drift.dense_missing),
            ("missing from lexical", drift.lexical_missing),
        ):
            for document_id, ids in found.items():
                typer.echo(f"  {name}: {document_id} ({len(ids)} chunks)")
        if drift.dense_orphans or drift.lexical_orphans:
            typer.echo(
                f"  unowned: {len(drift.dense_orphans)} in Chroma, {len(drift.lexical_orphans)} lexical"
            )
    if not drift.ok:
        raise typer.Exit(code=1)


@kb_app.command("repair")
def repair_stores(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Make the stores agree: drop what no document owns, restore what one store lost from the other."""
    done, after = _open(home).repair()
    if as_json:
        _emit({**done.as_dict(), "ok": after.ok, "problems": [p.value for p in after.problems]})
    else:
        typer.echo(
            f"removed {done.dense_orphans_removed} unowned vectors and {done.lexical_orphans_removed} lexical "
            f"rows; restored {done.vectors_restored} vectors and {done.lexical_restored} lexical rows"
        )
        if done.documents_to_reingest:
            typer.echo(
                "to ingest again (text lost from both stores): " + ", ".join(done.documents_to_reingest)
            )
        typer.echo("the stores agree" if after.ok else "still DRIFT: " + ", ".join(after.problems))
    if not after.ok:
        raise typer.Exit(code=1)


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
