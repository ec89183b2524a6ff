"""How every `lastmile` command fails: one line on stderr, or with `--json` a JSON error object on stdout
(`{"error": {"code": ..., "message": ...}}`), and a non-zero exit. Never a traceback for bad input or a
damaged database; an unexpected error under `--json` still prints the object (its traceback goes to
stderr for whoever debugs it).

`ReportingGroup` is the root command's class: it wraps the whole run (parsing included), so the console
script, `python -m ui.cli` and typer's CliRunner all report the same way.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

USAGE_EXIT = 2  # the code typer gives a usage error (a missing argument, an unknown option)
BAD_INPUT_EXIT = 2
DAMAGED_EXIT = 3
INTERNAL_EXIT = 1


class CliError(Exception):
    """A failure a command reports as it is: a code for scripts, a message for people."""

    def __init__(self, code: str, message: str, exit_code: int = BAD_INPUT_EXIT) -> None:
        super().__init__(message)
        self.code, self.message, self.exit_code = code, message, exit_code


def wants_json(args: Sequence[str]) -> bool:
    """`--json` among the options (not after a `--`, where it would be an argument)."""
    for arg in args:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False


def known(error: BaseException) -> CliError | None:
    """The report for an error that is the user's input or the data folder's state, not a bug."""
    from assistant.pipeline import MessageRejected
    from assistant.wiring import DamagedDatabase

    if isinstance(error, CliError):
        return error
    if isinstance(error, DamagedDatabase):
        return CliError("database_damaged", str(error), DAMAGED_EXIT)
    if isinstance(error, MessageRejected):
        return CliError("message_rejected", str(error))
    if isinstance(error, UnicodeError):
        return CliError("invalid_utf8", f"the input is not valid UTF-8 text ({error.reason})")
    if isinstance(error, typer.TyperException):  # typer's parsing errors: a usage error exits with 2
        code = "usage" if error.exit_code == USAGE_EXIT else "failed"
        return CliError(code, error.format_message(), error.exit_code)
    return None


def report(error: CliError, *, as_json: bool) -> NoReturn:
    if as_json:
        payload = {"error": {"code": error.code, "message": error.message}}
        # ensure_ascii: a message quoting undecodable input must still print
        typer.echo(json.dumps(payload, ensure_ascii=True))
    else:
        typer.echo(f"error: {error.message}", err=True)
    sys.exit(error.exit_code)


class ReportingGroup(TyperGroup):
    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        as_json = wants_json(argv)
        try:
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Abort:
            typer.echo("Aborted!", err=True)
            sys.exit(1)
        except typer.TyperException as error:  # a usage error: typer's own message, with the usage line
            if as_json:
                report(known(error) or CliError("failed", str(error)), as_json=True)
            show = getattr(error, "show", None)
            if show is not None:
                show()
            else:
                typer.echo(f"error: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except Exception as error:
            reported = known(error)
            if reported is None:
                if not as_json:
                    raise
                traceback.print_exc(file=sys.stderr)
                reported = CliError("internal", f"{type(error).__name__}: {error}", INTERNAL_EXIT)
            report(reported, as_json=as_json)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)
