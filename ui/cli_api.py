"""`lastmile api`: the buyer HTTP API, which also serves the widget (/widget.js) and the demo page (/demo)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import Settings

DEFAULT_API_PORT = 8000


def api(
    home: Annotated[
        Path | None, typer.Option("--home", help="Data folder (default: $LASTMILE_HOME or ./.lastmile).")
    ] = None,
    port: Annotated[int, typer.Option(help="Port for the API.")] = DEFAULT_API_PORT,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    samples: Annotated[bool, typer.Option(help="Ingest the bundled sample knowledge base if empty.")] = True,
) -> None:
    """Start the buyer API (/v1), the embeddable widget (/widget.js) and the demo page (/demo)."""
    from ui.api.server import run
    from ui.cli import ingest_samples_if_empty

    settings = Settings(home=home) if home else Settings()
    if samples:
        ingest_samples_if_empty(settings)
    typer.echo(
        f"Lastmile API on http://{host}:{port}/v1 (widget: /widget.js, demo page: http://{host}:{port}/demo)"
    )
    run(settings, host=host, port=port)
