"""`lastmile confirmations build`: the confirmations dataset's JSONL records from its authoring files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

confirmations_app = typer.Typer(
    help="The confirmations dataset (evals/data/confirmations).", no_args_is_help=True
)


@confirmations_app.command("build")
def build(
    evaldata: Annotated[
        Path, typer.Option("--evaldata", help="Shared eval data folder holding samsung-s10/kb.")
    ] = Path("../shared/evaldata"),
) -> None:
    """Add the source files' new records to dev.jsonl / test.jsonl (records already there are kept)."""
    from evals.confirmation_build import build as build_records

    added = build_records(evaldata)
    typer.echo("added: " + ", ".join(f"{split} {n}" for split, n in added.items()))
