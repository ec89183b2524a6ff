"""`lastmile chat` (a terminal conversation) and `lastmile handoffs ...` (the rep's queue), thin over
the chat service and the rep desk."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.handoff_states import HandoffError, HandoffState  # not rep_desk: it imports SQLAlchemy
from assistant.settings import Settings

handoffs_app = typer.Typer(
    no_args_is_help=True, help="Work the handoff queue: list, show, claim, reply, resolve, save."
)
HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Data folder (default: $LASTMILE_HOME or ./.lastmile).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _settings(home: Path | None) -> Settings:
    return Settings(home=home) if home else Settings()


def _desk(home: Path | None):
    """The rep desk alone: rep commands load the embedding model only to save a reply."""
    from assistant.wiring import build_desk

    return build_desk(_settings(home))


def _fail(error: Exception) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(code=2)


def chat(
    home: HomeOption = None,
    conversation: Annotated[str | None, typer.Option(help="Continue this conversation id.")] = None,
) -> None:
    """Talk to the assistant in the terminal, as a buyer would (empty line or Ctrl-D to stop)."""
    from assistant.service import MessageRejected, UnknownConversation
    from assistant.wiring import build_services

    # Bytes that are not UTF-8 arrive as lone surrogates, which the service refuses with a message:
    # one bad line is reported, not a UnicodeDecodeError that ends the conversation.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")
    chat_service = build_services(_settings(home)).chat
    conversation_id = conversation or chat_service.start()
    typer.echo(f"conversation {conversation_id} (Ctrl-D to stop)")
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            break
        if not text:
            break
        try:
            turn = chat_service.ask(conversation_id, text)
        except (MessageRejected, UnknownConversation) as error:
            typer.echo(f"  ! {error}")
            continue
        typer.echo(f"lastmile> {turn.answer.text}")
        for citation in turn.answer.citations:
            typer.echo(f"    [{citation.marker}] {citation.title} ({citation.source})")
        if turn.handoff_id is not None:
            typer.echo(f"    (handed off to an expert: handoff {turn.handoff_id})")


def _summary(handoff) -> dict:
    return {
        "id": handoff.id,
        "state": handoff.state,
        "question": handoff.question,
        "reasons": [reason.as_dict() for reason in handoff.reasons],
        "rep": handoff.rep,
        "created_at": handoff.created_at.isoformat(timespec="seconds"),
        "knowledge_gap": handoff.knowledge_gap,
    }


@handoffs_app.command("list")
def list_(
    home: HomeOption = None,
    state: Annotated[HandoffState | None, typer.Option(help="Only handoffs in this state.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The queue, newest first."""
    rows = [_summary(h) for h in _desk(home).queue(state=state)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"{row['id']:>5}  {row['state']:<9} {row['rep'] or '-':<12} {row['question'][:70]}")


@handoffs_app.command()
def show(handoff_id: int, home: HomeOption = None) -> None:
    """Everything a rep needs: transcript, intents, reasons, sources and the AI draft with citations."""
    desk = _desk(home)
    try:
        handoff = desk.get(handoff_id)
        transcript = desk.transcript(handoff_id)
    except HandoffError as error:
        _fail(error)
    payload = {
        **_summary(handoff),
        "intents": handoff.intents,
        "sources": handoff.sources,
        "confidence": handoff.confidence,
        "draft": handoff.draft,
        "draft_citations": handoff.draft_citations,
        "reply": handoff.reply,
        "transcript": [{"role": m.role, "author": m.author, "text": m.text} for m in transcript],
    }
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


RepOption = Annotated[str, typer.Option(help="Your name (replies and resolves: the rep who claimed it).")]


def _act(home: Path | None, action: str, *args: object) -> None:
    """Run one rep-desk transition; a refused one (wrong state, wrong rep, unknown id) exits 2."""
    try:
        getattr(_desk(home), action)(*args)
    except HandoffError as error:
        _fail(error)


@handoffs_app.command()
def claim(handoff_id: int, rep: RepOption, home: HomeOption = None) -> None:
    """Take a handoff: only one rep can hold it."""
    _act(home, "claim", handoff_id, rep)
    typer.echo(f"handoff {handoff_id} claimed by {rep}")


@handoffs_app.command()
def reply(
    handoff_id: int,
    text: Annotated[str, typer.Argument(help="The reply the buyer will see.")],
    rep: RepOption,
    home: HomeOption = None,
) -> None:
    """Send a reply: it appears in the buyer's conversation."""
    _act(home, "reply", handoff_id, rep, text)
    typer.echo(f"reply sent on handoff {handoff_id}")


@handoffs_app.command()
def resolve(handoff_id: int, rep: RepOption, home: HomeOption = None) -> None:
    """Close a handoff you hold."""
    _act(home, "resolve", handoff_id, rep)
    typer.echo(f"handoff {handoff_id} resolved")


@handoffs_app.command()
def save(
    handoff_id: int,
    rep: Annotated[
        str,
        typer.Option(
            "--rep",
            "--owner",
            help="Who approves it: the rep who holds the handoff, or an admin (the role is read from the "
            "staff accounts).",
        ),
    ],
    home: HomeOption = None,
) -> None:
    """Save the rep's reply (their words only) to the knowledge base as a verified Q&A document."""
    from assistant.wiring import build_accounts

    settings = _settings(home)
    role = build_accounts(settings).role(rep.strip()) or ""  # a name with no staff account: no role
    try:
        document_id = _desk(home).save_reply(handoff_id, by=rep.strip(), role=role)
    except (HandoffError, ValueError) as error:
        _fail(error)
    typer.echo(f"saved as {document_id}")
