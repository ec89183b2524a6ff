"""Bad input through the CLI (#14 item 11): every `--json` command answers a failure with a JSON error
object on stdout and a non-zero exit; an empty, oversized or invalid-UTF-8 message is refused that way;
`chat` survives a line that is not UTF-8; a damaged SQLite file is one line naming it, never a traceback;
the Streamlit app `serve` starts shows buyers no error details. The real CLI runs as a subprocess (and,
for a 1 MB argument no OS accepts, through typer's CliRunner)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO
from ui.cli import app

TIMEOUT_S = 600  # `chat` loads the embedding model: slow on a busy machine


def lastmile(*args: str | bytes, home, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "LASTMILE_DATABASE_URL"}  # the home's database
    env |= {"PYTHONPATH": str(REPO), "LASTMILE_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=TIMEOUT_S,
        check=False,
    )


def json_error(stdout: bytes) -> dict:
    payload = json.loads(stdout)
    assert set(payload) == {"error"}
    assert set(payload["error"]) == {"code", "message"}
    return payload["error"]


@pytest.mark.parametrize(
    ("message", "says"),
    [("", "the message is empty"), (b"\xff\xfe which regions? \xc3", "not valid UTF-8")],
    ids=["empty", "invalid-utf8"],
)
def test_ask_json_refuses_a_bad_message_with_a_json_error(tmp_path, message, says):
    done = lastmile("ask", "--json", message, home=tmp_path / "home")
    assert done.returncode == 2, done.stderr.decode(errors="replace")
    error = json_error(done.stdout)
    assert error["code"] == "message_rejected"
    assert says in error["message"]
    assert b"Traceback" not in done.stderr


def test_ask_json_refuses_a_one_megabyte_message(tmp_path):
    result = CliRunner().invoke(app, ["ask", "--json", "x" * 1_000_000, "--home", str(tmp_path / "home")])
    assert result.exit_code == 2
    error = json_error(result.stdout.encode())
    assert error["code"] == "message_rejected"
    assert "too long: 1,000,000 characters" in error["message"]


def test_a_usage_error_under_json_is_a_json_error(tmp_path):
    done = lastmile("ask", "--json", home=tmp_path / "home")  # the question is missing
    assert done.returncode == 2
    error = json_error(done.stdout)
    assert error["code"] == "usage"
    assert "question" in error["message"]


def test_chat_reports_a_line_that_is_not_utf8_and_carries_on(tmp_path):
    done = lastmile("chat", home=tmp_path / "home", stdin=b"\xff\xfe price?\nWhich regions can host data?\n")
    out = done.stdout.decode("utf-8", errors="replace")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    assert "not valid UTF-8" in out
    assert out.count("lastmile> ") == 1, "the next, valid line is answered"
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("file", "command"),
    [("lastmile.sqlite3", ["users", "list"]), ("knowledge.sqlite3", ["kb", "check"])],
    ids=["app-database", "knowledge-database"],
)
def test_a_damaged_database_is_one_line_naming_it(tmp_path, file, command):
    home = tmp_path / "home"
    home.mkdir()
    damaged = home / file
    damaged.write_bytes(b"this is not a database, it was overwritten by accident\n" * 200)
    done = lastmile(*command, home=home)
    assert done.returncode == 3
    lines = done.stderr.decode().strip().splitlines()
    assert lines == [f"error: the database at {damaged.resolve()} is damaged: file is not a database"]
    assert not done.stdout

    done = lastmile(*command, "--json", home=home)
    assert done.returncode == 3
    error = json_error(done.stdout)
    assert error == {
        "code": "database_damaged",
        "message": f"the database at {damaged.resolve()} is damaged: file is not a database",
    }


def test_serve_starts_streamlit_without_error_details(tmp_path):
    from streamlit import config

    from ui.cli import streamlit_command

    command = streamlit_command(REPO / "ui" / "app.py", host="127.0.0.1", port=8599)
    flags = command[command.index(str(REPO / "ui" / "app.py")) + 1 :]
    options = {flag.removeprefix("--"): value for flag, value in zip(flags[::2], flags[1::2], strict=True)}
    try:
        config.get_config_options(force_reparse=True, options_from_flags=options)
        assert config.get_option("client.showErrorDetails") == "none"
    finally:
        config.get_config_options(force_reparse=True)
