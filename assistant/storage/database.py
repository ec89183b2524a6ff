"""Opening the SQL database: engine, sessions, units of work, and Alembic migrations applied on open
(Alembic itself is imported only when the schema is behind: `schema_head`).

Every store call runs in a transaction of its own (`Database.session`), unless it runs inside a unit of
work (`Database.transaction`): then it joins that one transaction, so several stores' writes (a buyer's
turn and the handoff it opens, a rep's reply and its message in the buyer's transcript) commit together or
not at all, even when the process dies between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from assistant.storage.schema_head import at_head
from knowledge.damage import DamagedDatabase, is_damage

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


class Database:
    def __init__(self, url: str, *, pool_size: int = 5, max_overflow: int = 10) -> None:
        self.url = url
        is_sqlite = url.startswith("sqlite")
        # A server database gets a pool sized by settings (each process holds up to pool_size +
        # max_overflow connections: size the server's max_connections for every process); SQLite keeps
        # SQLAlchemy's own pool for files.
        pooling = {} if is_sqlite else {"pool_size": pool_size, "max_overflow": max_overflow}
        self.engine: Engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False} if is_sqlite else {},
            pool_pre_ping=not is_sqlite,
            **pooling,
        )
        if is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # The unit of work open in this thread or task, if any (a ContextVar: threads never share one).
        self._unit_of_work: ContextVar[Session | None] = ContextVar(f"unit_of_work_{id(self)}", default=None)
        try:
            upgrade(self.engine)
        except DatabaseError as error:
            if not is_damage(error.orig):
                raise
            self.engine.dispose()
            raise DamagedDatabase(self.engine.url.database or url, str(error.orig)) from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: a new one committed on leaving, or the open unit of work's."""
        joined = self._unit_of_work.get()
        if joined is not None:
            yield joined  # committed or rolled back with the whole unit of work
            return
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A unit of work: every store call on this database inside the block joins one transaction,
        committed when the block ends and rolled back whole if anything in it raises. Nested units join
        the outer one."""
        if self._unit_of_work.get() is not None:
            yield
            return
        with self._sessions() as session, session.begin():
            token = self._unit_of_work.set(session)
            try:
                yield
            finally:
                self._unit_of_work.reset(token)

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision (Alembic is loaded only when it is not there)."""
    with engine.connect() as connection:
        if at_head(connection, MIGRATIONS / "versions"):
            return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Several app processes starting at once on a new database: one migrates, the others wait
            # here (the lock ends with this transaction) and then find the schema current.
            connection.exec_driver_sql(
                "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.alembic'))"
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
