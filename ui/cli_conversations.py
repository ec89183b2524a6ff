"""`lastmile chat` (a terminal conversation) and `lastmile handoffs ...` (the rep's queue), thin over
the chat service and the handoff store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import Settings

handoffs_app = typer.Typer(
    no_args_is_help=True, help="Work the handoff queue: list, show, claim, reply, resolve, save."
)
HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Data folder (default: $LASTMILE_HOME or ./.lastmile).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _services(home: Path | None):
    from assistant.wiring import build_services

    return build_services(Settings(home=home) if home else Settings())


def _desk(home: Path | None):
    """The rep desk alone: rep commands need no embedding model."""
    from assistant.rep_desk import open_desk

    settings = Settings(home=home) if home else Settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    return open_desk(settings.resolved_database_url)


def _fail(error: Exception) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(code=2)


def chat(
    home: HomeOption = None,
    conversation: Annotated[str | None, typer.Option(help="Continue this conversation id.")] = None,
) -> None:
    """Talk to the assistant in the terminal, as a buyer would (empty line or Ctrl-D to stop)."""
    from assistant.pipeline import MessageRejected
    from assistant.storage.conversations import UnknownConversation

    services = _services(home)
    conversation_id = conversation or services.chat.start()
    typer.echo(f"conversation {conversation_id} (Ctrl-D to stop)")
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            break
        if not text:
            break
        try:
            turn = services.chat.ask(conversation_id, text)
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
        "reasons": handoff.reasons,
        "rep": handoff.rep,
        "created_at": handoff.created_at.isoformat(timespec="seconds"),
        "knowledge_gap": handoff.knowledge_gap,
    }


@handoffs_app.command("list")
def list_(
    home: HomeOption = None,
    state: Annotated[str | None, typer.Option(help="open, claimed, replied or resolved.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The queue, newest first."""
    rows = [_summary(h) for h in _desk(home).handoffs.list(state=state)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"{row['id']:>5}  {row['state']:<9} {row['rep'] or '-':<12} {row['question'][:70]}")


@handoffs_app.command()
def show(handoff_id: int, home: HomeOption = None) -> None:
    """Everything a rep needs: transcript, intents, reasons, sources and the AI draft with citations."""
    from assistant.storage.handoffs import HandoffError

    desk = _desk(home)
    try:
        handoff = desk.handoffs.get(handoff_id)
    except HandoffError as error:
        _fail(error)
    transcript = desk.conversations.messages(handoff.conversation_id)
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
    from assistant.storage.handoffs import HandoffError

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
    handoff_id: int, owner: Annotated[str, typer.Option(help="Who verified it.")], home: HomeOption = None
) -> None:
    """Save the rep's reply to the knowledge base as a verified Q&A document."""
    from assistant.storage.handoffs import HandoffError
    from ingest.sync import Syncer
    from ingest.verified_qa import save_verified_answer

    services = _services(home)
    try:
        handoff = services.handoffs.get(handoff_id)
        if not handoff.reply:
            raise HandoffError(f"handoff {handoff_id} has no reply to save")
        document_id = save_verified_answer(
            Syncer(services.kb),
            handoff_id=handoff_id,
            question=handoff.question,
            answer=handoff.reply,
            owner=owner,
        )
    except (HandoffError, ValueError) as error:
        _fail(error)
    services.handoffs.mark_saved(handoff_id, document_id)
    typer.echo(f"saved as {document_id}")
