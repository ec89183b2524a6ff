"""The knowledge database on PostgreSQL: the registry and the lexical index shared by every app process.

The same tables as the SQLite file (knowledge/store_db.py), so the registry, the trust rules and the
consistency checks run their SQL unchanged: `?` placeholders are rewritten to psycopg's, rows answer by
index and by name like `sqlite3.Row`, and the lexical rows keep a `rowid` column equal to their chunk's
`seq` (a foreign key deletes them with it, as the SQLite trigger does). Only full-text search differs
(knowledge/lexical_pg.py): a stored, weighted `tsvector` with the `english` configuration (Snowball
stemming, like FTS5's porter) and a GIN index.

Identifiers compare byte-wise (`COLLATE "C"`), as in SQLite, so listings keep their order on any server
locale. The schema is whatever the connection's `search_path` names first (`?options=-csearch_path%3DX`
in the URL): tests isolate themselves in a schema of their own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from knowledge.pg_lock import AdvisoryLock, libpq_url

# One migration per step of the SQLite list it mirrors; a PostgreSQL store starts at the current schema.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_schema_as_of_sqlite_005",
        """
        CREATE TABLE documents (
            id TEXT COLLATE "C" PRIMARY KEY,
            content_hash TEXT NOT NULL,
            title TEXT NOT NULL,
            type TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            owner TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            size_bytes BIGINT NOT NULL DEFAULT 0,
            source_root TEXT NOT NULL DEFAULT '',
            authoritative INTEGER NOT NULL DEFAULT 1,
            approved_hash TEXT NOT NULL DEFAULT '',
            approved_by TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX documents_by_source ON documents(source_root);
        CREATE TABLE chunks (
            seq BIGSERIAL PRIMARY KEY,
            id TEXT COLLATE "C" NOT NULL UNIQUE,
            document_id TEXT COLLATE "C" NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            heading TEXT NOT NULL DEFAULT '',
            page INTEGER,
            flag TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX chunks_by_document ON chunks(document_id, ordinal);
        CREATE INDEX chunks_flagged ON chunks(document_id) WHERE flag != '';
        CREATE TABLE chunks_fts (
            rowid BIGINT PRIMARY KEY REFERENCES chunks(seq) ON DELETE CASCADE,
            chunk_id TEXT COLLATE "C" NOT NULL,
            document_id TEXT COLLATE "C" NOT NULL,
            title TEXT NOT NULL,
            heading TEXT NOT NULL,
            body TEXT NOT NULL,
            -- Weights A/B/C: title, heading, body, as FTS5's bm25(2.0, 1.5, 1.0) column weights.
            tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('english', title), 'A')
                || setweight(to_tsvector('english', heading), 'B')
                || setweight(to_tsvector('english', body), 'C')
            ) STORED
        );
        CREATE INDEX chunks_fts_tsv ON chunks_fts USING GIN (tsv);
        CREATE INDEX chunks_fts_document ON chunks_fts(document_id);
        CREATE TABLE kb_state (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
        INSERT INTO kb_state(key, value) VALUES ('generation', 0);
        """,
    ),
    (
        # Mirrors SQLite's 006: each chunk's sentence vectors, stored at ingest (knowledge/sentence_vectors.py).
        "002_sentence_vectors",
        """
        CREATE TABLE sentence_vectors (
            chunk_id TEXT COLLATE "C" NOT NULL,
            text_hash TEXT NOT NULL,
            text TEXT NOT NULL,
            vector BYTEA NOT NULL,
            PRIMARY KEY (chunk_id, text_hash)
        );
        """,
    ),
]


class Row:
    """A result row read by position or by column name, like `sqlite3.Row`."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: dict[str, int], values: Sequence[Any]) -> None:
        self._names, self._values = names, values

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._names[key] if isinstance(key, str) else key]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor: Any) -> Any:
    names = {column.name: index for index, column in enumerate(cursor.description or ())}
    return lambda values: Row(names, values)


def _sql(statement: str) -> str:
    """SQLite's `?` placeholders as psycopg's `%s` (a literal `%` doubled first)."""
    return statement.replace("%", "%%").replace("?", "%s")


def _params(params: Sequence[Any]) -> list[Any]:
    # Flags are INTEGER columns, as in SQLite: a Python bool would be sent as a PostgreSQL boolean.
    return [int(value) if isinstance(value, bool) else value for value in params]


class _Connection:
    """The slice of `sqlite3.Connection` the knowledge modules use, over one psycopg connection."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        cursor = self._conn.cursor(row_factory=_row_factory)
        if params:
            cursor.execute(_sql(statement), _params(params))
        else:
            cursor.execute(statement)
        return cursor

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> Any:
        cursor = self._conn.cursor()
        rows = [_params(row) for row in rows]
        if rows:
            cursor.executemany(_sql(statement), rows)
        return cursor


class PostgresKnowledgeDB:
    """The registry and lexical tables in PostgreSQL; `transaction()` groups writes atomically."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = libpq_url(url)
        self.path = None  # no file: nothing under LASTMILE_HOME belongs to this store
        # One connection per process, serialised by a lock (Streamlit runs sessions in threads). Each
        # statement outside a transaction commits on its own (autocommit), so reads always see the
        # latest commits of other processes.
        self._psycopg = psycopg
        self._lock = threading.RLock()
        self._conn = self._connect()
        self._migrate()

    def _connect(self) -> Any:
        return self._psycopg.connect(self.url, autocommit=True)

    @property
    def location(self) -> str:
        """Where this store lives, for messages (the URL without credentials)."""
        return _redacted(self.url)

    def writer_lock(self) -> AdvisoryLock:
        """The lock every writer holds: a PostgreSQL advisory lock, seen by every machine."""
        return AdvisoryLock(self.url, "lastmile.knowledge.writer")

    def _live(self) -> Any:
        if self._conn.closed or self._conn.broken:  # the server restarted or the link dropped
            self._conn = self._connect()
        return self._conn

    def _migrate(self) -> None:
        with self._lock, self._live().transaction():
            conn = self._conn
            # Two processes opening a new schema at once: the second waits here, then finds it done.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.lastmile.migrate'))")
            conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY)")
            done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
            for name, sql in MIGRATIONS:
                if name not in done:
                    conn.execute(sql)
                    conn.execute("INSERT INTO _migrations(name) VALUES (%s)", (name,))

    @contextmanager
    def transaction(self) -> Iterator[_Connection]:
        with self._lock, self._live().transaction():
            yield _Connection(self._conn)

    def query(self, sql: str, params: tuple | list = ()) -> list[Row]:
        with self._lock:
            return _Connection(self._live()).execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _redacted(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
