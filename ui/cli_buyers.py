"""`lastmile buyers forget | brief | account`: erasure on a buyer's request, and the deal brief and account
committee a rep reads, thin over `assistant.deals`. Loads no model and no knowledge base."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import Settings

buyers_app = typer.Typer(
    no_args_is_help=True, help="Buyers: erase on request, deal briefs, account committees."
)
HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Data folder (default: $LASTMILE_HOME or ./.lastmile).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _database(home: Path | None):
    from assistant.wiring import build_database

    return build_database(Settings(home=home) if home else Settings())


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


@buyers_app.command()
def forget(
    email: Annotated[str, typer.Argument(help="The buyer's e-mail address.")],
    home: HomeOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a buyer: their conversations are anonymised, their contact, briefs and webhook log removed."""
    from assistant.deals.contacts import ContactBook, ContactError

    if not yes:
        typer.confirm("Anonymise every conversation of this buyer? This cannot be undone", abort=True)
    try:
        erasure = ContactBook(_database(home)).forget(email)
    except ContactError as error:
        _fail(str(error))
    typer.echo(
        f"{erasure.contacts} contact(s) removed, {erasure.conversations} conversation(s) anonymised "
        f"({erasure.messages} messages, {erasure.handoffs} handoffs redacted), {erasure.briefs} brief(s) and "
        f"{erasure.deliveries} webhook deliveries deleted"
    )


@buyers_app.command()
def brief(
    conversation_id: Annotated[str, typer.Argument(help="The conversation (as the handoff shows it).")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """The deal brief of a conversation: profile, claims, concerns, stakeholders, readiness with evidence."""
    from assistant.deals.brief import DealBriefs
    from assistant.deals.brief_text import brief_text
    from assistant.service import UnknownConversation

    try:
        result = DealBriefs(_database(home)).brief_for(conversation_id)
    except UnknownConversation:
        _fail("no such conversation")
    typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False) if as_json else brief_text(result))


@buyers_app.command()
def account(
    company: Annotated[str, typer.Argument(help="A company name, its domain, or a buyer's e-mail.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """The buying committee of a company across all its buyers' conversations."""
    from assistant.deals.brief import DealBriefs

    committee = DealBriefs(_database(home)).account_committee(company)
    if as_json:
        typer.echo(json.dumps(asdict(committee), indent=2, ensure_ascii=False, default=str))
        return
    if not committee.buyers:
        _fail(f"no buyer of {company!r} has left contact details")
    typer.echo(f"Account {committee.account}: {len(committee.buyers)} buyer conversation(s)")
    for buyer in committee.buyers:
        typer.echo(f"  buyer {buyer.name} ({buyer.company or 'no company given'}): {buyer.readiness}")
    for member in committee.members:
        names = f" [{', '.join(member.buyer_names)}]" if member.buyer_names else ""
        typer.echo(f"  {' / '.join(member.roles)}{names}: {member.stance}")
        typer.echo(f'      "{member.mentions[-1].quote}"')
