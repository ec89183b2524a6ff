"""Nothing reaches the network while the model loads, documents are ingested and questions answered."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import SAMPLES


def test_guard_really_blocks_sockets(no_network):
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("127.0.0.1", 9))
    assert no_network  # the attempt was recorded


def test_load_ingest_and_answer_without_network(no_network, tmp_path):
    from assistant.settings import Settings
    from assistant.wiring import build_assistant, build_knowledge
    from ingest.sync import Syncer

    settings = Settings(home=tmp_path / "home")
    kb = build_knowledge(settings)  # loads the embedding model from site-packages, opens Chroma
    report = Syncer(kb).sync([SAMPLES / "security-compliance.md", SAMPLES / "pricing.html"])
    assert report.failed == []
    assert len(report.added) == 2
    answer = build_assistant(settings, kb=kb).ask("Which compliance certifications do you hold?")
    assert answer.hits, "retrieval returned nothing"
    assert no_network == [], f"network was attempted: {no_network}"
