"""`lastmile migrate`: a populated embedded home copied to a Chroma server and PostgreSQL, vectors copied
rather than re-embedded; the target's stores agree, a second run copies nothing, and the assistant gives
the same answers on the shared stores as on the home."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from assistant.outcomes import Reason, ReasonCode
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore
from assistant.storage.handoffs import HandoffStore
from assistant.wiring import build_admin, build_assistant, build_database, build_store_move
from tests.conftest import REPO, settings_kb

QUESTIONS = [
    "Is data encrypted at rest, and with which algorithm?",
    "Can we deploy in our own VPC?",
    "Do you ship a native connector for Lotus Notes 6 databases?",
]


class NoEmbedding:
    """Fails the test if the move ever embeds: vectors must be copied."""

    name, dimension = "none", 384

    def embed(self, texts):
        raise AssertionError(f"migrate embedded {len(texts)} texts")


@pytest.fixture
def populated_home(sample_home, tmp_path):
    """A copy of the sample home (nobody else writes to it) with a conversation and a handoff."""
    home = tmp_path / "embedded"
    shutil.copytree(sample_home, home, ignore=shutil.ignore_patterns("*.lock"))
    database = build_database(Settings(home=home))
    conversation = ConversationStore(database).start()
    ConversationStore(database).add(conversation, "buyer", "Who do I ask about pricing?")
    handoff = HandoffStore(database).open(
        conversation_id=conversation, question="Who do I ask about pricing?", reasons=[Reason(ReasonCode.NO_EVIDENCE, "r")],
        intents={}, sources=[], draft="", draft_citations=[], knowledge_gap=True, confidence=0.1,
    )  # fmt: skip
    handoffs = sum(HandoffStore(database).counts().values())  # the shared sample home may hold others'
    database.dispose()
    return home, conversation, handoff, handoffs


@pytest.mark.slow
def test_migrate_copies_the_home_and_answers_stay_the_same(populated_home, shared_stores, embedder):
    home, conversation, handoff, handoffs = populated_home
    url, collection = shared_stores.isolated()
    source = Settings(home=home)
    target = source.model_copy(
        update={"chroma_url": shared_stores.chroma.url, "database_url": url, "collection": collection}
    )

    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "migrate", "--home", str(home), "--to-database", url,
         "--to-chroma", shared_stores.chroma.url, "--to-collection", collection, "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout)
    documents = [record.id for record in build_admin(source).documents()]
    assert sorted(first["knowledge"]["copied"]) == documents
    assert first["tables"]["copied"]["handoffs"] == handoffs >= 1
    assert first["target_check"]["ok"] is True

    again = build_store_move(
        source, to_database=url, to_chroma=shared_stores.chroma.url, to_collection=collection
    )()
    assert again.knowledge.copied == [], "a second run copies nothing twice"
    assert sorted(again.knowledge.unchanged) == documents
    assert sum(again.tables.copied.values()) == 0
    assert again.ok

    moved = settings_kb(target, NoEmbedding())
    assert moved.dense.count() == moved.registry.chunk_ids().__len__() == first["knowledge"]["chunks"]
    assert build_admin(target, kb=moved).check().ok, "`kb check` passes on the target"
    assert [r.id for r in build_admin(target, kb=moved).documents()] == documents
    moved.close()

    before = build_assistant(source, kb=settings_kb(source, embedder))
    after = build_assistant(target, kb=settings_kb(target, embedder))
    for question in QUESTIONS:
        old, new = before.ask(question), after.ask(question)
        assert (new.text, new.outcome, new.citations) == (old.text, old.outcome, old.citations), question

    shared_db = build_database(target)
    assert [m.text for m in ConversationStore(shared_db).messages(conversation)] == [
        "Who do I ask about pricing?"
    ]
    assert HandoffStore(shared_db).get(handoff).question == "Who do I ask about pricing?"
    next_handoff = HandoffStore(shared_db).open(
        conversation_id=conversation, question="again", reasons=[Reason(ReasonCode.NO_EVIDENCE, "r")],
        intents={}, sources=[], draft="", draft_citations=[], knowledge_gap=True, confidence=0.1,
    )  # fmt: skip
    assert next_handoff > handoff, "new rows never collide with copied ids"
    shared_db.dispose()
    shared_stores.drop(collection)
