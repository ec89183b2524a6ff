"""Migration 0004 (deal intelligence) matches the models, and goes down and up again cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import assistant.storage.deal_tables  # noqa: F401 (registers the tables on Base.metadata)
from assistant.storage.database import MIGRATIONS
from assistant.storage.models import Base
from tests.deal_support import open_database

DEAL_TABLES = {"buyer_contacts", "deal_briefs", "conversation_segments", "webhook_deliveries"}


def _alembic(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def test_schema_matches_the_models_and_migrates_down_and_up(tmp_path):
    database = open_database(tmp_path)
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert set(inspect(database.engine).get_table_names()) >= DEAL_TABLES
    with database.engine.begin() as connection:
        command.downgrade(_alembic(connection), "0001")
    assert not DEAL_TABLES & set(inspect(database.engine).get_table_names())
    with database.engine.begin() as connection:
        command.upgrade(_alembic(connection), "heads")
    assert set(inspect(database.engine).get_table_names()) >= DEAL_TABLES
    database.dispose()
