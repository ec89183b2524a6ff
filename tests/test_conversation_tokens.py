"""Conversation tokens for the HTTP API, on real SQLite: only the hash is stored, a token opens only its own
conversation, ending a conversation is kept, and a database made before the tokens existed upgrades."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from assistant.storage.conversations import ConversationStore, UnknownConversation
from assistant.storage.database import MIGRATIONS, Database, sqlite_url


@pytest.fixture
def store(tmp_path):
    database = Database(sqlite_url(tmp_path / "lastmile.sqlite3"))
    yield ConversationStore(database)
    database.dispose()


def test_only_the_tokens_hash_is_stored(store, tmp_path):
    conversation_id, token = store.start_with_token()
    with sqlite3.connect(tmp_path / "lastmile.sqlite3") as db:
        rows = db.execute("SELECT conversation_id, token_sha256 FROM conversation_tokens").fetchall()
        dump = "\n".join(db.iterdump())
    assert rows == [(conversation_id, hashlib.sha256(token.encode()).hexdigest())]
    assert token not in dump
    assert len(token) >= 43  # 32 random bytes, URL-safe base64


def test_a_token_opens_only_its_own_conversation(store):
    first, first_token = store.start_with_token()
    second, second_token = store.start_with_token()
    assert store.token_matches(first, first_token)
    assert store.token_matches(second, second_token)
    assert not store.token_matches(first, second_token)
    assert not store.token_matches(second, first_token)
    assert not store.token_matches(first, "")
    assert not store.token_matches("no-such-conversation", first_token)
    plain = store.start()  # a Streamlit conversation has no token: no token opens it
    assert not store.token_matches(plain, "")
    assert not store.token_matches(plain, first_token)


def test_ending_a_conversation_is_kept_and_idempotent(store):
    conversation_id, _ = store.start_with_token()
    assert not store.ended(conversation_id)
    store.add(conversation_id, "buyer", "hello")
    store.end(conversation_id)
    store.end(conversation_id)
    assert store.ended(conversation_id)
    assert [m.text for m in store.messages(conversation_id)] == ["hello"]
    with pytest.raises(UnknownConversation):
        store.end("no-such-conversation")
    with pytest.raises(UnknownConversation):
        store.ended("no-such-conversation")


def test_a_database_from_before_the_tokens_upgrades_in_place(tmp_path):
    url = sqlite_url(tmp_path / "old.sqlite3")
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO conversations (id, created_at, updated_at) VALUES ('old', '2025-01-01', '2025-01-01')"
        )
    engine.dispose()
    database = Database(url)  # upgrades to head on open
    store = ConversationStore(database)
    assert store.exists("old")
    assert not store.ended("old")
    assert not store.token_matches("old", "")
    database.dispose()
