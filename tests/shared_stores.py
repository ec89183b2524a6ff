"""The shared-store tier's real services: the machine's PostgreSQL and a Chroma server started here.

Every test gets stores of its own on them: a PostgreSQL schema named for it (the connection's
`search_path`, so the app's tables, the knowledge registry and the lexical index all land there) and a
Chroma collection of its own, both dropped afterwards. The Chroma server is one per test session: it
starts in a second or two, on a free port, over a temporary folder.

When no PostgreSQL answers, the tier skips and says why; under `CI=true` it fails instead, so CI can never
pass without having run it.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

from knowledge.chroma_server import ChromaServer

# The machine's PostgreSQL (trust auth) on every development and CI machine of this project.
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("LASTMILE_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def unavailable(reason: str) -> None:
    """Skip the shared tier, or fail it under CI (where it must run)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"shared-store tier cannot run under CI: {reason}")
    pytest.skip(f"shared-store tier skipped: {reason}")


def _admin_connect(url: str):
    import psycopg

    from knowledge.pg_lock import libpq_url

    return psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=5)


@dataclass
class SharedStores:
    """The session's PostgreSQL and Chroma server; `isolated()` hands out a schema and a collection."""

    postgres: str
    chroma: ChromaServer
    schemas: list[str] = field(default_factory=list)

    def isolated(self) -> tuple[str, str]:
        """(database URL on a new schema, new collection name) for one test."""
        name = f"lastmile_test_{uuid.uuid4().hex[:12]}"
        with _admin_connect(self.postgres) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        self.schemas.append(name)
        separator = "&" if "?" in self.postgres else "?"
        return f"{self.postgres}{separator}options={quote(f'-csearch_path={name}')}", name

    def drop(self, schema: str) -> None:
        with _admin_connect(self.postgres) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        if schema in self.schemas:
            self.schemas.remove(schema)
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        with contextlib.suppress(Exception):  # never created by this test, or the server is gone
            chromadb.HttpClient(
                host="127.0.0.1", port=self.chroma.port, settings=ChromaSettings(anonymized_telemetry=False)
            ).delete_collection(schema)


def start_shared_stores(folder: Path) -> SharedStores:
    """Both services, or a skip (a failure under CI) saying which is missing."""
    url = postgres_url()
    try:
        with _admin_connect(url) as conn:
            conn.execute("SELECT 1")
    except Exception as error:
        unavailable(f"no PostgreSQL at {url} ({type(error).__name__}: {str(error).strip()[:200]})")
    try:
        chroma = ChromaServer(folder)
    except RuntimeError as error:
        unavailable(str(error))
    return SharedStores(postgres=url, chroma=chroma)


def shared_environment(settings) -> dict[str, str]:
    """The `LASTMILE_*` variables that point a child process (CLI, API, Streamlit) at these settings."""
    env = {"LASTMILE_HOME": str(settings.home), "LASTMILE_COLLECTION": settings.collection}
    if settings.chroma_url:
        env["LASTMILE_CHROMA_URL"] = settings.chroma_url
    if settings.database_url:
        env["LASTMILE_DATABASE_URL"] = settings.database_url
    return env
