"""The shared-store tier says why it skips without PostgreSQL, and refuses to skip under CI."""

from __future__ import annotations

import pytest

from knowledge.chroma_server import free_port
from tests.shared_stores import start_shared_stores


@pytest.fixture
def no_postgres(monkeypatch):
    """A PostgreSQL URL on a port where nothing listens."""
    monkeypatch.setenv(
        "LASTMILE_TEST_POSTGRES_URL", f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    )


def test_without_postgres_the_tier_skips_and_says_so(no_postgres, monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no PostgreSQL at"):
        start_shared_stores(tmp_path / "chroma")


def test_under_ci_a_missing_postgres_fails_instead(no_postgres, monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run under CI: no PostgreSQL at"):
        start_shared_stores(tmp_path / "chroma")
