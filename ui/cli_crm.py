"""`lastmile crm export | deliver | deliveries`: CRM import files, and the webhook delivery log."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import Settings

crm_app = typer.Typer(no_args_is_help=True, help="CRM: export accounts, contacts, deals, notes; webhook log.")
HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Data folder (default: $LASTMILE_HOME or ./.lastmile).")
]


class Format(StrEnum):
    json = "json"
    csv = "csv"


def _settings(home: Path | None) -> Settings:
    settings = Settings(home=home) if home else Settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    return settings


def _database(settings: Settings):
    from assistant.wiring import build_database

    return build_database(settings)


@crm_app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="Folder for the files (created if missing).")],
    fmt: Annotated[
        Format, typer.Option("--format", help="json (one file) or csv (one file per object).")
    ] = Format.csv,
    home: HomeOption = None,
) -> None:
    """Write accounts, contacts, deals and notes shaped like HubSpot's import files."""
    from assistant.deals.crm_export import build_export
    from assistant.deals.crm_files import write_csv, write_json

    result = build_export(_database(_settings(home)))
    paths = (write_json if fmt == Format.json else write_csv)(result, out)
    typer.echo(
        f"{len(result.companies)} companies, {len(result.contacts)} contacts, {len(result.deals)} deals, "
        f"{len(result.notes)} notes -> " + ", ".join(str(p) for p in paths)
    )


@crm_app.command()
def deliver(home: HomeOption = None) -> None:
    """Attempt every webhook delivery now due (retries, or left behind by a stopped process)."""
    from assistant.deals.webhooks import WebhookDispatcher
    from assistant.wiring import build_webhook

    settings = _settings(home)
    dispatcher = build_webhook(settings, _database(settings))
    if not isinstance(dispatcher, WebhookDispatcher):
        typer.echo("error: no webhook configured (LASTMILE_WEBHOOK_URL)", err=True)
        raise typer.Exit(code=2)
    counts = dispatcher.deliver_due()
    dispatcher.close()
    typer.echo(", ".join(f"{n} {status}" for status, n in counts.items()) or "nothing due")


@crm_app.command()
def deliveries(
    home: HomeOption = None,
    status: Annotated[str | None, typer.Option(help="pending, sending, delivered or failed.")] = None,
) -> None:
    """The webhook delivery log, newest first (never the bodies)."""
    from assistant.deals.webhooks import WebhookOutbox

    for row in WebhookOutbox(_database(_settings(home))).list(status=status):
        typer.echo(
            f"{row.id}  {row.event:<17} {row.status:<9} attempts {row.attempts}  "
            f"last {row.last_status or row.last_error or '-'}  {row.created_at.isoformat(timespec='seconds')}"
        )
