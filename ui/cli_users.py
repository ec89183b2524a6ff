"""`lastmile users add | list | remove | password`: staff accounts for the rep console and the knowledge
base pages, thin over `assistant.accounts`. Passwords are prompted (twice) or read from stdin, never
taken as arguments: arguments end up in shell history and in `ps`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import Settings

users_app = typer.Typer(no_args_is_help=True, help="Staff accounts (reps, admins): add, list, remove.")
HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Data folder (default: $LASTMILE_HOME or ./.lastmile).")
]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin (for scripts)."),
]


def _store(home: Path | None):
    """The user table alone: account commands load no model and no knowledge base."""
    from assistant.wiring import build_accounts

    return build_accounts(Settings(home=home) if home else Settings())


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


@users_app.command()
def add(
    name: Annotated[str, typer.Argument(help="Sign-in name (unique).")],
    role: Annotated[
        str, typer.Option(help="rep (rep console, insights) or admin (also the knowledge base).")
    ],
    password_stdin: PasswordStdin = False,
    home: HomeOption = None,
) -> None:
    """Create a staff account; the password is stored as an argon2id hash."""
    from assistant.accounts import ROLES, UserError

    if role not in ROLES:  # before the password prompt, not after it
        _fail(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    store = _store(home)
    try:
        store.add(name, role, _password(password_stdin))
    except UserError as error:
        _fail(str(error))
    typer.echo(f"user {name.strip()} added ({role})")


@users_app.command("list")
def list_(
    home: HomeOption = None, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """Every account: name, role, created (never the hashes)."""
    rows = [
        {"name": u.name, "role": u.role, "created_at": u.created_at.isoformat(timespec="seconds")}
        for u in _store(home).list()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"{row['name']:<24} {row['role']:<6} {row['created_at']}")


@users_app.command()
def remove(
    name: Annotated[str, typer.Argument(help="The account to delete.")], home: HomeOption = None
) -> None:
    """Delete an account: its open sessions are refused on their next page load."""
    if not _store(home).remove(name):
        _fail(f"no user named {name!r}")
    typer.echo(f"user {name} removed")


@users_app.command()
def password(
    name: Annotated[str, typer.Argument(help="The account whose password changes.")],
    password_stdin: PasswordStdin = False,
    home: HomeOption = None,
) -> None:
    """Set a new password."""
    from assistant.accounts import UserError

    try:
        changed = _store(home).set_password(name, _password(password_stdin))
    except UserError as error:
        _fail(str(error))
    if not changed:
        _fail(f"no user named {name!r}")
    typer.echo(f"password of {name} changed")
