"""Shared fixtures: the real embedder, real Chroma and real SQLite, in temporary homes.

The embedding model loads once per test session; the bundled sample knowledge base is ingested once per
session into its own temporary home and shared read-only by the answer tests.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from knowledge.embedder import hub_offline

hub_offline()
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "knowledge" / "samples"
EVALDATA = REPO.parent / "shared" / "evaldata"


@pytest.fixture(scope="session")
def embedder():
    from knowledge.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


def make_kb(home: Path, embedder):
    from knowledge.base import KnowledgeBase
    from knowledge.chroma_index import ChromaIndex
    from knowledge.store_db import KnowledgeDB

    home.mkdir(parents=True, exist_ok=True)
    return KnowledgeBase(
        embedder=embedder,
        dense=ChromaIndex(path=str(home / "chroma")),
        db=KnowledgeDB(home / "knowledge.sqlite3"),
    )


@pytest.fixture
def kb(tmp_path, embedder):
    return make_kb(tmp_path / "home", embedder)


# The backend-parametrised tier: a suite that takes `store_settings` (or `backend_kb`, `backend_database`)
# runs twice, on the embedded default and on shared stores (a Chroma server started here and the
# machine's PostgreSQL; tests/shared_stores.py). Suites opt in by overriding their own fixtures with these.
BACKENDS = ("embedded", "shared")


@pytest.fixture(scope="session")
def shared_stores(tmp_path_factory):
    from tests.shared_stores import start_shared_stores

    stores = start_shared_stores(tmp_path_factory.mktemp("chroma-server") / "data")
    yield stores
    for schema in list(stores.schemas):
        stores.drop(schema)
    stores.chroma.stop()


@pytest.fixture(params=BACKENDS)
def store_settings(request, tmp_path):
    """Settings for this test's own stores: under a temporary home, or a schema and a collection of
    their own on the shared stores (dropped afterwards)."""
    from assistant.settings import Settings

    home = tmp_path / "home"
    if request.param == "embedded":
        yield Settings(home=home)
        return
    shared = request.getfixturevalue("shared_stores")
    url, name = shared.isolated()
    yield Settings(home=home, chroma_url=shared.chroma.url, collection=name, database_url=url)
    shared.drop(name)


def settings_kb(settings, embedder):
    """The knowledge base these settings describe, with the session's embedder."""
    from assistant.wiring import build_knowledge

    return build_knowledge(settings, embedder=embedder)


@pytest.fixture
def backend_kb(store_settings, embedder):
    kb = settings_kb(store_settings, embedder)
    yield kb
    kb.close()


@pytest.fixture
def backend_database(store_settings):
    from assistant.wiring import build_database

    db = build_database(store_settings)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory, embedder) -> Path:
    from ingest.sync import Syncer

    home = tmp_path_factory.mktemp("sample-home")
    report = Syncer(make_kb(home, embedder)).sync([SAMPLES])
    assert not report.failed, report.failed
    return home


@pytest.fixture(scope="session")
def sample_kb(sample_home, embedder):
    return make_kb(sample_home, embedder)


@pytest.fixture(scope="session")
def sample_assistant(sample_kb, sample_home):
    from assistant.settings import Settings
    from assistant.wiring import build_assistant

    return build_assistant(Settings(home=sample_home), kb=sample_kb)


class NetworkBlocked(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open an internet socket in this process fails loudly (Unix sockets stay allowed)."""
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(repr(address))
            raise NetworkBlocked(f"network access attempted: {address!r}")
        return real_connect(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        attempts.append(f"dns:{host}")
        raise NetworkBlocked(f"DNS lookup attempted: {host!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(
        socket,
        "create_connection",
        lambda address, *a, **k: guarded_connect(socket.socket(socket.AF_INET), address),
    )
    return attempts


@pytest.fixture
def database(tmp_path):
    """A fresh SQL database (real SQLite, migrated) for one test."""
    from assistant.storage.database import Database

    db = Database(f"sqlite:///{tmp_path / 'lastmile.sqlite3'}")
    yield db
    db.dispose()
