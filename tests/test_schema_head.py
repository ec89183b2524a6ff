"""The schema check on open: the head revision read from the migration files is Alembic's own, a database
at head is opened without running Alembic, and one behind it (or new) is still migrated."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from assistant.storage.database import MIGRATIONS, Database, sqlite_url
from assistant.storage.schema_head import at_head, head_revision


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def test_head_read_from_the_files_is_alembics_head():
    assert head_revision(MIGRATIONS / "versions") == ScriptDirectory.from_config(_config()).get_current_head()


def test_several_heads_leave_the_decision_to_alembic(tmp_path):
    for name, parent in (("a", None), ("b", "a"), ("c", "a")):  # b and c both build on a: two heads
        (tmp_path / f"{name}.py").write_text(f'revision = "{name}"\ndown_revision = {parent!r}\n')
    assert head_revision(tmp_path) is None
    (tmp_path / "d.py").write_text('revision: str = "d"\ndown_revision = ("b", "c")\n')  # a merge
    head_revision.cache_clear()
    assert head_revision(tmp_path) == "d"


def test_only_a_database_at_head_skips_alembic(tmp_path):
    url = sqlite_url(tmp_path / "old.sqlite3")
    engine = create_engine(url)
    with engine.connect() as connection:
        assert not at_head(connection, MIGRATIONS / "versions")  # a new file: no alembic_version
    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.connect() as connection:
        assert not at_head(connection, MIGRATIONS / "versions")
    Database(url).dispose()  # migrates to head on open
    with engine.connect() as connection:
        assert at_head(connection, MIGRATIONS / "versions")
        tables = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
    assert "sign_in_failures" in tables  # the newest migration ran
    engine.dispose()
