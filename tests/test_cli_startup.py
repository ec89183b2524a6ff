"""What a CLI command imports (issue #16: `lastmile --help` and every command that needs no model stay under
1 s). Asserted on `sys.modules` after the command ran in a fresh process, never on wall-clock time: the
heavy libraries (each ~0.3-2 s to import) stay out of help, and the model's libraries out of commands that
never embed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

# Runs the CLI as `python -m ui.cli ARGS` would, then reports its exit code and the modules it loaded.
PROBE = """
import json, runpy, sys
sys.argv = ["lastmile", *json.loads(sys.argv[1])]
code = 0
try:
    runpy.run_module("ui.cli", run_name="__main__")
except SystemExit as exit:
    code = exit.code or 0
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if "." not in m)}))
"""
MODEL = {"torch", "sentence_transformers", "transformers", "langchain_core", "langchain_text_splitters"}
STORES = {"sqlalchemy", "alembic", "chromadb", "psycopg"}
HEAVY = MODEL | STORES | {"streamlit", "fastapi", "uvicorn", "numpy", "sklearn"}


def loaded(args: list[str], home) -> tuple[int, set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "LASTMILE_HOME": str(home), "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


@pytest.mark.parametrize(
    "args", [["--help"], ["kb", "--help"], ["handoffs", "--help"], ["users", "--help"], ["ask", "--help"]]
)
def test_help_imports_no_heavy_library(args, tmp_path):
    code, modules = loaded(args, tmp_path / "home")
    assert code == 0
    assert modules & HEAVY == set()


@pytest.mark.parametrize("args", [["kb", "list"], ["handoffs", "list"], ["users", "list"]])
def test_commands_without_model_import_no_model_library(args, tmp_path):
    code, modules = loaded(args, tmp_path / "home")
    assert code == 0
    assert modules & (MODEL | {"streamlit", "psycopg"}) == set()  # SQLite home: no PostgreSQL driver


def test_listing_documents_opens_no_vector_store(tmp_path):
    # `kb list` reads the registry only: Chroma (half a second to import) opens on the first vector use.
    code, modules = loaded(["kb", "list"], tmp_path / "home")
    assert code == 0
    assert "chromadb" not in modules


def test_a_current_database_opens_without_alembic(tmp_path):
    # The first command creates the SQL database (Alembic migrates it); later ones find it at the head
    # revision and never import Alembic (~0.4 s), nor the answering pipeline's numpy: `users list` needs the
    # user table alone.
    home = tmp_path / "home"
    code, modules = loaded(["users", "list"], home)
    assert code == 0
    assert "alembic" in modules
    code, modules = loaded(["users", "list"], home)
    assert code == 0
    assert modules & {"alembic", "numpy", "chromadb", "limits"} == set()


def test_default_rate_limits_parse_and_others_are_still_checked():
    # Settings skip parsing their default rate limits (importing `limits` costs every command ~0.1 s).
    from limits import parse
    from pydantic import ValidationError

    from assistant.settings import Settings

    for name in ("api_rate_limit_ip", "api_rate_limit_conversation"):
        parse(Settings.model_fields[name].default)
    with pytest.raises(ValidationError):
        Settings(api_rate_limit_ip="many per fortnight")
